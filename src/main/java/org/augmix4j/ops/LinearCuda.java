package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/linear.cu, the fallback fully connected layer (where cuBLAS cannot be
 * loaded, and under the emulator): y (N, K) = x (N, C) W^T + b, W (K, C), b (K), and its backward.
 * Same semantics as {@link Linear} and the same bits (double accumulation in the reference's order:
 * LinearCudaTest).
 */
public final class LinearCuda {
    static final int BLOCK = 256;

    static final Kernel LINEAR_FORWARD = Kernel.declare(
            "linear_forward(const float* x, const float* w, const float* b, float* y, int n, int c, int k)");
    static final Kernel LINEAR_BACKWARD_DATA = Kernel.declare(
            "linear_backward_data(const float* dy, const float* w, float* dx, int n, int c, int k)");
    static final Kernel LINEAR_BACKWARD_WEIGHT = Kernel.declare(
            "linear_backward_weight(const float* x, const float* dy, float* dw, float* db, int n, int c, int k)");

    private LinearCuda() {}

    /** y = x W^T + b, y overwritten. */
    public static void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y, int n, int c, int k) {
        check("linear", n, c, k);
        CudaChecks.length("linear", "x", x, (long) n * c, "(N, C) = (" + n + ", " + c + ")");
        CudaChecks.length("linear", "W", w, (long) k * c, "(K, C) = (" + k + ", " + c + ")");
        CudaChecks.length("linear", "b", b, k, "(K) = (" + k + ")");
        CudaChecks.length("linear", "y", y, (long) n * k, "(N, K) = (" + n + ", " + k + ")");
        Launch.linear(LINEAR_FORWARD, CudaChecks.stream(x), (long) n * k, BLOCK, x, w, b, y, n, c, k);
    }

    /** dx (N, C) = dy W overwritten when dx is not null; dW (K, C) += dy^T x and db (K) += column sums of dy. */
    public static void backward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db,
                                int n, int c, int k) {
        check("linear_backward", n, c, k);
        CudaChecks.length("linear_backward", "x", x, (long) n * c, "(N, C) = (" + n + ", " + c + ")");
        CudaChecks.length("linear_backward", "W", w, (long) k * c, "(K, C) = (" + k + ", " + c + ")");
        CudaChecks.length("linear_backward", "dy", dy, (long) n * k, "(N, K) = (" + n + ", " + k + ")");
        CudaChecks.length("linear_backward", "dW", dw, (long) k * c, "(K, C) = (" + k + ", " + c + ")");
        CudaChecks.length("linear_backward", "db", db, k, "(K) = (" + k + ")");
        if (dx != null) {
            CudaChecks.length("linear_backward", "dx", dx, (long) n * c, "(N, C) = (" + n + ", " + c + ")");
            Launch.linear(LINEAR_BACKWARD_DATA, CudaChecks.stream(x), (long) n * c, BLOCK, dy, w, dx, n, c, k);
        }
        Launch.linear(LINEAR_BACKWARD_WEIGHT, CudaChecks.stream(x), (long) k * (c + 1), BLOCK, x, dy, dw, db, n, c, k);
    }

    private static void check(String op, int n, int c, int k) {
        CudaChecks.positive(op, "N=" + n + " C=" + c + " K=" + k, n, c, k);
    }
}
