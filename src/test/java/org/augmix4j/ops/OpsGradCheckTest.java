package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;

/**
 * Per-op checks of the CPU references: central differences on the float64 paths (batch norm,
 * ReLU, global pool, linear, cross-entropy, JSD), the float engine against the float64 path on
 * odd sizes, and the shape / non-finite errors.
 */
class OpsGradCheckTest {
    final SplittableRandom r = new SplittableRandom(42);

    @Test
    void batchNormTrain() {
        int n = 3, c = 4, hw = 5;
        double[] x = random(r, n * c * hw), g = random(r, c), b = random(r, c), up = random(r, n * c * hw);
        for (int i = 0; i < c; i++) g[i] += 1.5;
        double[] y = new double[x.length], mean = new double[c], inv = new double[c];
        BatchNorm.trainForwardRef(x, y, n, c, hw, g, b, mean, inv);
        double[] dx = new double[x.length], dg = new double[c], db = new double[c];
        BatchNorm.trainBackwardRef(x, up, dx, n, c, hw, g, mean, inv, dg, db);
        check("batch_norm dx", x, dx, xx -> {
            double[] yy = new double[xx.length];
            BatchNorm.trainForwardRef(xx, yy, n, c, hw, g, b, new double[c], new double[c]);
            return dot(yy, up);
        }, 1e-5);
        check("batch_norm dgamma", g, dg, gg -> {
            double[] yy = new double[x.length];
            BatchNorm.trainForwardRef(x, yy, n, c, hw, gg, b, new double[c], new double[c]);
            return dot(yy, up);
        }, 1e-5);
        check("batch_norm dbeta", b, db, bb -> {
            double[] yy = new double[x.length];
            BatchNorm.trainForwardRef(x, yy, n, c, hw, g, bb, new double[c], new double[c]);
            return dot(yy, up);
        }, 1e-5);
        // float engine vs float64 path, including the running-statistics update
        float[] xf = toFloat(x), yf = new float[x.length], rm = new float[c], rv = new float[c];
        java.util.Arrays.fill(rv, 1f);
        float[] mf = new float[c], invf = new float[c];
        BatchNorm.trainForward(xf, yf, n, c, hw, toFloat(g), toFloat(b), rm, rv, mf, invf);
        Check.normClose("batch_norm forward float", yf, toFloat(y), 1e-6);
        for (int ch = 0; ch < c; ch++) {
            double var = Math.pow(1 / inv[ch], 2) - BatchNorm.EPS;
            assertEquals(0.1 * mean[ch], rm[ch], 1e-6, "running mean, momentum 0.1 from the first step");
            assertEquals(0.9 + 0.1 * var * (n * hw) / (n * hw - 1.0), rv[ch], 1e-5, "running var uses the unbiased variance");
        }
        float[] dxf = new float[x.length], dgf = new float[c], dbf = new float[c];
        BatchNorm.trainBackward(xf, toFloat(up), dxf, n, c, hw, toFloat(g), mf, invf, dgf, dbf);
        Check.normClose("batch_norm dx float", dxf, toFloat(dx), 1e-5);
        Check.normClose("batch_norm dgamma float", dgf, toFloat(dg), 1e-5);
    }

    @Test
    void reluPoolLinear() {
        int n = 3, c = 5, hw = 7, k = 4;
        double[] x = random(r, n * c * hw), up = random(r, n * c * hw);
        double[] y = new double[x.length], dx = new double[x.length];
        Elementwise.reluForward(x, y, x.length);
        Elementwise.reluBackward(y, up, dx, x.length);
        check("relu", x, dx, xx -> {
            double[] yy = new double[xx.length];
            Elementwise.reluForward(xx, yy, xx.length);
            return dot(yy, up);
        }, 1e-6);

        double[] upP = random(r, n * c), dxp = new double[x.length];
        Pool.globalAvgBackward(upP, dxp, n * c, hw);
        check("global_avg_pool", x, dxp, xx -> {
            double[] yy = new double[n * c];
            Pool.globalAvgForward(xx, yy, n * c, hw);
            return dot(yy, upP);
        }, 1e-6);

        double[] xl = random(r, n * c), w = random(r, k * c), b = random(r, k), upL = random(r, n * k);
        double[] dxl = new double[xl.length], dw = new double[w.length], db = new double[k];
        Linear.backward(xl, w, upL, dxl, dw, db, n, c, k);
        java.util.function.ToDoubleFunction<double[][]> lf = a -> {
            double[] yy = new double[n * k];
            Linear.forward(a[0], a[1], a[2], yy, n, c, k);
            return dot(yy, upL);
        };
        check("linear dx", xl, dxl, xx -> lf.applyAsDouble(new double[][] {xx, w, b}), 1e-6);
        check("linear dW", w, dw, ww -> lf.applyAsDouble(new double[][] {xl, ww, b}), 1e-6);
        check("linear db", b, db, bb -> lf.applyAsDouble(new double[][] {xl, w, bb}), 1e-6);
        float[] yf = new float[n * k], dxf = new float[n * c], dwf = new float[k * c], dbf = new float[k];
        Linear.forward(toFloat(xl), toFloat(w), toFloat(b), yf, n, c, k);
        double[] yd = new double[n * k];
        Linear.forward(xl, w, b, yd, n, c, k);
        Check.normClose("linear float", yf, toFloat(yd), 1e-6);
        Linear.backward(toFloat(xl), toFloat(w), toFloat(upL), dxf, dwf, dbf, n, c, k);
        Check.normClose("linear dW float", dwf, toFloat(dw), 1e-6);
    }

    @Test
    void crossEntropyAndJsd() {
        int b = 5, k = 7;
        double[] z = random(r, 3 * b * k);
        for (int i = 0; i < z.length; i++) z[i] *= 4; // confident, distinct views
        int[] labels = {0, 6, 3, 3, 1};
        double[] dce = new double[b * k];
        Losses.crossEntropy(z, labels, b, k, dce, 1);
        double[] zc = java.util.Arrays.copyOf(z, b * k);
        check("cross_entropy", zc, dce, zz -> Losses.crossEntropy(zz, labels, b, k, null, 1), 1e-6);
        double[] djs = new double[z.length];
        Losses.jsd(z, b, k, djs, 1);
        check("jsd", z, djs, zz -> Losses.jsd(zz, b, k, null, 1), 1e-5);
        // the clamp: one class far below 1e-7 in every view cuts the path through M there
        double[] zk = z.clone();
        for (int v = 0; v < 3; v++) zk[(v * b) * k + 2] = -40;
        double[] dk = new double[z.length];
        Losses.jsd(zk, b, k, dk, 1);
        check("jsd with active clamp", zk, dk, zz -> Losses.jsd(zz, b, k, null, 1), 1e-4);
        // identical views: JS = 0
        double[] same = new double[3 * b * k];
        for (int v = 0; v < 3; v++) System.arraycopy(z, 0, same, v * b * k, b * k);
        assertEquals(0, Losses.jsd(same, b, k, null, 1), 1e-12);
    }

    @Test
    void badInputsSayWhatToFix() {
        ShapeException e = assertThrows(ShapeException.class,
                () -> BatchNorm.trainForward(new float[10], new float[10], 2, 3, 2, new float[3], new float[3], new float[3], new float[3], new float[3], new float[3]));
        assertTrue(e.getMessage().contains("batch_norm") && e.getMessage().contains("(2, 3, 2)"), e.getMessage());
        float[] z = {1, Float.NaN, 0, 0};
        Losses.NonFiniteException nf = assertThrows(Losses.NonFiniteException.class, () -> Losses.crossEntropy(z, new int[] {0, 1}, 2, 2, null, 1));
        assertTrue(nf.getMessage().contains("cross_entropy") && nf.getMessage().contains("(2, 2)") && nf.getMessage().contains("learning-rate"), nf.getMessage());
        IllegalArgumentException le = assertThrows(IllegalArgumentException.class,
                () -> Losses.crossEntropy(new float[] {0, 0}, new int[] {5}, 1, 2, null, 1));
        assertTrue(le.getMessage().contains("label 5"), le.getMessage());
    }
}
