package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.augmix4j.cuda.CudnnStatus;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.BatchNorm;
import org.augmix4j.ops.Conv;
import org.augmix4j.selftest.SelfCheck.Result;

/**
 * cuDNN through JCudnn (and, on cuDNN 9, the compatibility shim): convolution forward, backward
 * data and backward filter with the algorithms cuDNN's heuristics pick ({@code *_v7}), FMA math
 * (no TF32), against {@link Conv}'s float64 reference; batch norm training forward (output, saved
 * statistics, running statistics with momentum 0.1) and backward against {@link BatchNorm}.
 */
final class CudnnChecks {
    private CudnnChecks() {}

    // cuDNN enum values (identical in cuDNN 8 and 9)
    static final int NCHW = 0, FLOAT = 0, CROSS_CORRELATION = 1, FMA_MATH = 3, BATCHNORM_SPATIAL = 1;
    private static final double TOL = 1e-4, FLOOR = 1;  // |got - want| <= 1e-4 * max(|want|, 1)
    /** {N, C, H, W, K, R, S, stride, pad}: odd sizes, a WRN 3x3 downsampling conv, a 1x1 stride-2 shortcut. */
    private static final int[][] CONV_SHAPES = {{3, 5, 9, 11, 7, 3, 3, 1, 1}, {4, 16, 16, 16, 32, 3, 3, 2, 1}, {2, 16, 8, 8, 32, 1, 1, 2, 0}};
    /** {N, C, H, W}. */
    private static final int[][] BN_SHAPES = {{3, 5, 7, 9}, {16, 32, 8, 8}};

    /** Creates and destroys descriptors and the handle. */
    private static final class Scope implements AutoCloseable {
        final cudnnHandle handle = new cudnnHandle();
        final List<Object> descriptors = new ArrayList<>();
        final List<DeviceBuffer> buffers = new ArrayList<>();

        Scope() {
            CudnnStatus.check(JCudnn.cudnnCreate(handle), "cudnnCreate");
        }

        cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            descriptors.add(d);
            CudnnStatus.check(JCudnn.cudnnSetTensor4dDescriptor(d, NCHW, FLOAT, n, c, h, w),
                    "cudnnSetTensor4dDescriptor(" + n + "," + c + "," + h + "," + w + ")");
            return d;
        }

        cudnnFilterDescriptor filter(int k, int c, int r, int s) {
            cudnnFilterDescriptor d = new cudnnFilterDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
            descriptors.add(d);
            CudnnStatus.check(JCudnn.cudnnSetFilter4dDescriptor(d, FLOAT, NCHW, k, c, r, s), "cudnnSetFilter4dDescriptor");
            return d;
        }

        cudnnConvolutionDescriptor conv(int pad, int stride) {
            cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
            descriptors.add(d);
            CudnnStatus.check(JCudnn.cudnnSetConvolution2dDescriptor(d, pad, pad, stride, stride, 1, 1, CROSS_CORRELATION, FLOAT),
                    "cudnnSetConvolution2dDescriptor");
            CudnnStatus.check(JCudnn.cudnnSetConvolutionMathType(d, FMA_MATH), "cudnnSetConvolutionMathType(FMA)");
            return d;
        }

        DeviceBuffer buffer(DeviceBuffer b) {
            buffers.add(b);
            return b;
        }

        DeviceBuffer workspace(long bytes) { return buffer(DeviceBuffer.bytes(Gpu.get(), bytes)); }

        @Override
        public void close() {
            for (DeviceBuffer b : buffers) b.close();
            for (Object d : descriptors) {
                if (d instanceof cudnnTensorDescriptor t) JCudnn.cudnnDestroyTensorDescriptor(t);
                else if (d instanceof cudnnFilterDescriptor f) JCudnn.cudnnDestroyFilterDescriptor(f);
                else if (d instanceof cudnnConvolutionDescriptor c) JCudnn.cudnnDestroyConvolutionDescriptor(c);
            }
            JCudnn.cudnnDestroy(handle);
        }
    }

    private static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    /** One shape's comparison, drawing its inputs from {@code r}. */
    private interface ShapeCheck {
        Result run(Gpu gpu, SplittableRandom r, int[] shape);
    }

    /**
     * A cuDNN check over {@code shapes} in order, all drawing from one generator: the result is the
     * first failing shape's, else the one with the largest relative error.
     */
    private static SelfCheck overShapes(String name, int[][] shapes, ShapeCheck check) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return Needs.CUDNN; }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                SplittableRandom r = ctx.random(name());
                Result worst = null;
                for (int[] s : shapes) {
                    Result res = check.run(gpu, r, s);
                    if (worst == null || !res.pass() || res.maxRel() > worst.maxRel()) worst = res;
                    if (!res.pass()) break;
                }
                return worst;
            }
        };
    }

    static SelfCheck convolution() {
        return overShapes("cudnnConvolution (fwd, bwd data, bwd filter)", CONV_SHAPES, CudnnChecks::conv);
    }

    private static Result conv(Gpu gpu, SplittableRandom r, int[] s) {
        int n = s[0], c = s[1], h = s[2], w = s[3], k = s[4], rr = s[5], ss = s[6], stride = s[7], pad = s[8];
        int ho = Conv.outSize(h, rr, stride, pad), wo = Conv.outSize(w, ss, stride, pad);
        float[] x = Compare.uniform(r, n * c * h * w, -1, 1), wt = Compare.uniform(r, k * c * rr * ss, -0.5, 0.5);
        float[] dy = Compare.uniform(r, n * k * ho * wo, -1, 1);
        double[] y = new double[n * k * ho * wo], dx = new double[x.length], dw = new double[wt.length];
        Conv.forwardRef(Compare.toDouble(x), Compare.toDouble(wt), y, n, c, h, w, k, rr, ss, stride, pad);
        Conv.backwardDataRef(Compare.toDouble(dy), Compare.toDouble(wt), dx, n, c, h, w, k, rr, ss, stride, pad);
        Conv.backwardFilterRef(Compare.toDouble(x), Compare.toDouble(dy), dw, n, c, h, w, k, rr, ss, stride, pad);
        try (Scope sc = new Scope()) {
            cudnnTensorDescriptor xD = sc.tensor(n, c, h, w), yD = sc.tensor(n, k, ho, wo);
            cudnnFilterDescriptor wD = sc.filter(k, c, rr, ss);
            cudnnConvolutionDescriptor cD = sc.conv(pad, stride);
            int[] on = {0}, oc = {0}, oh = {0}, ow = {0};
            CudnnStatus.check(JCudnn.cudnnGetConvolution2dForwardOutputDim(cD, xD, wD, on, oc, oh, ow), "cudnnGetConvolution2dForwardOutputDim");
            if (on[0] != n || oc[0] != k || oh[0] != ho || ow[0] != wo) {
                return new Result(Double.NaN, Double.NaN, "shape", false, "cuDNN output shape " + on[0] + "x" + oc[0] + "x" + oh[0]
                        + "x" + ow[0] + ", expected " + n + "x" + k + "x" + ho + "x" + wo);
            }
            DeviceBuffer dX = sc.buffer(DeviceBuffer.of(gpu, x)), dW = sc.buffer(DeviceBuffer.of(gpu, wt));
            DeviceBuffer dDy = sc.buffer(DeviceBuffer.of(gpu, dy)), dY = sc.buffer(DeviceBuffer.floats(gpu, y.length));
            DeviceBuffer dDx = sc.buffer(DeviceBuffer.floats(gpu, x.length)), dDw = sc.buffer(DeviceBuffer.floats(gpu, wt.length));
            int fwd = heuristicRun(sc, "Forward", new cudnnConvolutionFwdAlgoPerf[8], cudnnConvolutionFwdAlgoPerf::new,
                    p -> p.status, p -> p.algo,
                    (p, count) -> JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(sc.handle, xD, wD, cD, yD, p.length, count, p),
                    (algo, ws) -> JCudnn.cudnnGetConvolutionForwardWorkspaceSize(sc.handle, xD, wD, cD, yD, algo, ws),
                    (algo, ws, bytes) -> JCudnn.cudnnConvolutionForward(sc.handle, ONE, xD, dX.pointer(), wD, dW.pointer(), cD, algo,
                            ws, bytes, ZERO, yD, dY.pointer()));
            int bwdData = heuristicRun(sc, "BackwardData", new cudnnConvolutionBwdDataAlgoPerf[8], cudnnConvolutionBwdDataAlgoPerf::new,
                    p -> p.status, p -> p.algo,
                    (p, count) -> JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(sc.handle, wD, yD, cD, xD, p.length, count, p),
                    (algo, ws) -> JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(sc.handle, wD, yD, cD, xD, algo, ws),
                    (algo, ws, bytes) -> JCudnn.cudnnConvolutionBackwardData(sc.handle, ONE, wD, dW.pointer(), yD, dDy.pointer(), cD, algo,
                            ws, bytes, ZERO, xD, dDx.pointer()));
            int bwdFilter = heuristicRun(sc, "BackwardFilter", new cudnnConvolutionBwdFilterAlgoPerf[8], cudnnConvolutionBwdFilterAlgoPerf::new,
                    p -> p.status, p -> p.algo,
                    (p, count) -> JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(sc.handle, xD, yD, cD, wD, p.length, count, p),
                    (algo, ws) -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(sc.handle, xD, yD, cD, wD, algo, ws),
                    (algo, ws, bytes) -> JCudnn.cudnnConvolutionBackwardFilter(sc.handle, ONE, xD, dX.pointer(), yD, dDy.pointer(), cD, algo,
                            ws, bytes, ZERO, wD, dDw.pointer()));
            return Compare.relative(TOL, FLOOR, "N,C,H,W,K,R,S,stride,pad=" + java.util.Arrays.toString(s).replace(" ", "")
                            + " algos fwd " + fwd + ", bwd data " + bwdData + ", bwd filter " + bwdFilter,
                    List.of("y", "dx", "dW"),
                    List.of(new float[][] {dY.toFloats(), Compare.toFloat(y)}, new float[][] {dDx.toFloats(), Compare.toFloat(dx)},
                            new float[][] {dDw.toFloats(), Compare.toFloat(dw)}));
        }
    }

    /** {@code cudnnGetConvolution<api>Algorithm_v7}: fills {@code perfs}, {@code count[0]} of them, in the heuristics' order. */
    @FunctionalInterface
    private interface Heuristics<P> { int call(P[] perfs, int[] count); }

    /** {@code cudnnGetConvolution<api>WorkspaceSize}: the bytes {@code algo} needs, into {@code bytes[0]}. */
    @FunctionalInterface
    private interface WorkspaceSize { int call(int algo, long[] bytes); }

    /** {@code cudnnConvolution<api>} with {@code algo} on a workspace of {@code bytes}. */
    @FunctionalInterface
    private interface Convolution { int call(int algo, Pointer workspace, long bytes); }

    /**
     * One direction of the convolution ({@code api}: Forward, BackwardData, BackwardFilter) with the first
     * algorithm cuDNN's heuristics list that reports success (algorithm 0 when none does), on a
     * workspace of the size cuDNN asks for; returns that algorithm. {@code perfs} is filled with new
     * structs from {@code perf}; {@code status} and {@code algo} read a struct's fields.
     */
    private static <P> int heuristicRun(Scope sc, String api, P[] perfs, Supplier<P> perf, ToIntFunction<P> status, ToIntFunction<P> algo,
                                        Heuristics<P> heuristics, WorkspaceSize workspaceSize, Convolution convolution) {
        for (int i = 0; i < perfs.length; i++) perfs[i] = perf.get();
        int[] count = {0};
        CudnnStatus.check(heuristics.call(perfs, count), "cudnnGetConvolution" + api + "Algorithm_v7");
        int chosen = 0;
        for (int i = 0; i < count[0]; i++) if (status.applyAsInt(perfs[i]) == 0) { chosen = algo.applyAsInt(perfs[i]); break; }
        long[] ws = {0};
        CudnnStatus.check(workspaceSize.call(chosen, ws), "cudnnGetConvolution" + api + "WorkspaceSize(algo " + chosen + ")");
        DeviceBuffer workspace = sc.workspace(ws[0]);
        CudnnStatus.check(convolution.call(chosen, workspace.pointer(), ws[0]), "cudnnConvolution" + api + "(algo " + chosen + ")");
        return chosen;
    }

    static SelfCheck batchNorm() {
        return overShapes("cudnnBatchNormalization (training fwd, bwd)", BN_SHAPES, (gpu, r, s) -> bn(gpu, r, s[0], s[1], s[2] * s[3]));
    }

    private static Result bn(Gpu gpu, SplittableRandom r, int n, int c, int hw) {
        float[] x = Compare.uniform(r, n * c * hw, -2, 3), dy = Compare.uniform(r, x.length, -1, 1);
        float[] gamma = Compare.uniform(r, c, 0.5, 1.5), beta = Compare.uniform(r, c, -0.5, 0.5);
        float[] runMean0 = Compare.uniform(r, c, -0.1, 0.1), runVar0 = Compare.uniform(r, c, 0.5, 1.5);
        float[] y = new float[x.length], dx = new float[x.length], runMean = runMean0.clone(), runVar = runVar0.clone();
        float[] saveMean = new float[c], saveInv = new float[c], dgamma = new float[c], dbeta = new float[c];
        BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInv);
        BatchNorm.trainBackward(x, dy, dx, n, c, hw, gamma, saveMean, saveInv, dgamma, dbeta);
        try (Scope sc = new Scope()) {
            cudnnTensorDescriptor xD = sc.tensor(n, c, hw, 1), bnD = new cudnnTensorDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateTensorDescriptor(bnD), "cudnnCreateTensorDescriptor");
            sc.descriptors.add(bnD);
            CudnnStatus.check(JCudnn.cudnnDeriveBNTensorDescriptor(bnD, xD, BATCHNORM_SPATIAL), "cudnnDeriveBNTensorDescriptor");
            DeviceBuffer dX = sc.buffer(DeviceBuffer.of(gpu, x)), dY = sc.buffer(DeviceBuffer.floats(gpu, x.length));
            DeviceBuffer dDy = sc.buffer(DeviceBuffer.of(gpu, dy)), dDx = sc.buffer(DeviceBuffer.floats(gpu, x.length));
            DeviceBuffer dG = sc.buffer(DeviceBuffer.of(gpu, gamma)), dB = sc.buffer(DeviceBuffer.of(gpu, beta));
            DeviceBuffer dRm = sc.buffer(DeviceBuffer.of(gpu, runMean0)), dRv = sc.buffer(DeviceBuffer.of(gpu, runVar0));
            DeviceBuffer dSm = sc.buffer(DeviceBuffer.floats(gpu, c)), dSi = sc.buffer(DeviceBuffer.floats(gpu, c));
            DeviceBuffer dDg = sc.buffer(DeviceBuffer.floats(gpu, c)), dDb = sc.buffer(DeviceBuffer.floats(gpu, c));
            double eps = BatchNorm.EPS;
            CudnnStatus.check(JCudnn.cudnnBatchNormalizationForwardTraining(sc.handle, BATCHNORM_SPATIAL, ONE, ZERO, xD, dX.pointer(),
                    xD, dY.pointer(), bnD, dG.pointer(), dB.pointer(), BatchNorm.MOMENTUM, dRm.pointer(), dRv.pointer(), eps,
                    dSm.pointer(), dSi.pointer()), "cudnnBatchNormalizationForwardTraining");
            CudnnStatus.check(JCudnn.cudnnBatchNormalizationBackward(sc.handle, BATCHNORM_SPATIAL, ONE, ZERO, ONE, ZERO, xD, dX.pointer(),
                    xD, dDy.pointer(), xD, dDx.pointer(), bnD, dG.pointer(), dDg.pointer(), dDb.pointer(), eps, dSm.pointer(),
                    dSi.pointer()), "cudnnBatchNormalizationBackward");
            return Compare.relative(TOL, FLOOR, "N,C,HW=" + n + "," + c + "," + hw + ", momentum " + BatchNorm.MOMENTUM,
                    List.of("y", "saved mean", "saved inv std", "running mean", "running var", "dx", "dgamma", "dbeta"),
                    List.of(new float[][] {dY.toFloats(), y}, new float[][] {dSm.toFloats(), saveMean},
                            new float[][] {dSi.toFloats(), saveInv}, new float[][] {dRm.toFloats(), runMean},
                            new float[][] {dRv.toFloats(), runVar}, new float[][] {dDx.toFloats(), dx},
                            new float[][] {dDg.toFloats(), dgamma}, new float[][] {dDb.toFloats(), dbeta}));
        }
    }
}
