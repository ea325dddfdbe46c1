package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.selftest.Compare;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/**
 * Conv: the float32 engine vs the float64 reference at odd shapes; central-difference gradient
 * checks of the reference; determinism across thread counts; argument errors.
 */
class ConvTest {
    /** N, C, H, W, K, R, S, stride, pad. */
    private static final int[][] SHAPES = {
        {3, 5, 9, 11, 7, 3, 3, 1, 1},   // odd everything, 3x3 same
        {3, 5, 9, 11, 7, 3, 3, 2, 1},   // stride 2
        {3, 5, 9, 11, 7, 1, 1, 1, 0},   // 1x1 (im2col is the image itself)
        {3, 5, 9, 11, 7, 1, 1, 2, 0},   // 1x1 stride-2 shortcut
        {2, 16, 8, 8, 32, 3, 3, 1, 1},  // H=W=8 (stage 3 geometry)
        {2, 16, 8, 8, 32, 3, 3, 2, 1},
        {2, 3, 32, 32, 16, 3, 3, 1, 1}, // network input conv, 32-wide rows
        {2, 32, 16, 16, 24, 3, 3, 1, 1},// C*R*S = 288 > k-block 256
        {1, 40, 6, 6, 33, 3, 3, 1, 1},  // K = 33, C*R*S = 360
        {1, 9, 7, 5, 10, 3, 3, 1, 2},   // pad 2 (wider output)
        {2, 4, 7, 7, 5, 3, 3, 1, 3},    // pad > R-1: strided-style backward data at stride 1
        {2, 3, 10, 10, 4, 5, 5, 3, 2},  // 5x5 stride 3
        {2, 3, 6, 9, 4, 3, 1, 1, 1},    // R != S
        {20, 3, 5, 5, 4, 3, 3, 1, 1},   // more images than backwardFilter's groups
        {40, 3, 4, 4, 5, 3, 3, 1, 1},   // several small images per filter chunk (3x3 tile wraps images)
        {40, 4, 6, 6, 8, 3, 3, 2, 1},   // the same with the generic 8-tap tile (stride 2)
        {2, 5, 17, 17, 7, 1, 1, 1, 0},  // 1x1 backward filter as dot products (>= 256 pixels, odd tails)
        {2, 6, 33, 35, 5, 1, 1, 2, 0},  // the same at stride 2 (17 x 18 pixels)
    };

    @Test
    void floatPathsMatchFloat64Reference() {
        Random rnd = new Random(11);
        for (int[] s : SHAPES) {
            int N = s[0], C = s[1], H = s[2], W = s[3], K = s[4], R = s[5], S = s[6], st = s[7], pad = s[8];
            int Ho = Conv.outSize(H, R, st, pad), Wo = Conv.outSize(W, S, st, pad);
            String tag = String.format("N=%d C=%d H=%d W=%d K=%d R=%d S=%d stride=%d pad=%d", N, C, H, W, K, R, S, st, pad);
            float[] x = rand(rnd, N * C * H * W), w = rand(rnd, K * C * R * S), dy = rand(rnd, N * K * Ho * Wo);
            double[] xd = Compare.toDouble(x), wd = Compare.toDouble(w), dyd = Compare.toDouble(dy);

            float[] y = filled(N * K * Ho * Wo);
            double[] yr = new double[y.length];
            Conv.forward(x, w, y, N, C, H, W, K, R, S, st, pad);
            Conv.forwardRef(xd, wd, yr, N, C, H, W, K, R, S, st, pad);
            assertClose("forward " + tag, yr, y);

            float[] dx = filled(x.length);
            double[] dxr = new double[x.length];
            Conv.backwardData(dy, w, dx, N, C, H, W, K, R, S, st, pad);
            Conv.backwardDataRef(dyd, wd, dxr, N, C, H, W, K, R, S, st, pad);
            assertClose("backwardData " + tag, dxr, dx);

            float[] dw = filled(w.length);
            double[] dwr = new double[w.length];
            Conv.backwardFilter(x, dy, dw, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(xd, dyd, dwr, N, C, H, W, K, R, S, st, pad);
            assertClose("backwardFilter " + tag, dwr, dw);
        }
    }

    @Test
    void referenceGradientsMatchCentralDifferences() {
        int[][] shapes = {{2, 3, 5, 6, 4, 3, 3, 1, 1}, {2, 3, 7, 6, 4, 3, 3, 2, 1}, {2, 3, 5, 5, 2, 1, 1, 2, 0}};
        Random rnd = new Random(5);
        for (int[] s : shapes) {
            int N = s[0], C = s[1], H = s[2], W = s[3], K = s[4], R = s[5], S = s[6], st = s[7], pad = s[8];
            int Ho = Conv.outSize(H, R, st, pad), Wo = Conv.outSize(W, S, st, pad);
            double[] x = Compare.toDouble(rand(rnd, N * C * H * W)), w = Compare.toDouble(rand(rnd, K * C * R * S));
            double[] g = Compare.toDouble(rand(rnd, N * K * Ho * Wo)); // L = sum(conv(x, w) * g)
            double[] dx = new double[x.length], dw = new double[w.length];
            Conv.backwardDataRef(g, w, dx, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(x, g, dw, N, C, H, W, K, R, S, st, pad);
            double[] y = new double[g.length];
            double eps = 1e-6;
            for (int which = 0; which < 2; which++) {
                double[] p = which == 0 ? x : w, grad = which == 0 ? dx : dw;
                for (int i = 0; i < p.length; i++) {
                    double keep = p[i];
                    p[i] = keep + eps;
                    Conv.forwardRef(x, w, y, N, C, H, W, K, R, S, st, pad);
                    double lp = dot(y, g);
                    p[i] = keep - eps;
                    Conv.forwardRef(x, w, y, N, C, H, W, K, R, S, st, pad);
                    double lm = dot(y, g);
                    p[i] = keep;
                    double num = (lp - lm) / (2 * eps);
                    double rel = Math.abs(num - grad[i]) / Math.max(Math.abs(num) + Math.abs(grad[i]), 1e-3);
                    if (rel > 1e-6)
                        fail(String.format("%s[%d] of shape %s: analytic %.9g numeric %.9g",
                                which == 0 ? "dx" : "dw", i, java.util.Arrays.toString(s), grad[i], num));
                }
            }
        }
    }

    @Test
    void resultsDoNotDependOnThreadCount() {
        Random rnd = new Random(2);
        int N = 9, C = 6, H = 10, W = 10, K = 12, R = 3, S = 3, st = 1, pad = 1, Ho = 10, Wo = 10;
        float[] x = rand(rnd, N * C * H * W), w = rand(rnd, K * C * R * S), dy = rand(rnd, N * K * Ho * Wo);
        float[][] one = new float[3][], three = new float[3][];
        int t = Parallel.threads();
        try {
            for (int run = 0; run < 2; run++) {
                Parallel.setThreads(run == 0 ? 1 : 3);
                float[][] out = run == 0 ? one : three;
                out[0] = new float[N * K * Ho * Wo];
                out[1] = new float[x.length];
                out[2] = new float[w.length];
                Conv.forward(x, w, out[0], N, C, H, W, K, R, S, st, pad);
                Conv.backwardData(dy, w, out[1], N, C, H, W, K, R, S, st, pad);
                Conv.backwardFilter(x, dy, out[2], N, C, H, W, K, R, S, st, pad);
            }
        } finally {
            Parallel.setThreads(t);
        }
        for (int i = 0; i < 3; i++) assertArrayEquals(one[i], three[i], "pass " + i + " differs between 1 and 3 threads");
    }

    @Test
    void badShapesGiveClearErrors() {
        float[] x = new float[2 * 3 * 8 * 8], w = new float[4 * 3 * 3 * 3], y = new float[2 * 4 * 8 * 8];
        ShapeException e = assertThrows(ShapeException.class,
                () -> Conv.forward(new float[10], w, y, 2, 3, 8, 8, 4, 3, 3, 1, 1));
        assertEquals("Conv.forward: x has 10 floats but (N,C,H,W)=(2,3,8,8) needs 384 (N=2 C=3 H=8 W=8 K=4 R=3 S=3"
                + " stride=1 pad=1); pass x of shape (N,C,H,W)=(2,3,8,8)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.forward(x, w, new float[5], 2, 3, 8, 8, 4, 3, 3, 2, 1));
        assertTrue(e.getMessage().contains("y has 5 floats but (N,K,Ho,Wo)=(2,4,4,4) needs 128"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.backwardFilter(x, y, new float[3], 2, 3, 8, 8, 4, 3, 3, 1, 1));
        assertTrue(e.getMessage().startsWith("Conv.backwardFilter: dw has 3 floats but (K,C,R,S)=(4,3,3,3)"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.backwardData(y, w, new float[1], 2, 3, 8, 8, 4, 3, 3, 1, 1));
        assertTrue(e.getMessage().startsWith("Conv.backwardData: dx has 1 floats"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.forward(x, w, y, 0, 3, 8, 8, 4, 3, 3, 1, 1));
        assertTrue(e.getMessage().contains("sizes must be positive") && e.getMessage().contains("N=0"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.forward(x, w, y, 2, 3, 8, 8, 4, 3, 3, 0, 1));
        assertTrue(e.getMessage().contains("stride must be >= 1"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Conv.forward(x, w, y, 2, 3, 1, 1, 4, 3, 3, 1, 0));
        assertTrue(e.getMessage().contains("does not fit the padded input 1x1"), e.getMessage());
        assertThrows(ShapeException.class, () -> Conv.outSize(2, 5, 1, 1));
        assertEquals(16, Conv.outSize(32, 3, 2, 1));
        assertEquals(16, Conv.outSize(32, 1, 2, 0));
        assertEquals(32, Conv.outSize(32, 3, 1, 1));
    }

    // ---------------------------------------------------------------- helpers

    /** Norm-wise relative error <= 1e-5 and every element within 1e-5 * (|ref| + rms(ref)) * 10. */
    private static void assertClose(String what, double[] ref, float[] got) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (got[i] - ref[i]) * (got[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        double rms = Math.sqrt(den / ref.length), rel = Math.sqrt(num / Math.max(den, 1e-300));
        StringBuilder bad = new StringBuilder();
        int shown = 0;
        for (int i = 0; i < ref.length && shown < 5; i++)
            if (!(Math.abs(got[i] - ref[i]) <= 1e-4 * (Math.abs(ref[i]) + rms))) {
                bad.append(String.format("%n  [%d] got %.7g expected %.7g", i, got[i], ref[i]));
                shown++;
            }
        if (rel > 1e-5 || shown > 0)
            fail(what + ": norm-wise relative error " + rel + ", first mismatches:" + bad);
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

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
