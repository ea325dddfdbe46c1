package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {
    @TempDir Path tmp;

    private static byte[] greyImages(int n, int seed) {
        byte[] px = new byte[n * 28 * 28];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 13 + seed);
        return px;
    }

    private static byte[] imagesFile(int n, int seed) { return Fixtures.idx(Idx.IMAGES_MAGIC, new int[] {n, 28, 28}, greyImages(n, seed)); }

    private static byte[] labelsFile(int... y) {
        byte[] b = new byte[y.length];
        for (int i = 0; i < y.length; i++) b[i] = (byte) y[i];
        return Fixtures.idx(Idx.LABELS_MAGIC, new int[] {y.length}, b);
    }

    /** Writes the four files into {@code dir}, gzipped or not. */
    private static void writeSet(Path dir, boolean gz) {
        String ext = gz ? ".gz" : "";
        Fixtures.write(dir.resolve(Mnist.TRAIN_IMAGES + ext), gz ? Fixtures.gzip(imagesFile(3, 1)) : imagesFile(3, 1));
        Fixtures.write(dir.resolve(Mnist.TRAIN_LABELS + ext), gz ? Fixtures.gzip(labelsFile(2, 9, 0)) : labelsFile(2, 9, 0));
        Fixtures.write(dir.resolve(Mnist.TEST_IMAGES + ext), gz ? Fixtures.gzip(imagesFile(2, 5)) : imagesFile(2, 5));
        Fixtures.write(dir.resolve(Mnist.TEST_LABELS + ext), gz ? Fixtures.gzip(labelsFile(7, 7)) : labelsFile(7, 7));
    }

    @Test
    void readsPlainAndGzipAndPadsToRgb32() {
        for (boolean gz : new boolean[] {false, true}) {
            Path root = tmp.resolve("r" + gz);
            writeSet(root.resolve("fashion-mnist"), gz);
            Splits s = Mnist.load(Mnist.Variant.FASHION, root);
            assertEquals(3, s.train().size());
            assertArrayEquals(new int[] {2, 9, 0}, s.train().labels());
            assertArrayEquals(new int[] {7, 7}, s.test().labels());
            assertEquals("Ankle boot", s.train().className(9));
            byte[] grey = greyImages(3, 1);
            for (int i = 0; i < 3; i++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                        int want = inside ? grey[(i * 28 + y - 2) * 28 + x - 2] & 0xFF : 0;
                        for (int c = 0; c < 3; c++) assertEquals(want, s.train().images().get(i, y, x, c));
                    }
                }
            }
        }
    }

    @Test
    void findsTorchvisionLayoutAndTheDirectoryItself() {
        writeSet(tmp.resolve("MNIST/raw"), true);
        assertEquals(tmp.resolve("MNIST/raw"), Mnist.locate(Mnist.Variant.DIGITS, tmp));
        Path flat = tmp.resolve("flat");
        writeSet(flat, false);
        assertEquals(flat, Mnist.locate(Mnist.Variant.DIGITS, flat));
        assertEquals("mnist-test", Mnist.load(Mnist.Variant.DIGITS, flat).test().name());
    }

    @Test
    void missingFilesSayWhereAndHow() {
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "MNIST", tmp.resolve("mnist").toAbsolutePath() + "/train-images-idx3-ubyte.gz",
                "data/README.md");
        writeSet(tmp.resolve("mnist"), true);
        tmp.resolve("mnist").resolve(Mnist.TEST_LABELS + ".gz").toFile().delete();
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "t10k-labels-idx1-ubyte[.gz]", "the other files are in");
    }

    @Test
    void damagedFilesFailClearly() {
        Path dir = tmp.resolve("mnist");
        writeSet(dir, false);
        Path images = dir.resolve(Mnist.TRAIN_IMAGES), labels = dir.resolve(Mnist.TRAIN_LABELS);

        // swapped files: a labels file where images are expected
        Fixtures.write(images, labelsFile(1, 2, 3));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "bad IDX magic 0x00000801 (a labels file), expected 0x00000803", "swapped");

        Fixtures.write(images, Arrays.copyOf(imagesFile(3, 1), 16 + 3 * 784 - 10));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), Mnist.TRAIN_IMAGES, "truncated", "3 images of 28x28 (2352 data bytes)", "only 2342");

        Fixtures.write(images, Arrays.copyOf(imagesFile(3, 1), 10));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "truncated IDX header");

        byte[] longer = Arrays.copyOf(imagesFile(3, 1), 16 + 3 * 784 + 1);
        Fixtures.write(images, longer);
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "too long");

        Fixtures.write(images, Fixtures.idx(Idx.IMAGES_MAGIC, new int[] {3, 32, 32}, new byte[3 * 1024]));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "images are 32x32, expected 28x28");

        Fixtures.write(images, imagesFile(3, 1));
        Fixtures.write(labels, labelsFile(1, 10, 2));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), Mnist.TRAIN_LABELS, "label 1 is 10, expected 0..9");

        Fixtures.write(labels, labelsFile(1, 2));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "2 labels for the 3 images", "matching pair");
    }

    @Test
    void corruptGzipFailsClearly() {
        Path dir = tmp.resolve("mnist");
        writeSet(dir, false);
        Path gz = dir.resolve(Mnist.TRAIN_IMAGES + ".gz");
        byte[] good = Fixtures.gzip(imagesFile(3, 1));

        Fixtures.write(gz, Arrays.copyOf(good, good.length / 2));
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), gz.toString(), "corrupt or truncated gzip data");

        byte[] flipped = good.clone();
        for (int k = 20; k < 40; k++) flipped[k] ^= 0x5A;
        Fixtures.write(gz, flipped);
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), gz.toString());

        byte[] crc = good.clone();
        crc[crc.length - 6] ^= 1; // CRC32 in the trailer
        Fixtures.write(gz, crc);
        fails(() -> Mnist.load(Mnist.Variant.DIGITS, tmp), "corrupt or truncated gzip data");
    }

    /** Random damage to IDX headers and gzip streams must end in a DataException or a valid read. */
    @Test
    void fuzzedIdxFailsCleanly() {
        Path f = tmp.resolve("fuzz");
        java.util.Random rnd = new java.util.Random(3);
        byte[] plain = imagesFile(2, 0), gz = Fixtures.gzip(plain);
        for (int t = 0; t < 200; t++) {
            byte[] b = (t % 2 == 0 ? plain : gz).clone();
            b[rnd.nextInt(t % 2 == 0 ? 16 : b.length)] = (byte) rnd.nextInt(256);
            Fixtures.write(f, b);
            try {
                Idx.readImages(f);
            } catch (DataException expected) {
                assertTrue(expected.getMessage().startsWith(f.toString()), expected.getMessage());
            }
        }
    }

    @Test
    void realFashionMnistWhenInstalled() {
        Path dir = Mnist.DEBIAN_FASHION_MNIST;
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve(Mnist.TRAIN_IMAGES + ".gz")),
                "Fashion-MNIST is not installed at " + dir + " (apt-get install dataset-fashion-mnist); skipping the real-data test");
        Splits s = Mnist.load(Mnist.Variant.FASHION, tmp); // nothing in tmp: found through the Debian location
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        for (int c : s.train().classCounts()) assertEquals(6_000, c);
        for (int c : s.test().classCounts()) assertEquals(1_000, c);
        // the 2-pixel border is zero everywhere and the channels are equal
        byte[] px = s.train().images().pixels();
        long sum = 0;
        for (int i = 0; i < 1000; i++) {
            for (int x = 0; x < 32; x++) assertEquals(0, s.train().images().get(i, 0, x, 0));
            for (int p = 0; p < 1024; p++) {
                int o = (i * 1024 + p) * 3;
                assertEquals(px[o], px[o + 1]);
                assertEquals(px[o], px[o + 2]);
                sum += px[o] & 0xFF;
            }
        }
        double mean = sum / (1000.0 * 1024);
        // Fashion-MNIST's mean pixel on 28x28 is about 72.9; padding to 32x32 scales it by 784/1024
        assertEquals(72.9 * 784 / 1024, mean, 4.0);
    }
}
