package org.augmix4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Reading and writing image files (PNG, or any format javax.imageio reads) with errors that name the
 * file, the problem and the fix, and a guard against decompression bombs: the header's width and
 * height are read first ({@code ImageReader.getWidth/getHeight}, which for PNG reads only IHDR) and an
 * image of more than {@link #maxPixels()} pixels is refused before a byte of it is decoded (a
 * 20000x20000 PNG compresses to about 1 MB but decodes to 1.2 GB of RGB).
 *
 * <p>The default limit is Pillow's {@code Image.MAX_IMAGE_PIXELS}, 89,478,485 pixels (a 256 MiB RGB
 * image); {@code -Daugmix4j.maxImagePixels=N} or the {@code maxPixels} argument changes it.
 */
public final class ImageFiles {
    private ImageFiles() {}

    /** Pillow's MAX_IMAGE_PIXELS: {@code 1024 * 1024 * 1024 / 4 / 3}. */
    public static final long DEFAULT_MAX_PIXELS = 1024L * 1024 * 1024 / 4 / 3;

    /** The limit in force: the system property {@code augmix4j.maxImagePixels} if set, else {@link #DEFAULT_MAX_PIXELS}. */
    public static long maxPixels() {
        String v = System.getProperty("augmix4j.maxImagePixels");
        if (v == null || v.isBlank()) return DEFAULT_MAX_PIXELS;
        try {
            long n = Long.parseLong(v.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("augmix4j.maxImagePixels must be a whole number > 0; got '" + v + "'");
    }

    /** {@link #read(Path, long)} with {@link #maxPixels()}. */
    public static BufferedImage read(Path file) { return read(file, maxPixels()); }

    /**
     * Decodes the first image of {@code file}, of any type (RGB, grey, alpha, palette, 16-bit).
     *
     * @throws IllegalArgumentException naming the file when it is missing, not an image, or larger than
     *                                  {@code maxPixels} (checked from the header, before decoding)
     */
    public static BufferedImage read(Path file, long maxPixels) {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("cannot read " + file + ": no such file");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IllegalArgumentException("cannot read " + file + ": cannot open it as an image stream");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException("cannot read " + file + ": not a PNG (or other image format javax.imageio knows)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0), h = reader.getHeight(0);
                checkSize(file, w, h, maxPixels);
                BufferedImage img = reader.read(0);
                if (img == null) throw new IllegalArgumentException("cannot read " + file + ": the decoder returned no image");
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null && iae.getMessage().contains(file.toString())) {
                throw iae;
            }
            throw new IllegalArgumentException("cannot read " + file + ": not a readable image (" + e.getMessage()
                    + "); check that the file is a complete PNG/JPEG", e);
        }
    }

    /** {@link #read(Path)} then {@link Images#toRgb}: any image type as 8-bit RGB. */
    public static RgbImage readRgb(Path file) { return Images.toRgb(read(file)); }

    /** The size check of {@link #read}: refuses more than {@code maxPixels} pixels with the fix. */
    static void checkSize(Path file, long w, long h, long maxPixels) {
        if (w < 1 || h < 1) throw new IllegalArgumentException("cannot read " + file + ": its header says " + w + "x" + h + " pixels");
        if (w * h > maxPixels) {
            throw new IllegalArgumentException("refusing to decode " + file + ": its header says " + w + "x" + h + " = "
                    + String.format("%,d", w * h) + " pixels, more than the limit of " + String.format("%,d", maxPixels)
                    + " (a guard against decompression bombs, as Pillow's MAX_IMAGE_PIXELS); if the image is genuine, raise"
                    + " the limit with -Daugmix4j.maxImagePixels=N or ImageFiles.read(file, maxPixels)");
        }
    }

    /** Writes {@code img} as PNG, creating parent directories. */
    public static void writePng(Path file, BufferedImage img) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer for image type " + img.getType());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes an 8-bit RGB PNG. */
    public static void writePng(Path file, RgbImage rgb) { writePng(file, Images.toBgr(rgb)); }
}
