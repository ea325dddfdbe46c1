// kernels/common.cuh: helpers #included by every kernels/*.cu (and by the emulator's CPU build).
//
// Contract
// - Index helpers return 64-bit indices so that grids covering up to 2^31-1 elements never wrap.
// - warp_reduce_* need all 32 lanes of the warp to call them (full mask); block_reduce_* need every
//   thread of the block to call them, blockDim.x a multiple of 32 (at most 1024), and return the
//   result in thread 0 only. They may be called several times in a row (they end with a barrier).
// - Dynamic shared memory is declared with DYNAMIC_SHARED(T, name) only: `extern __shared__` does
//   not survive the emulator's `#define __shared__ static`, so the emulator header defines the macro
//   first (src/emulator/emu.h) and this default applies under nvcc.
// - Code paths that need __CUDA_ARCH__ are kept to a minimum and always have a portable fallback.
// Build: kernels/build.sh (nvcc, all kernels/*.cu as one translation unit); the emulator build
// compiles each .cu on its own with g++, so every .cu includes this header itself.
#pragma once

#ifndef AUGMIX4J_EMULATOR
#include <cuda_fp16.h>
#include <cuda_bf16.h>
#endif

#define WARP_SIZE 32
#define FULL_MASK 0xffffffffu

#ifndef DYNAMIC_SHARED
#define DYNAMIC_SHARED(T, name) extern __shared__ __align__(16) T name[]
#endif

// ---------------------------------------------------------------- indexing

__host__ __device__ __forceinline__ int ceil_div(int a, int b) { return (a + b - 1) / b; }

// The global x index of this thread: blockIdx.x * blockDim.x + threadIdx.x, in 64 bits.
__device__ __forceinline__ long long global_index_x() {
    return (long long)blockIdx.x * blockDim.x + threadIdx.x;
}

// ---------------------------------------------------------------- warp reductions

// Sum over the 32 lanes; the result is valid in lane 0.
__device__ __forceinline__ float warp_reduce_sum(float v) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v += __shfl_down_sync(FULL_MASK, v, offset);
    return v;
}

// Maximum over the 32 lanes; the result is valid in every lane (butterfly).
__device__ __forceinline__ float warp_reduce_max(float v) {
    for (int offset = WARP_SIZE / 2; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, offset));
    return v;
}

// ---------------------------------------------------------------- block reductions

// Sum over the block; the result is valid in thread 0. Two levels: warps, then warp 0 over the
// per-warp partials staged in shared memory.
__device__ __forceinline__ float block_reduce_sum(float v) {
    __shared__ float partial[WARP_SIZE];  // one per warp
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    v = warp_reduce_sum(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    const int warps = blockDim.x / WARP_SIZE;
    v = lane < warps ? partial[lane] : 0.f;
    if (warp == 0) v = warp_reduce_sum(v);
    __syncthreads();  // partial[] may be reused by the next call
    return v;
}

// Maximum over the block; the result is valid in thread 0.
__device__ __forceinline__ float block_reduce_max(float v) {
    __shared__ float partial[WARP_SIZE];
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    v = warp_reduce_max(v);
    if (lane == 0) partial[warp] = v;
    __syncthreads();
    const int warps = blockDim.x / WARP_SIZE;
    v = lane < warps ? partial[lane] : -INFINITY;
    if (warp == 0) v = warp_reduce_max(v);
    __syncthreads();
    return v;
}
