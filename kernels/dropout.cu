// kernels/dropout.cu: dropout (AllConv's nn.Dropout(0.5) in training): the mask from a
// counter-based Philox stream, y = x * mask and dx += dy * mask. Launched by ops/DropoutCuda.java;
// the CPU reference is ops/Dropout.java, DropoutCudaTest compares the two bit for bit.
//
// Contract
// - The mask (seed, counter) of n elements: element i takes word (i & 3) of Philox4x32-10 at
//   counter (c0 = i >> 2, c1 = (uint32) counter, c2 = 7 << 24 (Philox.TAG_DROPOUT),
//   c3 = (uint32) (counter >> 32)) under the key k0 = (uint32) seed, k1 = (uint32) (seed >> 32)
//   (augment/Philox.java's algorithm and key layout); it keeps iff u24(word) = (word >> 8) * 2^-24
//   >= p, and a kept element is the float 1 / (1 - p), dropped 0. Integer ops and exact float
//   compares: bit-identical to ops/Dropout.mask, whatever n, grid or device.
// - dropout_mask: one thread per group of 4 elements (ceil_div(n, 4) threads), 1-D grid, any
//   blockDim.x. mask: (n).
// - dropout_forward (y = x * mask; y may alias x) and dropout_backward (dx += dy * mask): one thread
//   per element, 1-D grid, any blockDim.x. All arrays (n), 0 <= n < 2^31.
// Versions: one each (v1). augment.cu has the same Philox as amx_philox (rounds as a parameter,
// loops kept rolled for its register cap); this file keeps its own, fully unrolled copy because
// the emulator compiles each .cu on its own.
#include "common.cuh"

// Philox4x32-10 of counter c under key (k0, k1), in place (augment/Philox.philox4x32).
__device__ __forceinline__ void dropout_philox10(unsigned c[4], unsigned k0, unsigned k1) {
    for (int r = 0; r < 10; r++) {
        if (r > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        const unsigned long long p0 = 0xD2511F53ull * c[0], p1 = 0xCD9E8D57ull * c[2];
        const unsigned n0 = (unsigned)(p1 >> 32) ^ c[1] ^ k0;
        const unsigned n2 = (unsigned)(p0 >> 32) ^ c[3] ^ k1;
        c[1] = (unsigned)p1;
        c[3] = (unsigned)p0;
        c[0] = n0;
        c[2] = n2;
    }
}

#define DROPOUT_TAG 7

// mask = 0 or 1 / (1 - p), from the Philox stream (seed, counter). mask: (n)
extern "C" __global__ void dropout_mask(float* mask, long long seed, long long counter, float p, int n) {
    const long long g = global_index_x();
    if (g >= ((long long)n + 3) / 4) return;
    const unsigned long long useed = (unsigned long long)seed, ucounter = (unsigned long long)counter;
    unsigned w[4] = {(unsigned)g, (unsigned)ucounter, (unsigned)DROPOUT_TAG << 24, (unsigned)(ucounter >> 32)};
    dropout_philox10(w, (unsigned)useed, (unsigned)(useed >> 32));
    const float keep = 1.f / (1.f - p);
    for (int j = 0; j < 4; j++) {
        const long long i = 4 * g + j;
        if (i >= n) break;
        const float u = (float)(w[j] >> 8) * 0x1.0p-24f;
        mask[i] = u >= p ? keep : 0.f;
    }
}

// y = x * mask. x, mask, y: (n)
extern "C" __global__ void dropout_forward(const float* x, const float* mask, float* y, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    y[i] = x[i] * mask[i];
}

// dx += dy * mask. mask, dy, dx: (n)
extern "C" __global__ void dropout_backward(const float* mask, const float* dy, float* dx, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    dx[i] += dy[i] * mask[i];
}
