package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
    private static final Path NPY = Fixtures.resources().resolve("npy");
    @TempDir Path tmp;

    private static ImageBatch counting(int n, int h, int w, int c) {
        byte[] px = new byte[n * h * w * c];
        for (int i = 0; i < px.length; i++) px[i] = (byte) i;
        return new ImageBatch(px, n, h, w, c);
    }

    @Test
    void readsNumpyWrittenImagesInFormatVersions1To3() {
        for (int v = 1; v <= 3; v++) {
            Npy.Header h = Npy.readHeader(NPY.resolve("images_v" + v + ".npy"));
            assertEquals(v, h.majorVersion());
            assertEquals("|u1", h.descr());
            assertArrayEquals(new long[] {2, 4, 5, 3}, h.shape());
            ImageBatch b = Npy.readImages(NPY.resolve("images_v" + v + ".npy"), new int[] {4, 5, 3});
            assertArrayEquals(counting(2, 4, 5, 3).pixels(), b.pixels(), "version " + v);
        }
    }

    @Test
    void readsRowRanges() {
        ImageBatch second = Npy.readImages(NPY.resolve("images_v1.npy"), null, 1, 1);
        assertEquals(1, second.count());
        assertEquals(60, second.pixels()[0]);
        assertThrows(IndexOutOfBoundsException.class, () -> Npy.readImages(NPY.resolve("images_v1.npy"), null, 1, 2));
    }

    @Test
    void readsLabelsInEveryIntegerDtype() {
        for (String f : new String[] {"labels_i8.npy", "labels_i4.npy", "labels_u1.npy", "labels_be_i4.npy"}) {
            assertArrayEquals(new int[] {0, 9, 5, 1}, Npy.readLabels(NPY.resolve(f)), f);
        }
    }

    @Test
    void writesExactlyWhatNumpyWrites() {
        Path img = tmp.resolve("img.npy"), lab = tmp.resolve("lab.npy");
        Npy.writeImages(img, counting(2, 4, 5, 3));
        Npy.writeLabels(lab, new int[] {0, 9, 5, 1});
        assertArrayEquals(Fixtures.read(NPY.resolve("images_v1.npy")), Fixtures.read(img));
        assertArrayEquals(Fixtures.read(NPY.resolve("labels_i8.npy")), Fixtures.read(lab));
    }

    @Test
    void roundTripsCifarShapedImages() {
        ImageBatch b = counting(7, 32, 32, 3);
        Path f = tmp.resolve("c.npy");
        Npy.writeImages(f, b);
        assertEquals(0, Npy.readHeader(f).dataOffset() % 64, "data aligned to 64 bytes like NumPy");
        assertArrayEquals(b.pixels(), Npy.readImages(f, new int[] {32, 32, 3}).pixels());
    }

    @Test
    void streamingWriterIsAtomic() throws IOException {
        Path f = tmp.resolve("s.npy");
        ImageBatch part = counting(2, 32, 32, 3);
        try (Npy.ImageWriter w = Npy.openImageWriter(f, 4, 32, 32, 3)) {
            w.write(part);
            assertFalse(Files.exists(f), "target must not appear before commit");
            assertThrows(IllegalStateException.class, w::commit);
        }
        assertFalse(Files.exists(f));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(0, left.count(), "the temporary file is removed when a writer is closed without commit");
        }
        try (Npy.ImageWriter w = Npy.openImageWriter(f, 4, 32, 32, 3)) {
            w.write(part);
            w.write(part);
            assertThrows(IllegalStateException.class, () -> w.write(part));
            w.commit();
        }
        ImageBatch back = Npy.readImages(f, new int[] {32, 32, 3});
        assertEquals(4, back.count());
        assertArrayEquals(part.pixels(), Arrays.copyOfRange(back.pixels(), part.pixels().length, 2 * part.pixels().length));
    }

    @Test
    void rejectsDamagedFilesWithTheReason() {
        byte[] good = Fixtures.read(NPY.resolve("images_v1.npy"));
        Path f = tmp.resolve("bad.npy");

        Fixtures.write(f, Arrays.copyOf(good, good.length - 1));
        fails(() -> Npy.readImages(f, null), f.toString(), "truncated", "120 data bytes", "has 119");

        Fixtures.write(f, Arrays.copyOf(good, good.length + 5));
        fails(() -> Npy.readImages(f, null), "too long");

        Fixtures.write(f, new byte[0]);
        fails(() -> Npy.readHeader(f), "not a NumPy .npy file", "empty");

        Fixtures.write(f, "PK\u0003\u0004 this is a zip".getBytes());
        fails(() -> Npy.readHeader(f), "not a NumPy .npy file", "50 4B 03 04");

        byte[] v9 = good.clone();
        v9[6] = 9;
        Fixtures.write(f, v9);
        fails(() -> Npy.readHeader(f), "unsupported .npy format version 9");

        Fixtures.write(f, Arrays.copyOf(good, 40));
        fails(() -> Npy.readHeader(f), "truncated .npy header");

        byte[] garbled = good.clone();
        garbled[10] = '[';
        Fixtures.write(f, garbled);
        fails(() -> Npy.readHeader(f), "unreadable .npy header");

        fails(() -> Npy.readHeader(NPY.resolve("fortran.npy")), "Fortran order", "ascontiguousarray");
        fails(() -> Npy.readImages(NPY.resolve("float_images.npy"), null), "dtype is '<f4'", "uint8");
        fails(() -> Npy.readImages(NPY.resolve("images_v1.npy"), new int[] {32, 32, 3}), "shape is (2, 4, 5, 3)", "(N, 32, 32, 3)");
        fails(() -> Npy.readImages(NPY.resolve("labels_i8.npy"), null), "dtype is '<i8'");
        fails(() -> Npy.readLabels(NPY.resolve("images_v1.npy")), "shape is (2, 4, 5, 3)", "1-D");
        fails(() -> Npy.readLabels(NPY.resolve("float_images.npy")), "expected integer labels");
        fails(() -> Npy.readHeader(tmp.resolve("nope.npy")), "no such file");
    }

    @Test
    void writtenFilesGetTheUsualPermissions() throws IOException {
        Path f = tmp.resolve("perm.npy"), plain = Files.createFile(tmp.resolve("plain"));
        Npy.writeLabels(f, new int[] {1});
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(f), "as any new file (umask), not owner-only");
    }

    @Test
    void negativeLabelsAreRejected() {
        Path f = tmp.resolve("neg.npy");
        Npy.writeLabels(f, new int[] {1, -3});
        fails(() -> Npy.readLabels(f), "label 1 is -3");
    }

    /** Random damage to the header must end in a DataException or a valid read, never another exception. */
    @Test
    void fuzzedHeadersFailCleanly() {
        byte[] good = Fixtures.read(NPY.resolve("images_v1.npy"));
        Path f = tmp.resolve("fuzz.npy");
        Random rnd = new Random(1);
        int failures = 0;
        for (int t = 0; t < 300; t++) {
            byte[] b = good.clone();
            int k = rnd.nextInt(128);
            b[k] = (byte) rnd.nextInt(256);
            Fixtures.write(f, b);
            try {
                Npy.readImages(f, null);
            } catch (DataException e) {
                failures++;
                assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
            }
        }
        assertTrue(failures > 100, "most header bytes matter: " + failures);
    }
}
