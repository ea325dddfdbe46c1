package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.cuda.Cudnn;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Bias;
import org.augmix4j.ops.BiasCuda;
import org.augmix4j.ops.ConvBackend;
import org.augmix4j.ops.ConvCudnn;
import org.augmix4j.ops.Dropout;
import org.augmix4j.ops.DropoutCuda;
import org.augmix4j.ops.Gelu;
import org.augmix4j.ops.GeluCuda;
import org.augmix4j.ops.GroupedConv;
import org.augmix4j.selftest.SelfCheck.Result;

/**
 * The model zoo's ops (AllConv's GELU, dropout and convolution bias; ResNeXt's grouped
 * convolution) through their launchers against the CPU references, on sizes that are not multiples
 * of the block: kernels/gelu.cu within 1e-6 relative (the double exp of two libms may differ in the
 * last bit), dropout.cu and bias.cu bit for bit, conv.cu's groups within 1e-5 of max(|reference|, 1),
 * and cuDNN's group count (through {@link ConvCudnn}, on a real GPU) within 1e-4.
 */
final class ZooActChecks {
    private ZooActChecks() {}

    private static final int[] SIZES = {1, 255, 257, 10_001};
    /** N, C, H, W, K, R, S, stride, pad, groups: ResNeXt's 3x3 with cardinality 4, stride 1 and 2, and a depthwise 3x3. */
    private static final int[][] GROUPED = {{2, 8, 7, 9, 8, 3, 3, 1, 1, 4}, {2, 16, 8, 8, 16, 3, 3, 2, 1, 4}, {1, 6, 5, 5, 6, 3, 3, 1, 1, 6}};

    private interface Body {
        Result run(Gpu gpu, SplittableRandom r) throws Exception;
    }

    private static SelfCheck check(String name, SelfCheck.Needs needs, Set<String> kernels, Body body) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return needs; }

            @Override public Set<String> kernels() { return kernels; }

            @Override
            public Result run(Context ctx) throws Exception {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                return body.run(gpu, ctx.random(name));
            }
        };
    }

    static List<SelfCheck> all() {
        return List.of(gelu(), dropout(), bias(), groupedConv(), cudnnGroupedConv());
    }

    /** gelu_forward, gelu_backward against Gelu. */
    static SelfCheck gelu() {
        return check("gelu kernels (fwd, bwd)", SelfCheck.Needs.KERNELS, Set.of("gelu_forward", "gelu_backward"), (gpu, r) -> {
            List<String> names = new ArrayList<>();
            List<float[][]> outs = new ArrayList<>();
            for (int n : SIZES) {
                float[] x = Compare.uniform(r, n, -8, 8), dy = Compare.uniform(r, n, -1, 1), dx = Compare.uniform(r, n, -1, 1);
                float[] y = new float[n], dxWant = dx.clone();
                Gelu.forward(x, y, n);
                Gelu.backward(x, dy, dxWant, n);
                try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dY = DeviceBuffer.floats(gpu, n);
                     DeviceBuffer dDy = DeviceBuffer.of(gpu, dy); DeviceBuffer dDx = DeviceBuffer.of(gpu, dx)) {
                    GeluCuda.forward(dX, dY, n);
                    GeluCuda.backward(dX, dDy, dDx, n);
                    names.addAll(List.of("y n=" + n, "dx n=" + n));
                    outs.add(new float[][] {dY.toFloats(), y});
                    outs.add(new float[][] {dDx.toFloats(), dxWant});
                }
            }
            return Compare.relative(1e-6, 1, "n in " + java.util.Arrays.toString(SIZES), names, outs);
        });
    }

    /** dropout_mask, dropout_forward, dropout_backward against Dropout, bit for bit. */
    static SelfCheck dropout() {
        return check("dropout kernels (mask, fwd, bwd)", SelfCheck.Needs.KERNELS,
                Set.of("dropout_mask", "dropout_forward", "dropout_backward"), (gpu, r) -> {
                    for (int n : SIZES) {
                        long seed = r.nextLong(), counter = r.nextLong();
                        float[] mask = new float[n], x = Compare.uniform(r, n, -2, 2), dy = Compare.uniform(r, n, -1, 1);
                        float[] dx = Compare.uniform(r, n, -1, 1), y = new float[n], dxWant = dx.clone();
                        Dropout.mask(seed, counter, 0.5f, mask, n);
                        Dropout.forward(x, mask, y, n);
                        Dropout.backward(mask, dy, dxWant, n);
                        try (DeviceBuffer dM = DeviceBuffer.floats(gpu, n); DeviceBuffer dX = DeviceBuffer.of(gpu, x);
                             DeviceBuffer dY = DeviceBuffer.floats(gpu, n); DeviceBuffer dDy = DeviceBuffer.of(gpu, dy);
                             DeviceBuffer dDx = DeviceBuffer.of(gpu, dx)) {
                            DropoutCuda.mask(dM, seed, counter, 0.5f, n);
                            DropoutCuda.forward(dX, dM, dY, n);
                            DropoutCuda.backward(dM, dDy, dDx, n);
                            Result bad = firstMismatch("n=" + n, List.of("mask", "y", "dx"),
                                    List.of(new float[][] {dM.toFloats(), mask}, new float[][] {dY.toFloats(), y}, new float[][] {dDx.toFloats(), dxWant}));
                            if (bad != null) return bad;
                        }
                    }
                    return new Result(0, 0, "bit-exact", true, "n in " + java.util.Arrays.toString(SIZES) + ", p = 0.5");
                });
    }

    /** bias_forward, bias_backward against Bias, bit for bit. */
    static SelfCheck bias() {
        return check("bias kernels (fwd, bwd)", SelfCheck.Needs.KERNELS, Set.of("bias_forward", "bias_backward"), (gpu, r) -> {
            int[][] shapes = {{3, 5, 7}, {2, 3, 257}, {4, 10, 64}};
            for (int[] s : shapes) {
                int n = s[0], c = s[1], hw = s[2];
                float[] y = Compare.uniform(r, n * c * hw, -1, 1), b = Compare.uniform(r, c, -1, 1), dy = Compare.uniform(r, y.length, -1, 1);
                float[] db = Compare.uniform(r, c, -1, 1), yWant = y.clone(), dbWant = db.clone();
                Bias.forward(yWant, b, n, c, hw);
                Bias.backward(dy, dbWant, n, c, hw);
                try (DeviceBuffer dY = DeviceBuffer.of(gpu, y); DeviceBuffer dB = DeviceBuffer.of(gpu, b); DeviceBuffer dDy = DeviceBuffer.of(gpu, dy);
                     DeviceBuffer dDb = DeviceBuffer.of(gpu, db)) {
                    BiasCuda.forward(dY, dB, n, c, hw);
                    BiasCuda.backward(dDy, dDb, n, c, hw);
                    Result bad = firstMismatch("(N, C, HW) = " + java.util.Arrays.toString(s), List.of("y", "db"),
                            List.of(new float[][] {dY.toFloats(), yWant}, new float[][] {dDb.toFloats(), dbWant}));
                    if (bad != null) return bad;
                }
            }
            return new Result(0, 0, "bit-exact", true, "3 shapes, channels of fewer and more than 256 positions");
        });
    }

    /** conv.cu's group offsets (forward, backward data, both backward-filter forms) against GroupedConv's float64 references. */
    static SelfCheck groupedConv() {
        return check("conv kernels with groups (ResNeXt 3x3, cardinality 4)", SelfCheck.Needs.KERNELS,
                Set.of("conv_forward", "conv_backward_data", "conv_backward_filter", "conv_backward_filter_serial"),
                (gpu, r) -> convAgainstReference(gpu, r, ConvBackend.kernels(), 1e-5));
    }

    /** cuDNN with cudnnSetConvolutionGroupCount, through ConvCudnn (heuristic algorithms, FMA math). */
    static SelfCheck cudnnGroupedConv() {
        return check("cudnnConvolution with groups (ConvCudnn)", SelfCheck.Needs.CUDNN, Set.of(), (gpu, r) -> {
            try (Cudnn cudnn = Cudnn.open(gpu, false, Cudnn.DEFAULT_WORKSPACE_LIMIT)) {
                return convAgainstReference(gpu, r, new ConvCudnn(cudnn, ConvCudnn.Search.HEURISTIC, false), 1e-4);
            }
        });
    }

    private static Result convAgainstReference(Gpu gpu, SplittableRandom r, ConvBackend backend, double tol) {
        List<String> names = new ArrayList<>();
        List<float[][]> outs = new ArrayList<>();
        for (int[] a : GROUPED) {
            ConvBackend.Shape q = new ConvBackend.Shape(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
            int n = q.n(), c = q.c(), h = q.h(), w = q.w(), k = q.k(), rr = q.r(), ss = q.s(), st = q.stride(), pad = q.pad(), g = q.groups();
            float[] x = Compare.uniform(r, (int) q.inputLength(), -1, 1), wt = Compare.uniform(r, (int) q.weightLength(), -0.5, 0.5);
            float[] dy = Compare.uniform(r, (int) q.outputLength(), -1, 1);
            double[] y = new double[dy.length], dx = new double[x.length], dw = new double[wt.length];
            GroupedConv.forwardRef(Compare.toDouble(x), Compare.toDouble(wt), y, n, c, h, w, k, rr, ss, st, pad, g);
            GroupedConv.backwardDataRef(Compare.toDouble(dy), Compare.toDouble(wt), dx, n, c, h, w, k, rr, ss, st, pad, g);
            GroupedConv.backwardFilterRef(Compare.toDouble(x), Compare.toDouble(dy), dw, n, c, h, w, k, rr, ss, st, pad, g);
            try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dW = DeviceBuffer.of(gpu, wt); DeviceBuffer dDy = DeviceBuffer.of(gpu, dy);
                 DeviceBuffer dY = DeviceBuffer.floats(gpu, y.length); DeviceBuffer dDx = DeviceBuffer.floats(gpu, x.length);
                 DeviceBuffer dDw = DeviceBuffer.floats(gpu, wt.length)) {
                backend.forward(dX, dW, dY, q);
                backend.backwardData(dDy, dW, dDx, q);
                backend.backwardFilter(dX, dDy, dDw, q);
                names.addAll(List.of("y " + q, "dx " + q, "dW " + q));
                outs.add(new float[][] {dY.toFloats(), Compare.toFloat(y)});
                outs.add(new float[][] {dDx.toFloats(), Compare.toFloat(dx)});
                outs.add(new float[][] {dDw.toFloats(), Compare.toFloat(dw)});
            }
        }
        return Compare.relative(tol, 1, backend.name() + "; 3 grouped shapes incl. stride 2 and depthwise", names, outs);
    }

    /** A failing bit-exact result naming the first differing output and element, or null when all agree. */
    private static Result firstMismatch(String where, List<String> names, List<float[][]> outputs) {
        for (int i = 0; i < outputs.size(); i++) {
            float[] got = outputs.get(i)[0], want = outputs.get(i)[1];
            int bad = Compare.firstBitMismatch(got, want, want.length);
            if (bad >= 0) {
                double[] e = Compare.errors(got, want, want.length, 1e-30);
                return new Result(e[0], e[1], "bit-exact", false, where + ", " + names.get(i) + ": first mismatch at " + bad + ": want "
                        + want[bad] + ", got " + got[bad]);
            }
        }
        return null;
    }
}
