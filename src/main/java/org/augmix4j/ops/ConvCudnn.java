package org.augmix4j.ops;

import java.util.Arrays;
import java.util.Comparator;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.augmix4j.cuda.Cudnn;
import org.augmix4j.cuda.DeviceBuffer;

/**
 * Convolution through cuDNN (JCudnn): forward, backward data and backward filter of {@link Conv}'s
 * convolution, outputs overwritten (beta 0). Descriptors come from {@link Cudnn}'s cache; each
 * direction's algorithm is chosen ONCE per shape, at its first call, and remembered:
 * <ul>
 *   <li>{@link Search#FIND} (default): {@code cudnnFind*AlgorithmEx} times every algorithm on the
 *       call's own buffers with a workspace of up to {@link Cudnn#workspaceLimit()} and the fastest one
 *       that succeeded, fits the limit and uses the allowed math (FMA/default unless TF32) wins;</li>
 *   <li>{@link Search#HEURISTIC}: {@code cudnnGet*Algorithm_v7}, cuDNN's heuristics, no timing.</li>
 * </ul>
 * With {@code deterministic} only algorithms cuDNN reports as deterministic are taken (backward
 * filter's atomics-based algorithms are not). System properties {@code augmix4j.cudnn.search=find|heuristic}
 * and {@code augmix4j.cudnn.deterministic=true} set both for the whole process.
 */
public final class ConvCudnn implements ConvBackend {
    /** How algorithms are chosen. */
    public enum Search { FIND, HEURISTIC }

    private static final int MAX_ALGOS = 16, DETERMINISTIC = 1;

    /** One direction's decision for one shape. */
    public record Choice(String direction, ConvBackend.Shape shape, int algo, long workspace, float millis, String how) {
        @Override
        public String toString() {
            return direction + " " + shape + ": algo " + algo + ", workspace " + workspace + " B" + (millis >= 0 ? String.format(", %.3f ms", millis) : "")
                    + " (" + how + ")";
        }
    }

    private final Cudnn cudnn;
    private final Search search;
    private final boolean deterministic;

    public ConvCudnn(Cudnn cudnn, Search search, boolean deterministic) {
        this.cudnn = cudnn;
        this.search = search;
        this.deterministic = deterministic;
    }

    /** With the process-wide settings (system properties, else FIND and not deterministic). */
    public static ConvCudnn withDefaults(Cudnn cudnn) {
        Search s = "heuristic".equalsIgnoreCase(System.getProperty("augmix4j.cudnn.search", "find")) ? Search.HEURISTIC : Search.FIND;
        return new ConvCudnn(cudnn, s, Boolean.getBoolean("augmix4j.cudnn.deterministic"));
    }

    @Override
    public String name() {
        return "cuDNN " + Cudnn.version() + " (" + (cudnn.tf32() ? "TF32 tensor-op math permitted" : "FMA math, no TF32") + ", algorithms by "
                + (search == Search.FIND ? "cudnnFind*Ex timing" : "heuristics") + (deterministic ? ", deterministic only" : "") + ")";
    }

    private cudnnTensorDescriptor xDesc(Shape s) { return cudnn.tensor(s.n(), s.c(), s.h(), s.w()); }

    private cudnnTensorDescriptor yDesc(Shape s) { return cudnn.tensor(s.n(), s.k(), s.ho(), s.wo()); }

    private cudnnFilterDescriptor wDesc(Shape s) { return cudnn.filter(s.k(), s.c(), s.r(), s.s()); }

    private cudnnConvolutionDescriptor cDesc(Shape s) { return cudnn.convolution(s.pad(), s.stride()); }

    private boolean mathAllowed(int mathType) {
        return cudnn.tf32() || mathType == Cudnn.DEFAULT_MATH || mathType == Cudnn.FMA_MATH;
    }

    private long searchWorkspace() {
        long[] mem = cudnn.gpu().memoryInfo();
        return Math.max(0, Math.min(cudnn.workspaceLimit(), mem[0] / 4));
    }

    private static void check(Shape s, DeviceBuffer a, String an, long need) {
        if (a.length() < need) throw new IllegalArgumentException("cuDNN convolution " + s + ": " + an + " is " + a + ", needs " + need);
    }

    @Override
    public void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, Shape s) {
        check(s, x, "x", s.inputLength());
        check(s, w, "w", s.weightLength());
        check(s, y, "y", s.outputLength());
        Choice c = cudnn.decideOnce(java.util.List.of("conv fwd", s), () -> withFallback(() -> chooseForward(x, w, y, s), "fwd", s));
        cudnn.check(JCudnn.cudnnConvolutionForward(cudnn.handle(), Cudnn.ONE, xDesc(s), x.pointer(), wDesc(s), w.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, yDesc(s), y.pointer()),
                "cudnnConvolutionForward" + s + " algo " + c.algo());
    }

    @Override
    public void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, Shape s) {
        check(s, dx, "dx", s.inputLength());
        check(s, w, "w", s.weightLength());
        check(s, dy, "dy", s.outputLength());
        Choice c = cudnn.decideOnce(java.util.List.of("conv bwd data", s), () -> withFallback(() -> chooseBackwardData(dy, w, dx, s), "bwd data", s));
        cudnn.check(JCudnn.cudnnConvolutionBackwardData(cudnn.handle(), Cudnn.ONE, wDesc(s), w.pointer(), yDesc(s), dy.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, xDesc(s), dx.pointer()),
                "cudnnConvolutionBackwardData" + s + " algo " + c.algo());
    }

    @Override
    public void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, Shape s) {
        check(s, x, "x", s.inputLength());
        check(s, dw, "dw", s.weightLength());
        check(s, dy, "dy", s.outputLength());
        Choice c = cudnn.decideOnce(java.util.List.of("conv bwd filter", s), () -> withFallback(() -> chooseBackwardFilter(x, dy, dw, s), "bwd filter", s));
        cudnn.check(JCudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), Cudnn.ONE, xDesc(s), x.pointer(), yDesc(s), dy.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, wDesc(s), dw.pointer()),
                "cudnnConvolutionBackwardFilter" + s + " algo " + c.algo());
    }

    // ---------------------------------------------------------------- choosing algorithms (once per shape)

    /** FIND, and when it fails or finds nothing usable, cuDNN's heuristics (noted for the log). */
    private Choice withFallback(java.util.function.Supplier<Choice> choose, String direction, Shape s) {
        try {
            return choose.get();
        } catch (RuntimeException e) {
            if (search != Search.FIND) throw e;
            cudnn.note("conv " + direction + " " + s + ": timed search failed (" + e.getMessage() + "); using cuDNN's heuristics");
            ConvCudnn heuristic = new ConvCudnn(cudnn, Search.HEURISTIC, deterministic);
            return switch (direction) {
                case "fwd" -> heuristic.chooseForward(null, null, null, s);
                case "bwd data" -> heuristic.chooseBackwardData(null, null, null, s);
                default -> heuristic.chooseBackwardFilter(null, null, null, s);
            };
        }
    }

    /** {algo, status, memory, determinism, mathType} plus time, whatever the perf struct's type. */
    private record Perf(int algo, int status, long memory, int determinism, int mathType, float time) {}

    private Choice pick(String direction, Shape s, Perf[] perfs, int count, long limit, String how) {
        Perf best = Arrays.stream(perfs, 0, count)
                .filter(p -> p.status() == 0 && p.memory() <= limit && mathAllowed(p.mathType())
                        && (!deterministic || p.determinism() == DETERMINISTIC))
                .min(Comparator.comparingDouble(p -> how.startsWith("find") ? p.time() : 0)) // heuristics come ordered
                .orElse(null);
        if (best == null) {
            throw new IllegalStateException("cuDNN found no usable " + direction + " algorithm for " + s + " within a " + limit
                    + "-byte workspace" + (deterministic ? " among the deterministic ones" : "") + " (" + how + "; results: "
                    + Arrays.toString(Arrays.copyOf(perfs, count)) + ")");
        }
        Choice c = new Choice(direction, s, best.algo(), best.memory(), how.startsWith("find") ? best.time() : -1, how);
        cudnn.note(c.toString());
        return c;
    }

    private Choice chooseForward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, Shape s) {
        cudnnConvolutionFwdAlgoPerf[] r = new cudnnConvolutionFwdAlgoPerf[MAX_ALGOS];
        for (int i = 0; i < r.length; i++) r[i] = new cudnnConvolutionFwdAlgoPerf();
        int[] n = {0};
        long limit = cudnn.workspaceLimit();
        String how;
        if (search == Search.FIND) {
            long ws = searchWorkspace();
            Pointer wp = cudnn.workspacePointer(ws);
            cudnn.check(JCudnn.cudnnFindConvolutionForwardAlgorithmEx(cudnn.handle(), xDesc(s), x.pointer(), wDesc(s), w.pointer(), cDesc(s),
                    yDesc(s), y.pointer(), r.length, n, r, wp, ws), "cudnnFindConvolutionForwardAlgorithmEx" + s);
            limit = Math.min(limit, ws);
            how = "find, timed";
        } else {
            cudnn.check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle(), xDesc(s), wDesc(s), cDesc(s), yDesc(s), r.length, n, r),
                    "cudnnGetConvolutionForwardAlgorithm_v7" + s);
            how = "heuristic";
        }
        Perf[] p = new Perf[n[0]];
        for (int i = 0; i < n[0]; i++) p[i] = new Perf(r[i].algo, r[i].status, r[i].memory, r[i].determinism, r[i].mathType, r[i].time);
        Choice c = pick("forward", s, p, n[0], limit, how);
        long[] bytes = {0};
        cudnn.check(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(cudnn.handle(), xDesc(s), wDesc(s), cDesc(s), yDesc(s), c.algo(), bytes),
                "cudnnGetConvolutionForwardWorkspaceSize" + s);
        return new Choice(c.direction(), s, c.algo(), Math.max(bytes[0], c.workspace()), c.millis(), how);
    }

    private Choice chooseBackwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, Shape s) {
        cudnnConvolutionBwdDataAlgoPerf[] r = new cudnnConvolutionBwdDataAlgoPerf[MAX_ALGOS];
        for (int i = 0; i < r.length; i++) r[i] = new cudnnConvolutionBwdDataAlgoPerf();
        int[] n = {0};
        long limit = cudnn.workspaceLimit();
        String how;
        if (search == Search.FIND) {
            long ws = searchWorkspace();
            Pointer wp = cudnn.workspacePointer(ws);
            cudnn.check(JCudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(cudnn.handle(), wDesc(s), w.pointer(), yDesc(s), dy.pointer(),
                    cDesc(s), xDesc(s), dx.pointer(), r.length, n, r, wp, ws), "cudnnFindConvolutionBackwardDataAlgorithmEx" + s);
            limit = Math.min(limit, ws);
            how = "find, timed";
        } else {
            cudnn.check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle(), wDesc(s), yDesc(s), cDesc(s), xDesc(s), r.length, n,
                    r), "cudnnGetConvolutionBackwardDataAlgorithm_v7" + s);
            how = "heuristic";
        }
        Perf[] p = new Perf[n[0]];
        for (int i = 0; i < n[0]; i++) p[i] = new Perf(r[i].algo, r[i].status, r[i].memory, r[i].determinism, r[i].mathType, r[i].time);
        Choice c = pick("backward data", s, p, n[0], limit, how);
        long[] bytes = {0};
        cudnn.check(JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn.handle(), wDesc(s), yDesc(s), cDesc(s), xDesc(s), c.algo(),
                bytes), "cudnnGetConvolutionBackwardDataWorkspaceSize" + s);
        return new Choice(c.direction(), s, c.algo(), Math.max(bytes[0], c.workspace()), c.millis(), how);
    }

    private Choice chooseBackwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, Shape s) {
        cudnnConvolutionBwdFilterAlgoPerf[] r = new cudnnConvolutionBwdFilterAlgoPerf[MAX_ALGOS];
        for (int i = 0; i < r.length; i++) r[i] = new cudnnConvolutionBwdFilterAlgoPerf();
        int[] n = {0};
        long limit = cudnn.workspaceLimit();
        String how;
        if (search == Search.FIND) {
            long ws = searchWorkspace();
            Pointer wp = cudnn.workspacePointer(ws);
            cudnn.check(JCudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnn.handle(), xDesc(s), x.pointer(), yDesc(s), dy.pointer(),
                    cDesc(s), wDesc(s), dw.pointer(), r.length, n, r, wp, ws), "cudnnFindConvolutionBackwardFilterAlgorithmEx" + s);
            limit = Math.min(limit, ws);
            how = "find, timed";
        } else {
            cudnn.check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle(), xDesc(s), yDesc(s), cDesc(s), wDesc(s), r.length,
                    n, r), "cudnnGetConvolutionBackwardFilterAlgorithm_v7" + s);
            how = "heuristic";
        }
        Perf[] p = new Perf[n[0]];
        for (int i = 0; i < n[0]; i++) p[i] = new Perf(r[i].algo, r[i].status, r[i].memory, r[i].determinism, r[i].mathType, r[i].time);
        Choice c = pick("backward filter", s, p, n[0], limit, how);
        long[] bytes = {0};
        cudnn.check(JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn.handle(), xDesc(s), yDesc(s), cDesc(s), wDesc(s), c.algo(),
                bytes), "cudnnGetConvolutionBackwardFilterWorkspaceSize" + s);
        return new Choice(c.direction(), s, c.algo(), Math.max(bytes[0], c.workspace()), c.millis(), how);
    }
}
