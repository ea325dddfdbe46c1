// kernels/corrupt.cuh: helpers shared by corrupt.cu and corrupt_field.cu (the CIFAR-C corruptions).
//
// Contract
// - Images are 32x32 RGB uint8, HWC, 3072 bytes each, packed back to back (the CIFAR-C layout).
// - Random draws reproduce org.augmix4j.corrupt.CounterRng bit for bit: draw k (1-based) of an
//   image's stream is mix64(key + k * GAMMA); the image's key is mix64(severity_key ^ mix64(index +
//   GAMMA)) where severity_key = CounterRng.severityKey(seed, stem, severity) comes from Java and
//   index = first_index + the image's position in the batch (its dataset index).
// - Uniforms are (bits >> 11) * 2^-53 in [0, 1); NumPy-style uniform(lo, hi) = lo + (hi - lo) * u.
// - Float64 tables (filter weights, log k!) arrive as int buffers holding the doubles' bytes (the
//   device layer has no double buffer type); cr_doubles() reinterprets them.
// - Only +, -, *, /, sqrt, floor/ceil/rint/fmod and comparisons feed the truncations, as in the Java
//   reference (built with -fmad=false, the emulator with -ffp-contract=off), so those results are
//   bit-identical. log/sin/cos/exp/hypot (Gaussian and shot noise, motion blur) are libm calls whose
//   last bit may differ between Java, glibc and CUDA: see CorruptionsCuda's class comment.
#pragma once
#include "common.cuh"

#define CR_SIZE 32
#define CR_PIXELS 1024
#define CR_VALUES 3072
#define CR_GAMMA 0x9E3779B97F4A7C15ull
// Math.PI
#define CR_PI 0x1.921fb54442d18p+1

typedef unsigned long long cr_u64;

// SplitMix64's finaliser (CounterRng.mix64).
__device__ __forceinline__ cr_u64 cr_mix64(cr_u64 z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The stream key of image `image` of the batch (CounterRng.imageKey).
__device__ __forceinline__ cr_u64 cr_image_key(long long severity_key, long long first_index, long long image) {
    return cr_mix64((cr_u64)severity_key ^ cr_mix64((cr_u64)(first_index + image) + CR_GAMMA));
}

// Draw k (1-based) of stream `key` (CounterRng.at).
__device__ __forceinline__ cr_u64 cr_draw(cr_u64 key, cr_u64 k) { return cr_mix64(key + k * CR_GAMMA); }

// Uniform in [0, 1) from 64 random bits (CounterRng.uniformAt).
__device__ __forceinline__ double cr_unit(cr_u64 bits) { return (double)(bits >> 11) * 0x1.0p-53; }

// A sequential stream (CounterRng's nextDouble/uniform/nextInt).
struct cr_stream {
    cr_u64 key, counter;
    __device__ double next() { return cr_unit(cr_draw(key, ++counter)); }
    __device__ double uniform(double lo, double hi) { return lo + (hi - lo) * next(); }
    __device__ int next_int(int lo, int hi_exclusive) { return lo + (int)(next() * (hi_exclusive - lo)); }
};

// np.uint8(np.clip(v, 0, 1) * 255) of a float64 (Corruptions.trunc); NaN gives 0.
__device__ __forceinline__ unsigned char cr_trunc(double v) {
    double c = v < 0 ? 0.0 : (v > 1 ? 1.0 : v);
    if (v != v) c = 0.0;
    return (unsigned char)(int)(c * 255.0);
}

// The same for a float32 (Corruptions.truncF).
__device__ __forceinline__ unsigned char cr_trunc_f(float v) {
    float c = v < 0 ? 0.f : (v > 1 ? 1.f : v);
    if (v != v) c = 0.f;
    return (unsigned char)(int)(c * 255.f);
}

// OpenCV's BORDER_REFLECT_101 index (Kernels.reflect101).
__device__ __forceinline__ int cr_reflect101(int i, int n) {
    if (n == 1) return 0;
    while (i < 0 || i >= n) {
        if (i < 0) i = -i;
        if (i >= n) i = 2 * n - 2 - i;
    }
    return i;
}

// SciPy's 'reflect' (half-sample symmetric) index (Kernels.border with REFLECT).
__device__ __forceinline__ int cr_reflect(int i, int n) {
    if (i >= 0 && i < n) return i;
    const int p = 2 * n;
    i %= p;
    if (i < 0) i += p;
    return i < n ? i : p - 1 - i;
}

// SciPy's 'nearest' index.
__device__ __forceinline__ int cr_nearest(int i, int n) { return i < 0 ? 0 : (i >= n ? n - 1 : i); }

// A float64 table passed as an int buffer (see the contract).
__device__ __forceinline__ const double* cr_doubles(const int* words) { return reinterpret_cast<const double*>(words); }
