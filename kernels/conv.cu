// kernels/conv.cu: the fallback 2-D convolution (used where cuDNN cannot be loaded, and under the
// emulator so that a whole GPU training step runs in CI): forward, backward-data, backward-filter,
// PyTorch's nn.Conv2d(bias=False, groups=g) cross-correlation on contiguous NCHW float32. Launched by
// ops/ConvCuda.java; the CPU references are ops/Conv.java and, with groups, ops/GroupedConv.java
// (the float64 *Ref paths); ConvCudaTest and ConvGroupsCudaTest compare them.
//
// Contract
// - x, dx (N, C, H, W); w, dw (K, C/g, R, S); y, dy (N, K, Ho, Wo); Ho = (H + 2 pad - R) / stride + 1
//   (likewise Wo); zeros outside x; the same stride and pad in both dimensions.
// - Groups g >= 1 dividing C and K (ResNeXt's cardinality): output channel k reads the input
//   channels of its group, (k / (K/g)) * C/g + [0, C/g), through its weights w[k][0..C/g). With g = 1
//   every index and every sum is the plain convolution's, in the same order (the same bits). The WRN needs 3x3
//   pad 1 and 1x1 pad 0 at stride 1 and 2; any R, S, stride >= 1, pad >= 0 work, except that
//   conv_backward_filter needs R, S <= CONV_MAX_RS (3). All outputs are overwritten.
// - conv_forward: one thread per output element (N*K*Ho*Wo), 1-D grid, any blockDim.x; sums over
//   (c, r, s) of its group in that order.
// - conv_backward_data: one thread per element of dx (N*C*H*W), 1-D grid, any blockDim.x; gathers
//   over (k, r, s) of its group the outputs that read it (no atomics).
// - conv_backward_filter: ONE block per weight row (k, c), c < C/g (grid K*C/g), blockDim.x a multiple of 32; the
//   threads stride over the N*Ho*Wo output positions, each holding the R*S tap sums; then a fixed
//   warp/block tree per tap.
// Numerics: float32 with fused multiply-add (__fmaf_rn: explicit, as the fatbin is built with
// -fmad=false; the emulator's fmaf rounds identically). Deterministic (fixed orders, no atomics).
// Versions: v1 (this): direct, simple and correct; no shared-memory tiling (the cuDNN path is the
// fast one). Backward filter has two forms, chosen per shape by ops/ConvCuda (see there).
#include "common.cuh"

#define CONV_MAX_RS 3

// y = conv(x, w). x: (n, c, h, w); wt: (k, c/groups, r, s); y: (n, k, ho, wo)
extern "C" __global__ void conv_forward(const float* x, const float* wt, float* y, int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int ho, int wo, int groups) {
    const long long t = global_index_x();
    if (t >= (long long)n * k * ho * wo) return;
    const int ow = (int)(t % wo), oh = (int)((t / wo) % ho), ok = (int)((t / ((long long)wo * ho)) % k);
    const int on = (int)(t / ((long long)wo * ho * k));
    const int h0 = oh * stride - pad, w0 = ow * stride - pad;
    const int cg = c / groups, c0 = ok / (k / groups) * cg;  // the group's input channels: c0 + [0, cg)
    float acc = 0.f;
    for (int ci = 0; ci < cg; ci++) {
        const float* xp = x + ((long long)on * c + c0 + ci) * h * w;
        const float* wp = wt + ((long long)ok * cg + ci) * r * s;
        for (int ri = 0; ri < r; ri++) {
            const int ih = h0 + ri;
            if (ih < 0 || ih >= h) continue;
            for (int si = 0; si < s; si++) {
                const int iw = w0 + si;
                if (iw < 0 || iw >= w) continue;
                acc = __fmaf_rn(__ldg(wp + ri * s + si), __ldg(xp + (long long)ih * w + iw), acc);
            }
        }
    }
    y[t] = acc;
}

// dx = d(sum y * dy)/dx. dy: (n, k, ho, wo); wt: (k, c/groups, r, s); dx: (n, c, h, w)
extern "C" __global__ void conv_backward_data(const float* dy, const float* wt, float* dx, int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int ho, int wo, int groups) {
    const long long t = global_index_x();
    if (t >= (long long)n * c * h * w) return;
    const int iw = (int)(t % w), ih = (int)((t / w) % h), ci = (int)((t / ((long long)w * h)) % c);
    const int in = (int)(t / ((long long)w * h * c));
    const int cg = c / groups, kg = k / groups, g = ci / cg;  // ci's group: output channels g*kg + [0, kg)
    float acc = 0.f;
    for (int ko = g * kg; ko < (g + 1) * kg; ko++) {
        const float* gp = dy + ((long long)in * k + ko) * ho * wo;
        const float* wp = wt + ((long long)ko * cg + ci - g * cg) * r * s;
        for (int ri = 0; ri < r; ri++) {
            const int hh = ih + pad - ri;  // = oh * stride
            if (hh < 0 || hh % stride != 0) continue;
            const int oh = hh / stride;
            if (oh >= ho) continue;
            for (int si = 0; si < s; si++) {
                const int ww = iw + pad - si;
                if (ww < 0 || ww % stride != 0) continue;
                const int ow = ww / stride;
                if (ow >= wo) continue;
                acc = __fmaf_rn(__ldg(wp + ri * s + si), __ldg(gp + (long long)oh * wo + ow), acc);
            }
        }
    }
    dx[t] = acc;
}

// dw = d(sum y * dy)/dw. x: (n, c, h, w); dy: (n, k, ho, wo); dw: (k, c/groups, r, s). Grid k*c/groups blocks.
extern "C" __global__ void conv_backward_filter(const float* x, const float* dy, float* dw, int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int ho, int wo, int groups) {
    __shared__ float conv_partial[WARP_SIZE][CONV_MAX_RS * CONV_MAX_RS];
    const int cg = c / groups, ko = blockIdx.x / cg, cl = blockIdx.x % cg;  // weight row (ko, cl)
    const int ci = ko / (k / groups) * cg + cl;                              // the input channel it reads
    // tap (ri, si) lives in acc[ri * CONV_MAX_RS + si]: the loops below have constant trip counts, so
    // nvcc unrolls them and acc stays in registers
    float acc[CONV_MAX_RS * CONV_MAX_RS];
    for (int q = 0; q < CONV_MAX_RS * CONV_MAX_RS; q++) acc[q] = 0.f;
    const long long positions = (long long)n * ho * wo;
    for (long long p = threadIdx.x; p < positions; p += blockDim.x) {
        const int ow = (int)(p % wo), oh = (int)((p / wo) % ho), on = (int)(p / ((long long)wo * ho));
        const float g = __ldg(dy + (((long long)on * k + ko) * ho + oh) * wo + ow);
        const float* xp = x + ((long long)on * c + ci) * h * w;
        const int h0 = oh * stride - pad, w0 = ow * stride - pad;
        for (int ri = 0; ri < CONV_MAX_RS; ri++) {
            const int ih = h0 + ri;
            if (ri >= r || ih < 0 || ih >= h) continue;
            for (int si = 0; si < CONV_MAX_RS; si++) {
                const int iw = w0 + si;
                if (si >= s || iw < 0 || iw >= w) continue;
                acc[ri * CONV_MAX_RS + si] = __fmaf_rn(g, __ldg(xp + (long long)ih * w + iw), acc[ri * CONV_MAX_RS + si]);
            }
        }
    }
    const int lane = threadIdx.x % WARP_SIZE, warp = threadIdx.x / WARP_SIZE;
    for (int q = 0; q < CONV_MAX_RS * CONV_MAX_RS; q++) {
        const float v = warp_reduce_sum(acc[q]);
        if (lane == 0) conv_partial[warp][q] = v;
    }
    __syncthreads();
    const int tap = threadIdx.x;
    if (tap < r * s) {
        const int q = (tap / s) * CONV_MAX_RS + tap % s;
        float sum = 0.f;
        const int warps = blockDim.x / WARP_SIZE;
        for (int i = 0; i < warps; i++) sum += conv_partial[i][q];
        dw[((long long)ko * cg + cl) * r * s + tap] = sum;
    }
}

// dw = d(sum y * dy)/dw, one thread per weight element (k*c*r*s), no collectives: each thread sums
// its N*Ho*Wo products in (n, h, w) order. For few output positions (small batches or maps), where
// a block per (k, c) would idle, and for the emulator (no barriers: it runs at native speed there).
// x: (n, c, h, w); dy: (n, k, ho, wo); dw: (k, c/groups, r, s)
extern "C" __global__ void conv_backward_filter_serial(const float* x, const float* dy, float* dw, int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int ho, int wo, int groups) {
    const long long t = global_index_x();
    const int cg = c / groups;
    if (t >= (long long)k * cg * r * s) return;
    const int si = (int)(t % s), ri = (int)((t / s) % r), cl = (int)((t / ((long long)s * r)) % cg);
    const int ko = (int)(t / ((long long)s * r * cg)), ci = ko / (k / groups) * cg + cl;
    float acc = 0.f;
    for (int on = 0; on < n; on++) {
        const float* gp = dy + ((long long)on * k + ko) * ho * wo;
        const float* xp = x + ((long long)on * c + ci) * h * w;
        for (int oh = 0; oh < ho; oh++) {
            const int ih = oh * stride - pad + ri;
            if (ih < 0 || ih >= h) continue;
            for (int ow = 0; ow < wo; ow++) {
                const int iw = ow * stride - pad + si;
                if (iw < 0 || iw >= w) continue;
                acc = __fmaf_rn(__ldg(gp + (long long)oh * wo + ow), __ldg(xp + (long long)ih * w + iw), acc);
            }
        }
    }
    dw[t] = acc;
}
