package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/avgpool.cu: 2-D average pooling (PyTorch's AvgPool2d(k, stride=s), no
 * padding, floor, divided by k*k) x (N, C, H, W) -> y (N, C, Ho, Wo) and its backward, the same
 * operations as {@link AvgPool} (bit for bit: AvgPoolCudaTest). The backward ACCUMULATES into dx, one
 * thread per input element, no atomics (deterministic with overlapping windows).
 */
public final class AvgPoolCuda {
    static final int BLOCK = 256;

    static final Kernel AVG_POOL_FORWARD = Kernel.declare(
            "avg_pool_forward(const float* x, float* y, int n, int c, int h, int w, int k, int s)");
    static final Kernel AVG_POOL_BACKWARD = Kernel.declare(
            "avg_pool_backward(const float* dy, float* dx, int n, int c, int h, int w, int k, int s)");

    private AvgPoolCuda() {}

    /** y = mean over each k x k window (stride s); x (N, C, H, W), y (N, C, Ho, Wo) overwritten. */
    public static void forward(DeviceBuffer x, DeviceBuffer y, int n, int c, int h, int w, int k, int s) {
        long outs = check("avg_pool2d", x, "x", y, "y", n, c, h, w, k, s);
        Launch.linear(AVG_POOL_FORWARD, CudaChecks.stream(x), outs, BLOCK, x, y, n, c, h, w, k, s);
    }

    /** dx[window of o] += dy[o] / (k*k); dy (N, C, Ho, Wo), dx (N, C, H, W) accumulated. */
    public static void backward(DeviceBuffer dy, DeviceBuffer dx, int n, int c, int h, int w, int k, int s) {
        check("avg_pool2d_backward", dx, "dx", dy, "dy", n, c, h, w, k, s);
        Launch.linear(AVG_POOL_BACKWARD, CudaChecks.stream(dx), (long) n * c * h * w, BLOCK, dy, dx, n, c, h, w, k, s);
    }

    /** Checks sizes and buffers; returns the number of outputs N*C*Ho*Wo. */
    private static long check(String op, DeviceBuffer map, String mapName, DeviceBuffer pooled, String pooledName,
                              int n, int c, int h, int w, int k, int s) {
        CudaChecks.positive(op, "N=" + n + " C=" + c + " H=" + h + " W=" + w + " k=" + k + " s=" + s, n, c, h, w, k, s);
        int ho = AvgPool.outSize(h, k, s), wo = AvgPool.outSize(w, k, s);
        CudaChecks.length(op, mapName, map, (long) n * c * h * w, "(N, C, H, W) = (" + n + ", " + c + ", " + h + ", " + w + ")");
        CudaChecks.length(op, pooledName, pooled, (long) n * c * ho * wo, "(N, C, Ho, Wo) = (" + n + ", " + c + ", " + ho + ", " + wo + ")");
        return (long) n * c * ho * wo;
    }
}
