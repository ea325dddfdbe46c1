// kernels/augment.cu: AugMix on the GPU, draw for draw and bit for bit the CPU reference
// org.augmix4j.augment (AugMix, Philox, Samplers, PilOps: the official augmentations.py and
// augment_and_mix.py on Pillow's ops).
// Launched by ops/AugmentCuda.java; checked against the reference by ops/AugmentCudaTest.java.
//
// Contract
// - Randomness: Philox4x32-10 with the counter layout of augment/Philox.java (key = run seed; counter
//   = sample, epoch, tag << 24 | view << 16 | chain << 8 | step, draw), the same integer and
//   53-bit conversions; Dirichlet/Beta as augment/Samplers.java (alpha = 1: -log(1 - U) normalised,
//   m = U exactly; other alphas: Marsaglia-Tsang with Box-Muller normals, the same uniforms).
//   Only the transcendental functions (log, cos, exp) may differ from Java's StrictMath in the last
//   bit: weights agree to ~1e-7 for alpha = 1; for alpha != 1 an accept/reject may flip (rarely).
// - Ops: the 13 Pillow-exact ops of augment/PilOps.java on HWC uint8 RGB images of any size,
//   geometry in double, blends and SMOOTH in float32, LUT ops in integer/double; built with
//   -fmad=false (and the emulator with -ffp-contract=off) so that no FMA moves a value across a
//   truncation. Rotation matrices come from the host (rotation: the (cos, sin) pairs of
//   PilOps.rotateMatrix for the integer angles -30..30, as doubles' bits), never from device cos/sin.
// - Batches: augmix_forward writes exactly what AugMix.sampleBatch writes: NCHW float32,
//   N(u) = (u / 255 - 0.5) / 0.5; JSD: image v * batch + b is view v (0 = clean) of entry b;
//   AUGMIX: image b is the one AugMix view; NONE: image b is N(train_transform(x)).
//   Mixing in float32 in the official order: mix = 0; mix += w_i * N(chain_i); out = (1 - m) N(x) + m mix.
//
// Kernel design (augmix_forward)
// - Work item = (AugMix view, batch entry): item = view * batch + b (NONE: one item per entry);
//   blocks stride over the items. The view-0 block of an entry also writes its clean image.
// - A block is G groups of T threads (T a multiple of 32, G = blockDim.x / T <= 8). Group g runs
//   chain base + g of the current round of G chains, so G chains advance in parallel; their steps
//   are separated by __syncthreads, each step having at most three phases:
//     A1 statistics of the source image (block-local: per-thread min/max/luma sums reduced by warp
//        shuffles and shared atomics, shared-memory histogram) - only if some group needs them;
//     A2 a 3 x 256 LUT (autocontrast, equalize via warp scans, contrast);
//     B  the op as a gather (geometry: per output pixel, double math) or a LUT/point map.
//   Each group's leader draws its next step during B (double-buffered slots), so the draws cost
//   no extra barrier.
// - Images (the transformed input X, a ping-pong buffer per group, the final image of every
//   chain) live in dynamic shared memory when they fit (images_in_shared = 1; 32x32 JSD with width
//   3: 7 x 3 KiB + 3 x 3.8 KiB of statistics), else in global scratch, one slice per block (e.g.
//   224x224); the statistics always live in shared memory.
//
// Shapes: images (count, img_h, img_w, 3) uint8; image_index, sample_index (batch) int32;
// rotation (61 x 2 doubles = 244 int32); scratch (gridDim.x x per-block bytes) uint8 or a dummy;
// out (images per sample x batch, 3, img_h, img_w) float32. The launcher computes the dynamic
// shared memory size and the scratch layout with the same formulas (AugmentCuda.Plan).
// Versions: v1 (this one). The host-side validity checks are in AugmentCuda; an image index
// outside [0, count) makes the kernel fill that entry's images with NaN.
#include "common.cuh"

// Loops over pixels and steps are not unrolled: unrolling multiplies the live doubles. Without a
// cap ptxas gives the batch kernel ~120-140 registers (nvcc 13, sm_90); __launch_bounds__(768)
// caps it at 80 (64 B of spills, outside the pixel loops), i.e. 4 blocks of 3 x 64 threads per SM.
#ifdef AUGMIX4J_EMULATOR
#define AMX_NO_UNROLL
#else
#define AMX_NO_UNROLL _Pragma("unroll 1")
#endif

#define AMX_MAX_GROUPS 8
#define AMX_MAX_BLOCK 768  // threads per block at most (3 groups of 256): caps the registers at 80
#define AMX_MAX_WIDTH 256
#define AMX_PAD 4
#define AMX_MAX_ANGLE 30

// Op codes = ordinals of org.augmix4j.augment.Op (the official list order).
#define AMX_AUTOCONTRAST 0
#define AMX_EQUALIZE 1
#define AMX_POSTERIZE 2
#define AMX_ROTATE 3
#define AMX_SOLARIZE 4
#define AMX_SHEAR_X 5
#define AMX_SHEAR_Y 6
#define AMX_TRANSLATE_X 7
#define AMX_TRANSLATE_Y 8
#define AMX_COLOR 9
#define AMX_CONTRAST 10
#define AMX_BRIGHTNESS 11
#define AMX_SHARPNESS 12
#define AMX_NO_OP (-1)

// Philox sub-stream tags (Philox.TAG_*).
#define AMX_TAG_STEP 1
#define AMX_TAG_DEPTH 2
#define AMX_TAG_DIRICHLET 3
#define AMX_TAG_BETA 4
#define AMX_TAG_CROP 5

// Modes = ordinals of AugMixConfig.Mode.
#define AMX_MODE_JSD 0
#define AMX_MODE_AUGMIX 1
#define AMX_MODE_NONE 2

// Bytes of one group's statistics: hist int[768], lut uchar[768], min int[3], max int[3], luma sum.
#define AMX_STAT_BYTES 3872

// ---------------------------------------------------------------- Philox4x32-10 (Philox.java)

__device__ __forceinline__ void amx_philox(int rounds, unsigned c[4], unsigned k0, unsigned k1) {
    AMX_NO_UNROLL
    for (int r = 0; r < rounds; r++) {
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

// The key and the (sample, epoch) words of every counter of one sample.
struct AmxKey {
    unsigned k0, k1, sample, epoch;
};

__device__ __forceinline__ AmxKey amx_key(long long seed, int sample, int epoch) {
    AmxKey k;
    k.k0 = (unsigned)(unsigned long long)seed;
    k.k1 = (unsigned)((unsigned long long)seed >> 32);
    k.sample = (unsigned)sample;
    k.epoch = (unsigned)epoch;
    return k;
}

__device__ __forceinline__ unsigned amx_c2(int tag, int view, int chain, int step) {
    return (unsigned)tag << 24 | (unsigned)view << 16 | (unsigned)chain << 8 | (unsigned)step;
}

// Block `draw` of sub-stream (tag, view, chain, step): Philox.draw.
__device__ __forceinline__ void amx_draw(const AmxKey& key, unsigned c2, unsigned draw, unsigned out[4]) {
    out[0] = key.sample;
    out[1] = key.epoch;
    out[2] = c2;
    out[3] = draw;
    amx_philox(10, out, key.k0, key.k1);
}

// Philox.u53: ((a >>> 5) * 2^26 + (b >>> 6)) * 2^-53, exact.
__device__ __forceinline__ double amx_u53(unsigned a, unsigned b) {
    const unsigned long long v = (unsigned long long)(a >> 5) << 26 | (b >> 6);
    return (double)v * 0x1.0p-53;
}

// Philox.uniformInt: (a * n) >>> 32.
__device__ __forceinline__ int amx_uniform_int(unsigned a, int n) {
    return (int)(((unsigned long long)a * (unsigned)n) >> 32);
}

// Philox.Uniforms: U_k = u53 of words 2(k&1), 2(k&1)+1 of block k >>> 1.
struct AmxUniforms {
    AmxKey key;
    unsigned c2;
    int k;
    unsigned buf[4];

    __device__ double next() {
        if ((k & 1) == 0) amx_draw(key, c2, (unsigned)(k >> 1), buf);
        const int o = 2 * (k & 1);
        k++;
        return amx_u53(buf[o], buf[o + 1]);
    }
};

__device__ __forceinline__ AmxUniforms amx_uniforms(const AmxKey& key, int tag, int view, int chain) {
    AmxUniforms u;
    u.key = key;
    u.c2 = amx_c2(tag, view, chain, 0);
    u.k = 0;
    u.buf[0] = u.buf[1] = u.buf[2] = u.buf[3] = 0;
    return u;
}

// ---------------------------------------------------------------- samplers (Samplers.java)

__device__ __forceinline__ double amx_normal(AmxUniforms& u) {
    const double u1 = 1.0 - u.next();
    const double u2 = u.next();
    return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
}

__device__ __noinline__ double amx_gamma_at_least_1(double a, AmxUniforms& u) {
    if (a == 1.0) return -log(1.0 - u.next());
    const double d = a - 1.0 / 3.0;
    const double c = 1.0 / sqrt(9.0 * d);
    while (true) {
        double x, v;
        do {
            x = amx_normal(u);
            v = 1.0 + c * x;
        } while (v <= 0.0);
        v = v * v * v;
        const double uu = u.next();
        const double x2 = x * x;
        if (uu < 1.0 - 0.0331 * x2 * x2) return d * v;
        if (log(uu) < 0.5 * x2 + d * (1.0 - v + log(v))) return d * v;
    }
}

__device__ __forceinline__ double amx_log_gamma(double a, AmxUniforms& u) {
    if (a >= 1.0) return log(amx_gamma_at_least_1(a, u));
    const double g = amx_gamma_at_least_1(a + 1.0, u);
    const double uu = 1.0 - u.next();
    return log(g) + log(uu) / a;
}

// Dirichlet component k before normalisation: gamma (alpha >= 1) or log gamma (alpha < 1).
__device__ __noinline__ double amx_dirichlet_component(const AmxKey& key, int view, int k, double alpha) {
    AmxUniforms u = amx_uniforms(key, AMX_TAG_DIRICHLET, view, k);
    return alpha >= 1.0 ? amx_gamma_at_least_1(alpha, u) : amx_log_gamma(alpha, u);
}

// Normalises the components g[0..width) into float32 weights, in k order as the reference.
__device__ __noinline__ void amx_dirichlet_normalise(double* g, float* w, int width, double alpha) {
    if (alpha >= 1.0) {
        double acc = 0;
        AMX_NO_UNROLL
        for (int k = 0; k < width; k++) acc += g[k];
        const double inv = 1.0 / acc;
        AMX_NO_UNROLL
        for (int k = 0; k < width; k++) w[k] = (float)(g[k] * inv);
    } else {
        double mx = -INFINITY;
        AMX_NO_UNROLL
        for (int k = 0; k < width; k++) mx = g[k] > mx ? g[k] : mx;
        double acc = 0;
        AMX_NO_UNROLL
        for (int k = 0; k < width; k++) {
            g[k] = exp(g[k] - mx);
            acc += g[k];
        }
        const double inv = 1.0 / acc;
        AMX_NO_UNROLL
        for (int k = 0; k < width; k++) w[k] = (float)(g[k] * inv);
    }
}

// m ~ Beta(alpha, alpha) of AugMix view `view`.
__device__ __noinline__ float amx_beta(const AmxKey& key, int view, double alpha) {
    AmxUniforms ua = amx_uniforms(key, AMX_TAG_BETA, view, 0);
    if (alpha == 1.0) return (float)ua.next();
    AmxUniforms ub = amx_uniforms(key, AMX_TAG_BETA, view, 1);
    if (alpha > 1.0) {
        const double ga = amx_gamma_at_least_1(alpha, ua), gb = amx_gamma_at_least_1(alpha, ub);
        return (float)(ga / (ga + gb));
    }
    const double la = amx_log_gamma(alpha, ua), lb = amx_log_gamma(alpha, ub);
    return (float)(1.0 / (1.0 + exp(lb - la)));
}

// ---------------------------------------------------------------- programs (AugMix.program, Op.paramFromLevel)

struct AmxStep {
    int op;        // AMX_* op code, AMX_NO_OP when the chain has no such step
    int negate;    // the sign draw (kept for the traces)
    double level;  // U[0.1, severity)
    double param;  // the explicit Pillow parameter
};

__device__ __forceinline__ int amx_int_parameter(double level, double maxval) { return (int)(level * maxval / 10.0); }

__device__ __forceinline__ double amx_param(int op, double level, int negate, int h, int w) {
    double p;
    switch (op) {
        case AMX_AUTOCONTRAST:
        case AMX_EQUALIZE: return 0.0;
        case AMX_POSTERIZE: p = 4 - amx_int_parameter(level, 4.0); break;
        case AMX_ROTATE: p = amx_int_parameter(level, 30.0); break;
        case AMX_SOLARIZE: p = 256 - amx_int_parameter(level, 256.0); break;
        case AMX_SHEAR_X:
        case AMX_SHEAR_Y: p = level * 0.3 / 10.0; break;
        case AMX_TRANSLATE_X: p = amx_int_parameter(level, w / 3.0); break;
        case AMX_TRANSLATE_Y: p = amx_int_parameter(level, h / 3.0); break;
        default: p = level * 1.8 / 10.0 + 0.1; break;
    }
    const bool is_signed = op == AMX_ROTATE || op == AMX_SHEAR_X || op == AMX_SHEAR_Y || op == AMX_TRANSLATE_X
                           || op == AMX_TRANSLATE_Y;
    return negate && is_signed ? -p : p;
}

__device__ __forceinline__ AmxStep amx_step(const AmxKey& key, int view, int chain, int step, int n_ops, int severity,
                                            int h, int w) {
    unsigned r[4];
    amx_draw(key, amx_c2(AMX_TAG_STEP, view, chain, step), 0, r);
    AmxStep s;
    s.op = amx_uniform_int(r[0], n_ops);
    s.level = 0.1 + ((double)severity - 0.1) * amx_u53(r[1], r[2]);
    s.negate = (int)(r[3] >> 31);
    s.param = amx_param(s.op, s.level, s.negate, h, w);
    return s;
}

__device__ __forceinline__ int amx_depth(const AmxKey& key, int view, int chain, int mix_depth) {
    if (mix_depth > 0) return mix_depth;
    unsigned r[4];
    amx_draw(key, amx_c2(AMX_TAG_DEPTH, view, chain, 0), 0, r);
    return 1 + amx_uniform_int(r[0], 3);
}

// The train-transform draws (Philox.crop): flip, top, left.
__device__ __forceinline__ void amx_crop(const AmxKey& key, int* flip, int* top, int* left) {
    unsigned r[4];
    amx_draw(key, amx_c2(AMX_TAG_CROP, 0, 0, 0), 0, r);
    *flip = (int)(r[0] >> 31);
    *top = amx_uniform_int(r[1], 2 * AMX_PAD + 1);
    *left = amx_uniform_int(r[2], 2 * AMX_PAD + 1);
}

// ---------------------------------------------------------------- pixel helpers (PilOps.java)

__device__ __forceinline__ int amx_clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// Pillow >= 7 RGB -> L.
__device__ __forceinline__ int amx_luma(int r, int g, int b) { return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16; }

// Image.blend of one byte (alpha float32, not 0 or 1): interpolation, or clipped extrapolation.
__device__ __forceinline__ int amx_blend(int deg, int img, float alpha) {
    const float t = (float)deg + alpha * (float)(img - deg);
    if (alpha >= 0.f && alpha <= 1.0f) return (int)t;
    return t <= 0.f ? 0 : t >= 255.f ? 255 : (int)t;
}

// N(u) = (u / 255 - 0.5) / 0.5 in float32 (AugMix.NORM).
__device__ __forceinline__ float amx_norm(int u) { return ((float)u / 255.0f - 0.5f) / 0.5f; }

// ---------------------------------------------------------------- the ops, one group's share
// Each op reads s and writes d (h x w x 3, not overlapping) for the pixels p = t0, t0 + ts, ...

// Pixels p = t0, t0 + ts, ... of a row-major image of width w, with (y, x) kept up to date
// without a division per pixel.
struct AmxPixels {
    int p, y, x, step, sy, sx, w;
    __device__ AmxPixels(int t0, int ts, int width) : p(t0), step(ts), w(width) {
        y = t0 / width;
        x = t0 - y * width;
        sy = ts / width;
        sx = ts - sy * width;
    }
    __device__ void next() {
        p += step;
        y += sy;
        x += sx;
        if (x >= w) {
            x -= w;
            y++;
        }
    }
};

// Image.transform(AFFINE, (a, b, c, d, e, f), BILINEAR), fill 0 (PilOps.affine).
__device__ __forceinline__ void amx_affine(const unsigned char* s, unsigned char* d, int h, int w, double a, double b,
                                           double c, double dd, double e, double f, int t0, int ts) {
    const int npix = h * w, stride = 3 * w;
    AMX_NO_UNROLL
    for (AmxPixels it(t0, ts, w); it.p < npix; it.next()) {
        const int p = it.p, y = it.y, x = it.x;
        unsigned char* o = d + 3 * p;
        const double xo = x + 0.5, yo = y + 0.5;
        const double xi = a * xo + b * yo + c;
        const double yi = dd * xo + e * yo + f;
        if (xi < 0.0 || xi >= w || yi < 0.0 || yi >= h) {
            o[0] = o[1] = o[2] = 0;
            continue;
        }
        const double xs = xi - 0.5, ys = yi - 0.5;
        const int x0 = (int)floor(xs), y0 = (int)floor(ys);
        const double dx = xs - x0, dy = ys - y0;
        const int cx0 = 3 * amx_clampi(x0, 0, w - 1), cx1 = 3 * amx_clampi(x0 + 1, 0, w - 1);
        const int r0 = amx_clampi(y0, 0, h - 1) * stride;
        const int r1 = y0 + 1 >= 0 && y0 + 1 < h ? (y0 + 1) * stride : r0;  // no second row: v2 = v1 exactly
        for (int ch = 0; ch < 3; ch++) {
            const int p00 = s[r0 + cx0 + ch], p01 = s[r0 + cx1 + ch];
            const int p10 = s[r1 + cx0 + ch], p11 = s[r1 + cx1 + ch];
            const double v1 = p00 + (p01 - p00) * dx;
            const double v2 = p10 + (p11 - p10) * dx;
            o[ch] = (unsigned char)(int)(v1 + (v2 - v1) * dy);
        }
    }
}

// transform(AFFINE, (1, sh, 0, 0, 1, 0)) row-wise, dy = 0 exactly (PilOps.shearX).
__device__ __forceinline__ void amx_shear_x(const unsigned char* s, unsigned char* d, int h, int w, double sh, int t0,
                                            int ts) {
    const int npix = h * w;
    AMX_NO_UNROLL
    for (AmxPixels it(t0, ts, w); it.p < npix; it.next()) {
        const int p = it.p, y = it.y, x = it.x;
        unsigned char* o = d + 3 * p;
        const double xi = (x + 0.5) + sh * (y + 0.5);
        if (xi < 0.0 || xi >= w) {
            o[0] = o[1] = o[2] = 0;
            continue;
        }
        const double xs = xi - 0.5;
        const int x0 = (int)floor(xs);
        const double dx = xs - x0;
        const unsigned char* i0 = s + 3 * (y * w + amx_clampi(x0, 0, w - 1));
        const unsigned char* i1 = s + 3 * (y * w + (x0 + 1 < w ? x0 + 1 : w - 1));
        for (int ch = 0; ch < 3; ch++) {
            const int p0 = i0[ch], p1 = i1[ch];
            o[ch] = (unsigned char)(int)(p0 + (p1 - p0) * dx);
        }
    }
}

// transform(AFFINE, (1, 0, 0, sh, 1, 0)) column-wise, dx = 0 exactly (PilOps.shearY).
__device__ __forceinline__ void amx_shear_y(const unsigned char* s, unsigned char* d, int h, int w, double sh, int t0,
                                            int ts) {
    const int npix = h * w;
    AMX_NO_UNROLL
    for (AmxPixels it(t0, ts, w); it.p < npix; it.next()) {
        const int p = it.p, y = it.y, x = it.x;
        unsigned char* o = d + 3 * p;
        const double yi = sh * (x + 0.5) + (y + 0.5);
        if (yi < 0.0 || yi >= h) {
            o[0] = o[1] = o[2] = 0;
            continue;
        }
        const double ys = yi - 0.5;
        const int y0 = (int)floor(ys);
        const double dy = ys - y0;
        const unsigned char* i0 = s + 3 * ((y0 < 0 ? 0 : y0) * w + x);
        const bool has1 = y0 + 1 < h;
        const unsigned char* i1 = s + 3 * ((y0 + 1) * w + x);
        for (int ch = 0; ch < 3; ch++) {
            const int v1 = i0[ch];
            const int v2 = has1 ? i1[ch] : v1;
            o[ch] = (unsigned char)(int)(v1 + (v2 - v1) * dy);
        }
    }
}

// Integer shift out(x, y) = in(x + tx, y + ty), 0 outside (PilOps.shift; integer translate).
__device__ __forceinline__ void amx_shift(const unsigned char* s, unsigned char* d, int h, int w, int tx, int ty, int t0,
                                          int ts) {
    const int npix = h * w;
    AMX_NO_UNROLL
    for (AmxPixels it(t0, ts, w); it.p < npix; it.next()) {
        const int p = it.p, y = it.y, x = it.x;
        unsigned char* o = d + 3 * p;
        const long long sx = (long long)x + tx, sy = (long long)y + ty;
        if (sx < 0 || sx >= w || sy < 0 || sy >= h) {
            o[0] = o[1] = o[2] = 0;
        } else {
            const unsigned char* i = s + 3 * (sy * w + sx);
            o[0] = i[0];
            o[1] = i[1];
            o[2] = i[2];
        }
    }
}

// ImageEnhance.Sharpness: blend with SMOOTH (3x3 [[1,1,1],[1,5,1],[1,1,1]]/13, borders copied).
__device__ __forceinline__ void amx_sharpness(const unsigned char* s, unsigned char* d, int h, int w, float a, int t0,
                                              int ts) {
    const int npix = h * w, stride = 3 * w;
    const float k1 = 1.0f / 13.0f, k5 = 5.0f / 13.0f;
    AMX_NO_UNROLL
    for (AmxPixels it(t0, ts, w); it.p < npix; it.next()) {
        const int p = it.p, y = it.y, x = it.x;
        const int i = 3 * p;
        if (a == 1.0f || w < 3 || h < 3 || y == 0 || y == h - 1 || x == 0 || x == w - 1) {
            d[i] = s[i];
            d[i + 1] = s[i + 1];
            d[i + 2] = s[i + 2];
            continue;
        }
        for (int ch = 0; ch < 3; ch++) {
            const int c = i + ch, up = c - stride, dn = c + stride;
            float ss = 0.5f;
            ss += (float)s[dn - 3] * k1 + (float)s[dn] * k1 + (float)s[dn + 3] * k1;
            ss += (float)s[c - 3] * k1 + (float)s[c] * k5 + (float)s[c + 3] * k1;
            ss += (float)s[up - 3] * k1 + (float)s[up] * k1 + (float)s[up + 3] * k1;
            const int deg = ss <= 0.f ? 0 : ss >= 255.f ? 255 : (int)ss;
            d[c] = (unsigned char)(a == 0.f ? deg : amx_blend(deg, s[c], a));
        }
    }
}

// ---------------------------------------------------------------- warp reductions (full warps only)

__device__ __forceinline__ int amx_warp_min(int v) {
    for (int o = WARP_SIZE / 2; o > 0; o >>= 1) v = min(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

__device__ __forceinline__ int amx_warp_max(int v) {
    for (int o = WARP_SIZE / 2; o > 0; o >>= 1) v = max(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

__device__ __forceinline__ unsigned long long amx_warp_sum(unsigned long long v) {
    for (int o = WARP_SIZE / 2; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

__device__ __forceinline__ int amx_warp_inclusive_scan(int v, int lane) {
    for (int o = 1; o < WARP_SIZE; o <<= 1) {
        const int t = __shfl_up_sync(FULL_MASK, v, o);
        if (lane >= o) v += t;
    }
    return v;
}

// ---------------------------------------------------------------- block state

// One group's statistics (AMX_STAT_BYTES bytes in dynamic shared memory).
struct AmxStats {
    int hist[768];
    unsigned char lut[768];
    int minv[3], maxv[3];
    unsigned long long luma_sum;
};

// Static shared state of a block.
struct AmxShared {
    float norm[256];                     // N(u)
    float w[AMX_MAX_WIDTH];              // Dirichlet weights of the current view
    double g[AMX_MAX_WIDTH];             // their unnormalised components
    float m;                             // Beta mixing weight
    int flip, top, left;                 // crop draws of the current entry
    int depth[AMX_MAX_GROUPS];           // depth of each group's chain in this round (0: idle)
    AmxStep slot[AMX_MAX_GROUPS][2];     // each group's next step, double-buffered by step parity
};

__device__ __forceinline__ bool amx_is_stat_op(int op) {
    return op == AMX_AUTOCONTRAST || op == AMX_EQUALIZE || op == AMX_CONTRAST;
}

__device__ __forceinline__ void amx_reset_stats(AmxStats* st, int t0, int ts) {
    AMX_NO_UNROLL
    for (int i = t0; i < 768; i += ts) st->hist[i] = 0;
    if (t0 == 0) {
        AMX_NO_UNROLL
        for (int c = 0; c < 3; c++) {
            st->minv[c] = 255;
            st->maxv[c] = 0;
        }
        st->luma_sum = 0;
    }
}

// A1: the statistics `op` needs, over the group's pixels (every lane of the group's warps calls this).
__device__ __forceinline__ void amx_gather_stats(int op, const unsigned char* s, int npix, AmxStats* st, int t0, int ts) {
    int mn0 = 255, mn1 = 255, mn2 = 255, mx0 = 0, mx1 = 0, mx2 = 0;
    unsigned long long lsum = 0;
    AMX_NO_UNROLL
    for (int p = t0; p < npix; p += ts) {
        const int r = s[3 * p], g = s[3 * p + 1], b = s[3 * p + 2];
        if (op == AMX_CONTRAST) {
            lsum += (unsigned long long)amx_luma(r, g, b);
        } else {
            mn0 = min(mn0, r);
            mn1 = min(mn1, g);
            mn2 = min(mn2, b);
            mx0 = max(mx0, r);
            mx1 = max(mx1, g);
            mx2 = max(mx2, b);
            if (op == AMX_EQUALIZE) {
                atomicAdd(&st->hist[r], 1);
                atomicAdd(&st->hist[256 + g], 1);
                atomicAdd(&st->hist[512 + b], 1);
            }
        }
    }
    const bool lane0 = (threadIdx.x & (WARP_SIZE - 1)) == 0;
    if (op == AMX_CONTRAST) {
        lsum = amx_warp_sum(lsum);
        if (lane0) atomicAdd(&st->luma_sum, lsum);
    } else {
        mn0 = amx_warp_min(mn0);
        mn1 = amx_warp_min(mn1);
        mn2 = amx_warp_min(mn2);
        mx0 = amx_warp_max(mx0);
        mx1 = amx_warp_max(mx1);
        mx2 = amx_warp_max(mx2);
        if (lane0) {
            atomicMin(&st->minv[0], mn0);
            atomicMin(&st->minv[1], mn1);
            atomicMin(&st->minv[2], mn2);
            atomicMax(&st->maxv[0], mx0);
            atomicMax(&st->maxv[1], mx1);
            atomicMax(&st->maxv[2], mx2);
        }
    }
}

// A2: the 3 x 256 LUT of a statistics op (PilOps.autocontrastLut, equalizeLut, contrast's blendConstant).
__device__ __forceinline__ void amx_build_lut(int op, double param, int npix, AmxStats* st, int t0, int ts) {
    if (op == AMX_AUTOCONTRAST) {
        AMX_NO_UNROLL
        for (int i = t0; i < 768; i += ts) {
            const int c = i >> 8, v = i & 255, lo = st->minv[c], hi = st->maxv[c];
            int out = v;
            if (hi > lo) {
                const double scale = 255.0 / (hi - lo);
                const double offset = -lo * scale;
                const int t = (int)(v * scale + offset);
                out = t < 0 ? 0 : t > 255 ? 255 : t;
            }
            st->lut[i] = (unsigned char)out;
        }
    } else if (op == AMX_CONTRAST) {
        const double mean = (double)st->luma_sum / (double)npix;
        const int deg = (int)(mean + 0.5);
        const float a = (float)param;
        AMX_NO_UNROLL
        for (int i = t0; i < 768; i += ts) {
            const int v = i & 255;
            st->lut[i] = (unsigned char)(a == 1.0f ? v : a == 0.f ? deg : amx_blend(deg, v, a));
        }
    } else {  // equalize: one warp per channel, 8 bins per lane, a warp scan for the prefix counts
        const int lane = t0 & (WARP_SIZE - 1), warps = ts / WARP_SIZE;
        AMX_NO_UNROLL
        for (int c = t0 / WARP_SIZE; c < 3; c += warps) {
            const int* h = st->hist + 256 * c;
            int cnt[8], local = 0;
            for (int k = 0; k < 8; k++) {
                cnt[k] = h[8 * lane + k];
                local += cnt[k];
            }
            int n = amx_warp_inclusive_scan(local, lane) - local;  // exclusive prefix of this lane's bins
            const int last = h[st->maxv[c]];
            const int step = st->minv[c] == st->maxv[c] ? 0 : (npix - last) / 255;
            unsigned char* lut = st->lut + 256 * c;
            if (step == 0) {
                for (int k = 0; k < 8; k++) lut[8 * lane + k] = (unsigned char)(8 * lane + k);
            } else {
                n += step / 2;
                for (int k = 0; k < 8; k++) {
                    const int q = n / step;
                    lut[8 * lane + k] = (unsigned char)(q > 255 ? 255 : q);
                    n += cnt[k];
                }
            }
        }
    }
}

// B: applies one step (op with its parameter) from s to d for the group's pixels.
__device__ __forceinline__ void amx_apply(const AmxStep& st, const AmxStats* stats, const int* rotation,
                                          const unsigned char* s, unsigned char* d, int h, int w, int t0, int ts) {
    const int npix = h * w;
    switch (st.op) {
        case AMX_AUTOCONTRAST:
        case AMX_EQUALIZE:
        case AMX_CONTRAST:
            AMX_NO_UNROLL
            for (int p = t0; p < npix; p += ts) {
                d[3 * p] = stats->lut[s[3 * p]];
                d[3 * p + 1] = stats->lut[256 + s[3 * p + 1]];
                d[3 * p + 2] = stats->lut[512 + s[3 * p + 2]];
            }
            break;
        case AMX_POSTERIZE: {
            const int bits = (int)st.param;
            const int mask = ~((1 << (8 - bits)) - 1);
            AMX_NO_UNROLL
            for (int i = t0; i < 3 * npix; i += ts) d[i] = (unsigned char)(s[i] & mask);
            break;
        }
        case AMX_SOLARIZE: {
            const double threshold = st.param;
            AMX_NO_UNROLL
            for (int i = t0; i < 3 * npix; i += ts) {
                const int v = s[i];
                d[i] = (unsigned char)(v < threshold ? v : 255 - v);
            }
            break;
        }
        case AMX_ROTATE: {
            const int deg = (int)st.param;
            if (deg == 0) {
            AMX_NO_UNROLL
            for (int i = t0; i < 3 * npix; i += ts) d[i] = s[i];
                break;
            }
            const int k = 2 * amx_clampi(deg + AMX_MAX_ANGLE, 0, 2 * AMX_MAX_ANGLE);
            const double* tab = reinterpret_cast<const double*>(rotation);
            const double a = tab[k], b = tab[k + 1];
            const double dd = -b, e = a;
            const double cx = w / 2.0, cy = h / 2.0;
            double c = a * -cx + b * -cy + 0.0;
            double f = dd * -cx + e * -cy + 0.0;
            c += cx;
            f += cy;
            amx_affine(s, d, h, w, a, b, c, dd, e, f, t0, ts);
            break;
        }
        case AMX_SHEAR_X: amx_shear_x(s, d, h, w, st.param, t0, ts); break;
        case AMX_SHEAR_Y: amx_shear_y(s, d, h, w, st.param, t0, ts); break;
        case AMX_TRANSLATE_X: amx_shift(s, d, h, w, (int)st.param, 0, t0, ts); break;
        case AMX_TRANSLATE_Y: amx_shift(s, d, h, w, 0, (int)st.param, t0, ts); break;
        case AMX_COLOR: {
            const float a = (float)st.param;
            AMX_NO_UNROLL
            for (int p = t0; p < npix; p += ts) {
                const int r = s[3 * p], g = s[3 * p + 1], b = s[3 * p + 2];
                if (a == 1.0f) {
                    d[3 * p] = (unsigned char)r;
                    d[3 * p + 1] = (unsigned char)g;
                    d[3 * p + 2] = (unsigned char)b;
                    continue;
                }
                const int l = amx_luma(r, g, b);
                if (a == 0.f) {
                    d[3 * p] = d[3 * p + 1] = d[3 * p + 2] = (unsigned char)l;
                } else {
                    d[3 * p] = (unsigned char)amx_blend(l, r, a);
                    d[3 * p + 1] = (unsigned char)amx_blend(l, g, a);
                    d[3 * p + 2] = (unsigned char)amx_blend(l, b, a);
                }
            }
            break;
        }
        case AMX_BRIGHTNESS: {
            const float a = (float)st.param;
            AMX_NO_UNROLL
            for (int i = t0; i < 3 * npix; i += ts) {
                const int v = s[i];
                d[i] = (unsigned char)(a == 1.0f ? v : a == 0.f ? 0 : amx_blend(0, v, a));
            }
            break;
        }
        case AMX_SHARPNESS: amx_sharpness(s, d, h, w, (float)st.param, t0, ts); break;
        default: break;
    }
}

// ---------------------------------------------------------------- the batch kernel body

struct AmxArgs {
    const unsigned char* images;
    int count, h, w;
    const int* image_index;
    const int* sample_index;
    int batch;
    long long seed;
    int epoch, mode, mix_width, mix_depth, severity;
    double alpha;
    int all_ops, train_transform;
    const int* rotation;
    int group_threads;
    unsigned char* scratch;
    float* out;
    unsigned char* trace_inputs;  // (batch, h, w, 3), or null: no trace
    unsigned char* trace_chains;  // (batch, views, mix_width, h, w, 3), or null: no trace
};

// Bytes of one image slot (h * w * 3 rounded up to 16).
__device__ __forceinline__ int amx_slot_bytes(int h, int w) { return (h * w * 3 + 15) & ~15; }

template <bool SHARED_IMAGES>
__device__ void amx_batch(const AmxArgs& A, AmxShared* sh, unsigned char* dyn) {
    const int h = A.h, w = A.w, npix = h * w, n = 3 * npix, slot = amx_slot_bytes(h, w);
    const int tid = threadIdx.x, nthreads = blockDim.x;
    const int T = A.group_threads, G = nthreads / T, g = tid / T, gt = tid - g * T;
    const int views = A.mode == AMX_MODE_JSD ? 2 : 1;
    const int items = A.batch * views;
    const int n_ops = A.all_ops ? 13 : 9;
    const int width = A.mix_width;

    AmxStats* stats = reinterpret_cast<AmxStats*>(dyn);
    AmxStats* my = stats + g;
    unsigned char* ws = SHARED_IMAGES ? dyn + (size_t)G * AMX_STAT_BYTES
                                      : A.scratch + (size_t)blockIdx.x * (size_t)slot * (size_t)(1 + G + width);
    unsigned char* X = ws;
    unsigned char* tmp = ws + (size_t)slot * (1 + g);             // this group's ping-pong buffer
    unsigned char* finals = ws + (size_t)slot * (1 + G);          // chain i's final image at i * slot

    AMX_NO_UNROLL
    for (int i = tid; i < 256; i += nthreads) sh->norm[i] = amx_norm(i);
    amx_reset_stats(my, gt, T);

    AMX_NO_UNROLL
    for (int item = blockIdx.x; item < items; item += gridDim.x) {
        const int view = item / A.batch, b = item - view * A.batch;
        const int sample = A.sample_index[b], img = A.image_index[b];
        const AmxKey key = amx_key(A.seed, sample, A.epoch);
        const int aug_view = view + 1;  // the Philox view number (1-based)
        const bool writes_clean = A.mode == AMX_MODE_NONE || (A.mode == AMX_MODE_JSD && view == 0);
        float* clean_out = A.out + (size_t)b * n;
        float* mix_out = A.out + (size_t)(A.mode == AMX_MODE_JSD ? (1 + view) * A.batch + b : b) * n;

        if (img < 0 || img >= A.count) {  // invalid index: NaN images, so that it cannot go unnoticed
            const float nan = __int_as_float(0x7fc00000);
            AMX_NO_UNROLL
            for (int i = tid; i < n; i += nthreads) {
                if (writes_clean) clean_out[i] = nan;
                if (A.mode != AMX_MODE_NONE) mix_out[i] = nan;
            }
            continue;  // uniform across the block: no barrier skipped by some threads only
        }

        // ---- the transformed input X, the crop, the weights; round 0's depths and first steps
        if (tid == 0) {
            if (A.train_transform) {
                amx_crop(key, &sh->flip, &sh->top, &sh->left);
            } else {
                sh->flip = 0;
                sh->top = sh->left = AMX_PAD;
            }
        }
        if (A.mode != AMX_MODE_NONE) {
            AMX_NO_UNROLL
            for (int k = tid; k < width; k += nthreads) sh->g[k] = amx_dirichlet_component(key, aug_view, k, A.alpha);
        }
        __syncthreads();
        {
            const unsigned char* src = A.images + (size_t)img * n;
            const int flip = sh->flip, dy = sh->top - AMX_PAD, dx = sh->left - AMX_PAD;
            AMX_NO_UNROLL
            for (AmxPixels it(tid, nthreads, w); it.p < npix; it.next()) {
                const int p = it.p, sy = it.y + dy, px = it.x + dx;
                unsigned char* o = X + 3 * p;
                if (sy < 0 || sy >= h || px < 0 || px >= w) {
                    o[0] = o[1] = o[2] = 0;
                } else {
                    const unsigned char* i = src + 3 * (sy * w + (flip ? w - 1 - px : px));
                    o[0] = i[0];
                    o[1] = i[1];
                    o[2] = i[2];
                }
            }
        }
        if (A.mode != AMX_MODE_NONE && tid == nthreads - 1) {
            amx_dirichlet_normalise(sh->g, sh->w, width, A.alpha);
            sh->m = amx_beta(key, aug_view, A.alpha);
        }
        __syncthreads();

        if (writes_clean) {
            AMX_NO_UNROLL
            for (int c = 0; c < 3; c++) {
                AMX_NO_UNROLL
                for (int p = tid; p < npix; p += nthreads) clean_out[c * npix + p] = sh->norm[X[3 * p + c]];
            }
        }
        if (A.trace_inputs != nullptr && view == 0) {
            AMX_NO_UNROLL
            for (int i = tid; i < n; i += nthreads) A.trace_inputs[(size_t)b * n + i] = X[i];
        }
        if (A.mode == AMX_MODE_NONE) {
            __syncthreads();  // X is rewritten by the next item
            continue;
        }

        // ---- the chains, G at a time
        AMX_NO_UNROLL
        for (int base = 0; base < width; base += G) {
            const int chain = base + g;
            const bool active = chain < width;
            if (gt == 0) {
                sh->depth[g] = active ? amx_depth(key, aug_view, chain, A.mix_depth) : 0;
                if (active) sh->slot[g][0] = amx_step(key, aug_view, chain, 0, n_ops, A.severity, h, w);
            }
            __syncthreads();
            int max_depth = 0;
            AMX_NO_UNROLL
            for (int k = 0; k < G; k++) max_depth = max(max_depth, sh->depth[k]);
            const int depth = sh->depth[g];
            unsigned char* final_img = finals + (size_t)chain * slot;
            const unsigned char* cur = X;

            AMX_NO_UNROLL
            for (int j = 0; j < max_depth; j++) {
                const bool stepping = j < depth;
                AmxStep st;
                st.op = AMX_NO_OP;
                st.negate = 0;
                st.level = st.param = 0.0;
                if (stepping) st = sh->slot[g][j & 1];
                const int op = st.op;
                // the last step lands in the chain's final slot, the steps before alternate with tmp
                unsigned char* dst = ((depth - 1 - j) & 1) == 0 ? final_img : tmp;
                bool any_stats = false;
                AMX_NO_UNROLL
                for (int k = 0; k < G; k++) any_stats |= j < sh->depth[k] && amx_is_stat_op(sh->slot[k][j & 1].op);
                if (any_stats) {
                    if (amx_is_stat_op(op)) amx_gather_stats(op, cur, npix, my, gt, T);
                    __syncthreads();
                    if (amx_is_stat_op(op)) amx_build_lut(op, st.param, npix, my, gt, T);
                    __syncthreads();
                }
                if (stepping) {
                    amx_apply(st, my, A.rotation, cur, dst, h, w, gt, T);
                    if (amx_is_stat_op(op)) amx_reset_stats(my, gt, T);
                    if (gt == 0 && j + 1 < depth) {
                        sh->slot[g][(j + 1) & 1] = amx_step(key, aug_view, chain, j + 1, n_ops, A.severity, h, w);
                    }
                }
                __syncthreads();
                cur = dst;
            }
            if (A.trace_chains != nullptr && active) {
                unsigned char* t = A.trace_chains + (((size_t)b * views + view) * width + chain) * (size_t)n;
                AMX_NO_UNROLL
                for (int i = gt; i < n; i += T) t[i] = final_img[i];
            }
        }

        // ---- mixing, float32 in the official order, NCHW
        {
            const float m = sh->m, om = 1.0f - m;
            const float* norm = sh->norm;
            if (width == 3) {  // the default: weights and chain images in registers
                const float w0 = sh->w[0], w1 = sh->w[1], w2 = sh->w[2];
                const unsigned char* f0 = finals;
                const unsigned char* f1 = finals + slot;
                const unsigned char* f2 = finals + 2 * (size_t)slot;
                for (int c = 0; c < 3; c++) {
                    AMX_NO_UNROLL
                    for (int p = tid; p < npix; p += nthreads) {
                        const int e = 3 * p + c;
                        float mix = 0.f;
                        mix += w0 * norm[f0[e]];
                        mix += w1 * norm[f1[e]];
                        mix += w2 * norm[f2[e]];
                        mix_out[c * npix + p] = om * norm[X[e]] + m * mix;
                    }
                }
            } else {
                for (int c = 0; c < 3; c++) {
                    AMX_NO_UNROLL
                    for (int p = tid; p < npix; p += nthreads) {
                        const int e = 3 * p + c;
                        float mix = 0.f;
                        AMX_NO_UNROLL
                        for (int k = 0; k < width; k++) mix += sh->w[k] * norm[finals[(size_t)k * slot + e]];
                        mix_out[c * npix + p] = om * norm[X[e]] + m * mix;
                    }
                }
            }
        }
        __syncthreads();  // X, the finals and sh are rewritten by the next item
    }
}

__device__ __forceinline__ AmxArgs amx_args(const unsigned char* images, int count, int img_h, int img_w,
                                            const int* image_index, const int* sample_index, int batch, long long seed,
                                            int epoch, int mode, int mix_width, int mix_depth, int severity, double alpha,
                                            int all_ops, int train_transform, const int* rotation, int group_threads,
                                            unsigned char* scratch, float* out) {
    AmxArgs a;
    a.images = images;
    a.count = count;
    a.h = img_h;
    a.w = img_w;
    a.image_index = image_index;
    a.sample_index = sample_index;
    a.batch = batch;
    a.seed = seed;
    a.epoch = epoch;
    a.mode = mode;
    a.mix_width = mix_width;
    a.mix_depth = mix_depth;
    a.severity = severity;
    a.alpha = alpha;
    a.all_ops = all_ops;
    a.train_transform = train_transform;
    a.rotation = rotation;
    a.group_threads = group_threads;
    a.scratch = scratch;
    a.out = out;
    a.trace_inputs = nullptr;
    a.trace_chains = nullptr;
    return a;
}

// The bits of a double (portable: the emulator has no __double_as_longlong).
__device__ __forceinline__ unsigned long long amx_double_bits(double v) {
    union {
        double d;
        unsigned long long u;
    } bits;
    bits.d = v;
    return bits.u;
}

// ---------------------------------------------------------------- kernels

// One AugMix training batch (AugMix.sampleBatch): see the contract above. Grid: any number of
// blocks (items are strided; the launcher uses one per item with shared images, a bounded number
// with global scratch); block: G x group_threads threads; dynamic shared memory: G x AMX_STAT_BYTES
// (+ (1 + G + mix_width) image slots when images_in_shared). images: (count, img_h, img_w, 3);
// image_index, sample_index: (batch); rotation: (244); scratch: (gridDim.x x (1 + G + mix_width) x
// slot) unless images_in_shared; out: (images per sample x batch, 3, img_h, img_w).
// trace != 0 (checks and debugging): trace_inputs (batch, img_h, img_w, 3) also gets each entry's
// transformed input, trace_chains (batch, views, mix_width, img_h, img_w, 3) the final uint8 image of
// every chain (views = 2 in JSD mode, else 1; unused in NONE mode); with trace = 0 they are not
// touched (any byte buffer will do).
extern "C" __global__ void __launch_bounds__(AMX_MAX_BLOCK) augmix_forward(const unsigned char* images, int count, int img_h, int img_w, const int* image_index, const int* sample_index, int batch, long long seed, int epoch, int mode, int mix_width, int mix_depth, int severity, double alpha, int all_ops, int train_transform, const int* rotation, int group_threads, int images_in_shared, unsigned char* scratch, float* out, int trace, unsigned char* trace_inputs, unsigned char* trace_chains) {
    __shared__ AmxShared amx_sh;
    DYNAMIC_SHARED(unsigned char, amx_dyn);
    AmxArgs a = amx_args(images, count, img_h, img_w, image_index, sample_index, batch, seed, epoch, mode, mix_width,
                         mix_depth, severity, alpha, all_ops, train_transform, rotation, group_threads, scratch, out);
    if (trace) {
        a.trace_inputs = trace_inputs;
        a.trace_chains = trace_chains;
    }
    if (images_in_shared) amx_batch<true>(a, &amx_sh, amx_dyn);
    else amx_batch<false>(a, &amx_sh, amx_dyn);
}

// The programs the batch kernel draws (AugMix.program), one thread per (entry, view), for checking
// the draws in bulk without images. sample_index: (n); crops: (n, 3) = flip, top, left (written by
// view 0); weights: (n, views, mix_width + 1) = w then m; steps: (n, views, mix_width, max_steps, 6)
// = op (-1 past the chain's depth), negate, level (lo, hi words), param (lo, hi words), where
// max_steps = mix_depth > 0 ? mix_depth : 3.
extern "C" __global__ void augmix_program_forward(const int* sample_index, int n, long long seed, int epoch, int views, int mix_width, int mix_depth, int severity, double alpha, int all_ops, int img_h, int img_w, int* crops, float* weights, int* steps) {
    const long long t = global_index_x();
    if (t >= (long long)n * views) return;
    const int e = (int)(t / views), view = (int)(t - (long long)e * views);
    const AmxKey key = amx_key(seed, sample_index[e], epoch);
    if (view == 0) amx_crop(key, &crops[3 * e], &crops[3 * e + 1], &crops[3 * e + 2]);
    double g[AMX_MAX_WIDTH];
    AMX_NO_UNROLL
    for (int k = 0; k < mix_width; k++) g[k] = amx_dirichlet_component(key, view + 1, k, alpha);
    float* wm = weights + (size_t)t * (mix_width + 1);
    amx_dirichlet_normalise(g, wm, mix_width, alpha);
    wm[mix_width] = amx_beta(key, view + 1, alpha);
    const int max_steps = mix_depth > 0 ? mix_depth : 3, n_ops = all_ops ? 13 : 9;
    AMX_NO_UNROLL
    for (int i = 0; i < mix_width; i++) {
        const int depth = amx_depth(key, view + 1, i, mix_depth);
        AMX_NO_UNROLL
        for (int j = 0; j < max_steps; j++) {
            int* o = steps + (((size_t)t * mix_width + i) * max_steps + j) * 6;
            if (j >= depth) {
                o[0] = AMX_NO_OP;
                o[1] = o[2] = o[3] = o[4] = o[5] = 0;
                continue;
            }
            const AmxStep s = amx_step(key, view + 1, i, j, n_ops, severity, img_h, img_w);
            const unsigned long long lv = amx_double_bits(s.level), pv = amx_double_bits(s.param);
            o[0] = s.op;
            o[1] = s.negate;
            o[2] = (int)(unsigned)lv;
            o[3] = (int)(unsigned)(lv >> 32);
            o[4] = (int)(unsigned)pv;
            o[5] = (int)(unsigned)(pv >> 32);
        }
    }
}

// Philox4x32 with `rounds` rounds of n counters under n keys (Random123's known answers, and
// Java-vs-CUDA draws). counters: (n, 4); keys: (n, 2); out: (n, 4).
extern "C" __global__ void philox_forward(const int* counters, const int* keys, int rounds, int* out, int n) {
    const long long i = global_index_x();
    if (i >= n) return;
    unsigned c[4] = {(unsigned)counters[4 * i], (unsigned)counters[4 * i + 1], (unsigned)counters[4 * i + 2],
                     (unsigned)counters[4 * i + 3]};
    amx_philox(rounds, c, (unsigned)keys[2 * i], (unsigned)keys[2 * i + 1]);
    AMX_NO_UNROLL
    for (int k = 0; k < 4; k++) out[4 * i + k] = (int)c[k];
}
