package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.check;
import static org.augmix4j.testing.GradCheck.dot;
import static org.augmix4j.testing.GradCheck.random;
import static org.augmix4j.testing.GradCheck.toDouble;
import static org.augmix4j.testing.GradCheck.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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
 * Grouped convolution (GroupedConv, ResNeXt's 3x3 with the cardinality as groups) and convolution
 * with bias: the float64 references against central differences (dx, dw, db) and, at groups = 1,
 * against Conv's references bit for bit; a grouped convolution equals the per-group plain ones;
 * the float paths against the references on odd shapes (stride 1 and 2, pad 1, 1x1); F.conv2d
 * with bias and groups on a tape, and that its groups = 1 / no-bias form is the old conv2d; the
 * shape errors and ConvBackend.Shape's groups.
 */
class ConvGroupsTest {
    /** N, C, H, W, K, R, S, stride, pad, groups. */
    private static final int[][] SHAPES = {
        {2, 8, 7, 5, 8, 3, 3, 1, 1, 4},    // ResNeXt's 3x3, cardinality 4, odd map
        {2, 8, 9, 8, 12, 3, 3, 2, 1, 4},   // stride 2, K != C
        {3, 6, 5, 6, 9, 3, 3, 1, 1, 3},
        {1, 4, 6, 7, 6, 1, 1, 2, 0, 2},    // 1x1 stride 2
        {2, 5, 4, 4, 5, 3, 3, 1, 1, 5},    // depthwise (one channel per group)
        {2, 3, 5, 5, 4, 3, 3, 1, 1, 1},    // groups = 1 through the same entry points
    };

    private record Case(int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int groups) {
        static Case of(int[] a) { return new Case(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]); }

        int ho() { return Conv.outSize(h, r, stride, pad); }

        int wo() { return Conv.outSize(w, s, stride, pad); }

        int xLen() { return n * c * h * w; }

        int wLen() { return k * (c / groups) * r * s; }

        int yLen() { return n * k * ho() * wo(); }

        double[] forwardRef(double[] x, double[] wt) {
            double[] y = new double[yLen()];
            GroupedConv.forwardRef(x, wt, y, n, c, h, w, k, r, s, stride, pad, groups);
            return y;
        }

        @Override
        public String toString() { return "N=" + n + " C=" + c + " " + h + "x" + w + " K=" + k + " " + r + "x" + s + " stride " + stride
                + " pad " + pad + " groups " + groups; }
    }

    @Test
    void referenceGradientsMatchCentralDifferences() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int[] a : new int[][] {{2, 4, 5, 4, 6, 3, 3, 1, 1, 2}, {1, 6, 6, 5, 3, 3, 3, 2, 1, 3}}) {
            Case q = Case.of(a);
            double[] x = random(rnd, q.xLen()), wt = random(rnd, q.wLen()), b = random(rnd, q.k), up = random(rnd, q.yLen());
            double[] dx = new double[x.length], dw = new double[wt.length], db = new double[q.k];
            GroupedConv.backwardDataRef(up, wt, dx, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            GroupedConv.backwardFilterRef(x, up, dw, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            Bias.backwardRef(up, db, q.n, q.k, q.ho() * q.wo());
            java.util.function.ToDoubleFunction<double[][]> loss = p -> {
                double[] y = q.forwardRef(p[0], p[1]);
                Bias.forwardRef(y, p[2], q.n, q.k, q.ho() * q.wo());
                return dot(y, up);
            };
            check(q + " dx", x, dx, xx -> loss.applyAsDouble(new double[][] {xx, wt, b}), 1e-6);
            check(q + " dw", wt, dw, ww -> loss.applyAsDouble(new double[][] {x, ww, b}), 1e-6);
            check(q + " db", b, db, bb -> loss.applyAsDouble(new double[][] {x, wt, bb}), 1e-6);
        }
    }

    @Test
    void referencesWithOneGroupAreConvsAndGroupsAreIndependentConvs() {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 2, c = 6, h = 5, w = 6, k = 9, r = 3, s = 3, st = 2, pad = 1, ho = 3, wo = 3;
        double[] x = random(rnd, n * c * h * w), wt = random(rnd, k * c * r * s), dy = random(rnd, n * k * ho * wo);
        double[][] mine = {new double[n * k * ho * wo], new double[x.length], new double[wt.length]};
        double[][] plain = {new double[n * k * ho * wo], new double[x.length], new double[wt.length]};
        GroupedConv.forwardRef(x, wt, mine[0], n, c, h, w, k, r, s, st, pad, 1);
        GroupedConv.backwardDataRef(dy, wt, mine[1], n, c, h, w, k, r, s, st, pad, 1);
        GroupedConv.backwardFilterRef(x, dy, mine[2], n, c, h, w, k, r, s, st, pad, 1);
        Conv.forwardRef(x, wt, plain[0], n, c, h, w, k, r, s, st, pad);
        Conv.backwardDataRef(dy, wt, plain[1], n, c, h, w, k, r, s, st, pad);
        Conv.backwardFilterRef(x, dy, plain[2], n, c, h, w, k, r, s, st, pad);
        for (int i = 0; i < 3; i++) assertArrayEquals(plain[i], mine[i], "groups = 1 is Conv's reference, pass " + i);

        // groups = 3: output group g is the plain convolution of input group g with weight group g
        int g = 3, cg = c / g, kg = k / g;
        double[] wg = Arrays.copyOf(wt, k * cg * r * s), y = new double[n * k * ho * wo];
        GroupedConv.forwardRef(x, wg, y, n, c, h, w, k, r, s, st, pad, g);
        for (int grp = 0; grp < g; grp++) {
            double[] xs = new double[n * cg * h * w], ys = new double[n * kg * ho * wo];
            for (int i = 0; i < n; i++) System.arraycopy(x, (i * c + grp * cg) * h * w, xs, i * cg * h * w, cg * h * w);
            Conv.forwardRef(xs, Arrays.copyOfRange(wg, grp * kg * cg * r * s, (grp + 1) * kg * cg * r * s), ys, n, cg, h, w, kg, r, s, st, pad);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Arrays.copyOfRange(ys, i * kg * ho * wo, (i + 1) * kg * ho * wo),
                        Arrays.copyOfRange(y, (i * k + grp * kg) * ho * wo, (i * k + (grp + 1) * kg) * ho * wo), "group " + grp + ", image " + i);
            }
        }
    }

    @Test
    void floatPathsMatchTheReferencesOnOddShapes() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int[] a : SHAPES) {
            Case q = Case.of(a);
            float[] x = toFloat(random(rnd, q.xLen())), wt = toFloat(random(rnd, q.wLen())), dy = toFloat(random(rnd, q.yLen()));
            float[] y = nan(q.yLen()), dx = nan(q.xLen()), dw = nan(q.wLen());
            GroupedConv.forward(x, wt, y, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            GroupedConv.backwardData(dy, wt, dx, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            GroupedConv.backwardFilter(x, dy, dw, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            double[] dxr = new double[q.xLen()], dwr = new double[q.wLen()];
            GroupedConv.backwardDataRef(toDouble(dy), toDouble(wt), dxr, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            GroupedConv.backwardFilterRef(toDouble(x), toDouble(dy), dwr, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
            Check.allClose(q + " forward", y, toFloat(q.forwardRef(toDouble(x), toDouble(wt))), 1e-5, 1e-5);
            Check.allClose(q + " backward data", dx, toFloat(dxr), 1e-5, 1e-5);
            Check.allClose(q + " backward filter", dw, toFloat(dwr), 1e-5, 1e-5);
        }
    }

    @Test
    void fConv2dWithBiasAndGroupsBackpropagatesToAllThree() {
        Case q = Case.of(new int[] {2, 8, 6, 5, 8, 3, 3, 2, 1, 4});
        SplittableRandom rnd = new SplittableRandom(13);
        float[] xv = toFloat(random(rnd, q.xLen())), wv = toFloat(random(rnd, q.wLen())), bv = toFloat(random(rnd, q.k));
        float[] up = toFloat(random(rnd, q.yLen()));
        Var x = Var.param("x", Tensor.of(xv, q.n, q.c, q.h, q.w)), w = Var.param("w", Tensor.of(wv, q.k, q.c / q.groups, q.r, q.s));
        Var b = Var.param("b", Tensor.of(bv, q.k));
        Tape t = new Tape();
        Var y = F.conv2d(t, x, w, b, q.stride, q.pad, q.groups);
        assertArrayEquals(new int[] {q.n, q.k, q.ho(), q.wo()}, y.shape());
        double[] yr = q.forwardRef(toDouble(xv), toDouble(wv));
        Bias.forwardRef(yr, toDouble(bv), q.n, q.k, q.ho() * q.wo());
        Check.allClose("F.conv2d forward", y.data(), toFloat(yr), 1e-5, 1e-5);
        Backprop.from(t, y, up);
        double[] dxr = new double[q.xLen()], dwr = new double[q.wLen()], dbr = new double[q.k];
        GroupedConv.backwardDataRef(toDouble(up), toDouble(wv), dxr, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
        GroupedConv.backwardFilterRef(toDouble(xv), toDouble(up), dwr, q.n, q.c, q.h, q.w, q.k, q.r, q.s, q.stride, q.pad, q.groups);
        Bias.backwardRef(toDouble(up), dbr, q.n, q.k, q.ho() * q.wo());
        Check.allClose("F.conv2d dx", x.grad(), toFloat(dxr), 1e-5, 1e-5);
        Check.allClose("F.conv2d dw", w.grad(), toFloat(dwr), 1e-5, 1e-5);
        Check.allClose("F.conv2d db", b.grad(), toFloat(dbr), 1e-5, 1e-5);

        // a constant bias (no gradient) and an input without gradient: only w gets one
        Var xc = Var.constant(Tensor.of(xv, q.n, q.c, q.h, q.w)), bc = Var.constant(Tensor.of(bv, q.k));
        Var w2 = Var.param("w2", Tensor.of(wv, q.k, q.c / q.groups, q.r, q.s));
        Tape t2 = new Tape();
        Backprop.from(t2, F.conv2d(t2, xc, w2, bc, q.stride, q.pad, q.groups), up);
        assertArrayEquals(w.grad(), w2.grad());
        assertEquals(null, bc.gradOrNull());
    }

    @Test
    void fConv2dWithOneGroupAndNoBiasIsTheOldConv2d() {
        SplittableRandom rnd = new SplittableRandom(17);
        int[] xs = {2, 3, 7, 6}, ws = {5, 3, 3, 3};
        float[] xv = toFloat(random(rnd, 2 * 3 * 7 * 6)), wv = toFloat(random(rnd, 5 * 27)), up = toFloat(random(rnd, 2 * 5 * 4 * 3));
        Var[] got = new Var[4];
        for (int form = 0; form < 2; form++) {
            Var x = Var.param("x", Tensor.of(xv.clone(), xs)), w = Var.param("w", Tensor.of(wv.clone(), ws));
            Tape t = new Tape();
            Var y = form == 0 ? F.conv2d(t, x, w, 2, 1) : F.conv2d(t, x, w, null, 2, 1, 1);
            assertEquals(1, t.size());
            Backprop.from(t, y, up);
            got[2 * form] = y;
            got[2 * form + 1] = x;
            if (form == 1) {
                assertArrayEquals(got[0].data(), y.data(), "y");
                assertArrayEquals(got[1].grad(), x.grad(), "dx");
            }
        }
        // with bias but groups = 1: Conv's output plus the bias, bit for bit
        Var x = Var.constant(Tensor.of(xv, xs)), w = Var.constant(Tensor.of(wv, ws));
        float[] bv = {0.5f, -1f, 2f, 0f, 3f};
        Var y = F.conv2d(null, x, w, Var.constant(Tensor.of(bv, 5)), 2, 1, 1);
        float[] want = got[0].data().clone();
        Bias.forward(want, bv, 2, 5, 12);
        assertArrayEquals(want, y.data());
    }

    @Test
    void badShapesSayWhatToPass() {
        Var x = Var.constant(Tensor.zeros(2, 8, 5, 5)), w = Var.constant(Tensor.zeros(8, 2, 3, 3));
        ShapeException e = assertThrows(ShapeException.class, () -> F.conv2d(null, x, w, null, 1, 1, 3));
        assertEquals("conv2d: groups = 3 must divide the input channels of x (2, 8, 5, 5) and the output channels of w (8, 2, 3, 3);"
                + " choose widths that are multiples of the cardinality", e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.conv2d(null, x, w, null, 1, 1, 2));
        assertEquals("conv2d: x (2, 8, 5, 5) has 8 channels, so with groups = 2 w must be (K, 4, R, S), got (8, 2, 3, 3) (a grouped"
                + " weight holds C/groups input channels); the previous layer's width does not match this conv's input width", e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.conv2d(null, x, w, Var.constant(Tensor.zeros(7)), 1, 1, 4));
        assertEquals("conv2d: the bias must be (K) = (8) for w (8, 2, 3, 3), got (7); pass one value per output channel, or null", e.getMessage());
        e = assertThrows(ShapeException.class, () -> F.conv2d(null, x, w, null, 1, 1, 0));
        assertTrue(e.getMessage().contains("groups = 0; pass groups >= 1"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> GroupedConv.forward(new float[400], new float[144], new float[10], 2, 8, 5, 5, 8, 3, 3, 1, 1, 4));
        assertTrue(e.getMessage().startsWith("GroupedConv.forward: the output has 10 floats but (N,K,Ho,Wo)=(2,8,5,5) needs 400"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> GroupedConv.forward(new float[400], new float[400], new float[400], 2, 8, 5, 5, 8, 3, 3, 1, 1, 4));
        assertTrue(e.getMessage().contains("the weight has 400 floats but (K,C/groups,R,S)=(8,2,3,3) needs 144"), e.getMessage());
    }

    @Test
    void backendShapeCarriesGroups() {
        ConvBackend.Shape plain = new ConvBackend.Shape(2, 8, 5, 5, 8, 3, 3, 1, 1);
        assertEquals(1, plain.groups());
        assertEquals(8 * 8 * 9, plain.weightLength());
        assertEquals("(N=2, C=8, H=5, W=5, K=8, 3x3, stride 1, pad 1)", plain.toString());
        ConvBackend.Shape grouped = new ConvBackend.Shape(2, 8, 5, 5, 8, 3, 3, 2, 1, 4);
        assertEquals(8 * 2 * 9, grouped.weightLength());
        assertEquals(4, grouped.withBatch(7).groups());
        assertEquals("(N=2, C=8, H=5, W=5, K=8, 3x3, stride 2, pad 1, groups 4)", grouped.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ConvBackend.Shape(2, 6, 5, 5, 8, 3, 3, 1, 1, 4));
        assertEquals("bad convolution shape (N=2, C=6, H=5, W=5, K=8, 3x3, stride 1, pad 1, groups 4): groups must divide C and K", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConvBackend.Shape(2, 8, 5, 5, 8, 3, 3, 1, 1, 0));
    }

    private static float[] nan(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }
}
