package org.augmix4j.ops;

import java.util.Arrays;
import java.util.Comparator;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;
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
 * convolution (grouped as {@link GroupedConv} when {@link Shape#groups()} &gt; 1: the filter descriptor is
 * (K, C/groups, R, S) and the convolution descriptor carries the group count), outputs overwritten (beta 0). Descriptors come from {@link Cudnn}'s cache; each
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

    /** The weights (k, c / groups, r, s): with groups, cuDNN's filter holds each output channel's own group's inputs. */
    private cudnnFilterDescriptor wDesc(Shape s) { return cudnn.filter(s.k(), s.c() / s.groups(), s.r(), s.s()); }

    private cudnnConvolutionDescriptor cDesc(Shape s) { return cudnn.convolution(s.pad(), s.stride(), s.groups()); }

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
        Choice c = decide(FORWARD, s,
                (r, n, wp, ws) -> JCudnn.cudnnFindConvolutionForwardAlgorithmEx(cudnn.handle(), xDesc(s), x.pointer(), wDesc(s), w.pointer(),
                        cDesc(s), yDesc(s), y.pointer(), r.length, n, r, wp, ws),
                (r, n) -> JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(cudnn.handle(), xDesc(s), wDesc(s), cDesc(s), yDesc(s), r.length, n, r),
                (algo, bytes) -> JCudnn.cudnnGetConvolutionForwardWorkspaceSize(cudnn.handle(), xDesc(s), wDesc(s), cDesc(s), yDesc(s), algo, bytes));
        cudnn.check(JCudnn.cudnnConvolutionForward(cudnn.handle(), Cudnn.ONE, xDesc(s), x.pointer(), wDesc(s), w.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, yDesc(s), y.pointer()),
                "cudnnConvolutionForward" + s + " algo " + c.algo());
    }

    @Override
    public void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, Shape s) {
        check(s, dx, "dx", s.inputLength());
        check(s, w, "w", s.weightLength());
        check(s, dy, "dy", s.outputLength());
        Choice c = decide(BACKWARD_DATA, s,
                (r, n, wp, ws) -> JCudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(cudnn.handle(), wDesc(s), w.pointer(), yDesc(s), dy.pointer(),
                        cDesc(s), xDesc(s), dx.pointer(), r.length, n, r, wp, ws),
                (r, n) -> JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(cudnn.handle(), wDesc(s), yDesc(s), cDesc(s), xDesc(s), r.length, n, r),
                (algo, bytes) -> JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(cudnn.handle(), wDesc(s), yDesc(s), cDesc(s), xDesc(s), algo,
                        bytes));
        cudnn.check(JCudnn.cudnnConvolutionBackwardData(cudnn.handle(), Cudnn.ONE, wDesc(s), w.pointer(), yDesc(s), dy.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, xDesc(s), dx.pointer()),
                "cudnnConvolutionBackwardData" + s + " algo " + c.algo());
    }

    @Override
    public void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, Shape s) {
        check(s, x, "x", s.inputLength());
        check(s, dw, "dw", s.weightLength());
        check(s, dy, "dy", s.outputLength());
        Choice c = decide(BACKWARD_FILTER, s,
                (r, n, wp, ws) -> JCudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(cudnn.handle(), xDesc(s), x.pointer(), yDesc(s), dy.pointer(),
                        cDesc(s), wDesc(s), dw.pointer(), r.length, n, r, wp, ws),
                (r, n) -> JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(cudnn.handle(), xDesc(s), yDesc(s), cDesc(s), wDesc(s), r.length,
                        n, r),
                (algo, bytes) -> JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(cudnn.handle(), xDesc(s), yDesc(s), cDesc(s), wDesc(s), algo,
                        bytes));
        cudnn.check(JCudnn.cudnnConvolutionBackwardFilter(cudnn.handle(), Cudnn.ONE, xDesc(s), x.pointer(), yDesc(s), dy.pointer(), cDesc(s),
                c.algo(), cudnn.workspacePointer(c.workspace()), c.workspace(), Cudnn.ZERO, wDesc(s), dw.pointer()),
                "cudnnConvolutionBackwardFilter" + s + " algo " + c.algo());
    }

    // ---------------------------------------------------------------- choosing algorithms (once per shape)

    /** {algo, status, memory, determinism, mathType} plus time, whatever the perf struct's type. */
    private record Perf(int algo, int status, long memory, int determinism, int mathType, float time) {}

    /**
     * What the three directions' searches do not share: the cache key's and the log's names, the name
     * of the cuDNN calls ({@code cudnnFindConvolution<api>AlgorithmEx}, {@code cudnnGetConvolution<api>Algorithm_v7},
     * {@code cudnnGetConvolution<api>WorkspaceSize}) and cuDNN's perf struct: a fresh one, and its fields.
     */
    private record Direction<P>(String key, String name, String api, IntFunction<P[]> array, Supplier<P> perf, Function<P, Perf> fields) {}

    private static final Direction<cudnnConvolutionFwdAlgoPerf> FORWARD = new Direction<>("fwd", "forward", "Forward",
            cudnnConvolutionFwdAlgoPerf[]::new, cudnnConvolutionFwdAlgoPerf::new,
            r -> new Perf(r.algo, r.status, r.memory, r.determinism, r.mathType, r.time));
    private static final Direction<cudnnConvolutionBwdDataAlgoPerf> BACKWARD_DATA = new Direction<>("bwd data", "backward data", "BackwardData",
            cudnnConvolutionBwdDataAlgoPerf[]::new, cudnnConvolutionBwdDataAlgoPerf::new,
            r -> new Perf(r.algo, r.status, r.memory, r.determinism, r.mathType, r.time));
    private static final Direction<cudnnConvolutionBwdFilterAlgoPerf> BACKWARD_FILTER = new Direction<>("bwd filter", "backward filter",
            "BackwardFilter", cudnnConvolutionBwdFilterAlgoPerf[]::new, cudnnConvolutionBwdFilterAlgoPerf::new,
            r -> new Perf(r.algo, r.status, r.memory, r.determinism, r.mathType, r.time));

    /** {@code cudnnFind*AlgorithmEx} on the call's own buffers: fills {@code r}, {@code n[0]} of them, timing each on the workspace. */
    @FunctionalInterface
    private interface Find<P> { int call(P[] r, int[] n, Pointer workspace, long workspaceBytes); }

    /** {@code cudnnGet*Algorithm_v7}: fills {@code r}, {@code n[0]} of them, in the heuristics' order. */
    @FunctionalInterface
    private interface Heuristic<P> { int call(P[] r, int[] n); }

    /** {@code cudnnGet*WorkspaceSize}: the bytes {@code algo} needs, into {@code bytes[0]}. */
    @FunctionalInterface
    private interface WorkspaceSize { int call(int algo, long[] bytes); }

    /**
     * The direction's algorithm for {@code s}, chosen at the first call with that shape and remembered
     * in {@link Cudnn#decideOnce}: by this backend's {@link Search}, and when FIND fails or finds nothing
     * usable, by cuDNN's heuristics (noted for the log).
     */
    private <P> Choice decide(Direction<P> d, Shape s, Find<P> find, Heuristic<P> heuristic, WorkspaceSize workspaceSize) {
        return cudnn.decideOnce(java.util.List.of("conv " + d.key(), s), () -> {
            try {
                return choose(d, s, search, find, heuristic, workspaceSize);
            } catch (RuntimeException e) {
                if (search != Search.FIND) throw e;
                cudnn.note("conv " + d.key() + " " + s + ": timed search failed (" + e.getMessage() + "); using cuDNN's heuristics");
                return choose(d, s, Search.HEURISTIC, find, heuristic, workspaceSize);
            }
        });
    }

    private <P> Choice choose(Direction<P> d, Shape s, Search by, Find<P> find, Heuristic<P> heuristic, WorkspaceSize workspaceSize) {
        P[] r = d.array().apply(MAX_ALGOS);
        for (int i = 0; i < r.length; i++) r[i] = d.perf().get();
        int[] n = {0};
        long limit = cudnn.workspaceLimit();
        String how;
        if (by == Search.FIND) {
            long ws = searchWorkspace();
            Pointer wp = cudnn.workspacePointer(ws);
            cudnn.check(find.call(r, n, wp, ws), "cudnnFindConvolution" + d.api() + "AlgorithmEx" + s);
            limit = Math.min(limit, ws);
            how = "find, timed";
        } else {
            cudnn.check(heuristic.call(r, n), "cudnnGetConvolution" + d.api() + "Algorithm_v7" + s);
            how = "heuristic";
        }
        Perf[] p = new Perf[n[0]];
        for (int i = 0; i < n[0]; i++) p[i] = d.fields().apply(r[i]);
        Choice c = pick(d.name(), s, p, n[0], limit, how);
        long[] bytes = {0};
        cudnn.check(workspaceSize.call(c.algo(), bytes), "cudnnGetConvolution" + d.api() + "WorkspaceSize" + s);
        return new Choice(c.direction(), s, c.algo(), Math.max(bytes[0], c.workspace()), c.millis(), how);
    }

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
}
