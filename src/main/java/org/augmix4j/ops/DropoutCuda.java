package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/dropout.cu, with the semantics of the CPU reference {@link Dropout}: the
 * Philox mask of (seed, counter) bit for bit equal to {@link Dropout#mask}, y = x * mask and the
 * accumulating backward dx += dy * mask, on float {@link DeviceBuffer}s of at least n elements.
 * Each call queues one launch on the buffers' GPU's compute stream and returns; all results are
 * bit-identical to {@link Dropout}'s.
 */
public final class DropoutCuda {
    /** Threads per block. */
    public static final int BLOCK = 256;

    static final Kernel DROPOUT_MASK = Kernel.declare("dropout_mask(float* mask, long long seed, long long counter, float p, int n)");
    static final Kernel DROPOUT_FORWARD = Kernel.declare("dropout_forward(const float* x, const float* mask, float* y, int n)");
    static final Kernel DROPOUT_BACKWARD = Kernel.declare("dropout_backward(const float* mask, const float* dy, float* dx, int n)");

    private DropoutCuda() {}

    /** mask[0..n) = the mask (seed, counter) with drop probability p in [0, 1] ({@link Dropout#mask}). */
    public static void mask(DeviceBuffer mask, long seed, long counter, float p, int n) {
        Dropout.checkP("dropout_mask", p);
        CudaChecks.flat("dropout_mask", n, "mask", mask);
        Launch.linear(DROPOUT_MASK, CudaChecks.stream(mask), (n + 3L) / 4, BLOCK, mask, seed, counter, p, n);
    }

    /** y = x * mask. x, mask, y: (n); y may be x. */
    public static void forward(DeviceBuffer x, DeviceBuffer mask, DeviceBuffer y, int n) {
        CudaChecks.flat("dropout_forward", n, "x mask y", x, mask, y);
        Launch.linear(DROPOUT_FORWARD, CudaChecks.stream(x), n, BLOCK, x, mask, y, n);
    }

    /** dx += dy * mask. mask, dy, dx: (n). */
    public static void backward(DeviceBuffer mask, DeviceBuffer dy, DeviceBuffer dx, int n) {
        CudaChecks.flat("dropout_backward", n, "mask dy dx", mask, dy, dx);
        Launch.linear(DROPOUT_BACKWARD, CudaChecks.stream(mask), n, BLOCK, mask, dy, dx, n);
    }
}
