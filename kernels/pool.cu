// kernels/pool.cu: global average pooling (the WRN head's avg_pool2d(8) over an 8x8 map, i.e. a mean
// over H*W), forward and backward. Launched by ops/PoolCuda.java; the CPU reference is ops/Pool.java
// and PoolCudaTest compares the two bit for bit.
//
// Contract
// - x, dx (N*C, HW) row-major (NCHW with the spatial dimensions flattened); y, dy (N*C).
// - global_avg_pool_forward: one thread per row (N*C), 1-D grid, any blockDim.x:
//     y[i] = (float)(sum_j x[i, j] (double, in j order) / HW), the reference's exact operations.
// - global_avg_pool_backward: one thread per element of dx (N*C*HW): dx[i, j] += dy[i] / HW
//   (float), accumulated like the reference.
// Versions: v1 (this). A row is 64 floats in the WRN head: one thread per row reads it from cache
// lines that its neighbours also touch; a warp-per-row version is the next rung if a bench says so.
#include "common.cuh"

// y = mean over HW of x. x: (nc, hw); y: (nc)
extern "C" __global__ void global_avg_pool_forward(const float* x, float* y, int nc, int hw) {
    const long long i = global_index_x();
    if (i >= nc) return;
    const float* row = x + i * hw;
    double s = 0.0;
    for (int j = 0; j < hw; j++) s += row[j];
    y[i] = (float)(s / hw);
}

// dx += dy / HW broadcast over the row. dy: (nc); dx: (nc, hw)
extern "C" __global__ void global_avg_pool_backward(const float* dy, float* dx, int nc, int hw) {
    const long long i = global_index_x();
    if (i >= (long long)nc * hw) return;
    dx[i] += dy[i / hw] / (float)hw;
}
