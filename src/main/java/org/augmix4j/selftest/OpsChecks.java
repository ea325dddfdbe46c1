package org.augmix4j.selftest;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.BatchNorm;
import org.augmix4j.ops.BatchNormCuda;
import org.augmix4j.ops.Conv;
import org.augmix4j.ops.ConvCuda;
import org.augmix4j.ops.Linear;
import org.augmix4j.ops.LinearCuda;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.LossesCuda;
import org.augmix4j.ops.Pool;
import org.augmix4j.ops.PoolCuda;
import org.augmix4j.ops.SgdCuda;
import org.augmix4j.optim.Sgd;
import org.augmix4j.selftest.SelfCheck.Result;
import org.augmix4j.tensor.Tensor;

/**
 * The training kernels (losses, SGD, pooling, and the fallbacks for cuBLAS and cuDNN: linear,
 * batch norm, convolution) through their launchers against the CPU references, at the tolerances
 * of their emulated tests (ops/*CudaTest): bit for bit where the kernel is specified so, else
 * within the float32 rounding bound. Shapes are small enough for the emulator.
 */
final class OpsChecks {
    private OpsChecks() {}

    /** A check of one op family. */
    private interface Body {
        Result run(Gpu gpu, SplittableRandom r);
    }

    private static SelfCheck check(String name, Set<String> kernels, Body body) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return Needs.KERNELS; }

            @Override public Set<String> kernels() { return kernels; }

            @Override public Result run(Context ctx) { return body.run(ctx.gpu(), ctx.random(name)); }
        };
    }

    static List<SelfCheck> all() {
        return List.of(
                check("losses (CE + 12 JS fused, softmax)", Set.of("ce_jsd_backward", "loss_reduce_forward", "softmax_forward"),
                        OpsChecks::losses),
                check("sgd (Nesterov step, sum of squares)", Set.of("sgd_step_forward", "sum_squares_forward", "sum_forward"),
                        OpsChecks::sgd),
                check("global average pool", Set.of("global_avg_pool_forward", "global_avg_pool_backward"), OpsChecks::pool),
                check("linear (cuBLAS fallback)", Set.of("linear_forward", "linear_backward_data", "linear_backward_weight"),
                        OpsChecks::linear),
                check("batch norm (cuDNN fallback)", Set.of("batch_norm_train_forward", "batch_norm_train_backward",
                        "batch_norm_eval_forward"), OpsChecks::batchNorm),
                check("conv (cuDNN fallback)", Set.of("conv_forward", "conv_backward_data", "conv_backward_filter",
                        "conv_backward_filter_serial"), OpsChecks::conv));
    }

    private static Result losses(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("1e-5 rel (loss 1e-6)");
        int[][] shapes = {{5, 10}, {13, 33}, {9, 100}};
        for (int[] s : shapes) {
            for (boolean jsd : new boolean[] {true, false}) {
                int b = s[0], k = s[1], rows = (jsd ? 3 : 1) * b;
                float[] z = Tally.gaussian(r, rows * k, 2);
                int[] labels = new int[b];
                for (int i = 0; i < b; i++) labels[i] = r.nextInt(k);
                double[] zd = Tally.d(z), dz = new double[z.length];
                double ce = Losses.crossEntropy(zd, labels, b, k, dz, 1), js = 0;
                if (jsd) {
                    double[] djs = new double[z.length];
                    js = Losses.jsd(zd, b, k, djs, Losses.JSD_WEIGHT);
                    for (int i = 0; i < dz.length; i++) dz[i] += djs[i];
                }
                String tag = (jsd ? "jsd" : "ce") + " B=" + b + " K=" + k;
                try (DeviceBuffer dZ = DeviceBuffer.of(gpu, z); DeviceBuffer dL = DeviceBuffer.of(gpu, labels);
                     DeviceBuffer dDz = DeviceBuffer.floats(gpu, z.length); LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, b, jsd)) {
                    ws.run(dZ, dL, dDz, k, 1f);
                    t.close(tag + " loss", new double[] {ce + Losses.JSD_WEIGHT * js, ce, js}, ws.readLoss(), 1e-9, 1e-6);
                    t.close(tag + " dz", dz, dDz.toFloats(), 1e-7 * Tally.maxAbs(dz), 1e-5);
                    if (ws.readFlag() != 0) t.bitwise(tag + " flag", new float[] {0}, new float[] {ws.readFlag()});
                }
                double[] p = new double[z.length];
                Losses.softmax(zd, p, rows, k);
                try (DeviceBuffer dZ = DeviceBuffer.of(gpu, z); DeviceBuffer dP = DeviceBuffer.floats(gpu, z.length)) {
                    LossesCuda.softmax(dZ, dP, rows, k);
                    t.close(tag + " softmax", p, dP.toFloats(), 1e-7, 1e-5);
                }
            }
        }
        return t.result("B,K in {5,10}, {13,33}, {9,100}, with and without JSD");
    }

    private static Result sgd(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("bit-exact (sum 1e-6 rel)");
        for (int n : new int[] {1, 257, 10_007}) {
            float[] p0 = Tally.gaussian(r, n, 0.5);
            Var v = Var.param("w", Tensor.of(p0.clone(), n));
            Sgd cpu = new Sgd(List.of(v), 0.9f, 5e-4f, true);
            try (DeviceBuffer p = DeviceBuffer.of(gpu, p0); DeviceBuffer g = DeviceBuffer.floats(gpu, n);
                 DeviceBuffer buf = DeviceBuffer.floats(gpu, n)) {
                float[] lrs = {0.1f, 0.0999f, 0.05f};
                for (int s = 0; s < lrs.length; s++) {
                    float[] grad = Tally.gaussian(r, n, 1e-2);
                    v.setGrad(grad.clone());
                    cpu.step(lrs[s]);
                    g.copyFrom(grad);
                    SgdCuda.step(p, g, buf, n, lrs[s], 0.9f, 5e-4f, true, s == 0);
                    t.bitwise("sgd n=" + n + " step " + s + " params", v.data(), p.toFloats());
                    t.bitwise("sgd n=" + n + " step " + s + " momentum", cpu.buffer(0), buf.toFloats());
                }
            }
        }
        for (int n : new int[] {1, 33_333, 100_003}) {
            float[] x = Tally.gaussian(r, n, 3);
            double want = 0;
            for (float f : x) want += (double) f * f;
            try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer partial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
                 DeviceBuffer out = DeviceBuffer.floats(gpu, 1)) {
                SgdCuda.sumSquares(dx, n, partial, out);
                t.close("sum of squares n=" + n, new double[] {want}, out.toFloats(), 0, 1e-6);
            }
        }
        return t.result("3 Nesterov steps at n = 1, 257, 10007; sums of squares up to 100003");
    }

    private static Result pool(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("bit-exact");
        int[][] shapes = {{7, 64}, {384, 64}, {259, 5}};
        for (int[] s : shapes) {
            int nc = s[0], hw = s[1];
            float[] x = Tally.gaussian(r, nc * hw, 2), y = new float[nc];
            Pool.globalAvgForward(x, y, nc, hw);
            float[] dy = Tally.gaussian(r, nc, 1), dx0 = Tally.gaussian(r, nc * hw, 1), dx = dx0.clone();
            Pool.globalAvgBackward(dy, dx, nc, hw);
            try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dY = DeviceBuffer.floats(gpu, nc);
                 DeviceBuffer dDy = DeviceBuffer.of(gpu, dy); DeviceBuffer dDx = DeviceBuffer.of(gpu, dx0)) {
                PoolCuda.globalAvgForward(dX, dY, nc, hw);
                t.bitwise("pool nc=" + nc + " hw=" + hw + " forward", y, dY.toFloats());
                PoolCuda.globalAvgBackward(dDy, dDx, nc, hw);
                t.bitwise("pool nc=" + nc + " hw=" + hw + " backward", dx, dDx.toFloats());
            }
        }
        return t.result("(N*C, HW) in (7,64), (384,64), (259,5)");
    }

    private static Result linear(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("bit-exact");
        int[][] shapes = {{5, 128, 10}, {37, 128, 100}, {300, 17, 3}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], k = s[2];
            float[] x = Tally.gaussian(r, n * c, 1), w = Tally.gaussian(r, k * c, 0.1), b = Tally.gaussian(r, k, 0.1);
            float[] dy = Tally.gaussian(r, n * k, 1), dw0 = Tally.gaussian(r, k * c, 0.01), db0 = Tally.gaussian(r, k, 0.01);
            float[] y = new float[n * k], dx = new float[n * c], dw = dw0.clone(), db = db0.clone();
            Linear.forward(x, w, b, y, n, c, k);
            Linear.backward(x, w, dy, dx, dw, db, n, c, k);
            String tag = "linear N=" + n + " C=" + c + " K=" + k;
            try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dW = DeviceBuffer.of(gpu, w); DeviceBuffer dB = DeviceBuffer.of(gpu, b);
                 DeviceBuffer dY = DeviceBuffer.floats(gpu, n * k); DeviceBuffer dDy = DeviceBuffer.of(gpu, dy);
                 DeviceBuffer dDx = DeviceBuffer.floats(gpu, n * c); DeviceBuffer dDw = DeviceBuffer.of(gpu, dw0);
                 DeviceBuffer dDb = DeviceBuffer.of(gpu, db0)) {
                LinearCuda.forward(dX, dW, dB, dY, n, c, k);
                t.bitwise(tag + " y", y, dY.toFloats());
                LinearCuda.backward(dX, dW, dDy, dDx, dDw, dDb, n, c, k);
                t.bitwise(tag + " dx", dx, dDx.toFloats());
                t.bitwise(tag + " dW", dw, dDw.toFloats());
                t.bitwise(tag + " db", db, dDb.toFloats());
            }
        }
        return t.result("N,C,K in (5,128,10), (37,128,100), (300,17,3)");
    }

    private static float[] shifted(SplittableRandom r, int n, double scale, double shift) {
        float[] a = Tally.gaussian(r, n, scale);
        for (int i = 0; i < n; i++) a[i] += (float) shift;
        return a;
    }

    private static Result batchNorm(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("1e-5 rel + 1e-6 max (eval bit-exact)");
        int[][] shapes = {{3, 5, 7}, {4, 2, 49}, {2, 3, 150}};
        for (int[] s : shapes) {
            for (boolean relu : new boolean[] {false, true}) {
                int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
                float[] x = shifted(r, len, 2, 3), gamma = shifted(r, c, 0.3, 1), beta = Tally.gaussian(r, c, 0.5);
                float[] rm0 = Tally.gaussian(r, c, 0.1), rv0 = shifted(r, c, 0.1, 1);
                float[] dy = Tally.gaussian(r, len, 1), dg0 = Tally.gaussian(r, c, 0.1), db0 = Tally.gaussian(r, c, 0.1);
                float[] y = new float[len], rm = rm0.clone(), rv = rv0.clone(), sm = new float[c], si = new float[c];
                BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, rm, rv, sm, si, relu);
                float[] dx = new float[len], dg = dg0.clone(), db = db0.clone();
                BatchNorm.trainBackward(x, dy, relu ? y : null, dx, n, c, hw, gamma, sm, si, dg, db);
                float[] ye = new float[len];
                BatchNorm.evalForward(x, ye, n, c, hw, gamma, beta, rm0, rv0);
                String tag = "bn " + n + "x" + c + "x" + hw + (relu ? "+relu" : "");
                try (DeviceBuffer X = DeviceBuffer.of(gpu, x); DeviceBuffer Y = DeviceBuffer.floats(gpu, len);
                     DeviceBuffer G = DeviceBuffer.of(gpu, gamma); DeviceBuffer B = DeviceBuffer.of(gpu, beta);
                     DeviceBuffer RM = DeviceBuffer.of(gpu, rm0); DeviceBuffer RV = DeviceBuffer.of(gpu, rv0);
                     DeviceBuffer RM0 = DeviceBuffer.of(gpu, rm0); DeviceBuffer RV0 = DeviceBuffer.of(gpu, rv0);
                     DeviceBuffer SM = DeviceBuffer.floats(gpu, c); DeviceBuffer SI = DeviceBuffer.floats(gpu, c);
                     DeviceBuffer DY = DeviceBuffer.of(gpu, dy); DeviceBuffer DX = DeviceBuffer.floats(gpu, len);
                     DeviceBuffer DG = DeviceBuffer.of(gpu, dg0); DeviceBuffer DB = DeviceBuffer.of(gpu, db0);
                     DeviceBuffer YE = DeviceBuffer.floats(gpu, len)) {
                    BatchNormCuda.trainForward(X, Y, n, c, hw, G, B, RM, RV, SM, SI, relu);
                    BatchNormCuda.trainBackward(X, DY, relu ? Y : null, DX, n, c, hw, G, SM, SI, DG, DB);
                    BatchNormCuda.evalForward(X, YE, n, c, hw, G, B, RM0, RV0);
                    String[] names = {"y", "running mean", "running var", "saved mean", "saved invstd", "dx", "dgamma", "dbeta"};
                    float[][] want = {y, rm, rv, sm, si, dx, dg, db};
                    DeviceBuffer[] got = {Y, RM, RV, SM, SI, DX, DG, DB};
                    for (int i = 0; i < names.length; i++) {
                        t.close(tag + " " + names[i], Tally.d(want[i]), got[i].toFloats(), 1e-6 * Tally.maxAbs(want[i]), 1e-5);
                    }
                    t.bitwise(tag + " eval y", ye, YE.toFloats());
                }
            }
        }
        return t.result("(N, C, HW) in (3,5,7), (4,2,49), (2,3,150), with and without the fused ReLU");
    }

    private static Result conv(Gpu gpu, SplittableRandom r) {
        Tally t = new Tally("1e-5 of the |terms| sum");
        int[][] shapes = {{2, 3, 7, 6, 4, 3, 3, 1, 1}, {2, 4, 8, 8, 5, 3, 3, 2, 1}, {2, 4, 6, 6, 3, 1, 1, 2, 0}};
        for (int[] s : shapes) {
            int N = s[0], C = s[1], H = s[2], W = s[3], K = s[4], R = s[5], S = s[6], st = s[7], pad = s[8];
            int ho = Conv.outSize(H, R, st, pad), wo = Conv.outSize(W, S, st, pad);
            int nx = N * C * H * W, nw = K * C * R * S, ny = N * K * ho * wo;
            float[] x = Tally.gaussian(r, nx, 1), w = Tally.gaussian(r, nw, 0.3), dy = Tally.gaussian(r, ny, 1);
            double[] y = new double[ny], ys = new double[ny], dx = new double[nx], dxs = new double[nx], dw = new double[nw], dws = new double[nw];
            Conv.forwardRef(Tally.d(x), Tally.d(w), y, N, C, H, W, K, R, S, st, pad);
            Conv.forwardRef(Tally.abs(x), Tally.abs(w), ys, N, C, H, W, K, R, S, st, pad);
            Conv.backwardDataRef(Tally.d(dy), Tally.d(w), dx, N, C, H, W, K, R, S, st, pad);
            Conv.backwardDataRef(Tally.abs(dy), Tally.abs(w), dxs, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(Tally.d(x), Tally.d(dy), dw, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(Tally.abs(x), Tally.abs(dy), dws, N, C, H, W, K, R, S, st, pad);
            String tag = "conv " + java.util.Arrays.toString(s).replace(" ", "");
            try (DeviceBuffer X = DeviceBuffer.of(gpu, x); DeviceBuffer Wt = DeviceBuffer.of(gpu, w); DeviceBuffer DY = DeviceBuffer.of(gpu, dy);
                 DeviceBuffer Y = DeviceBuffer.floats(gpu, ny); DeviceBuffer DX = DeviceBuffer.floats(gpu, nx);
                 DeviceBuffer DW = DeviceBuffer.floats(gpu, nw)) {
                ConvCuda.forward(X, Wt, Y, N, C, H, W, K, R, S, st, pad);
                t.withinScale(tag + " forward", y, ys, Y.toFloats(), 1e-5);
                ConvCuda.backwardData(DY, Wt, DX, N, C, H, W, K, R, S, st, pad);
                t.withinScale(tag + " backward data", dx, dxs, DX.toFloats(), 1e-5);
                for (ConvCuda.FilterAlgo algo : ConvCuda.FilterAlgo.values()) {
                    ConvCuda.backwardFilter(X, DY, DW, N, C, H, W, K, R, S, st, pad, algo);
                    t.withinScale(tag + " backward filter " + algo, dw, dws, DW.toFloats(), 1e-5);
                }
            }
        }
        return t.result("3x3 stride 1 and 2, 1x1 stride 2; both backward-filter kernels");
    }
}
