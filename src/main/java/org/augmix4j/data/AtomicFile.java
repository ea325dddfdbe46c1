package org.augmix4j.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file written all-or-nothing: bytes go to a temporary file beside the target, and
 * {@link #commit()} forces them to disk and renames the temporary file over the target (then
 * forces the directory). Closing without committing deletes the temporary file, so a crash or an
 * exception never leaves a half-written target behind.
 *
 * <pre>{@code
 * try (AtomicFile f = AtomicFile.create(path)) {
 *     f.write(bytes);
 *     f.commit();
 * }
 * }</pre>
 */
public final class AtomicFile implements AutoCloseable {
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private boolean done;

    private AtomicFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
    }

    /** Opens a temporary file in {@code target}'s directory (created if needed). */
    public static AtomicFile create(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        try {
            Files.createDirectories(dir);
            // not Files.createTempFile: that makes the file (and so the target) readable by its owner only
            Path temp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            return new AtomicFile(abs, temp, FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Appends all of {@code bytes}. */
    public void write(ByteBuffer bytes) {
        try {
            while (bytes.hasRemaining()) channel.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + target + " (via " + temp.getFileName() + "): " + e.getMessage(), e);
        }
    }

    public void write(byte[] bytes, int off, int len) { write(ByteBuffer.wrap(bytes, off, len)); }

    public void write(byte[] bytes) { write(bytes, 0, bytes.length); }

    /**
     * This file as an OutputStream (for encoders that write to streams); its close() does nothing:
     * commit or close the AtomicFile itself. Write failures surface as UncheckedIOException.
     */
    public java.io.OutputStream stream() {
        return new java.io.OutputStream() {
            @Override
            public void write(int b) { AtomicFile.this.write(new byte[] {(byte) b}); }

            @Override
            public void write(byte[] b, int off, int len) { AtomicFile.this.write(b, off, len); }
        };
    }

    /** Forces the data to disk and renames the temporary file to the target. */
    public void commit() {
        if (done) throw new IllegalStateException("already committed or closed: " + target);
        try {
            channel.force(true);
            channel.close();
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            forceDirectory(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish writing " + target + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary file unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        if (done) return;
        done = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // the temporary file is deleted below; nothing else to save
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // best effort: a stray dot-file is harmless and named after its target
        }
    }

    /** Makes the rename durable where the platform allows opening a directory (Linux does). */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not supported on every OS/file system; the data itself is already forced
        }
    }
}
