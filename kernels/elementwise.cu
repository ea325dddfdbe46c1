// kernels/elementwise.cu: the elementwise glue of the network (ReLU, ReLU mask, residual add,
// gradient accumulation, fill, scale). Launched by ops/ElementwiseCuda.java; the CPU reference is
// ops/Elementwise.java, and ElementwiseCudaTest compares the two bit for bit (no contraction:
// the fatbin is built with -fmad=false, each kernel does at most one rounding per element).
//
// Contract (every kernel)
// - Flat float32 arrays of n elements (0 <= n < 2^31), one thread per element, 1-D grid of
//   ceil_div(n, blockDim.x) blocks; any blockDim.x works (the launcher uses 256).
// - Arrays named in the same call may alias exactly (x == y) where the Java API says so; no
//   __restrict__ for that reason.
// Versions: one each (v1 = the literal port of the reference); a ladder starts when a benchmark
// (bench/.../ElementwiseBench) shows one is worth it.
#include "common.cuh"

// ---------------------------------------------------------------- relu

// y = max(x, 0); NaN maps to 0 as in the reference (the comparison is false). x, y: (n)
extern "C" __global__ void relu_forward(const float* x, float* y, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    const float v = x[i];
    y[i] = v > 0.f ? v : 0.f;
}

// dx += dy where y > 0 (y is the ReLU output). y, dy, dx: (n)
extern "C" __global__ void relu_backward(const float* y, const float* dy, float* dx, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    if (y[i] > 0.f) dx[i] += dy[i];
}

// dy = 0 where y <= 0, in place (y is the ReLU output): the mask of a ReLU fused behind a library
// op that has no fused form (cuDNN's batch norm backward takes the masked gradient). y, dy: (n)
extern "C" __global__ void relu_mask_backward(const float* y, float* dy, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    if (!(y[i] > 0.f)) dy[i] = 0.f;
}

// ---------------------------------------------------------------- add / accumulate

// out = a + b. a, b, out: (n)
extern "C" __global__ void add_forward(const float* a, const float* b, float* out, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    out[i] = a[i] + b[i];
}

// acc += x (gradient accumulation). x, acc: (n)
extern "C" __global__ void accumulate_forward(const float* x, float* acc, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    acc[i] += x[i];
}

// ---------------------------------------------------------------- fill / scale

// x = v. x: (n)
extern "C" __global__ void fill_forward(float* x, float v, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    x[i] = v;
}

// x *= a. x: (n)
extern "C" __global__ void scale_forward(float* x, float a, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    x[i] *= a;
}
