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
 * AvgPool (PyTorch's AvgPool2d, no padding, floor, divided by k*k): central differences on the
 * float64 path, the float engine against it on odd sizes (DenseNet's avg_pool2d(2) on odd maps,
 * overlapping k=3 s=2, gaps k < s), the heads' AvgPool2d(8) on 8x8 (= the global mean, bit for bit)
 * and on AllConv's 10x10 (the top-left 8x8 only), accumulation into dx, and the shape errors.
 */
class AvgPoolTest {
    /** {n, c, h, w, k, s}. */
    static final int[][] SHAPES = {{2, 3, 7, 9, 3, 2}, {2, 2, 8, 8, 2, 2}, {1, 2, 10, 10, 8, 8}, {2, 2, 8, 8, 8, 8},
        {1, 2, 5, 6, 3, 1}, {1, 1, 7, 9, 2, 3}, {2, 3, 7, 9, 2, 2}, {1, 1, 1, 1, 1, 1}};

    static int out(int in, int k, int s) { return (in - k) / s + 1; }

    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom r = new SplittableRandom(21);
        for (int[] sh : SHAPES) {
            int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
            int ny = n * c * out(h, k, s) * out(w, k, s);
            double[] x = random(r, n * c * h * w), up = random(r, ny), dx = new double[x.length];
            AvgPool.backwardRef(up, dx, n, c, h, w, k, s);
            check("avg_pool2d " + Arrays.toString(sh), x, dx, xx -> {
                double[] yy = new double[ny];
                AvgPool.forwardRef(xx, yy, n, c, h, w, k, s);
                return dot(yy, up);
            }, 1e-6);
        }
    }

    @Test
    void floatEngineMatchesTheFloat64Path() {
        SplittableRandom r = new SplittableRandom(22);
        for (int[] sh : SHAPES) {
            int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
            int ny = n * c * out(h, k, s) * out(w, k, s);
            float[] x = toFloat(random(r, n * c * h * w)), up = toFloat(random(r, ny)), dx0 = toFloat(random(r, x.length));
            double[] yd = new double[ny], dxd = toDouble(dx0);
            AvgPool.forwardRef(toDouble(x), yd, n, c, h, w, k, s);
            AvgPool.backwardRef(toDouble(up), dxd, n, c, h, w, k, s);
            float[] y = new float[ny], dx = dx0.clone();
            AvgPool.forward(x, y, n, c, h, w, k, s);
            AvgPool.backward(up, dx, n, c, h, w, k, s);
            String tag = Arrays.toString(sh);
            // the float path sums in double and rounds once: the float64 path rounded to float, exactly
            assertArrayEquals(toFloat(yd), y, "forward " + tag);
            Check.allClose("backward (accumulated onto dx0) " + tag, dx, toFloat(dxd), 1e-6, 1e-6);
        }
    }

    @Test
    void headsPoolLikePyTorch() {
        SplittableRandom r = new SplittableRandom(23);
        int n = 3, c = 4;
        // AvgPool2d(8) on an 8x8 map is the global mean: the same double sum in the same order as Pool
        float[] x8 = toFloat(random(r, n * c * 64)), y8 = new float[n * c], g8 = new float[n * c];
        AvgPool.forward(x8, y8, n, c, 8, 8, 8, 8);
        Pool.globalAvgForward(x8, g8, n * c, 64);
        assertArrayEquals(g8, y8);
        float[] dy = toFloat(random(r, n * c)), dxA = new float[x8.length], dxG = new float[x8.length];
        AvgPool.backward(dy, dxA, n, c, 8, 8, 8, 8);
        Pool.globalAvgBackward(dy, dxG, n * c, 64);
        assertArrayEquals(dxG, dxA);
        // AvgPool2d(8) on AllConv's 10x10 map: floor gives 1x1, the mean of the top-left 8x8 only
        float[] x10 = toFloat(random(r, n * c * 100)), y10 = new float[n * c], dx10 = new float[x10.length];
        AvgPool.forward(x10, y10, n, c, 10, 10, 8, 8);
        for (int p = 0; p < n * c; p++) {
            double s = 0;
            for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) s += x10[p * 100 + i * 10 + j];
            assertEquals((float) (s / 64), y10[p], "plane " + p);
        }
        AvgPool.backward(dy, dx10, n, c, 10, 10, 8, 8);
        for (int p = 0; p < n * c; p++) {
            for (int i = 0; i < 10; i++) {
                for (int j = 0; j < 10; j++) {
                    assertEquals(i < 8 && j < 8 ? dy[p] / 64f : 0f, dx10[p * 100 + i * 10 + j], "plane " + p + " (" + i + ", " + j + ")");
                }
            }
        }
    }

    @Test
    void overlappingWindowsAddOneTermPerWindow() {
        // 1x1x3x3, k=2 s=1: the centre is in all 4 windows, edges in 2, corners in 1
        float[] dx = new float[9];
        AvgPool.backward(new float[] {4, 8, 12, 16}, dx, 1, 1, 3, 3, 2, 1);
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, dx);
        // DenseNet's avg_pool2d(2) on a 5x5 map: 2x2 output, the last row and column dropped
        float[] x = new float[25], y = new float[4];
        for (int i = 0; i < 25; i++) x[i] = i;
        AvgPool.forward(x, y, 1, 1, 5, 5, 2, 2);
        assertArrayEquals(new float[] {3, 5, 13, 15}, y);
    }

    @Test
    void badShapesSayWhatIsWrong() {
        ShapeException e = assertThrows(ShapeException.class, () -> AvgPool.forward(new float[49], new float[1], 1, 1, 7, 7, 8, 8));
        assertTrue(e.getMessage().startsWith("avg_pool2d: ") && e.getMessage().contains("input side of 7 is smaller than the 8x8 window"),
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> AvgPool.forward(new float[50], new float[4], 1, 1, 7, 7, 2, 2));
        assertTrue(e.getMessage().contains("x has 50 values") && e.getMessage().contains("(1, 1, 7, 7) = 49"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> AvgPool.backward(new float[10], new float[49], 1, 1, 7, 7, 2, 2));
        assertTrue(e.getMessage().startsWith("avg_pool2d_backward: dx has 49 values and dy 10") && e.getMessage().contains("(N, C, Ho, Wo) = (1, 1, 3, 3) = 9"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> AvgPool.forward(new float[49], new float[49], 1, 1, 7, 7, 0, 1));
        assertTrue(e.getMessage().contains("kernel 0"), e.getMessage());
    }
}
