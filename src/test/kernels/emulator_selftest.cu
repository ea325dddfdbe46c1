// src/test/kernels/emulator_selftest.cu: kernels for EmulatorSelfTest (src/test/java/.../cuda).
// Built only into the emulator's test library (src/emulator/build.sh), never into the fatbin;
// kernels/check.sh compiles this file with nvcc too, so it stays valid CUDA.
//
// Each planted bug (suffix _bug) has a correct twin: the test shows that the emulator, through the
// Java device layer, catches the bug by comparison with a Java reference and passes the twin. The
// other kernels pin down the emulator's own semantics: warp primitives, common.cuh's reductions,
// atomics, dynamic shared memory, early exit before a barrier, shared-memory poisoning, fp16/bf16.
#include "common.cuh"

// ---------------------------------------------------------------- planted bug 1: wrong index

// y = a * x. x, y: (n)
extern "C" __global__ void selftest_scale(const float* x, float* y, float a, int n) {
    const long long i = global_index_x();
    if (i < n) y[i] = a * x[i];
}

// BUG: the index forgets blockIdx, so only the first block's elements are written.
extern "C" __global__ void selftest_scale_bug(const float* x, float* y, float a, int n) {
    const long long i = threadIdx.x;
    if (i < n) y[i] = a * x[i];
}

// ---------------------------------------------------------------- planted bug 2: missing barrier

// out += sum of x: a tree reduction in shared memory per block (blockDim.x == 256), then one
// atomicAdd per block. x: (n), out: (1)
extern "C" __global__ void selftest_block_sum(const float* x, float* out, int n) {
    __shared__ float s[256];
    const long long i = global_index_x();
    const int t = threadIdx.x;
    s[t] = i < n ? x[i] : 0.f;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (t < stride) s[t] += s[t + stride];
        __syncthreads();
    }
    if (t == 0) atomicAdd(out, s[0]);
}

// BUG: no barrier between the steps of the tree: a thread reads partial sums not yet written.
extern "C" __global__ void selftest_block_sum_bug(const float* x, float* out, int n) {
    __shared__ float s[256];
    const long long i = global_index_x();
    const int t = threadIdx.x;
    s[t] = i < n ? x[i] : 0.f;
    __syncthreads();
    for (int stride = blockDim.x / 2; stride > 0; stride >>= 1) {
        if (t < stride) s[t] += s[t + stride];
    }
    if (t == 0) atomicAdd(out, s[0]);
}

// ---------------------------------------------------------------- planted bug 3: parameter order

// y = a * x + y. x, y: (n). The planted bug is in the Java launcher, which swaps x and y.
extern "C" __global__ void selftest_axpy(float a, const float* x, float* y, int n) {
    const long long i = global_index_x();
    if (i < n) y[i] = a * x[i] + y[i];
}

// ---------------------------------------------------------------- the emulator's semantics

// Per block b: sums[2b] = sum of x over the block, sums[2b+1] = sum of 2x (a second call, reusing
// block_reduce_sum's shared staging), maxes[b] = max of x (-inf past n). x: (n)
extern "C" __global__ void selftest_block_reduce(const float* x, float* sums, float* maxes, int n) {
    const long long i = global_index_x();
    const float v = i < n ? x[i] : 0.f;
    const float s = block_reduce_sum(v);
    const float m = block_reduce_max(i < n ? v : -INFINITY);
    const float s2 = block_reduce_sum(2.f * v);
    if (threadIdx.x == 0) {
        sums[2 * blockIdx.x] = s;
        sums[2 * blockIdx.x + 1] = s2;
        maxes[blockIdx.x] = m;
    }
}

// Warp primitives, per thread i < n (blockDim.x a multiple of 32; v = x[i], 0 past n):
// out[6i..6i+5] = shfl_down(v, 1), shfl_up(v, 3), shfl(v, lane 7), shfl_xor(v, 5),
//                 ballot(v > 0), shfl_down(v, 2, width 8). x: (n), out: (6n)
extern "C" __global__ void selftest_warp(const int* x, int* out, int n) {
    const long long i = global_index_x();
    const int v = i < n ? x[i] : 0;
    const int down = __shfl_down_sync(FULL_MASK, v, 1);
    const int up = __shfl_up_sync(FULL_MASK, v, 3);
    const int bcast = __shfl_sync(FULL_MASK, v, 7);
    const int xr = __shfl_xor_sync(FULL_MASK, v, 5);
    const unsigned ballot = __ballot_sync(FULL_MASK, v > 0);
    const int down8 = __shfl_down_sync(FULL_MASK, v, 2, 8);
    if (i < n) {
        int* o = out + 6 * i;
        o[0] = down;
        o[1] = up;
        o[2] = bcast;
        o[3] = xr;
        o[4] = (int)ballot;
        o[5] = down8;
    }
}

// stats[0] += 1, stats[1] = max, stats[2] = min, stats[3] += x, over x[0..n). stats: (4)
extern "C" __global__ void selftest_atomics(const int* x, int* stats, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    atomicAdd(&stats[0], 1);
    atomicMax(&stats[1], x[i]);
    atomicMin(&stats[2], x[i]);
    atomicAdd(&stats[3], x[i]);
}

// Reverses each block's chunk of x through dynamic shared memory (blockDim.x floats):
// y[base + (B - 1 - t)] = x[base + t] where both are < n. x, y: (n)
extern "C" __global__ void selftest_reverse_dynamic(const float* x, float* y, int n) {
    DYNAMIC_SHARED(float, s);
    const long long base = (long long)blockIdx.x * blockDim.x;
    const int t = threadIdx.x;
    s[t] = base + t < n ? x[base + t] : 0.f;
    __syncthreads();
    const long long j = base + (blockDim.x - 1 - t);
    if (j < n) y[j] = s[t];
}

// Threads past n return before the barrier; the others must still get through it.
// y[i] = x[i] + x[i + 1] (the next element when it is in the same block and < n, else 0). x, y: (n)
extern "C" __global__ void selftest_early_exit(const float* x, float* y, int n) {
    __shared__ float s[256];
    const long long i = global_index_x();
    const int t = threadIdx.x;
    if (i >= n) return;
    s[t] = x[i];
    __syncthreads();
    y[i] = s[t] + (t + 1 < (int)blockDim.x && i + 1 < n ? s[t + 1] : 0.f);
}

// Reads shared memory nobody wrote (undefined on a GPU): the emulator's poison shows as NaN. y: (32)
extern "C" __global__ void selftest_read_unwritten_shared(float* y) {
    __shared__ float never_written[32];
    y[threadIdx.x] = never_written[threadIdx.x];
}

// Writes one element past the end (i <= n): the emulator's red zone must report it. y: (n)
extern "C" __global__ void selftest_write_past_end(float* y, int n) {
    const long long i = global_index_x();
    if (i <= n) y[i] = 1.f;
}

// Round trips through fp16 and bf16 (round to nearest even). x, h, b: (n)
extern "C" __global__ void selftest_round_half_bf16(const float* x, float* h, float* b, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    h[i] = __half2float(__float2half_rn(x[i]));
    b[i] = __bfloat162float(__float2bfloat16_rn(x[i]));
}
