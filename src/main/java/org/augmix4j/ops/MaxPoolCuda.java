package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/maxpool.cu: 2-D max pooling (PyTorch's MaxPool2d(k, stride=s), no padding,
 * floor) x (N, C, H, W) -> y (N, C, Ho, Wo) and its backward, the same operations as {@link MaxPool}
 * (bit for bit: MaxPoolCudaTest). The backward ACCUMULATES into dx, one thread per input element,
 * no atomics (deterministic with overlapping windows).
 */
public final class MaxPoolCuda {
    static final int BLOCK = 256;

    static final Kernel MAX_POOL_FORWARD = Kernel.declare(
            "max_pool_forward(const float* x, float* y, int n, int c, int h, int w, int k, int s)");
    static final Kernel MAX_POOL_BACKWARD = Kernel.declare(
            "max_pool_backward(const float* x, const float* dy, float* dx, int n, int c, int h, int w, int k, int s)");

    private MaxPoolCuda() {}

    /** y = max over each k x k window (stride s); x (N, C, H, W), y (N, C, Ho, Wo) overwritten. */
    public static void forward(DeviceBuffer x, DeviceBuffer y, int n, int c, int h, int w, int k, int s) {
        long outs = check("max_pool2d", x, "x", y, "y", n, c, h, w, k, s);
        Launch.linear(MAX_POOL_FORWARD, CudaChecks.stream(x), outs, BLOCK, x, y, n, c, h, w, k, s);
    }

    /** dx[argmax of window o] += dy[o]; x (N, C, H, W) the forward's input, dy (N, C, Ho, Wo), dx (N, C, H, W) accumulated. */
    public static void backward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dx, int n, int c, int h, int w, int k, int s) {
        check("max_pool2d_backward", x, "x", dy, "dy", n, c, h, w, k, s);
        CudaChecks.length("max_pool2d_backward", "dx", dx, (long) n * c * h * w, "(N, C, H, W) = (" + n + ", " + c + ", " + h + ", " + w + ")");
        Launch.linear(MAX_POOL_BACKWARD, CudaChecks.stream(dx), (long) n * c * h * w, BLOCK, x, dy, dx, n, c, h, w, k, s);
    }

    /** Checks sizes and buffers; returns the number of outputs N*C*Ho*Wo. */
    private static long check(String op, DeviceBuffer map, String mapName, DeviceBuffer pooled, String pooledName,
                              int n, int c, int h, int w, int k, int s) {
        CudaChecks.positive(op, "N=" + n + " C=" + c + " H=" + h + " W=" + w + " k=" + k + " s=" + s, n, c, h, w, k, s);
        int ho = MaxPool.outSize(h, k, s), wo = MaxPool.outSize(w, k, s);
        CudaChecks.length(op, mapName, map, (long) n * c * h * w, "(N, C, H, W) = (" + n + ", " + c + ", " + h + ", " + w + ")");
        CudaChecks.length(op, pooledName, pooled, (long) n * c * ho * wo, "(N, C, Ho, Wo) = (" + n + ", " + c + ", " + ho + ", " + wo + ")");
        return (long) n * c * ho * wo;
    }
}
