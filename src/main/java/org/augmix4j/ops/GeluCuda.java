package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/gelu.cu, with the semantics of the CPU reference {@link Gelu}: the
 * sigmoid-form GELU y = x * sigmoid(1.702 x) and its accumulating backward, on float
 * {@link DeviceBuffer}s of at least n elements. Each call queues one launch on the buffers' GPU's
 * compute stream and returns. Results equal {@link Gelu}'s bit for bit but where CUDA's double
 * {@code exp} and Java's {@code StrictMath.exp} differ in the last bit at a float rounding boundary
 * (kernels/gelu.cu's contract).
 */
public final class GeluCuda {
    /** Threads per block. */
    public static final int BLOCK = 256;

    static final Kernel GELU_FORWARD = Kernel.declare("gelu_forward(const float* x, float* y, int n)");
    static final Kernel GELU_BACKWARD = Kernel.declare("gelu_backward(const float* x, const float* dy, float* dx, int n)");

    private GeluCuda() {}

    /** y = x * sigmoid(1.702 x). x, y: (n); may be the same buffer. */
    public static void forward(DeviceBuffer x, DeviceBuffer y, int n) {
        CudaChecks.flat("gelu_forward", n, "x y", x, y);
        Launch.linear(GELU_FORWARD, CudaChecks.stream(x), n, BLOCK, x, y, n);
    }

    /** dx += dy * (s + 1.702 x s (1 - s)), s = sigmoid(1.702 x). x, dy, dx: (n). */
    public static void backward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dx, int n) {
        CudaChecks.flat("gelu_backward", n, "x dy dx", x, dy, dx);
        Launch.linear(GELU_BACKWARD, CudaChecks.stream(x), n, BLOCK, x, dy, dx, n);
    }
}
