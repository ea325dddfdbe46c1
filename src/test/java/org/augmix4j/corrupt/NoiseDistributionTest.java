package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;

/**
 * The noise corruptions on flat grey images against their exact output distributions
 * (out = floor(clip(X + noise, 0, 1) * 255) with the CIFAR parameters), by chi-square.
 */
class NoiseDistributionTest {
    static final int IMAGES = 24; // 73,728 values per level and severity

    static long[] histogram(String name, int level, int severity, long seed) {
        byte[] px = new byte[IMAGES * 3072];
        Arrays.fill(px, (byte) level);
        ImageBatch out = Corruptions.corrupt(new ImageBatch(px, IMAGES, 32, 32, 3), name, severity, seed);
        long[] h = new long[256];
        for (byte b : out.pixels()) h[b & 255]++;
        return h;
    }

    /** P(out = k) for out = floor(clip(x + sd*Z, 0, 1)*255). */
    static double[] normalLevels(double x, double sd) {
        double[] p = new double[256];
        p[0] = Stat.phi((1 / 255.0 - x) / sd);
        for (int k = 1; k <= 254; k++) p[k] = Stat.phi(((k + 1) / 255.0 - x) / sd) - Stat.phi((k / 255.0 - x) / sd);
        p[255] = 1 - Stat.phi((1 - x) / sd);
        return p;
    }

    static void check(String what, long[] h, double[] p) {
        double[] c = Stat.chiSquare(h, p);
        double pv = Stat.chiSquareP(c[0], (int) c[1]);
        assertTrue(pv > 1e-4, what + ": chi2 " + c[0] + " df " + (int) c[1] + " p " + pv);
    }

    @Test
    void gaussianNoiseIsNormalPerValue() {
        for (int level : new int[] {0, 60, 128, 250}) {
            for (int s = 1; s <= 5; s++) {
                double sd = Corruptions.GAUSS_SIGMA[s - 1];
                check("gaussian_noise level " + level + " s" + s, histogram("gaussian_noise", level, s, 11),
                        normalLevels(level / 255.0, sd));
            }
        }
    }

    @Test
    void speckleNoiseIsNormalScaledByTheValue() {
        for (int level : new int[] {30, 128, 240}) {
            for (int s = 1; s <= 5; s++) {
                double x = level / 255.0;
                check("speckle_noise level " + level + " s" + s, histogram("speckle_noise", level, s, 12),
                        normalLevels(x, x * Corruptions.SPECKLE_SIGMA[s - 1]));
            }
        }
    }

    @Test
    void shotNoiseIsPoisson() {
        for (int level : new int[] {3, 90, 128, 254}) {
            for (int s = 1; s <= 5; s++) {
                int c = Corruptions.SHOT_C[s - 1];
                double lambda = level / 255.0 * c;
                double[] p = new double[256];
                int top = (int) (lambda + 15 * Math.sqrt(lambda) + 30);
                for (int m = 0; m <= top; m++) {
                    double v = Math.min(1.0, (double) m / c) * 255;
                    p[(int) v] += Stat.poissonPmf(m, lambda);
                }
                check("shot_noise level " + level + " s" + s, histogram("shot_noise", level, s, 13), p);
            }
        }
    }

    @Test
    void impulseNoiseFlipsTheGivenFractionToBlackOrWhite() {
        for (int s = 1; s <= 5; s++) {
            double a = Corruptions.IMPULSE_AMOUNT[s - 1];
            long[] h = histogram("impulse_noise", 128, s, 14);
            long n = IMAGES * 3072L;
            double[] p = new double[256];
            p[0] = a / 2;
            p[255] = a / 2;
            p[128] = 1 - a;
            for (int k = 1; k < 255; k++) if (k != 128) assertTrue(h[k] == 0, "impulse made value " + k);
            long[] three = {h[0], h[128], h[255]};
            double[] c = Stat.chiSquare(three, new double[] {a / 2, 1 - a, a / 2});
            assertTrue(Stat.chiSquareP(c[0], (int) c[1]) > 1e-4, "impulse s" + s + " counts " + Arrays.toString(three));
            assertTrue(h[0] + h[128] + h[255] == n);
        }
    }
}
