package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/sgd.cu: the SGD / Nesterov / weight-decay step over the ONE flat parameter
 * buffer (one launch per step, bit-identical to {@code optim.Sgd}'s float math), and the
 * deterministic sum of squares that serves as the NaN/Inf check and gradient norm of a flat buffer.
 * (The launcher lives with the other ops' launchers; its reference, optim.Sgd, is in the model layer.)
 */
public final class SgdCuda {
    /** Threads per block of the step. */
    static final int BLOCK = 256;
    /** At most this many blocks (= partial sums) in the sum of squares; the threads of each. */
    public static final int SUM_BLOCKS = 128;
    static final int SUM_BLOCK = 256;
    /** Elements per block of the sum of squares below SUM_BLOCKS blocks (fewer blocks for small n). */
    static final int SUM_ELEMENTS_PER_BLOCK = 8192;

    static final Kernel SGD_STEP_FORWARD = Kernel.declare("sgd_step_forward(float* p, const float* g, float* buf, int n, "
            + "float lr, float momentum, float weight_decay, int nesterov, int first)");
    static final Kernel SUM_SQUARES_FORWARD = Kernel.declare("sum_squares_forward(const float* x, float* partial, int n)");
    static final Kernel SUM_FORWARD = Kernel.declare("sum_forward(const float* x, float* out, int n)");

    private SgdCuda() {}

    /**
     * One step in PyTorch's order over p, g, buf (n): d = g + wd p; buf = first ? d : momentum buf + d;
     * d = nesterov ? d + momentum buf : buf; p -= lr d. {@code first} is true on the first step
     * (the momentum buffer's contents are then ignored and overwritten).
     */
    public static void step(DeviceBuffer params, DeviceBuffer grads, DeviceBuffer momentumBuffer, int n, float lr,
                            float momentum, float weightDecay, boolean nesterov, boolean first) {
        String shape = "(" + n + ")";
        CudaChecks.length("sgd", "params", params, n, shape);
        CudaChecks.length("sgd", "grads", grads, n, shape);
        CudaChecks.length("sgd", "momentum buffer", momentumBuffer, n, shape);
        Launch.linear(SGD_STEP_FORWARD, CudaChecks.stream(params), n, BLOCK, params, grads, momentumBuffer, n, lr, momentum,
                weightDecay, nesterov ? 1 : 0, first ? 1 : 0);
    }

    /**
     * Queues out[0] = sum of x[i]^2 over x (n), deterministic for a given n (two launches: up to
     * {@link #SUM_BLOCKS} partial sums into {@code partial}, then their sum). NaN/Inf anywhere in x
     * makes it NaN/Inf.
     */
    public static void sumSquares(DeviceBuffer x, int n, DeviceBuffer partial, DeviceBuffer out) {
        CudaChecks.length("sum_squares", "x", x, n, "(" + n + ")");
        CudaChecks.length("sum_squares", "partial", partial, SUM_BLOCKS, "(" + SUM_BLOCKS + ")");
        CudaChecks.length("sum_squares", "out", out, 1, "(1)");
        int blocks = (int) Math.max(1, Math.min(SUM_BLOCKS, ((long) n + SUM_ELEMENTS_PER_BLOCK - 1) / SUM_ELEMENTS_PER_BLOCK));
        CudaChecks.grid(SUM_SQUARES_FORWARD, x, blocks, SUM_BLOCK, x, partial, n);
        CudaChecks.grid(SUM_FORWARD, x, 1, SUM_BLOCK, partial, out, blocks);
    }
}
