package org.augmix4j.autograd;

import static org.augmix4j.testing.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.ops.AvgPool;
import org.augmix4j.ops.Concat;
import org.augmix4j.ops.MaxPool;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;

/**
 * F.maxPool2d, F.avgPool2d and F.concat through a Tape: forward against the ops' references, the
 * gradients a backward pass leaves on the inputs against the float64 references (including a
 * DenseNet-like graph where one input reaches the loss along three paths, so the closures must
 * accumulate), inference without a tape, and the shape errors.
 */
class ZooPoolAutogradTest {
    final SplittableRandom r = new SplittableRandom(5);

    /** loss = sum(y * up): a scalar whose gradient with respect to y is up. */
    static Var dotLoss(Tape t, Var y, float[] up) {
        float[] v = y.data();
        double s = 0;
        for (int i = 0; i < v.length; i++) s += (double) v[i] * up[i];
        Var out = Var.result(Tensor.of(new float[] {(float) s}, 1), true);
        t.record(() -> {
            float[] d = out.gradOrNull();
            if (d == null) return;
            float[] g = y.grad();
            for (int i = 0; i < g.length; i++) g[i] += d[0] * up[i];
        });
        return out;
    }

    Var param(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return Var.param("x", Tensor.of(toFloat(random(r, n)), shape));
    }

    @Test
    void maxPoolForwardAndBackwardMatchTheReference() {
        int n = 2, c = 3, h = 7, w = 9, k = 3, s = 2, ho = 3, wo = 4;
        Var x = param(n, c, h, w);
        Tape t = new Tape();
        Var y = F.maxPool2d(t, x, k, s);
        assertArrayEquals(new int[] {n, c, ho, wo}, y.shape());
        float[] want = new float[n * c * ho * wo];
        MaxPool.forward(x.data(), want, n, c, h, w, k, s);
        assertArrayEquals(want, y.data());
        float[] up = toFloat(random(r, want.length));
        t.backward(dotLoss(t, y, up));
        double[] dx = new double[x.data().length];
        MaxPool.backwardRef(toDouble(x.data()), toDouble(up), dx, n, c, h, w, k, s);
        Check.allClose("max_pool2d dx through the tape", x.grad(), toFloat(dx), 1e-6, 1e-6);
    }

    @Test
    void avgPoolForwardAndBackwardMatchTheReference() {
        for (int[] sh : new int[][] {{2, 3, 7, 9, 2, 2}, {2, 4, 10, 10, 8, 8}, {1, 2, 8, 8, 8, 8}}) {
            int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5], ho = (h - k) / s + 1, wo = (w - k) / s + 1;
            Var x = param(n, c, h, w);
            Tape t = new Tape();
            Var y = F.avgPool2d(t, x, k, s);
            assertArrayEquals(new int[] {n, c, ho, wo}, y.shape());
            float[] want = new float[n * c * ho * wo];
            AvgPool.forward(x.data(), want, n, c, h, w, k, s);
            assertArrayEquals(want, y.data());
            float[] up = toFloat(random(r, want.length));
            t.backward(dotLoss(t, y, up));
            double[] dx = new double[x.data().length];
            AvgPool.backwardRef(toDouble(up), dx, n, c, h, w, k, s);
            Check.allClose("avg_pool2d dx through the tape " + java.util.Arrays.toString(sh), x.grad(), toFloat(dx), 1e-6, 1e-6);
        }
    }

    @Test
    void concatOfThreePathsAccumulatesEveryGradient() {
        // y = cat(cat(x, avg_pool2d(z, 2)), max_pool2d(z, 2)) with x (2, 3, 4, 5) and z (2, 2, 8, 11): z reaches y twice
        int n = 2, cx = 3, cz = 2, h = 4, w = 5;
        Var x = param(n, cx, h, w), z = param(n, cz, 2 * h, 2 * w + 1);
        Tape t = new Tape();
        Var a = F.avgPool2d(t, z, 2, 2), m = F.maxPool2d(t, z, 2, 2);
        Var y = F.concat(t, F.concat(t, x, a), m);
        assertArrayEquals(new int[] {n, cx + 2 * cz, h, w}, y.shape());
        int hw = h * w;
        float[] inner = new float[n * (cx + cz) * hw], want = new float[n * (cx + 2 * cz) * hw];
        Concat.forward(x.data(), cx, a.data(), cz, inner, n, hw);
        Concat.forward(inner, cx + cz, m.data(), cz, want, n, hw);
        assertArrayEquals(want, y.data());

        float[] up = toFloat(random(r, want.length));
        t.backward(dotLoss(t, y, up));
        // the references, in float64: split up into its three channel ranges and send each back
        double[] dInner = new double[inner.length], dm = new double[m.data().length], dxw = new double[x.data().length];
        double[] da = new double[a.data().length], dz = new double[z.data().length];
        Concat.backwardRef(toDouble(up), dInner, dm, n, cx + cz, cz, hw);
        Concat.backwardRef(dInner, dxw, da, n, cx, cz, hw);
        AvgPool.backwardRef(da, dz, n, cz, 2 * h, 2 * w + 1, 2, 2);
        MaxPool.backwardRef(toDouble(z.data()), dm, dz, n, cz, 2 * h, 2 * w + 1, 2, 2);
        assertArrayEquals(toFloat(dxw), x.grad(), "dx: copies of up");
        Check.allClose("dz: avg_pool2d and max_pool2d paths added", z.grad(), toFloat(dz), 1e-6, 1e-6);
    }

    @Test
    void concatOfAVarWithItselfAddsBothHalves() {
        Var x = param(2, 3, 2, 2);
        Tape t = new Tape();
        Var y = F.concat(t, x, x);
        float[] up = toFloat(random(r, y.data().length));
        t.backward(dotLoss(t, y, up));
        float[] want = new float[x.data().length];
        for (int i = 0; i < 2; i++) for (int j = 0; j < 12; j++) want[i * 12 + j] = up[i * 24 + j] + up[i * 24 + 12 + j];
        assertArrayEquals(want, x.grad());
    }

    @Test
    void concatWorksOnAnyTrailingShape() {
        // (N, C) features, e.g. after global pooling: hw = 1
        Var a = param(3, 2), b = param(3, 5);
        Var y = F.concat(null, a, b);
        assertArrayEquals(new int[] {3, 7}, y.shape());
        assertEquals(b.data()[5], y.data()[7 + 2 + 0], "sample 1, channel 2 is b's sample 1 channel 0");
    }

    @Test
    void withoutATapeOrGradientsNothingIsRecorded() {
        Var c = Var.constant(Tensor.of(toFloat(random(r, 2 * 2 * 6 * 6)), 2, 2, 6, 6));
        Tape t = new Tape();
        Var y = F.concat(t, F.maxPool2d(t, c, 2, 2), F.avgPool2d(t, c, 2, 2));
        assertEquals(0, t.size());
        assertFalse(y.requiresGrad());
        Var x = param(2, 2, 6, 6);
        Var z = F.maxPool2d(null, F.avgPool2d(null, x, 2, 1), 2, 2);
        assertArrayEquals(new int[] {2, 2, 2, 2}, z.shape());
        assertNull(x.gradOrNull());
    }

    @Test
    void shapeErrorsSayWhatIsWrongAndWhatToDo() {
        Var x = param(2, 3, 7, 7), flat = param(2, 3);
        ShapeException e = assertThrows(ShapeException.class, () -> F.avgPool2d(null, x, 8, 8));
        assertTrue(e.getMessage().startsWith("avg_pool2d: input 7x7 of x (2, 3, 7, 7) is smaller than the 8x8 window"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.maxPool2d(null, flat, 2, 2));
        assertTrue(e.getMessage().startsWith("max_pool2d: x must be (N, C, H, W), got (2, 3)"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.maxPool2d(null, x, 2, 0));
        assertTrue(e.getMessage().contains("stride 0 must be >= 1"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.concat(null, x, param(2, 4, 7, 6)));
        assertTrue(e.getMessage().startsWith("concat: a (2, 3, 7, 7) and b (2, 4, 7, 6) may differ only in the channel dimension 1"),
                e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.concat(null, x, flat));
        assertTrue(e.getMessage().contains("same rank"), e.getMessage());
    }
}
