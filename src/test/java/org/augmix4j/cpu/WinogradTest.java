package org.augmix4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.augmix4j.ops.Conv;
import org.augmix4j.selftest.Compare;
import org.junit.jupiter.api.Test;

/**
 * Winograd F(2x2, 3x3) (the engine's 3x3 stride-1 pad-1 convs) against the float64 reference
 * ({@link Conv#forwardRef} etc.) on random inputs at odd sizes: maps of 7x9, 9x7, 1x1, 5x6, 33x34
 * (partial tiles, bands wider than a vector), channel counts that are not multiples of the vector
 * width or of the register tiles, batches that span several blocks and filter-gradient groups, and
 * the WideResNet shapes. Bounds: norm-wise relative error 2e-6 and every element within 2e-5 of
 * (|ref| + rms(ref)); the im2col engine's own error on the same data is printed beside it. Also:
 * bit-identical results for 1 and 3 threads.
 */
class WinogradTest {
    /** N, C, H, W, K. */
    private static final int[][] SHAPES = {
        {3, 8, 7, 9, 8},     // odd map both ways, the fewest channels that take this path
        {2, 9, 9, 7, 13},    // channels off every tile size
        {2, 17, 1, 1, 11},   // a 1x1 map: one tile, three quarters padding
        {3, 12, 5, 6, 33},   // K = 33 (a partial register panel)
        {2, 33, 33, 34, 10}, // bands of 17 tiles: a vector and a remainder
        {20, 8, 8, 8, 8},    // more images than filter-gradient groups; several images per block
        {2, 64, 32, 32, 64}, // blocks that are parts of an image (bands)
        {4, 32, 32, 32, 32}, // WRN stage 1
        {4, 64, 16, 16, 64}, // WRN stage 2
        {6, 128, 8, 8, 128}, // WRN stage 3
        {3, 16, 32, 32, 32}, // WRN stage 1 entry (16 -> 32)
        {3, 8, 16, 16, 8},   // W = 16 rows of one vector, 12 x 8 and 6 x 16 (bands that do not fill a vector)
        {3, 8, 12, 8, 8},
        {3, 8, 6, 16, 8},
        {2, 8, 9, 32, 8},    // odd H with 32-wide rows
        {2, 8, 64, 64, 8},   // bands of 32 tiles
    };

    @Test
    void matchesFloat64Reference() {
        boolean was = ConvEngine.winograd();
        Random rnd = new Random(3);
        try {
            for (int[] s : SHAPES) {
                int N = s[0], C = s[1], H = s[2], W = s[3], K = s[4];
                String tag = String.format("N=%d C=%d H=%d W=%d K=%d", N, C, H, W, K);
                assertTrue(Winograd.applies(C, K, 3, 3, 1, 1), tag);
                float[] x = rand(rnd, N * C * H * W), w = rand(rnd, K * C * 9), dy = rand(rnd, N * K * H * W);
                double[] xd = Compare.toDouble(x), wd = Compare.toDouble(w), dyd = Compare.toDouble(dy);
                double[] yr = new double[dy.length], dxr = new double[x.length], dwr = new double[w.length];
                Conv.forwardRef(xd, wd, yr, N, C, H, W, K, 3, 3, 1, 1);
                Conv.backwardDataRef(dyd, wd, dxr, N, C, H, W, K, 3, 3, 1, 1);
                Conv.backwardFilterRef(xd, dyd, dwr, N, C, H, W, K, 3, 3, 1, 1);
                double[][] err = new double[2][3];
                for (int algo = 0; algo < 2; algo++) {
                    ConvEngine.setWinograd(algo == 0);
                    float[] y = filled(dy.length), dx = filled(x.length), dw = filled(w.length);
                    Conv.forward(x, w, y, N, C, H, W, K, 3, 3, 1, 1);
                    Conv.backwardData(dy, w, dx, N, C, H, W, K, 3, 3, 1, 1);
                    Conv.backwardFilter(x, dy, dw, N, C, H, W, K, 3, 3, 1, 1);
                    err[algo][0] = check(algo == 0, "forward " + tag, yr, y);
                    err[algo][1] = check(algo == 0, "backwardData " + tag, dxr, dx);
                    err[algo][2] = check(algo == 0, "backwardFilter " + tag, dwr, dw);
                }
                System.out.printf("Winograd %-36s rel. error fwd %.2e bwdData %.2e bwdFilter %.2e (im2col %.2e %.2e %.2e)%n",
                        tag, err[0][0], err[0][1], err[0][2], err[1][0], err[1][1], err[1][2]);
            }
        } finally {
            ConvEngine.setWinograd(was);
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(4);
        int N = 19, C = 24, H = 10, W = 14, K = 20;
        float[] x = rand(rnd, N * C * H * W), w = rand(rnd, K * C * 9), dy = rand(rnd, N * K * H * W);
        float[][] one = new float[3][], three = new float[3][];
        int t = Parallel.threads();
        boolean was = ConvEngine.winograd();
        try {
            ConvEngine.setWinograd(true);
            for (int run = 0; run < 2; run++) {
                Parallel.setThreads(run == 0 ? 1 : 3);
                float[][] out = run == 0 ? one : three;
                out[0] = new float[dy.length];
                out[1] = new float[x.length];
                out[2] = new float[w.length];
                Conv.forward(x, w, out[0], N, C, H, W, K, 3, 3, 1, 1);
                Conv.backwardData(dy, w, out[1], N, C, H, W, K, 3, 3, 1, 1);
                Conv.backwardFilter(x, dy, out[2], N, C, H, W, K, 3, 3, 1, 1);
            }
        } finally {
            Parallel.setThreads(t);
            ConvEngine.setWinograd(was);
        }
        for (int i = 0; i < 3; i++) assertArrayEquals(one[i], three[i], "pass " + i + " differs between 1 and 3 threads");
    }

    /** The norm-wise relative error; with {@code assertBounds}, fails past the class comment's bounds. */
    private static double check(boolean assertBounds, String what, double[] ref, float[] got) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (got[i] - ref[i]) * (got[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        double rms = Math.sqrt(den / ref.length), rel = Math.sqrt(num / Math.max(den, 1e-300));
        if (!assertBounds) return rel;
        StringBuilder bad = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < ref.length && shown < 5; i++)
            if (!(Math.abs(got[i] - ref[i]) <= 2e-5 * (Math.abs(ref[i]) + rms))) {
                bad.append(String.format("%n  [%d] got %.7g expected %.7g", i, got[i], ref[i]));
                shown++;
            }
        if (!(rel <= 2e-6) || shown > 0) fail(what + ": norm-wise relative error " + rel + ", first mismatches:" + bad);
        return rel;
    }

    private static float[] rand(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    /** NaN-filled output: a path that forgets to write an element fails the comparison. */
    private static float[] filled(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, Float.NaN);
        return a;
    }
}
