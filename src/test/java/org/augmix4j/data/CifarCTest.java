package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarCTest {
    private static final int M = 3; // images per severity
    private static final int[] TEST_LABELS = {4, 0, 9};
    @TempDir Path tmp;
    Path dir;

    /** Image (severity s, index i) is filled with the value 10*s + i. */
    private static ImageBatch severityMajor(int m) {
        byte[] px = new byte[5 * m * 3072];
        for (int s = 1; s <= 5; s++) {
            for (int i = 0; i < m; i++) java.util.Arrays.fill(px, ((s - 1) * m + i) * 3072, ((s - 1) * m + i + 1) * 3072, (byte) (10 * s + i));
        }
        return new ImageBatch(px, 5 * m, 32, 32, 3);
    }

    private static int[] repeated(int[] y) {
        int[] out = new int[5 * y.length];
        for (int k = 0; k < out.length; k++) out[k] = y[k % y.length];
        return out;
    }

    @BeforeEach
    void writeDirectory() {
        dir = tmp.resolve("CIFAR-10-C");
        Npy.writeLabels(dir.resolve("labels.npy"), repeated(TEST_LABELS));
        Npy.writeImages(dir.resolve("fog.npy"), severityMajor(M));
        Npy.writeImages(dir.resolve("gaussian_noise.npy"), severityMajor(M));
        Npy.writeImages(dir.resolve("my_own.npy"), severityMajor(M));
    }

    @Test
    void readsOneSeverityAtATime() {
        CifarC c = CifarC.open(dir);
        assertEquals(M, c.perSeverity());
        for (int s = 1; s <= 5; s++) {
            ImageBatch b = c.images("fog", s);
            assertEquals(M, b.count());
            for (int i = 0; i < M; i++) assertEquals(10 * s + i, b.get(i, 31, 31, 2));
            assertArrayEquals(TEST_LABELS, c.labels(s));
        }
        assertEquals(5 * M, c.images("fog").count());
        Dataset d = c.dataset("fog", 2, 10, Cifar.CIFAR10_CLASSES);
        assertEquals("fog-2", d.name());
        assertEquals(20, d.images().get(0, 0, 0, 0));
    }

    @Test
    void listsCorruptionsBenchmarkOrderFirst() {
        assertEquals(List.of("gaussian_noise", "fog", "my_own"), CifarC.open(dir).available());
        assertEquals(15, CifarC.BENCHMARK.size());
        assertEquals(4, CifarC.EXTRA.size());
    }

    @Test
    void locatesTheExtractedFolder() {
        assertEquals(dir, CifarC.locate(tmp, Cifar.Variant.CIFAR10).dir());
        assertEquals(dir, CifarC.locate(dir, Cifar.Variant.CIFAR10).dir());
        fails(() -> CifarC.locate(tmp, Cifar.Variant.CIFAR100), "CIFAR-100-C", "labels.npy", "3555552", "data/README.md");
    }

    @Test
    void validatesAgainstTheLabels() {
        CifarC c = CifarC.open(dir);
        fails(() -> c.images("snow", 1), "snow.npy not found", "fog");
        Npy.writeImages(dir.resolve("snow.npy"), new ImageBatch(new byte[10 * 3072], 10, 32, 32, 3));
        fails(() -> c.images("snow", 1), "snow.npy", "holds 10 images but labels.npy has 15");
        Npy.writeImages(dir.resolve("snow.npy"), new ImageBatch(new byte[15 * 28 * 28 * 3], 15, 28, 28, 3));
        fails(() -> c.images("snow", 1), "shape is (15, 28, 28, 3)", "(N, 32, 32, 3)");
        assertThrows(IllegalArgumentException.class, () -> c.images("fog", 6));
        assertThrows(IllegalArgumentException.class, () -> c.file("../etc/passwd"));
        fails(() -> c.dataset("fog", 1, 5, List.of()), "label 9", "outside 0..4");
    }

    @Test
    void rejectsBadLabelFiles() {
        Npy.writeLabels(dir.resolve("labels.npy"), new int[] {1, 2, 3, 4});
        fails(() -> CifarC.open(dir), "holds 4 labels", "multiple of 5");
        int[] y = repeated(TEST_LABELS);
        y[2 * M + 1] = 7;
        Npy.writeLabels(dir.resolve("labels.npy"), y);
        fails(() -> CifarC.open(dir), "label of image 1 is 0 at severity 1 but 7 at severity 3");
    }

    @Test
    void truncatedCorruptionFileIsCaughtBeforeReading() {
        Path f = dir.resolve("fog.npy");
        byte[] b = Fixtures.read(f);
        Fixtures.write(f, java.util.Arrays.copyOf(b, b.length - 3072));
        DataException e = fails(() -> CifarC.open(dir).images("fog", 5), "fog.npy", "truncated");
        assertTrue(e.getMessage().contains("download it again"), e.getMessage());
    }
}
