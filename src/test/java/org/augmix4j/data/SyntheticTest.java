package org.augmix4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.augmix4j.cpu.Parallel;
import org.junit.jupiter.api.Test;

class SyntheticTest {
    @Test
    void sameSeedSameBytesWhateverTheThreadCount() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Dataset one = Synthetic.generate("a", 42, 0, 300);
            Parallel.setThreads(2);
            Dataset two = Synthetic.generate("a", 42, 0, 300);
            assertArrayEquals(one.images().pixels(), two.images().pixels());
            assertArrayEquals(one.labels(), two.labels());
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void seedsAndSplitsDiffer() {
        Dataset a = Synthetic.generate("a", 1, 0, 100), b = Synthetic.generate("b", 2, 0, 100), t = Synthetic.generate("t", 1, 1, 100);
        assertFalse(Arrays.equals(a.images().pixels(), b.images().pixels()));
        assertFalse(Arrays.equals(a.images().pixels(), t.images().pixels()));
        // a prefix of a larger split is the same images: image i depends only on (seed, split, i) and its label
        Dataset big = Synthetic.generate("big", 1, 0, 100);
        assertArrayEquals(a.images().pixels(), big.images().pixels());
    }

    /** A stable fingerprint: if this changes, every run and report made with the built-in set changes too. */
    @Test
    void defaultStreamIsStable() {
        Dataset d = Synthetic.generate("f", Synthetic.DEFAULT_SEED, 0, 20);
        long h = 1125899906842597L;
        for (byte b : d.images().pixels()) h = 31 * h + b;
        for (int y : d.labels()) h = 31 * h + y;
        assertEquals(FINGERPRINT, h, "the synthetic dataset's bytes changed; update FINGERPRINT only on purpose");
    }

    private static final long FINGERPRINT = 3096803148485520619L;

    @Test
    void classesAreExactlyBalancedAndShuffled() {
        Splits s = Synthetic.generate(7, 1000, 230);
        for (int c : s.train().classCounts()) assertEquals(100, c);
        for (int c : s.test().classCounts()) assertEquals(23, c);
        assertEquals(Synthetic.CLASSES, s.train().classNames());
        int inOrder = 0;
        for (int i = 0; i < 1000; i++) if (s.train().labels()[i] == i % 10) inOrder++;
        assertTrue(inOrder < 300, "labels are shuffled, not cyclic: " + inOrder);
        assertEquals(0, Synthetic.generate("empty", 1, 0, 0).size());
    }

    /**
     * Colour, position and size carry no class information: nearest class mean on raw pixels stays
     * near chance, so a model must learn shape and texture. (Learnability is shown end to end by
     * the trainer's embedded default run.)
     */
    @Test
    void classIsNotInTheMeanImage() {
        Splits s = Synthetic.generate(3, 2000, 500);
        double[][] mean = new double[10][3072];
        int[] cnt = s.train().classCounts();
        byte[] px = s.train().images().pixels();
        for (int i = 0; i < s.train().size(); i++) {
            int y = s.train().labels()[i];
            for (int k = 0; k < 3072; k++) mean[y][k] += (px[i * 3072 + k] & 0xFF) / (double) cnt[y];
        }
        byte[] tp = s.test().images().pixels();
        int right = 0;
        for (int i = 0; i < s.test().size(); i++) {
            int best = 0;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < 10; c++) {
                double d = 0;
                for (int k = 0; k < 3072; k++) {
                    double e = (tp[i * 3072 + k] & 0xFF) - mean[c][k];
                    d += e * e;
                }
                if (d < bestD) {
                    bestD = d;
                    best = c;
                }
            }
            if (best == s.test().labels()[i]) right++;
        }
        double acc = right / (double) s.test().size();
        assertTrue(acc < 0.3, "nearest-class-mean accuracy " + acc);
    }

    @Test
    void usesTheWholeValueRangeWithSmoothEdges() {
        Dataset d = Synthetic.generate("r", 5, 0, 200);
        int[] hist = new int[256];
        for (byte b : d.images().pixels()) hist[b & 0xFF]++;
        int used = 0;
        for (int h : hist) if (h > 0) used++;
        assertTrue(used > 250, "values used: " + used);
    }

    @Test
    void defaultSizeIsQuick() {
        long t0 = System.nanoTime();
        Splits s = Synthetic.generate();
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf("synthetic: %d train + %d test images in %.2f s on %d threads%n", s.train().size(), s.test().size(), sec,
                Parallel.threads());
        assertEquals(Synthetic.DEFAULT_TRAIN, s.train().size());
        assertEquals(Synthetic.DEFAULT_TEST, s.test().size());
        assertTrue(sec < 30, "took " + sec + " s");
    }
}
