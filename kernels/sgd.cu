// kernels/sgd.cu: the optimiser step over the ONE flat parameter buffer, and the sum of squares
// that the training loop uses as its NaN/Inf check (and gradient norm). Launched by
// ops/SgdCuda.java; the CPU reference is optim/Sgd.java (the step) and a double loop (the sum of
// squares); SgdCudaTest compares them.
//
// Contract
// - sgd_step_forward: one thread per element of p, g, buf (n), 1-D grid, any blockDim.x. PyTorch's
//   torch.optim.SGD order (dampening 0), exactly the float operations of optim.Sgd.update:
//     d = g + wd * p;  buf = first ? d : momentum * buf + d;  d = nesterov ? d + momentum * buf : buf;
//     p = p - lr * d
//   Built with -fmad=false (no contraction), so each step is bit-identical to optim.Sgd.
// - sum_squares_forward: grid of G blocks (blockDim.x a multiple of 32); block i writes
//   partial[i] = sum over its grid-stride slice of x^2 (double accumulation, fixed tree).
//   sum_forward: ONE block; out[0] = sum of x (n) in a fixed order (used on the partials).
//   Together: deterministic, and NaN/Inf in x gives a NaN/Inf result (so does a sum of squares
//   above FLT_MAX, i.e. a diverged run).
// Versions: v1 (this).
#include "common.cuh"

// Block sum in double, valid in thread 0; blockDim.x a multiple of 32.
__device__ __forceinline__ double sgd_block_sum(double v) {
    __shared__ double sgd_partial[WARP_SIZE];
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
    if (lane == 0) sgd_partial[warp] = v;
    __syncthreads();
    const int warps = blockDim.x / WARP_SIZE;
    v = lane < warps ? sgd_partial[lane] : 0.0;
    if (warp == 0) {
        for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
    }
    __syncthreads();
    return v;
}

// One SGD step. p, g, buf: (n); first, nesterov: 0 or 1
extern "C" __global__ void sgd_step_forward(float* p, const float* g, float* buf, int n, float lr, float momentum, float weight_decay, int nesterov, int first) {
    const long long i = global_index_x();
    if (i >= n) return;
    const float pi = p[i];
    float d = g[i] + weight_decay * pi;
    const float b = first ? d : momentum * buf[i] + d;
    buf[i] = b;
    d = nesterov ? d + momentum * b : b;
    p[i] = pi - lr * d;
}

// Per-block partial sums of squares. x: (n); partial: (gridDim.x)
extern "C" __global__ void sum_squares_forward(const float* x, float* partial, int n) {
    double acc = 0.0;
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = global_index_x(); i < n; i += stride) {
        const double v = x[i];
        acc += v * v;
    }
    acc = sgd_block_sum(acc);
    if (threadIdx.x == 0) partial[blockIdx.x] = (float)acc;
}

// out[0] = sum of x, one block. x: (n); out: (1)
extern "C" __global__ void sum_forward(const float* x, float* out, int n) {
    double acc = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) acc += x[i];
    acc = sgd_block_sum(acc);
    if (threadIdx.x == 0) out[0] = (float)acc;
}
