package org.augmix4j.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.function.Executable;

/** Small files in the published formats, written by the tests, and the committed fixtures. */
final class Fixtures {
    private Fixtures() {}

    /** The committed fixtures under src/test/resources/data (made by the scripts there). */
    static Path resources() {
        try {
            return Path.of(Fixtures.class.getResource("/data").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The fixtures' pixel rule: value of image i, channel c, planar pixel p (p = y*32 + x). */
    static int pixel(int i, int c, int p, int seed) { return (i * 31 + c * 101 + p * 7 + seed) % 256; }

    /** CIFAR binary records: for each image, label bytes then R, G, B planes following {@link #pixel}. */
    static byte[] cifarBinary(int[][] labelBytes, int seed) {
        int n = labelBytes.length, lb = labelBytes[0].length;
        ByteBuffer b = ByteBuffer.allocate(n * (lb + 3072));
        for (int i = 0; i < n; i++) {
            for (int l : labelBytes[i]) b.put((byte) l);
            for (int c = 0; c < 3; c++) for (int p = 0; p < 1024; p++) b.put((byte) pixel(i, c, p, seed));
        }
        return b.array();
    }

    static byte[] idx(int magic, int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.put(data).array();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Asserts {@code run} fails with a DataException whose message contains every fragment. */
    static DataException fails(Executable run, String... fragments) {
        DataException e = assertThrows(DataException.class, run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message lacks '" + f + "': " + e.getMessage());
        }
        return e;
    }
}
