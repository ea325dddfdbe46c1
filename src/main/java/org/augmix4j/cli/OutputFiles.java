package org.augmix4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.augmix4j.data.AtomicFile;

/**
 * How the commands write their output files: checked before any work is done (the directory
 * exists or can be created, and is writable; the target is not a directory), then written
 * atomically through {@link AtomicFile} (temporary file in the same directory, fsync, rename), so a
 * full disk or a failing encoder never destroys an existing file or leaves half a file behind.
 */
final class OutputFiles {
    private OutputFiles() {}

    /** Writes the body of a file to a stream. */
    interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Refuses, with a sentence naming {@code flag} and the path, an output file that could not be
     * written: a directory in its place, a file where a parent directory should be, or a directory
     * without write permission.
     */
    static void checkWritable(String flag, Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new IllegalArgumentException(flag + " " + file + " is a directory; give a file name (e.g. " + file.resolve("out") + ")");
        }
        checkDirectory(flag, file, abs.getParent());
    }

    /** Like {@link #checkWritable} for an output directory (created if missing). */
    static void checkWritableDirectory(String flag, Path dir) {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new IllegalArgumentException(flag + " " + dir + " is a file; give a directory (it is created if missing)");
        }
        checkDirectory(flag, dir, abs);
    }

    /** The nearest existing ancestor of {@code dir} (itself included) must be a writable directory. */
    private static void checkDirectory(String flag, Path given, Path dir) {
        Path d = dir;
        while (d != null && !Files.exists(d)) d = d.getParent();
        if (d == null) return; // nothing exists up to the root: let the write itself say why
        if (!Files.isDirectory(d)) {
            throw new IllegalArgumentException(flag + " " + given + ": " + d + " is a file, not a directory; choose a path whose "
                    + "directories exist or can be created");
        }
        if (!Files.isWritable(d)) {
            throw new IllegalArgumentException(flag + " " + given + ": the directory " + d + " is not writable; choose another "
                    + "location or fix its permissions");
        }
    }

    /** Writes {@code file} atomically; on any failure the previous file (if any) is left as it was. */
    static void write(Path file, Body body) {
        try (AtomicFile f = AtomicFile.create(file)) {
            body.writeTo(f.stream());
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void writeString(Path file, String text) {
        write(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** An RGB HWC image as an 8-bit RGB PNG, written atomically. */
    static void writePng(Path file, int h, int w, byte[] hwc) {
        if (hwc.length != (long) h * w * 3) throw new IllegalArgumentException("image buffer is not " + h + "x" + w + "x3");
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] s = new int[hwc.length];
        for (int i = 0; i < s.length; i++) s[i] = hwc[i] & 0xFF;
        img.getRaster().setPixels(0, 0, w, h, s);
        write(file, out -> {
            if (!ImageIO.write(img, "png", out)) throw new IOException("no PNG writer in this Java runtime");
        });
    }
}
