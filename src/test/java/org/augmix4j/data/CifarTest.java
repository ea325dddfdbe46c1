package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarTest {
    private static final Path RES = Fixtures.resources();
    @TempDir Path tmp;

    /** Every image's pixel (y, x, c) is the fixtures' rule at planar index y*32+x: the CHW → HWC conversion. */
    private static void assertPixels(Dataset d, int from, int count, int seed) {
        for (int i = 0; i < count; i++) {
            for (int p = 0; p < 1024; p += 37) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(Fixtures.pixel(i, c, p, seed), d.images().get(from + i, p / 32, p % 32, c),
                            d.name() + " image " + (from + i) + " pixel " + p + " channel " + c);
                }
            }
        }
    }

    private Path writeCifar10Binary(Path root, int perFile) {
        Path dir = root.resolve("cifar-10-batches-bin");
        for (int b = 1; b <= 5; b++) {
            int[][] labels = new int[perFile][];
            for (int i = 0; i < perFile; i++) labels[i] = new int[] {(b + i) % 10};
            Fixtures.write(dir.resolve("data_batch_" + b + ".bin"), Fixtures.cifarBinary(labels, b));
        }
        Fixtures.write(dir.resolve("test_batch.bin"), Fixtures.cifarBinary(new int[][] {{9}, {0}}, 0));
        return dir;
    }

    @Test
    void readsCifar10Binary() {
        writeCifar10Binary(tmp, 2);
        Splits s = Cifar.load(Cifar.Variant.CIFAR10, tmp, false);
        assertEquals(10, s.train().size());
        assertEquals(2, s.test().size());
        assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, s.train().labels());
        assertArrayEquals(new int[] {9, 0}, s.test().labels());
        for (int b = 1; b <= 5; b++) assertPixels(s.train(), 2 * (b - 1), 2, b);
        assertPixels(s.test(), 0, 2, 0);
        assertEquals("airplane", s.train().className(0));
        assertEquals("cifar10-train", s.train().name());
    }

    @Test
    void readsCifar100BinaryFineLabels() {
        Path dir = tmp.resolve("cifar-100-binary");
        Fixtures.write(dir.resolve("train.bin"), Fixtures.cifarBinary(new int[][] {{19, 99}, {4, 0}, {7, 42}}, 7));
        Fixtures.write(dir.resolve("test.bin"), Fixtures.cifarBinary(new int[][] {{1, 5}}, 9));
        Fixtures.write(dir.resolve("fine_label_names.txt"), String.join("\n", names("f", 100)).getBytes());
        Splits s = Cifar.load(Cifar.Variant.CIFAR100, tmp, false);
        assertArrayEquals(new int[] {99, 0, 42}, s.train().labels());
        assertEquals(100, s.numClasses());
        assertEquals("f42", s.train().className(42));
        assertPixels(s.train(), 0, 3, 7);
    }

    private static List<String> names(String prefix, int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(k -> prefix + k).toList();
    }

    @Test
    void readsThePublishedPythonLayout() {
        // written by Python 2 cPickle like the real files (src/test/resources/data/make_pickles_py2.py)
        Splits s = Cifar.load(Cifar.Variant.CIFAR10, RES, false);
        assertEquals(10, s.train().size());
        assertArrayEquals(new int[] {1, 2, 2, 3, 3, 4, 4, 5, 5, 6}, s.train().labels());
        for (int b = 1; b <= 5; b++) assertPixels(s.train(), 2 * (b - 1), 2, b);
        assertArrayEquals(new int[] {9, 0}, s.test().labels());
        assertPixels(s.test(), 0, 2, 0);
        assertEquals(Cifar.CIFAR10_CLASSES, s.train().classNames());

        Splits h = Cifar.load(Cifar.Variant.CIFAR100, RES, false);
        assertArrayEquals(new int[] {99, 0, 42}, h.train().labels());
        assertArrayEquals(new int[] {5, 98}, h.test().labels());
        assertPixels(h.train(), 0, 3, 7);
        assertPixels(h.test(), 0, 2, 9);
        assertEquals("fine17", h.train().className(17));
    }

    @Test
    void readsPicklesOfEveryProtocolAndNumpyGeneration() {
        List<String> files = new java.util.ArrayList<>();
        for (int np = 1; np <= 2; np++) for (int p = 0; p <= 5; p++) files.add("cifar10_np" + np + "_p" + p + ".pkl");
        files.add("cifar10_bytes_keys_p2.pkl");
        files.add("cifar10_labels_ndarray_p4.pkl");
        for (String f : files) {
            Dataset d = Cifar.readPython(Cifar.Variant.CIFAR10, f, List.of(RES.resolve("pickles").resolve(f)), -1, List.of());
            assertArrayEquals(new int[] {3, 7}, d.labels(), f);
            assertPixels(d, 0, 2, 5);
        }
    }

    @Test
    void prefersBinaryWhenBothArePresentAndFindsTheFolderItself() {
        writeCifar10Binary(tmp, 1);
        assertEquals(Cifar.Format.BINARY, Cifar.locate(Cifar.Variant.CIFAR10, tmp).format());
        Path py = RES.resolve("cifar-10-batches-py");
        Cifar.Location loc = Cifar.locate(Cifar.Variant.CIFAR10, py);
        assertEquals(Cifar.Format.PYTHON, loc.format());
        assertEquals(py, loc.dir());
    }

    @Test
    void missingDataSaysWhereAndHow() {
        MissingDataException e = (MissingDataException) fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp),
                "CIFAR-10", "cifar-10-batches-bin/data_batch_1.bin", "cifar-10-batches-py/data_batch_1",
                "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "data/README.md", "--data");
        assertEquals(4, e.lookedFor().size());
        Path dir = writeCifar10Binary(tmp, 1);
        dir.resolve("data_batch_3.bin").toFile().delete();
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp), "data_batch_3.bin", "incomplete");
    }

    @Test
    void publishedSizesAreEnforcedByDefault() {
        writeCifar10Binary(tmp, 1);
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp), "data_batch_1.bin", "holds 1 images, expected 10000");
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, RES), "data_batch_1", "holds 2 images, expected 10000");
    }

    @Test
    void damagedBinaryFilesFailClearly() {
        Path dir = writeCifar10Binary(tmp, 2);
        Path f = dir.resolve("data_batch_2.bin");
        byte[] good = Fixtures.read(f);

        Fixtures.write(f, Arrays.copyOf(good, good.length - 100));
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp, false), "data_batch_2.bin", "not a whole number of CIFAR-10 records of 3073",
                "1 records and 2973 bytes left over", "truncated");

        byte[] bad = good.clone();
        bad[3073] = (byte) 10;
        Fixtures.write(f, bad);
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp, false), "data_batch_2.bin", "record 1 (byte 3073): label 10 is outside 0..9");

        // a CIFAR-100 file put where CIFAR-10 is expected
        Fixtures.write(f, Fixtures.cifarBinary(new int[][] {{3, 50}, {2, 60}, {1, 1}}, 0));
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp, false), "fits CIFAR-100's 3074-byte records");

        Fixtures.write(f, new byte[0]);
        fails(() -> Cifar.load(Cifar.Variant.CIFAR10, tmp, false), "size 0");
    }

    @Test
    void cifar100CoarseLabelIsChecked() {
        Path dir = tmp.resolve("cifar-100-binary");
        Fixtures.write(dir.resolve("train.bin"), Fixtures.cifarBinary(new int[][] {{20, 1}}, 0));
        Fixtures.write(dir.resolve("test.bin"), Fixtures.cifarBinary(new int[][] {{1, 1}}, 0));
        fails(() -> Cifar.load(Cifar.Variant.CIFAR100, tmp, false), "train.bin", "coarse label 20 is outside 0..19");
    }

    @Test
    void wrongPythonContentsFailClearly() {
        Path p = RES.resolve("cifar-100-python/train");
        fails(() -> Cifar.readPython(Cifar.Variant.CIFAR10, "x", List.of(p), -1, List.of()), "no list of labels under the key 'labels'",
                "is this CIFAR-100?");
        fails(() -> Cifar.readPython(Cifar.Variant.CIFAR10, "x", List.of(RES.resolve("cifar-10-batches-py/batches.meta")), -1, List.of()),
                "no NumPy array under the key 'data'", "label_names");
        fails(() -> Cifar.readPython(Cifar.Variant.CIFAR10, "x", List.of(RES.resolve("npy/images_v1.npy")), -1, List.of()),
                "not a Python pickle", "93 4E 55 4D");
        Path gz = Fixtures.write(tmp.resolve("data_batch_1"), Fixtures.gzip(new byte[10]));
        fails(() -> Cifar.readPython(Cifar.Variant.CIFAR10, "x", List.of(gz), -1, List.of()), "gzip-compressed");
    }

    @Test
    void refusesPicklesThatWouldRunCode() {
        DataException e = fails(() -> Pickle.load(RES.resolve("pickles/evil_p2.pkl")), "posix.system", "refused", "nothing in it is executed");
        assertTrue(e.getMessage().contains("evil_p2.pkl"));
    }

    @Test
    void everyTruncationOfAPickleFailsClearly() {
        byte[] good = Fixtures.read(RES.resolve("cifar-10-batches-py/test_batch"));
        Path f = tmp.resolve("t");
        // every cut through the opcodes, and a spread of cuts through the 6 KB string of pixels
        for (int len = 0; len < good.length; len += len < 200 || len > good.length - 400 ? 1 : 97) {
            byte[] cut = Arrays.copyOf(good, len);
            DataException e = fails(() -> Pickle.loads(f, cut), f.toString());
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("empty") || e.getMessage().contains("corrupt"),
                    e.getMessage());
        }
    }

    /** Random byte damage must end in a DataException or a valid result, never an unchecked surprise. */
    @Test
    void fuzzedPicklesFailCleanly() {
        Path f = tmp.resolve("fuzz");
        for (String name : List.of("cifar-10-batches-py/test_batch", "pickles/cifar10_np2_p4.pkl", "pickles/cifar10_np1_p0.pkl",
                "pickles/cifar10_np1_p5.pkl")) {
            byte[] good = Fixtures.read(RES.resolve(name));
            java.util.Random rnd = new java.util.Random(7);
            int failed = 0;
            for (int t = 0; t < 1000; t++) {
                byte[] b = good.clone();
                for (int hits = 1 + rnd.nextInt(3); hits > 0; hits--) {
                    int k = rnd.nextInt(2) == 0 ? rnd.nextInt(Math.min(300, b.length)) : b.length - 1 - rnd.nextInt(250);
                    b[k] = (byte) rnd.nextInt(256);
                }
                try {
                    Cifar.pythonBatch(Cifar.Variant.CIFAR10, f, Pickle.loads(f, b), -1);
                } catch (DataException expected) {
                    failed++;
                    assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
                }
            }
            assertTrue(failed > 300, name + ": only " + failed + " of 1000 damaged copies were refused");
        }
    }

    @Test
    void pickleValuesMapToJavaTypes() {
        Object o = Pickle.load(RES.resolve("cifar-10-batches-py/batches.meta"));
        java.util.Map<?, ?> m = assertInstanceOf(java.util.Map.class, o);
        assertEquals(10000L, Pickle.get(m, "num_cases_per_batch"));
        List<?> names = assertInstanceOf(List.class, Pickle.get(m, "label_names"));
        assertEquals(Pickle.Bytes.of("airplane"), names.get(0));
    }
}
