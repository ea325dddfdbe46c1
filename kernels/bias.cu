// kernels/bias.cu: the per-channel bias of a convolution with bias=True (AllConv's convolutions):
// y (N, C, HW) += b[c], and db[c] += the sum of dy over (N, HW). Launched by ops/BiasCuda.java; the
// CPU reference is ops/Bias.java, BiasCudaTest compares the two bit for bit.
//
// Contract
// - bias_forward: one thread per element of y (n*c*hw), 1-D grid, any blockDim.x; y += b[c] in
//   float (one rounding, as the reference).
// - bias_backward: ONE block per channel (grid c), blockDim.x = BIAS_BLOCK (256) exactly, because
//   the summation order is part of the contract shared with ops/Bias.backward: thread t sums, in
//   double and in increasing order, the positions p = t, t + 256, ... of the channel's n*hw values
//   (p = image * hw + pixel); then the 256 partials are added pairwise in a fixed tree (stride 128,
//   64, ..., 1), and thread 0 does db[c] += (float) sum. No atomics: the same bits run to run and on
//   the CPU.
// - dy, y: (n, c, hw); b, db: (c); 0 <= n*c*hw < 2^31.
// Versions: one each (v1).
#include "common.cuh"

#define BIAS_BLOCK 256

// y += b[channel]. y: (n, c, hw); b: (c)
extern "C" __global__ void bias_forward(float* y, const float* b, int n, int c, int hw) {
    const long long t = global_index_x();
    if (t >= (long long)n * c * hw) return;
    const int ch = (int)((t / hw) % c);
    y[t] += b[ch];
}

// db[channel] += sum over (image, pixel) of dy. dy: (n, c, hw); db: (c). Grid c blocks of BIAS_BLOCK.
extern "C" __global__ void bias_backward(const float* dy, float* db, int n, int c, int hw) {
    __shared__ double bias_partial[BIAS_BLOCK];
    const int ch = blockIdx.x, t = threadIdx.x;
    const int positions = n * hw;  // < 2^31 (contract)
    double s = 0.0;
    for (int p = t; p < positions; p += BIAS_BLOCK) {
        const int image = p / hw, pixel = p - image * hw;
        s += (double)dy[((long long)image * c + ch) * hw + pixel];
    }
    bias_partial[t] = s;
    __syncthreads();
    for (int stride = BIAS_BLOCK / 2; stride > 0; stride >>= 1) {
        if (t < stride) bias_partial[t] += bias_partial[t + stride];
        __syncthreads();
    }
    if (t == 0) db[ch] += (float)bias_partial[0];
}
