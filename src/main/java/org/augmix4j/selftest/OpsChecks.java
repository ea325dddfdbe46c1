package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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
import org.augmix4j.ops.Normalize;
import org.augmix4j.ops.NormalizeCuda;
import org.augmix4j.ops.Pool;
import org.augmix4j.ops.PoolCuda;
import org.augmix4j.ops.SgdCuda;
import org.augmix4j.selftest.SelfCheck.Result;

/**
 * The kernels of the training step (kernels/conv.cu, batchnorm.cu, linear.cu, pool.cu, losses.cu,
 * sgd.cu, normalize.cu) through their launchers against the CPU references, one check per op
 * family, on small random shapes that are not multiples of the block sizes (small enough for the
 * emulator). Tolerances are those of the kernels' tests (kernels/README.md): relative to
 * max(|reference|, 1).
 */
final class OpsChecks {
    private OpsChecks() {}

    /** A check of one family: {@code body} returns the result for the context's GPU. */
    private interface Body {
        Result run(Gpu gpu, SplittableRandom r);
    }

    private static SelfCheck check(String name, Set<String> kernels, Body body) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return Needs.KERNELS; }

            @Override public Set<String> kernels() { return kernels; }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                return body.run(gpu, ctx.random(name));
            }
        };
    }

    /** Owns the device buffers of one comparison. */
    private static final class Bufs implements AutoCloseable {
        final Gpu gpu;
        final List<DeviceBuffer> all = new ArrayList<>();

        Bufs(Gpu gpu) { this.gpu = gpu; }

        DeviceBuffer of(float[] a) { return add(DeviceBuffer.of(gpu, a)); }

        DeviceBuffer of(int[] a) { return add(DeviceBuffer.of(gpu, a)); }

        DeviceBuffer of(byte[] a) { return add(DeviceBuffer.of(gpu, a)); }

        DeviceBuffer floats(int n) { return add(DeviceBuffer.floats(gpu, n)); }

        DeviceBuffer add(DeviceBuffer b) {
            all.add(b);
            return b;
        }

        @Override
        public void close() { for (DeviceBuffer b : all) b.close(); }
    }

    static List<SelfCheck> all() {
        return List.of(convolution(), batchNorm(), linear(), pool(), losses(), sgd(), normalize());
    }

    /** conv forward, backward data, backward filter (both forms) against the float64 reference. */
    static SelfCheck convolution() {
        return check("conv kernels (fwd, bwd data, bwd filter reduce + serial)",
                Set.of("conv_forward", "conv_backward_data", "conv_backward_filter", "conv_backward_filter_serial"), (gpu, r) -> {
                    int[][] shapes = {{2, 3, 7, 9, 5, 3, 3, 1, 1}, {3, 4, 8, 8, 6, 3, 3, 2, 1}, {2, 5, 6, 6, 3, 1, 1, 2, 0}};
                    List<String> names = new ArrayList<>();
                    List<float[][]> outs = new ArrayList<>();
                    for (int[] s : shapes) {
                        int n = s[0], c = s[1], h = s[2], w = s[3], k = s[4], rr = s[5], ss = s[6], st = s[7], pad = s[8];
                        int ho = Conv.outSize(h, rr, st, pad), wo = Conv.outSize(w, ss, st, pad);
                        float[] x = Compare.uniform(r, n * c * h * w, -1, 1), wt = Compare.uniform(r, k * c * rr * ss, -0.5, 0.5);
                        float[] dy = Compare.uniform(r, n * k * ho * wo, -1, 1);
                        double[] y = new double[n * k * ho * wo], dx = new double[x.length], dw = new double[wt.length];
                        Conv.forwardRef(Compare.toDouble(x), Compare.toDouble(wt), y, n, c, h, w, k, rr, ss, st, pad);
                        Conv.backwardDataRef(Compare.toDouble(dy), Compare.toDouble(wt), dx, n, c, h, w, k, rr, ss, st, pad);
                        Conv.backwardFilterRef(Compare.toDouble(x), Compare.toDouble(dy), dw, n, c, h, w, k, rr, ss, st, pad);
                        try (Bufs b = new Bufs(gpu)) {
                            DeviceBuffer dX = b.of(x), dW = b.of(wt), dDy = b.of(dy), dY = b.floats(y.length), dDx = b.floats(x.length);
                            DeviceBuffer dDw = b.floats(wt.length), dDw2 = b.floats(wt.length);
                            ConvCuda.forward(dX, dW, dY, n, c, h, w, k, rr, ss, st, pad);
                            ConvCuda.backwardData(dDy, dW, dDx, n, c, h, w, k, rr, ss, st, pad);
                            ConvCuda.backwardFilter(dX, dDy, dDw, n, c, h, w, k, rr, ss, st, pad, ConvCuda.FilterAlgo.REDUCE);
                            ConvCuda.backwardFilter(dX, dDy, dDw2, n, c, h, w, k, rr, ss, st, pad, ConvCuda.FilterAlgo.SERIAL);
                            String tag = java.util.Arrays.toString(s).replace(" ", "");
                            names.addAll(List.of("y " + tag, "dx " + tag, "dW reduce " + tag, "dW serial " + tag));
                            outs.add(new float[][] {dY.toFloats(), Compare.toFloat(y)});
                            outs.add(new float[][] {dDx.toFloats(), Compare.toFloat(dx)});
                            outs.add(new float[][] {dDw.toFloats(), Compare.toFloat(dw)});
                            outs.add(new float[][] {dDw2.toFloats(), Compare.toFloat(dw)});
                        }
                    }
                    return Compare.relative(1e-5, 1, "3 shapes incl. stride 2 and 1x1", names, outs);
                });
    }

    /** batch norm training forward (+ fused ReLU) and backward, evaluation forward, against BatchNorm. */
    static SelfCheck batchNorm() {
        return check("batch norm kernels (train fwd/bwd with ReLU, eval)",
                Set.of("batch_norm_train_forward", "batch_norm_train_backward", "batch_norm_eval_forward"), (gpu, r) -> {
                    List<String> names = new ArrayList<>();
                    List<float[][]> outs = new ArrayList<>();
                    for (int[] s : new int[][] {{3, 5, 7}, {2, 3, 50}}) {
                        int n = s[0], c = s[1], hw = s[2];
                        float[] x = Compare.uniform(r, n * c * hw, -2, 3), dy = Compare.uniform(r, x.length, -1, 1);
                        float[] gamma = Compare.uniform(r, c, 0.5, 1.5), beta = Compare.uniform(r, c, -0.5, 0.5);
                        float[] rm = Compare.uniform(r, c, -0.1, 0.1), rv = Compare.uniform(r, c, 0.5, 1.5);
                        float[] y = new float[x.length], dx = new float[x.length], rm2 = rm.clone(), rv2 = rv.clone(), sm = new float[c];
                        float[] si = new float[c], dg = new float[c], db = new float[c], ye = new float[x.length];
                        BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, rm2, rv2, sm, si, true);
                        BatchNorm.trainBackward(x, dy, y, dx, n, c, hw, gamma, sm, si, dg, db);
                        BatchNorm.evalForward(x, ye, n, c, hw, gamma, beta, rm, rv);
                        try (Bufs b = new Bufs(gpu)) {
                            DeviceBuffer dX = b.of(x), dY = b.floats(x.length), dDy = b.of(dy), dDx = b.floats(x.length), dG = b.of(gamma);
                            DeviceBuffer dB = b.of(beta), dRm = b.of(rm), dRv = b.of(rv), dSm = b.floats(c), dSi = b.floats(c);
                            DeviceBuffer dDg = b.of(new float[c]), dDb = b.of(new float[c]), dYe = b.floats(x.length);
                            DeviceBuffer eRm = b.of(rm), eRv = b.of(rv);
                            BatchNormCuda.trainForward(dX, dY, n, c, hw, dG, dB, dRm, dRv, dSm, dSi, true);
                            BatchNormCuda.trainBackward(dX, dDy, dY, dDx, n, c, hw, dG, dSm, dSi, dDg, dDb);
                            BatchNormCuda.evalForward(dX, dYe, n, c, hw, dG, dB, eRm, eRv);
                            String tag = " (" + n + "," + c + "," + hw + ")";
                            names.addAll(List.of("y" + tag, "running mean" + tag, "running var" + tag, "dx" + tag, "dgamma" + tag,
                                    "dbeta" + tag, "eval y" + tag));
                            outs.addAll(List.of(new float[][] {dY.toFloats(), y}, new float[][] {dRm.toFloats(), rm2},
                                    new float[][] {dRv.toFloats(), rv2}, new float[][] {dDx.toFloats(), dx}, new float[][] {dDg.toFloats(), dg},
                                    new float[][] {dDb.toFloats(), db}, new float[][] {dYe.toFloats(), ye}));
                        }
                    }
                    return Compare.relative(1e-5, 1, "momentum 0.1, unbiased running var, fused ReLU", names, outs);
                });
    }

    /** linear forward, backward data, backward weight and bias (accumulated), against Linear. */
    static SelfCheck linear() {
        return check("linear kernels (fwd, bwd data, bwd weight)",
                Set.of("linear_forward", "linear_backward_data", "linear_backward_weight"), (gpu, r) -> {
                    int n = 37, c = 65, k = 10;
                    float[] x = Compare.uniform(r, n * c, -1, 1), w = Compare.uniform(r, k * c, -0.2, 0.2), bias = Compare.uniform(r, k, -1, 1);
                    float[] dy = Compare.uniform(r, n * k, -1, 1), dw0 = Compare.uniform(r, k * c, -1, 1), db0 = Compare.uniform(r, k, -1, 1);
                    float[] y = new float[n * k], dx = new float[n * c], dw = dw0.clone(), db = db0.clone();
                    Linear.forward(x, w, bias, y, n, c, k);
                    Linear.backward(x, w, dy, dx, dw, db, n, c, k);
                    try (Bufs b = new Bufs(gpu)) {
                        DeviceBuffer dX = b.of(x), dW = b.of(w), dB = b.of(bias), dY = b.floats(n * k), dDy = b.of(dy), dDx = b.floats(n * c);
                        DeviceBuffer dDw = b.of(dw0), dDb = b.of(db0);
                        LinearCuda.forward(dX, dW, dB, dY, n, c, k);
                        LinearCuda.backward(dX, dW, dDy, dDx, dDw, dDb, n, c, k);
                        return Compare.relative(1e-6, 1, "N,C,K=" + n + "," + c + "," + k + " (double sums, the reference's order)",
                                List.of("y", "dx", "dW", "db"), List.of(new float[][] {dY.toFloats(), y}, new float[][] {dDx.toFloats(), dx},
                                        new float[][] {dDw.toFloats(), dw}, new float[][] {dDb.toFloats(), db}));
                    }
                });
    }

    /** global average pool forward and backward (accumulated), against Pool. */
    static SelfCheck pool() {
        return check("global average pool kernels (fwd, bwd)", Set.of("global_avg_pool_forward", "global_avg_pool_backward"), (gpu, r) -> {
            int nc = 300, hw = 49;
            float[] x = Compare.uniform(r, nc * hw, -3, 3), dy = Compare.uniform(r, nc, -1, 1), dx0 = Compare.uniform(r, nc * hw, -1, 1);
            float[] y = new float[nc], dx = dx0.clone();
            Pool.globalAvgForward(x, y, nc, hw);
            Pool.globalAvgBackward(dy, dx, nc, hw);
            try (Bufs b = new Bufs(gpu)) {
                DeviceBuffer dX = b.of(x), dY = b.floats(nc), dDy = b.of(dy), dDx = b.of(dx0);
                PoolCuda.globalAvgForward(dX, dY, nc, hw);
                PoolCuda.globalAvgBackward(dDy, dDx, nc, hw);
                return Compare.relative(1e-6, 1, "N*C=" + nc + ", HW=" + hw, List.of("y", "dx"),
                        List.of(new float[][] {dY.toFloats(), y}, new float[][] {dDx.toFloats(), dx}));
            }
        });
    }

    /** The fused CE + 12 JS loss and gradient, its reduction, softmax and the training figures, against Losses. */
    static SelfCheck losses() {
        return check("loss kernels (CE + 12 JS fwd/bwd, reduce, softmax, train stats)",
                Set.of("ce_jsd_backward", "loss_reduce_forward", "softmax_forward", "train_stats_forward"), (gpu, r) -> {
                    int b = 37, k = 10, rows = 3 * b;
                    float[] z = Compare.uniform(r, rows * k, -4, 4);
                    int[] labels = new int[b];
                    for (int i = 0; i < b; i++) labels[i] = r.nextInt(k);
                    double[] zd = Compare.toDouble(z), dce = new double[zd.length], djs = new double[zd.length], p = new double[zd.length];
                    double ce = Losses.crossEntropy(zd, labels, b, k, dce, 1.0);
                    double js = Losses.jsd(zd, b, k, djs, Losses.JSD_WEIGHT);
                    for (int i = 0; i < dce.length; i++) dce[i] += djs[i];
                    Losses.softmax(zd, p, rows, k);
                    float total = (float) (ce + Losses.JSD_WEIGHT * js);
                    float[] stats = new float[3];
                    Losses.trainStats(z, labels, total, stats, b, k);
                    try (Bufs bb = new Bufs(gpu)) {
                        DeviceBuffer dz = bb.of(z), dl = bb.of(labels), ddz = bb.floats(z.length), terms = bb.floats(2 * b), loss = bb.floats(3);
                        DeviceBuffer flag = bb.add(DeviceBuffer.of(gpu, new int[1])), dp = bb.floats(z.length), st = bb.of(new float[3]);
                        LossesCuda.trainingLoss(dz, dl, ddz, terms, loss, flag, b, k, true, 1f);
                        LossesCuda.softmax(dz, dp, rows, k);
                        LossesCuda.trainStats(dz, dl, loss, st, b, k);
                        int bits = flag.toInts()[0];
                        if (bits != 0) return new Result(Double.NaN, Double.NaN, "flag 0", false, "flag " + LossesCuda.describeFlag(bits));
                        float[] l = loss.toFloats(), s = st.toFloats();
                        return Compare.relative(1e-5, 1, "B=" + b + ", K=" + k + ", 3 views", List.of("loss {total, CE, JS}", "dz", "softmax",
                                "train stats"), List.of(new float[][] {l, {total, (float) ce, (float) js}},
                                new float[][] {ddz.toFloats(), Compare.toFloat(dce)}, new float[][] {dp.toFloats(), Compare.toFloat(p)},
                                new float[][] {s, stats}));
                    }
                });
    }

    /** SGD (Nesterov, weight decay; first and later steps) and the sum of squares, against their float / double formulas. */
    static SelfCheck sgd() {
        return check("sgd kernels (step, sum of squares)", Set.of("sgd_step_forward", "sum_squares_forward", "sum_forward"), (gpu, r) -> {
            int n = 70_001;
            float lr = 0.05f, mom = 0.9f, wd = 5e-4f;
            float[] p = Compare.uniform(r, n, -1, 1), g = Compare.uniform(r, n, -1, 1), buf = new float[n];
            float[] wantP = p.clone(), wantBuf = buf.clone();
            for (int step = 0; step < 2; step++) {
                for (int j = 0; j < n; j++) {  // optim.Sgd's operations
                    float d = g[j] + wd * wantP[j];
                    float bb = step == 0 ? d : mom * wantBuf[j] + d;
                    wantBuf[j] = bb;
                    d = d + mom * bb;
                    wantP[j] = wantP[j] - lr * d;
                }
            }
            double ss = 0;
            for (float v : wantP) ss += (double) v * v;
            try (Bufs b = new Bufs(gpu)) {
                DeviceBuffer dp = b.of(p), dg = b.of(g), db = b.of(buf), part = b.floats(SgdCuda.SUM_BLOCKS), out = b.floats(1);
                SgdCuda.step(dp, dg, db, n, lr, mom, wd, true, true);
                SgdCuda.step(dp, dg, db, n, lr, mom, wd, true, false);
                SgdCuda.sumSquares(dp, n, part, out);
                return Compare.relative(1e-6, 1, "n=" + n + ", Nesterov, 2 steps", List.of("params", "momentum", "sum of squares"),
                        List.of(new float[][] {dp.toFloats(), wantP}, new float[][] {db.toFloats(), wantBuf},
                                new float[][] {out.toFloats(), {(float) ss}}));
            }
        });
    }

    /** uint8 NHWC to normalised NCHW float, bit for bit against Normalize. */
    static SelfCheck normalize() {
        return check("normalize_forward", Set.of("normalize_forward"), (gpu, r) -> {
            int n = 5, hw = 97, c = 3;
            byte[] px = new byte[n * hw * c];
            for (int i = 0; i < px.length; i++) px[i] = (byte) (i < 256 ? i : r.nextInt(256));
            float[] want = new float[n * 3 * hw];
            Normalize.forward(px, 0, n, hw, c, want);
            try (Bufs b = new Bufs(gpu)) {
                DeviceBuffer dpx = b.of(px), out = b.floats(want.length);
                NormalizeCuda.forward(dpx, out, n, hw, c);
                float[] got = out.toFloats();
                int bad = Compare.firstBitMismatch(got, want, want.length);
                return new Result(bad < 0 ? 0 : Math.abs(got[bad] - want[bad]), bad < 0 ? 0 : Double.NaN, "bit-exact", bad < 0,
                        bad < 0 ? "every byte value" : "first mismatch at " + bad);
            }
        });
    }
}
