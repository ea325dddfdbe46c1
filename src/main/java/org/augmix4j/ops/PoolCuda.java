package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/pool.cu: global average pooling x (N*C, HW) -> y (N*C) and its backward,
 * the same operations as {@link Pool} (bit for bit: PoolCudaTest).
 */
public final class PoolCuda {
    static final int BLOCK = 256;

    static final Kernel GLOBAL_AVG_POOL_FORWARD = Kernel.declare("global_avg_pool_forward(const float* x, float* y, int nc, int hw)");
    static final Kernel GLOBAL_AVG_POOL_BACKWARD = Kernel.declare("global_avg_pool_backward(const float* dy, float* dx, int nc, int hw)");

    private PoolCuda() {}

    /** y[i] = mean_j x[i, j]; x (nc, hw), y (nc) overwritten. */
    public static void globalAvgForward(DeviceBuffer x, DeviceBuffer y, int nc, int hw) {
        check("global_avg_pool", x, y, nc, hw, "x", "y");
        Launch.linear(GLOBAL_AVG_POOL_FORWARD, CudaChecks.stream(x), nc, BLOCK, x, y, nc, hw);
    }

    /** dx[i, j] += dy[i] / hw; dy (nc), dx (nc, hw) accumulated. */
    public static void globalAvgBackward(DeviceBuffer dy, DeviceBuffer dx, int nc, int hw) {
        check("global_avg_pool_backward", dx, dy, nc, hw, "dx", "dy");
        Launch.linear(GLOBAL_AVG_POOL_BACKWARD, CudaChecks.stream(dx), (long) nc * hw, BLOCK, dy, dx, nc, hw);
    }

    private static void check(String op, DeviceBuffer map, DeviceBuffer pooled, int nc, int hw, String mapName, String pooledName) {
        CudaChecks.positive(op, "N*C=" + nc + " HW=" + hw, nc, hw);
        CudaChecks.length(op, mapName, map, (long) nc * hw, "(N*C, HW) = (" + nc + ", " + hw + ")");
        CudaChecks.length(op, pooledName, pooled, nc, "(N*C) = (" + nc + ")");
    }
}
