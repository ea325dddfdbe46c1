package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.check;
import static org.augmix4j.testing.GradCheck.dot;
import static org.augmix4j.testing.GradCheck.toDouble;
import static org.augmix4j.testing.GradCheck.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Backprop;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;

/**
 * Gelu (y = x sigmoid(1.702 x)): central differences on the float64 reference, the float path
 * against it on odd sizes and wide inputs, the float steps PyTorch takes, special values, and
 * F.gelu on a tape.
 */
class GeluTest {
    private static final int[] SIZES = {1, 7, 255, 1001};

    /** n values of N(0, scale^2). */
    private static double[] gaussian(SplittableRandom r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = DeviceArrays.nextGaussian(r) * scale;
        return a;
    }

    @Test
    void referenceGradientMatchesCentralDifferences() {
        SplittableRandom r = new SplittableRandom(3);
        double[] x = gaussian(r, 41, 2), up = gaussian(r, 41, 1), dx = new double[41];
        java.util.Arrays.fill(dx, 0.25);  // the backward accumulates
        Gelu.backwardRef(x, up, dx, x.length);
        for (int i = 0; i < dx.length; i++) dx[i] -= 0.25;
        check("gelu dx", x, dx, xx -> {
            double[] y = new double[xx.length];
            Gelu.forwardRef(xx, y, xx.length);
            return dot(y, up);
        }, 1e-7);
    }

    @Test
    void floatPathsMatchTheFloat64ReferenceOnOddSizes() {
        for (int n : SIZES) {
            SplittableRandom r = new SplittableRandom(n);
            float[] x = toFloat(gaussian(r, n, 4)), dy = toFloat(gaussian(r, n, 1)), dx0 = toFloat(gaussian(r, n, 1));
            float[] y = new float[n], dx = dx0.clone();
            Gelu.forward(x, y, n);
            Gelu.backward(x, dy, dx, n);
            double[] yr = new double[n], dxr = toDouble(dx0);
            Gelu.forwardRef(toDouble(x), yr, n);
            Gelu.backwardRef(toDouble(x), toDouble(dy), dxr, n);
            // float32 steps: a few roundings of the result, plus t = 1.702 x rounded (relative 2^-24 |t| through the sigmoid)
            Check.allClose("gelu forward n=" + n, y, toFloat(yr), 1e-7, 1e-5);
            Check.allClose("gelu backward n=" + n, dx, toFloat(dxr), 1e-6, 1e-5);
        }
    }

    @Test
    void takesPyTorchsFloat32Steps() {
        float[] x = {-3.25f, -1f, -0.1f, 0.3f, 1f, 2.5f, 7f};
        float[] y = new float[x.length];
        Gelu.forward(x, y, x.length);
        for (int i = 0; i < x.length; i++) {
            float t = 1.702f * x[i];                                // 1.702 * x on a float32 tensor
            float s = 1f / (1f + (float) StrictMath.exp(-t));      // torch.sigmoid in float32 (correctly rounded exp)
            assertEquals(Float.floatToIntBits(s * x[i]), Float.floatToIntBits(y[i]), "x = " + x[i]);
        }
        assertEquals(0.8457, y[4], 1e-4, "gelu(1) = sigmoid(1.702)");
        assertEquals(-0.1543, y[1], 1e-4, "gelu(-1) = -sigmoid(-1.702)");
    }

    @Test
    void specialValues() {
        float[] x = {0f, -0f, 100f, -100f, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY};
        float[] y = new float[x.length], dx = new float[x.length], ones = {1, 1, 1, 1, 1, 1, 1};
        Gelu.forward(x, y, x.length);
        Gelu.backward(x, ones, dx, x.length);
        assertEquals(0f, y[0]);
        assertEquals(100f, y[2], "the sigmoid saturates at 1");
        assertEquals(-0f, y[3], "exp overflows to +inf: s = 0, 0 * -100 = -0");
        assertEquals(Float.POSITIVE_INFINITY, y[4]);
        assertTrue(Float.isNaN(y[5]));
        assertTrue(Float.isNaN(y[6]), "0 * -inf, as torch.sigmoid(-inf) * -inf");
        assertEquals(0.5f, dx[0], "dy/dx at 0 is sigmoid(0)");
        assertEquals(1f, dx[2]);
        assertEquals(0f, dx[3]);
    }

    @Test
    void fGeluRecordsTheBackwardOnTheTape() {
        SplittableRandom r = new SplittableRandom(9);
        int[] shape = {2, 3, 5, 7};
        float[] xv = toFloat(gaussian(r, 210, 2)), up = toFloat(gaussian(r, 210, 1));
        Var x = Var.param("x", Tensor.of(xv.clone(), shape));
        Tape t = new Tape();
        Var y = F.gelu(t, x);
        assertArrayEquals(shape, y.shape());
        assertEquals(1, t.size());
        float[] want = new float[210], wantDx = new float[210];
        Gelu.forward(xv, want, 210);
        Gelu.backward(xv, up, wantDx, 210);
        assertArrayEquals(want, y.data());
        Backprop.from(t, y, up);
        assertArrayEquals(wantDx, x.grad());
        Tape none = new Tape();
        F.gelu(none, Var.constant(Tensor.of(xv, shape)));
        assertEquals(0, none.size(), "an input without gradient records nothing");
    }

    @Test
    void badArgumentsSayWhatToPass() {
        ShapeException e = assertThrows(ShapeException.class, () -> Gelu.forward(new float[3], new float[2], 3));
        assertEquals("gelu forward: an array has 2 floats but n = 3; pass arrays of at least n elements", e.getMessage());
        assertThrows(ShapeException.class, () -> Gelu.backward(new float[3], new float[3], new float[3], -1));
    }
}
