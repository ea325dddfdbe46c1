// kernels/batchnorm.cu: the fallback batch normalisation (used where cuDNN cannot be loaded, and under
// the emulator): training forward (batch statistics, running-statistics update), training backward
// and evaluation forward, torch.nn.BatchNorm2d semantics (biased batch variance for the output, unbiased
// for the running variance, momentum 0.1). Launched by
// ops/BatchNormCuda.java; the CPU reference is ops/BatchNorm.java and BatchNormCudaTest compares them.
//
// Contract
// - x, y, dy, dx (N, C, HW) (NCHW, spatial flattened); gamma, beta, run_mean, run_var, save_mean,
//   save_invstd, dgamma, dbeta (C). m = N*HW values per channel (m > 1 for training).
// - batch_norm_train_forward / _backward: ONE block per channel (grid C), blockDim.x a multiple of
//   32 (at most 1024); the threads stride over the channel's m values; per-thread sums in double,
//   then a fixed block tree: deterministic. The float operations after the sums are exactly those
//   of ops.BatchNorm (mean = sum/m, two-pass biased var; invstd = (float)(1/sqrt(var + eps)) in
//   double; y = x * a + (beta - mean * a), a = invstd * gamma; running stats with momentum 0.1
//   from the first step and the unbiased var * m/(m-1), in the reference's mixed float/double
//   order), so only the summation order differs from the reference.
//   Forward writes y, save_mean, save_invstd and updates run_mean, run_var in place. Backward
//   overwrites dx = gamma*invstd*(dy - mean(dy) - xhat*mean(dy*xhat)) and ACCUMULATES dgamma += sum
//   dy*xhat, dbeta += sum dy.
//   relu = 1 fuses the pre-activation ReLU as the reference does: the forward writes max(y, 0)
//   (Java's Math.max), the backward first masks dy by relu_out > 0 (relu_out = that forward's y;
//   not read when relu = 0).
// - batch_norm_eval_forward: one thread per element of x (N*C*HW), 1-D grid, any blockDim.x;
//   y = x * a + (beta - run_mean * a), a = (float)(1/sqrt(run_var + eps)) * gamma: bit-identical to
//   the reference (each thread derives a and b itself; no barrier).
// Versions: v1 (this). One block per channel leaves SMs idle when C is small; a split reduction is
// the next rung if the fallback's speed ever matters.
#include "common.cuh"

#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.1f

// Block sum in double, broadcast to every thread; blockDim.x a multiple of 32.
__device__ __forceinline__ double bn_block_sum(double v) {
    __shared__ double bn_partial[WARP_SIZE];
    __shared__ double bn_total;
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
    if (lane == 0) bn_partial[warp] = v;
    __syncthreads();
    if (warp == 0) {
        const int warps = blockDim.x / WARP_SIZE;
        v = lane < warps ? bn_partial[lane] : 0.0;
        for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
        if (lane == 0) bn_total = v;
    }
    __syncthreads();
    v = bn_total;
    __syncthreads();  // bn_total may be overwritten by the next call
    return v;
}

// Java's Math.max(v, 0f): NaN stays NaN, -0 becomes +0 (the reference's fused ReLU).
__device__ __forceinline__ float bn_relu(float v) { return v > 0.f || v != v ? v : 0.f; }

// The incoming gradient of element i: dy, masked by relu_out > 0 when the forward fused a ReLU.
__device__ __forceinline__ float bn_grad(const float* dy, const float* relu_out, int relu, long long i) {
    return !relu || relu_out[i] > 0.f ? dy[i] : 0.f;
}

// Element e of channel ch, e in [0, n*hw): image e / hw, position e % hw.
__device__ __forceinline__ long long bn_index(int e, int ch, int c, int hw) {
    return ((long long)(e / hw) * c + ch) * hw + e % hw;
}

// Training forward (+ ReLU when relu = 1). x, y: (n, c, hw); gamma, beta, run_mean, run_var, save_mean, save_invstd: (c)
extern "C" __global__ void batch_norm_train_forward(const float* x, float* y, const float* gamma, const float* beta, float* run_mean, float* run_var, float* save_mean, float* save_invstd, int n, int c, int hw, int relu) {
    const int ch = blockIdx.x, m = n * hw;
    double sum = 0.0;
    for (int e = threadIdx.x; e < m; e += blockDim.x) sum += x[bn_index(e, ch, c, hw)];
    const double mean = bn_block_sum(sum) / m;
    double sq = 0.0;
    for (int e = threadIdx.x; e < m; e += blockDim.x) {
        const double d = x[bn_index(e, ch, c, hw)] - mean;
        sq += d * d;
    }
    const double var = bn_block_sum(sq) / m;
    const float fm = (float)mean;
    const float inv = (float)(1.0 / sqrt(var + (double)BN_EPS));
    const float a = inv * gamma[ch], bb = beta[ch] - fm * a;
    for (int e = threadIdx.x; e < m; e += blockDim.x) {
        const long long i = bn_index(e, ch, c, hw);
        const float v = x[i] * a + bb;
        y[i] = relu ? bn_relu(v) : v;
    }
    if (threadIdx.x == 0) {
        save_mean[ch] = fm;
        save_invstd[ch] = inv;
        // as the reference: (1 - 0.1f) * run is float; the momentum term is double
        run_mean[ch] = (float)((double)((1 - BN_MOMENTUM) * run_mean[ch]) + (double)BN_MOMENTUM * mean);
        run_var[ch] = (float)((double)((1 - BN_MOMENTUM) * run_var[ch]) + (double)BN_MOMENTUM * var * m / (m - 1));
    }
}

// Training backward (of BN + ReLU when relu = 1: dy masked by relu_out > 0). x, dy, relu_out, dx: (n, c, hw);
// gamma, save_mean, save_invstd, dgamma, dbeta: (c)
extern "C" __global__ void batch_norm_train_backward(const float* x, const float* dy, const float* relu_out, float* dx, const float* gamma, const float* save_mean, const float* save_invstd, float* dgamma, float* dbeta, int n, int c, int hw, int relu) {
    const int ch = blockIdx.x, m = n * hw;
    const float mean = save_mean[ch], inv = save_invstd[ch];
    double sdy = 0.0, sdyx = 0.0;
    for (int e = threadIdx.x; e < m; e += blockDim.x) {
        const long long i = bn_index(e, ch, c, hw);
        const float g = bn_grad(dy, relu_out, relu, i);
        sdy += g;
        sdyx += g * ((x[i] - mean) * inv);
    }
    sdy = bn_block_sum(sdy);
    sdyx = bn_block_sum(sdyx);
    const float k = gamma[ch] * inv, mdy = (float)(sdy / m), mdyx = (float)(sdyx / m);
    for (int e = threadIdx.x; e < m; e += blockDim.x) {
        const long long i = bn_index(e, ch, c, hw);
        const float xhat = (x[i] - mean) * inv;
        dx[i] = k * (bn_grad(dy, relu_out, relu, i) - mdy - xhat * mdyx);
    }
    if (threadIdx.x == 0) {
        dgamma[ch] += (float)sdyx;
        dbeta[ch] += (float)sdy;
    }
}

// Evaluation forward with the running statistics. x, y: (n, c, hw); gamma, beta, run_mean, run_var: (c)
extern "C" __global__ void batch_norm_eval_forward(const float* x, float* y, const float* gamma, const float* beta, const float* run_mean, const float* run_var, int n, int c, int hw) {
    const long long i = global_index_x();
    if (i >= (long long)n * c * hw) return;
    const int ch = (int)((i / hw) % c);
    const float inv = (float)(1.0 / sqrt((double)run_var[ch] + (double)BN_EPS));
    const float a = inv * gamma[ch], bb = beta[ch] - run_mean[ch] * a;
    y[i] = x[i] * a + bb;
}
