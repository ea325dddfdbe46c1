package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;

/**
 * MaxPool (PyTorch's MaxPool2d, no padding, floor): central differences on the float64 path, the
 * float engine against it on odd sizes (overlapping k=3 s=2, k=2 s=2, k=8 on 10x10, gaps k < s),
 * PyTorch's argmax rule (ties to the first element in scan order, NaN propagates, all -inf), the
 * floor cropping, accumulation into dx, and the shape errors.
 */
class MaxPoolTest {
    /** {n, c, h, w, k, s}. */
    static final int[][] SHAPES = {{2, 3, 7, 9, 3, 2}, {2, 2, 8, 8, 2, 2}, {1, 2, 10, 10, 8, 8}, {1, 2, 5, 6, 3, 1},
        {1, 1, 7, 9, 2, 3}, {2, 3, 7, 9, 2, 2}, {1, 1, 1, 1, 1, 1}};

    static int out(int in, int k, int s) { return (in - k) / s + 1; }

    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] sh : SHAPES) {
            int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
            int ny = n * c * out(h, k, s) * out(w, k, s);
            double[] x = random(r, n * c * h * w), up = random(r, ny), dx = new double[x.length];
            MaxPool.backwardRef(x, up, dx, n, c, h, w, k, s);
            check("max_pool2d " + Arrays.toString(sh), x, dx, xx -> {
                double[] yy = new double[ny];
                MaxPool.forwardRef(xx, yy, n, c, h, w, k, s);
                return dot(yy, up);
            }, 1e-6);
        }
    }

    @Test
    void floatEngineMatchesTheFloat64Path() {
        SplittableRandom r = new SplittableRandom(12);
        for (int[] sh : SHAPES) {
            int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
            int ny = n * c * out(h, k, s) * out(w, k, s);
            float[] x = toFloat(random(r, n * c * h * w)), up = toFloat(random(r, ny)), dx0 = toFloat(random(r, x.length));
            double[] yd = new double[ny], dxd = toDouble(dx0);
            MaxPool.forwardRef(toDouble(x), yd, n, c, h, w, k, s);
            MaxPool.backwardRef(toDouble(x), toDouble(up), dxd, n, c, h, w, k, s);
            float[] y = new float[ny], dx = dx0.clone();
            MaxPool.forward(x, y, n, c, h, w, k, s);
            MaxPool.backward(x, up, dx, n, c, h, w, k, s);
            String tag = Arrays.toString(sh);
            // the max of floats is one of them: exact
            assertArrayEquals(toFloat(yd), y, "forward " + tag);
            // one float addition per window hitting an element (float path) vs the same sums in double
            Check.allClose("backward (accumulated onto dx0) " + tag, dx, toFloat(dxd), 1e-6, 1e-6);
        }
    }

    @Test
    void tiesGoToTheFirstElementInScanOrder() {
        // a constant 1x1x4x5 map, k=3 s=1: every window's max is its top-left element
        int h = 4, w = 5, k = 3, s = 1, ho = out(h, k, s), wo = out(w, k, s);
        float[] x = new float[h * w], dy = new float[ho * wo], dx = new float[h * w];
        Arrays.fill(x, 2.5f);
        for (int i = 0; i < dy.length; i++) dy[i] = 1 << i;  // distinct bits: which window went where
        MaxPool.backward(x, dy, dx, 1, 1, h, w, k, s);
        float[] want = new float[h * w];
        for (int oh = 0; oh < ho; oh++) for (int ow = 0; ow < wo; ow++) want[oh * s * w + ow * s] += dy[oh * wo + ow];
        assertArrayEquals(want, dx);
        // the same with the float64 path, and a tie inside one window between its 2nd and 4th elements
        double[] xd = {0, 7, 1, 7};
        double[] dxd = new double[4];
        MaxPool.backwardRef(xd, new double[] {3}, dxd, 1, 1, 2, 2, 2, 2);
        assertArrayEquals(new double[] {0, 3, 0, 0}, dxd);
        float[] dxf = new float[4];
        MaxPool.backward(new float[] {0, 7, 1, 7}, new float[] {3}, dxf, 1, 1, 2, 2, 2, 2);
        assertArrayEquals(new float[] {0, 3, 0, 0}, dxf);
    }

    @Test
    void nanPropagatesAndTakesTheGradientLikePyTorch() {
        // window 0 holds one NaN, window 1 two NaNs (PyTorch's rule `v > max || isnan(v)` keeps the last one)
        float nan = Float.NaN;
        float[] x = {1, nan, 5, 4, /* row 2 */ 9, 2, nan, nan};  // (1, 1, 2, 4), k=2 s=2 -> windows {1,nan,9,2} and {5,4,nan,nan}
        float[] y = new float[2], dx = new float[8];
        MaxPool.forward(x, y, 1, 1, 2, 4, 2, 2);
        assertTrue(Float.isNaN(y[0]) && Float.isNaN(y[1]), Arrays.toString(y));
        MaxPool.backward(x, new float[] {10, 20}, dx, 1, 1, 2, 4, 2, 2);
        assertArrayEquals(new float[] {0, 10, 0, 0, 0, 0, 0, 20}, dx);
        double[] yd = new double[2], dxd = new double[8];
        double[] xd = toDouble(x);
        MaxPool.forwardRef(xd, yd, 1, 1, 2, 4, 2, 2);
        assertTrue(Double.isNaN(yd[0]) && Double.isNaN(yd[1]), Arrays.toString(yd));
        MaxPool.backwardRef(xd, new double[] {10, 20}, dxd, 1, 1, 2, 4, 2, 2);
        assertArrayEquals(new double[] {0, 10, 0, 0, 0, 0, 0, 20}, dxd);
    }

    @Test
    void infinitiesFollowTheSameRule() {
        float inf = Float.POSITIVE_INFINITY;
        float[] x = {-inf, -inf, -inf, -inf, /* */ 3, inf, inf, 0};  // (1, 2, 2, 2), k=2: an all -inf window, then two +inf
        float[] y = new float[2], dx = new float[8];
        MaxPool.forward(x, y, 1, 2, 2, 2, 2, 2);
        assertArrayEquals(new float[] {-inf, inf}, y);
        MaxPool.backward(x, new float[] {1, 2}, dx, 1, 2, 2, 2, 2, 2);
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 2, 0, 0}, dx, "the first element of an all -inf window; the first +inf");
    }

    @Test
    void floorDropsTheLastRowsAndColumns() {
        // k=8 on 10x10: one window over the top-left 8x8; a huge value at (9, 9) is ignored
        int h = 10, w = 10;
        float[] x = new float[h * w];
        for (int i = 0; i < x.length; i++) x[i] = i % 7;
        x[9 * w + 9] = 1000;
        x[3 * w + 5] = 50;
        float[] y = new float[1], dx = new float[h * w];
        MaxPool.forward(x, y, 1, 1, h, w, 8, 8);
        assertEquals(50f, y[0]);
        MaxPool.backward(x, new float[] {1.5f}, dx, 1, 1, h, w, 8, 8);
        float[] want = new float[h * w];
        want[3 * w + 5] = 1.5f;
        assertArrayEquals(want, dx);
        assertEquals(3, MaxPool.outSize(7, 3, 2));
        assertEquals(4, MaxPool.outSize(9, 2, 2));
        assertEquals(1, MaxPool.outSize(10, 8, 8));
    }

    @Test
    void badShapesSayWhatIsWrong() {
        ShapeException e = assertThrows(ShapeException.class, () -> MaxPool.forward(new float[4], new float[1], 1, 1, 2, 2, 3, 1));
        assertTrue(e.getMessage().startsWith("max_pool2d: ") && e.getMessage().contains("smaller than the 3x3 window"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> MaxPool.forward(new float[16], new float[5], 1, 1, 4, 4, 2, 2));
        assertTrue(e.getMessage().contains("(N, C, Ho, Wo) = (1, 1, 2, 2) = 4") && e.getMessage().contains("y 5"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> MaxPool.forward(new float[16], new float[4], 1, 1, 4, 4, 2, 0));
        assertTrue(e.getMessage().contains("stride 0 must be >= 1"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> MaxPool.backward(new float[16], new float[4], new float[15], 1, 1, 4, 4, 2, 2));
        assertTrue(e.getMessage().contains("dx has 15 values"), e.getMessage());
    }
}
