package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/elementwise.cu, with the same names and semantics as the CPU reference
 * {@link Elementwise}: ReLU forward/backward, residual add, accumulate, fill, scale, on float
 * {@link DeviceBuffer}s of at least n elements. Each call queues one launch on the buffers' GPU's
 * compute stream and returns; results are bit-identical to {@link Elementwise}.
 */
public final class ElementwiseCuda {
    /** Threads per block of every launch here. */
    public static final int BLOCK = 256;

    static final Kernel RELU_FORWARD = Kernel.declare("relu_forward(const float* x, float* y, int n)");
    static final Kernel RELU_BACKWARD = Kernel.declare("relu_backward(const float* y, const float* dy, float* dx, int n)");
    static final Kernel RELU_MASK_BACKWARD = Kernel.declare("relu_mask_backward(const float* y, float* dy, int n)");
    static final Kernel ADD_FORWARD = Kernel.declare("add_forward(const float* a, const float* b, float* out, int n)");
    static final Kernel ACCUMULATE_FORWARD = Kernel.declare("accumulate_forward(const float* x, float* acc, int n)");
    static final Kernel FILL_FORWARD = Kernel.declare("fill_forward(float* x, float v, int n)");
    static final Kernel SCALE_FORWARD = Kernel.declare("scale_forward(float* x, float a, int n)");

    private ElementwiseCuda() {}

    /** y = max(x, 0). x, y: (n); may be the same buffer. */
    public static void reluForward(DeviceBuffer x, DeviceBuffer y, int n) {
        launch("reluForward", RELU_FORWARD, n, x, y);
    }

    /** dx += (y > 0 ? dy : 0), y being the ReLU output. */
    public static void reluBackward(DeviceBuffer y, DeviceBuffer dy, DeviceBuffer dx, int n) {
        launch("reluBackward", RELU_BACKWARD, n, y, dy, dx);
    }

    /** {@code dy = 0} where {@code y <= 0}, in place (the mask of a ReLU whose output is y). */
    public static void reluMask(DeviceBuffer y, DeviceBuffer dy, int n) {
        launch("reluMask", RELU_MASK_BACKWARD, n, y, dy);
    }

    /** out = a + b. */
    public static void add(DeviceBuffer a, DeviceBuffer b, DeviceBuffer out, int n) {
        launch("add", ADD_FORWARD, n, a, b, out);
    }

    /** acc += x. */
    public static void accumulate(DeviceBuffer x, DeviceBuffer acc, int n) {
        launch("accumulate", ACCUMULATE_FORWARD, n, x, acc);
    }

    /** x[i] = v. */
    public static void fill(DeviceBuffer x, float v, int n) {
        check("fill", n, x);
        Launch.linear(FILL_FORWARD, x.gpu().stream(), n, BLOCK, x, v, n);
    }

    /** x[i] *= a. */
    public static void scale(DeviceBuffer x, float a, int n) {
        check("scale", n, x);
        Launch.linear(SCALE_FORWARD, x.gpu().stream(), n, BLOCK, x, a, n);
    }

    private static void launch(String op, Kernel k, int n, DeviceBuffer... buffers) {
        check(op, n, buffers);
        Object[] args = new Object[buffers.length + 1];
        System.arraycopy(buffers, 0, args, 0, buffers.length);
        args[buffers.length] = n;
        Launch.linear(k, buffers[0].gpu().stream(), n, BLOCK, args);
    }

    private static void check(String op, int n, DeviceBuffer... buffers) {
        if (n < 0) throw new IllegalArgumentException(op + ": n = " + n + " < 0");
        for (DeviceBuffer b : buffers) {
            if (b.length() < n) throw new IllegalArgumentException(op + ": n = " + n + " but " + b + " is shorter");
        }
    }
}
