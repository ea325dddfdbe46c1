// src/emulator/emu.h: forced include (g++ -include emu.h) that lets the CUDA sources in kernels/
// compile as plain C++ for the emulator. It maps CUDA's qualifiers, built-in variables, barriers,
// warp primitives, atomics, intrinsics and the fp16/bf16 types onto the fake driver (libcuda.so.1,
// emu_exec.c), which runs each block's threads as OS threads. See README.md beside this file.
#pragma once
#define AUGMIX4J_EMULATOR 1

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <type_traits>
#include <utility>

// ---------------------------------------------------------------- qualifiers

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// __constant__ and __device__ globals stay ordinary globals, so cuModuleGetGlobal finds them.
#define __constant__
// One block runs at a time, so a block's __shared__ variables can be statics. They live in one
// ELF section that the executor fills with 0xFF before every block (reads of shared memory that no
// thread of the block wrote show up as NaN / -1). The kernel library is built with -fno-weak so
// that statics of inline functions land there too.
#define __shared__ __attribute__((section("augmix4j_emu_shared"))) static
// `extern __shared__ T s[]` cannot be a static: kernels declare dynamic shared memory through this
// macro (kernels/common.cuh), which here points at the launch's dynamic buffer.
#define DYNAMIC_SHARED(T, name) T* name = reinterpret_cast<T*>(__emu_dynamic_shared)

struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

extern "C" {
extern __thread uint3 threadIdx;
extern __thread uint3 blockIdx;
extern uint3 blockDim, gridDim;
extern void* __emu_dynamic_shared;
void __emu_syncthreads(void);
unsigned long long __emu_shfl(unsigned mask, unsigned long long v, int mode, int arg, int width);
unsigned __emu_ballot(unsigned mask, int predicate);
void __emu_syncwarp(unsigned mask);
unsigned __emu_activemask(void);
void __emu_trap(void);
}

static const int warpSize = 32;

// ---------------------------------------------------------------- barriers and warp primitives

#define __syncthreads() __emu_syncthreads()
inline void __syncwarp(unsigned mask = 0xffffffffu) { __emu_syncwarp(mask); }
inline unsigned __activemask() { return __emu_activemask(); }
inline void __trap() { __emu_trap(); }
inline void __threadfence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void __threadfence_block() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

namespace emu {
template <typename T>
inline T shfl(unsigned mask, T v, int mode, int arg, int width) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a type wider than 8 bytes");
    unsigned long long bits = 0;
    memcpy(&bits, &v, sizeof(T));
    bits = __emu_shfl(mask, bits, mode, arg, width);
    T r;
    memcpy(&r, &bits, sizeof(T));
    return r;
}
}  // namespace emu

template <typename T> inline T __shfl_sync(unsigned m, T v, int src, int w = 32) { return emu::shfl(m, v, 0, src, w); }
template <typename T> inline T __shfl_up_sync(unsigned m, T v, unsigned d, int w = 32) { return emu::shfl(m, v, 1, (int)d, w); }
template <typename T> inline T __shfl_down_sync(unsigned m, T v, unsigned d, int w = 32) { return emu::shfl(m, v, 2, (int)d, w); }
template <typename T> inline T __shfl_xor_sync(unsigned m, T v, int lane_mask, int w = 32) { return emu::shfl(m, v, 3, lane_mask, w); }
inline unsigned __ballot_sync(unsigned mask, int predicate) { return __emu_ballot(mask, predicate); }
inline int __any_sync(unsigned mask, int predicate) { return __emu_ballot(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __emu_ballot(mask, predicate) == (mask & __emu_activemask()); }

// ---------------------------------------------------------------- atomics (sequentially consistent)

namespace emu {
template <typename T, typename F>
inline T cas_loop(T* p, F update) {  // for the float/double atomics the hardware has and C++ lacks
    T old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
    while (!__atomic_compare_exchange_n(p, &old, update(old), false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
    return old;
}
}  // namespace emu

#define EMU_INT_ATOMICS(T)                                                                             \
    inline T atomicAdd(T* p, T v) { return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST); }              \
    inline T atomicSub(T* p, T v) { return __atomic_fetch_sub(p, v, __ATOMIC_SEQ_CST); }              \
    inline T atomicExch(T* p, T v) { return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST); }            \
    inline T atomicAnd(T* p, T v) { return __atomic_fetch_and(p, v, __ATOMIC_SEQ_CST); }              \
    inline T atomicOr(T* p, T v) { return __atomic_fetch_or(p, v, __ATOMIC_SEQ_CST); }                \
    inline T atomicXor(T* p, T v) { return __atomic_fetch_xor(p, v, __ATOMIC_SEQ_CST); }              \
    inline T atomicMax(T* p, T v) { return emu::cas_loop(p, [v](T o) { return o > v ? o : v; }); }    \
    inline T atomicMin(T* p, T v) { return emu::cas_loop(p, [v](T o) { return o < v ? o : v; }); }    \
    inline T atomicCAS(T* p, T expected, T desired) {                                                  \
        __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
        return expected;                                                                               \
    }
EMU_INT_ATOMICS(int)
EMU_INT_ATOMICS(unsigned)
EMU_INT_ATOMICS(unsigned long long)
EMU_INT_ATOMICS(long long)
#undef EMU_INT_ATOMICS

namespace emu {
// Atomic read-modify-write of a float or double through its bits (F and U of the same size).
template <typename F, typename U, typename Op>
inline F float_rmw(F* p, Op op) {
    static_assert(sizeof(F) == sizeof(U), "F and U must have the same size");
    U* u = reinterpret_cast<U*>(p);
    U old = __atomic_load_n(u, __ATOMIC_SEQ_CST), next;
    F value;
    do {
        memcpy(&value, &old, sizeof value);
        const F updated = op(value);
        memcpy(&next, &updated, sizeof next);
    } while (!__atomic_compare_exchange_n(u, &old, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    memcpy(&value, &old, sizeof value);
    return value;
}
}  // namespace emu

inline float atomicAdd(float* p, float v) { return emu::float_rmw<float, unsigned>(p, [v](float f) { return f + v; }); }
inline double atomicAdd(double* p, double v) {
    return emu::float_rmw<double, unsigned long long>(p, [v](double d) { return d + v; });
}
inline float atomicExch(float* p, float v) { return emu::float_rmw<float, unsigned>(p, [v](float) { return v; }); }

// ---------------------------------------------------------------- intrinsics
// The fast-math intrinsics are the exact libm functions here; on the GPU they are approximations
// (a few ulp), so tests of kernels that use them compare with a tolerance.

inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __log2f(float x) { return log2f(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline float __frsqrt_rn(float x) { return 1.0f / sqrtf(x); }
inline float __saturatef(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : (x == x ? x : 0.f)); }
// Round-to-nearest arithmetic that is never contracted into an FMA (the build uses -ffp-contract=off).
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float x) { return sqrtf(x); }
inline float __frcp_rn(float x) { return 1.0f / x; }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline int __float2int_rz(float x) { return (int)truncf(x); }
inline int __float2int_rn(float x) { return (int)nearbyintf(x); }  // default rounding mode: to nearest even
inline int __float2int_rd(float x) { return (int)floorf(x); }
inline int __float2int_ru(float x) { return (int)ceilf(x); }
inline unsigned __float2uint_rz(float x) { return (unsigned)truncf(x); }
inline float __int2float_rn(int x) { return (float)x; }
inline int __float_as_int(float x) { int i; memcpy(&i, &x, 4); return i; }
inline unsigned __float_as_uint(float x) { unsigned u; memcpy(&u, &x, 4); return u; }
inline float __int_as_float(int i) { float x; memcpy(&x, &i, 4); return x; }
inline float __uint_as_float(unsigned u) { float x; memcpy(&x, &u, 4); return x; }
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline int __ffs(int x) { return __builtin_ffs(x); }
template <typename T> inline T __ldg(const T* p) { return *p; }

inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
// mixed operands, as CUDA's headers define them (the unsigned type wins; float and double give double)
inline unsigned min(int a, unsigned b) { return min((unsigned)a, b); }
inline unsigned min(unsigned a, int b) { return min(a, (unsigned)b); }
inline unsigned max(int a, unsigned b) { return max((unsigned)a, b); }
inline unsigned max(unsigned a, int b) { return max(a, (unsigned)b); }
inline unsigned long long min(long long a, unsigned long long b) { return min((unsigned long long)a, b); }
inline unsigned long long min(unsigned long long a, long long b) { return min(a, (unsigned long long)b); }
inline unsigned long long max(long long a, unsigned long long b) { return max((unsigned long long)a, b); }
inline unsigned long long max(unsigned long long a, long long b) { return max(a, (unsigned long long)b); }
inline double min(float a, double b) { return fmin(a, b); }
inline double min(double a, float b) { return fmin(a, b); }
inline double max(float a, double b) { return fmax(a, b); }
inline double max(double a, float b) { return fmax(a, b); }

// ---------------------------------------------------------------- fp16 / bf16
// Storage types with exact round-to-nearest-even conversion from float (subnormals, overflow to
// infinity and NaN included); arithmetic goes through float and rounds once, which equals the
// correctly rounded half/bf16 result for + - * / (float has more than 2p+2 bits of precision).

namespace emu {
inline unsigned f2u(float f) { unsigned u; memcpy(&u, &f, 4); return u; }
inline float u2f(unsigned u) { float f; memcpy(&f, &u, 4); return f; }

inline unsigned short float_to_bf16_bits(float f) {
    unsigned u = f2u(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fff;  // NaN: canonical quiet NaN
    u += 0x7fffu + ((u >> 16) & 1u);                      // round to nearest, ties to even
    return (unsigned short)(u >> 16);
}
inline float bf16_bits_to_float(unsigned short h) { return u2f((unsigned)h << 16); }

inline unsigned short float_to_half_bits(float f) {
    unsigned u = f2u(f);
    const unsigned short sign = (unsigned short)((u >> 16) & 0x8000u);
    u &= 0x7fffffffu;
    if (u > 0x7f800000u) return 0x7fff;                          // NaN
    if (u >= 0x477ff000u) return sign | 0x7c00;                  // >= 65520: rounds to infinity
    if (u < 0x38800000u) {                                       // below 2^-14: subnormal half or zero
        const unsigned exp = u >> 23;
        if (exp < 102) return sign;                              // below 2^-25: rounds to zero
        const unsigned mant = (u & 0x7fffffu) | 0x800000u, shift = 126 - exp;  // 14..24
        unsigned q = mant >> shift;
        const unsigned rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1u))) q++;
        return sign | (unsigned short)q;
    }
    unsigned h = ((u >> 23) - 112) << 10 | (u & 0x7fffffu) >> 13;
    const unsigned rem = u & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;     // a carry into the exponent is right
    return sign | (unsigned short)h;
}
inline float half_bits_to_float(unsigned short h) {
    const unsigned sign = (unsigned)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
    if (exp == 0) {
        float v = (float)mant * 0x1p-24f;  // exact
        return sign ? -v : v;
    }
    if (exp == 31) return u2f(sign | 0x7f800000u | mant << 13);
    return u2f(sign | (exp + 112) << 23 | mant << 13);
}
}  // namespace emu

struct __half {
    unsigned short __x;
    __half() = default;
    __half(float f) : __x(emu::float_to_half_bits(f)) {}
    operator float() const { return emu::half_bits_to_float(__x); }
};
struct __nv_bfloat16 {
    unsigned short __x;
    __nv_bfloat16() = default;
    __nv_bfloat16(float f) : __x(emu::float_to_bf16_bits(f)) {}
    operator float() const { return emu::bf16_bits_to_float(__x); }
};
typedef __half half;

inline __half __float2half(float f) { return __half(f); }
inline __half __float2half_rn(float f) { return __half(f); }
inline float __half2float(__half h) { return (float)h; }
inline unsigned short __half_as_ushort(__half h) { return h.__x; }
inline __half __ushort_as_half(unsigned short u) { __half h; h.__x = u; return h; }
inline __nv_bfloat16 __float2bfloat16(float f) { return __nv_bfloat16(f); }
inline __nv_bfloat16 __float2bfloat16_rn(float f) { return __nv_bfloat16(f); }
inline float __bfloat162float(__nv_bfloat16 h) { return (float)h; }
inline unsigned short __bfloat16_as_ushort(__nv_bfloat16 h) { return h.__x; }
inline __nv_bfloat16 __ushort_as_bfloat16(unsigned short u) { __nv_bfloat16 h; h.__x = u; return h; }

#define EMU_REDUCED_OPS(T)                                                           \
    inline T operator+(T a, T b) { return T((float)a + (float)b); }                  \
    inline T operator-(T a, T b) { return T((float)a - (float)b); }                  \
    inline T operator*(T a, T b) { return T((float)a * (float)b); }                  \
    inline T operator/(T a, T b) { return T((float)a / (float)b); }                  \
    inline T operator-(T a) { T r = a; r.__x ^= 0x8000; return r; }                  \
    inline bool operator<(T a, T b) { return (float)a < (float)b; }                  \
    inline bool operator>(T a, T b) { return (float)a > (float)b; }                  \
    inline bool operator==(T a, T b) { return (float)a == (float)b; }
EMU_REDUCED_OPS(__half)
EMU_REDUCED_OPS(__nv_bfloat16)
#undef EMU_REDUCED_OPS
inline __half __hadd(__half a, __half b) { return a + b; }
inline __half __hmul(__half a, __half b) { return a * b; }
inline __nv_bfloat16 __hadd(__nv_bfloat16 a, __nv_bfloat16 b) { return a + b; }
inline __nv_bfloat16 __hmul(__nv_bfloat16 a, __nv_bfloat16 b) { return a * b; }

// ---------------------------------------------------------------- launch glue (used by the generated trampolines)

namespace emu {
// Calls kernel(*(A0*)p[0], *(A1*)p[1], ...): the parameter types come from the kernel's own
// declaration, so the unpacking can never drift from the signature.
template <typename... A, size_t... I>
inline void call(void (*kernel)(A...), void** p, std::index_sequence<I...>) {
    kernel(*static_cast<std::remove_cv_t<std::remove_reference_t<A>>*>(p[I])...);
}
template <typename... A>
inline void unpack(void (*kernel)(A...), void** p) { call(kernel, p, std::index_sequence_for<A...>{}); }
}  // namespace emu
#define EMU_TRAMPOLINE(name) \
    extern "C" void __emu_##name(void** p) { emu::unpack(name, p); }
