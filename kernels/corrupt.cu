// kernels/corrupt.cu: the CIFAR-C corruptions that work value by value or pixel by pixel (noises,
// blurs, colour, contrast, pixelate). Launched by corrupt/CorruptionsCuda.java; the CPU reference is
// corrupt/Corruptions.java (with corrupt/Kernels.java), and CorruptionsCudaTest compares the two on
// the same counter-based draws. The whole-image ones (fog, elastic) are in corrupt_field.cu, the
// shared helpers and the random-number contract in corrupt.cuh.
//
// Contract (every kernel here)
// - in, out: (count, 32, 32, 3) uint8, distinct buffers (no aliasing); 0 <= count, count * 3072 < 2^31.
// - One thread per value (count * 3072 threads) or per pixel (count * 1024) as each kernel says, 1-D
//   grid of ceil_div(threads, blockDim.x) blocks, any blockDim.x (the launcher uses 256); no barriers,
//   except corrupt_contrast_forward: one block per image, blockDim.x a power of two <= 256.
// - Each value is computed with the reference's operations in the reference's order (float64, or
//   float32 where NumPy used float32), so the outputs are bit-identical to Corruptions.java apart
//   from the libm last-bit caveat of corrupt.cuh.
// Versions: one each (v1: the literal port; recomputes small neighbourhoods per value instead of
// staging them in shared memory).
#include "corrupt.cuh"

// ---------------------------------------------------------------- noise

// gaussian_noise (kind 0: x + amount * z), speckle_noise (kind 1: x + x * (amount * z)) and
// impulse_noise (kind 2: value j flips with probability amount, to 1 or 0 with even odds).
// z of value j: Box-Muller on draws 2p+1, 2p+2 (p = j / 2), cosine for even j, sine for odd j.
// One thread per value. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_noise_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int kind, double amount) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int j = (int)(g % CR_VALUES);
    const cr_u64 key = cr_image_key(severity_key, first_index, g / CR_VALUES);
    const double x = (double)in[g] / 255.0;
    if (kind == 2) {
        double v = x;
        if (cr_unit(cr_draw(key, 2ull * j + 1)) < amount) v = cr_unit(cr_draw(key, 2ull * j + 2)) < 0.5 ? 1.0 : 0.0;
        out[g] = cr_trunc(v);
        return;
    }
    const cr_u64 p = (cr_u64)(j >> 1);
    const double u1 = (double)((cr_draw(key, 2 * p + 1) >> 11) + 1) * 0x1.0p-53;
    const double u2 = cr_unit(cr_draw(key, 2 * p + 2));
    const double r = sqrt(-2.0 * log(u1)), t = 2.0 * CR_PI * u2;
    const double z = (j & 1) == 0 ? r * cos(t) : r * sin(t);
    out[g] = cr_trunc(kind == 0 ? x + amount * z : x + x * (amount * z));
}

// log(k!) from the table below 1024, Stirling's series above (CounterRng.logFactorial).
__device__ double cr_log_factorial(long long k, const double* table) {
    if (k < 1024) return table[k];
    const double n = k + 1.0;
    const double inv = 1.0 / n, inv2 = inv * inv;
    return (n - 0.5) * log(n) - n + 0.5 * log(2 * CR_PI)
           + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
}

// Poisson(lambda) from a sequential stream: CounterRng.nextPoisson (multiplication method below 10,
// Hoermann's PTRS above), draw for draw.
__device__ long long cr_poisson(cr_stream& r, double lambda, const double* log_factorial) {
    if (lambda == 0) return 0;
    if (lambda < 10) {
        const double limit = exp(-lambda);
        double p = 1.0;
        long long k = 0;
        while (true) {
            p *= r.next();
            if (p <= limit) return k;
            k++;
        }
    }
    const double slam = sqrt(lambda), loglam = log(lambda);
    const double b = 0.931 + 2.53 * slam;
    const double a = -0.059 + 0.02483 * b;
    const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2);
    while (true) {
        const double u = r.next() - 0.5;
        const double v = r.next();
        const double us = 0.5 - fabs(u);
        const double kd = floor((2 * a / us + b) * u + lambda + 0.43);
        // Java's (long) cast saturates; only reachable with u = +-0.5 or v = 0 (probability ~2^-53)
        const long long k = kd >= 0x1p63 ? 0x7fffffffffffffffll : (kd < -0x1p63 ? (-0x7fffffffffffffffll - 1) : (long long)kd);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <= -lambda + k * loglam - cr_log_factorial(k, log_factorial)) return k;
    }
}

// shot_noise: value j = Poisson(x * c) / c, drawn from sub-stream subKey(key, j). One thread per
// value. in, out: (count, 32, 32, 3); log_factorial: 1024 float64 (log k!, k < 1024) as 2048 ints
extern "C" __global__ void corrupt_shot_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int c, const int* log_factorial) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const long long j = g % CR_VALUES;
    const cr_u64 key = cr_image_key(severity_key, first_index, g / CR_VALUES);
    cr_stream r;
    r.key = cr_mix64(key ^ cr_mix64((cr_u64)j * CR_GAMMA + 0x632BE59BD9B4E019ull));  // CounterRng.subKey
    r.counter = 0;
    const double x = (double)in[g] / 255.0;
    out[g] = cr_trunc((double)cr_poisson(r, x * c, cr_doubles(log_factorial)) / c);
}

// ---------------------------------------------------------------- blur

// The effective float32 OpenCV defocus kernels at offsets (0,0), (0,1), (1,1), (0,2), (1,2), per
// severity (Corruptions.DEFOCUS).
__constant__ float cr_defocus_weights[5][5] = {
    {0.84497315f, 0.03712553f, 0.001631182f, 0.f, 0.f},
    {0.61934704f, 0.08381951f, 0.011343737f, 0.f, 0.f},
    {0.44521323f, 0.111014895f, 0.027681809f, 0.f, 0.f},
    {0.2f, 0.19999777f, 1.4906418e-06f, 7.4531954e-07f, 2.7775475e-12f},
    {0.11111111f, 0.11111111f, 0.11111111f, 2.1430555e-23f, 2.1430555e-23f}};

__device__ __forceinline__ float cr_defocus_weight(const float* k, int dy, int dx) {
    const int ay = dy < 0 ? -dy : dy, ax = dx < 0 ? -dx : dx;
    const int a = ay < ax ? ay : ax, b = ay < ax ? ax : ay;
    if (a == 0 && b == 0) return k[0];
    if (a == 0 && b == 1) return k[1];
    if (a == 1 && b == 1) return k[2];
    if (a == 0 && b == 2) return k[3];
    if (a == 1 && b == 2) return k[4];
    return 0.f;
}

// defocus_blur: 5x5 correlation with REFLECT_101 borders, taps in row-major order, float64
// accumulation. One thread per value. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_defocus_forward(const unsigned char* in, unsigned char* out, int count, int severity) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), y = v / 96, x = (v / 3) % CR_SIZE, ch = v % 3;
    const unsigned char* img = in + (g - v);
    const float* k = cr_defocus_weights[severity - 1];
    double acc = 0;
    for (int dy = -2; dy <= 2; dy++) {
        for (int dx = -2; dx <= 2; dx++) {
            const float w = cr_defocus_weight(k, dy, dx);
            if (w == 0.f) continue;
            const int yy = cr_reflect101(y + dy, CR_SIZE), xx = cr_reflect101(x + dx, CR_SIZE);
            acc += (double)w * ((double)img[(yy * CR_SIZE + xx) * 3 + ch] / 255.0);
        }
    }
    out[g] = cr_trunc(acc);
}

// The SciPy 'nearest' Gaussian filter along y (axis 0) at (y, x) of one channel of an 8-bit image
// read as x / 255: SciPy's symmetric summation order (Kernels.gaussian).
__device__ __forceinline__ double cr_gauss_column(const unsigned char* img, int y, int x, int ch, const double* w, int r) {
    double acc = ((double)img[(y * CR_SIZE + x) * 3 + ch] / 255.0) * w[0];
    for (int j = r; j >= 1; j--) {
        const double a = (double)img[(cr_nearest(y - j, CR_SIZE) * CR_SIZE + x) * 3 + ch] / 255.0;
        const double b = (double)img[(cr_nearest(y + j, CR_SIZE) * CR_SIZE + x) * 3 + ch] / 255.0;
        acc += (a + b) * w[j];
    }
    return acc;
}

// gaussian_blur, and the two filters of glass_blur: scipy.ndimage.gaussian_filter (mode 'nearest',
// float64, rows then columns) of x / 255, truncated to uint8. The first pass is recomputed for the
// 2r+1 columns each value needs. One thread per value.
// in, out: (count, 32, 32, 3); weights: r + 1 float64 (centre first) as 2r + 2 ints
extern "C" __global__ void corrupt_gaussian_forward(const unsigned char* in, unsigned char* out, int count, const int* weights, int radius) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), y = v / 96, x = (v / 3) % CR_SIZE, ch = v % 3;
    const unsigned char* img = in + (g - v);
    const double* w = cr_doubles(weights);
    double acc = cr_gauss_column(img, y, x, ch, w, radius) * w[0];
    for (int j = radius; j >= 1; j--) {
        const double a = cr_gauss_column(img, y, cr_nearest(x - j, CR_SIZE), ch, w, radius);
        const double b = cr_gauss_column(img, y, cr_nearest(x + j, CR_SIZE), ch, w, radius);
        acc += (a + b) * w[j];
    }
    out[g] = cr_trunc(acc);
}

// One pass (iteration 0 or 1) of glass_blur's pixel shuffle. The reference walks h = 31..2,
// w = 31..2, drawing dx then dy (each -1 or 0) and copying pixel (h + dy, w + dx) to (h, w); every
// source is still unmodified when read, so each pixel is a gather from the pass's input. Draws of
// (h, w): 2 * (iteration * 900 + (31 - h) * 30 + (31 - w)) + 1 and + 2. One thread per value.
// in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_glass_shuffle_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int iteration) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), h = v / 96, w = (v / 3) % CR_SIZE, ch = v % 3;
    int sh = h, sw = w;
    if (h >= 2 && w >= 2) {
        const cr_u64 key = cr_image_key(severity_key, first_index, g / CR_VALUES);
        const cr_u64 k = 2ull * (cr_u64)(iteration * 900 + (31 - h) * 30 + (31 - w)) + 1;
        sw += -1 + (int)(cr_unit(cr_draw(key, k)) * 2);
        sh += -1 + (int)(cr_unit(cr_draw(key, k + 1)) * 2);
    }
    out[g] = in[(g - v) + (sh * CR_SIZE + sw) * 3 + ch];
}

// motion_blur: ImageMagick's MotionBlurImage with the image's angle (one draw, uniform in
// [-45, 45)): weights[i] for the pixel i steps along the angle (rounded offsets, edge-replicating
// reads), Q16 sum then floor(round(S) / 257). One thread per value.
// in, out: (count, 32, 32, 3); weights: width float64 as 2 * width ints
extern "C" __global__ void corrupt_motion_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, const int* weights, int width) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), y = v / 96, x = (v / 3) % CR_SIZE, ch = v % 3;
    const unsigned char* img = in + (g - v);
    cr_stream r;
    r.key = cr_image_key(severity_key, first_index, g / CR_VALUES);
    r.counter = 0;
    const double angle = r.uniform(-45, 45);
    const double rad = CR_PI * angle / 180.0;
    const double px = width * sin(rad), py = width * cos(rad);
    const double hyp = hypot(px, py);
    const double* k = cr_doubles(weights);
    double s = 0;
    for (int i = 0; i < width; i++) {
        const int ox = (int)ceil((i * py) / hyp - 0.5), oy = (int)ceil((i * px) / hyp - 0.5);
        const int xx = min(max(x + ox, 0), CR_SIZE - 1), yy = min(max(y + oy, 0), CR_SIZE - 1);
        s += k[i] * (257.0 * img[(yy * CR_SIZE + xx) * 3 + ch]);
    }
    long long q = (long long)floor(s + 0.5);
    if (q < 0) q = 0;
    if (q > 65535) q = 65535;
    out[g] = (unsigned char)(q / 257);
}

// zoom_blur: the mean of the image and `zooms` centre zooms (1.00, 1.01, ...) of it, each SciPy's
// order-1 zoom of a centre crop (Kernels.clippedZoom) in float32, accumulated in float32. One thread
// per value. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_zoom_forward(const unsigned char* in, unsigned char* out, int count, int zooms) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), oy = v / 96, ox = (v / 3) % CR_SIZE, ch = v % 3;
    const unsigned char* img = in + (g - v);
    const double d = (1.0 + 0.01) - 1.0;  // NumPy's arange step
    float acc = 0.f;
    for (int i = 0; i < zooms; i++) {
        const double z = 1.0 + i * d;
        const int cs = (int)ceil(CR_SIZE / z);
        const int top = (CR_SIZE - cs) / 2;
        const int n = (int)rint(cs * z);
        const int t = (n - CR_SIZE) / 2;
        const double step = n > 1 ? (double)(cs - 1) / (double)(n - 1) : 0.0;
        const double cy = (oy + t) * step, cx = (ox + t) * step;
        int y0 = (int)floor(cy), x0 = (int)floor(cx);
        double fy = cy - y0, fx = cx - x0;
        if (y0 >= cs - 1) { y0 = cs - 1; fy = 0.0; }
        if (x0 >= cs - 1) { x0 = cs - 1; fx = 0.0; }
        const int y1 = min(y0 + 1, cs - 1), x1 = min(x0 + 1, cs - 1);
        const double wy0 = 1.0 - fy, wx0 = 1.0 - fx;
        const double a00 = (float)((double)img[((top + y0) * CR_SIZE + top + x0) * 3 + ch] / 255.0);
        const double a01 = (float)((double)img[((top + y0) * CR_SIZE + top + x1) * 3 + ch] / 255.0);
        const double a10 = (float)((double)img[((top + y1) * CR_SIZE + top + x0) * 3 + ch] / 255.0);
        const double a11 = (float)((double)img[((top + y1) * CR_SIZE + top + x1) * 3 + ch] / 255.0);
        double s = 0.0;
        s += a00 * wy0 * wx0;
        s += a01 * wy0 * fx;
        s += a10 * fy * wx0;
        s += a11 * fy * fx;
        acc += (float)s;
    }
    const float x = (float)((double)in[g] / 255.0);
    out[g] = cr_trunc_f((x + acc) / (float)(zooms + 1));
}

// ---------------------------------------------------------------- colour

// brightness (mode 0: V = clip(V + a, 0, 1)) and saturate (mode 1: S = clip(S * a + b, 0, 1)) in
// scikit-image's HSV, float64. One thread per pixel. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_hsv_forward(const unsigned char* in, unsigned char* out, int count, int mode, double a, double b) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_PIXELS) return;
    const unsigned char* px = in + 3 * g;
    const double r = (double)px[0] / 255.0, gr = (double)px[1] / 255.0, bl = (double)px[2] / 255.0;
    // rgb2hsv
    const double v = fmax(r, fmax(gr, bl)), mn = fmin(r, fmin(gr, bl));
    const double delta = v - mn;
    double s = delta == 0 ? 0.0 : delta / v, hh = 0.0;
    if (delta != 0) {
        double t = 0;
        if (r == v) t = (gr - bl) / delta;
        if (gr == v) t = 2.0 + (bl - r) / delta;
        if (bl == v) t = 4.0 + (r - gr) / delta;
        hh = fmod(t / 6.0, 1.0);
        if (hh < 0) hh += 1.0;
    }
    double val = v;
    if (mode == 0) val = fmin(fmax(val + a, 0.0), 1.0);
    else s = fmin(fmax(s * a + b, 0.0), 1.0);
    // hsv2rgb
    const double hi = floor(hh * 6);
    const double f = hh * 6 - hi;
    const double pp = val * (1 - s), q = val * (1 - f * s), tt = val * (1 - (1 - f) * s);
    int i = ((int)hi) % 6;
    if (i < 0) i += 6;
    double o0, o1, o2;
    switch (i) {
        case 0: o0 = val; o1 = tt; o2 = pp; break;
        case 1: o0 = q; o1 = val; o2 = pp; break;
        case 2: o0 = pp; o1 = val; o2 = tt; break;
        case 3: o0 = pp; o1 = q; o2 = val; break;
        case 4: o0 = tt; o1 = pp; o2 = val; break;
        default: o0 = val; o1 = pp; o2 = q; break;
    }
    out[3 * g] = cr_trunc(o0);
    out[3 * g + 1] = cr_trunc(o1);
    out[3 * g + 2] = cr_trunc(o2);
}

// contrast: (x - mean) * c + mean per channel, the mean summed sequentially over the pixels in
// float64 as NumPy's mean(axis=(0,1)) does here. One block per image (threads 0..2 sum one channel
// each from shared memory), blockDim.x <= 256. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_contrast_forward(const unsigned char* in, unsigned char* out, int count, double c) {
    __shared__ unsigned char img[CR_VALUES];
    __shared__ double mean[3];
    const long long base = (long long)blockIdx.x * CR_VALUES;
    if ((int)blockIdx.x >= count) return;
    for (int v = threadIdx.x; v < CR_VALUES; v += blockDim.x) img[v] = in[base + v];
    __syncthreads();
    if (threadIdx.x < 3) {
        double sum = 0;
        for (int p = 0; p < CR_PIXELS; p++) sum += (double)img[3 * p + threadIdx.x] / 255.0;
        mean[threadIdx.x] = sum / CR_PIXELS;
    }
    __syncthreads();
    for (int v = threadIdx.x; v < CR_VALUES; v += blockDim.x) {
        const double m = mean[v % 3];
        out[base + v] = cr_trunc(((double)img[v] / 255.0 - m) * c + m);
    }
}

// ---------------------------------------------------------------- pixelate

// One tap row of Pillow's fixed-point BOX resample (22 fractional bits), clipped to 8 bits.
#define CR_BOX_ROW 6
__device__ __forceinline__ int cr_box_clip(long long ss) {
    const long long v = ss >> 22;
    return v < 0 ? 0 : (v > 255 ? 255 : (int)v);
}

// pixel of the 32 -> size horizontal pass, at (row, col) of the 32 x size intermediate
__device__ __forceinline__ int cr_box_h_down(const unsigned char* img, const int* down, int row, int col, int ch) {
    const int* k = down + col * CR_BOX_ROW;
    long long ss = 1ll << 21;
    for (int t = 0; t < k[1]; t++) ss += (long long)img[(row * CR_SIZE + k[0] + t) * 3 + ch] * k[2 + t];
    return cr_box_clip(ss);
}

// pixel (row, col) of the size x size image (vertical pass of the down-sampling)
__device__ __forceinline__ int cr_box_small(const unsigned char* img, const int* down, int row, int col, int ch) {
    const int* k = down + row * CR_BOX_ROW;
    long long ss = 1ll << 21;
    for (int t = 0; t < k[1]; t++) ss += (long long)cr_box_h_down(img, down, k[0] + t, col, ch) * k[2 + t];
    return cr_box_clip(ss);
}

// pixelate: Pillow resize to size x size with BOX, then back to 32 x 32 with BOX, each resize
// horizontal pass first, 8-bit between passes (Kernels.boxResize); recomputed per value. One thread
// per value. in, out: (count, 32, 32, 3); table: down (size rows) then up (32 rows) coefficient
// rows of [xmin, taps, w0..w3] (Kernels.boxTable), 6 * (size + 32) ints
extern "C" __global__ void corrupt_pixelate_forward(const unsigned char* in, unsigned char* out, int count, int size, const int* table) {
    const long long g = global_index_x();
    if (g >= (long long)count * CR_VALUES) return;
    const int v = (int)(g % CR_VALUES), y = v / 96, x = (v / 3) % CR_SIZE, ch = v % 3;
    const unsigned char* img = in + (g - v);
    const int* down = table;
    const int* up = table + size * CR_BOX_ROW;
    const int* ky = up + y * CR_BOX_ROW;
    const int* kx = up + x * CR_BOX_ROW;
    long long sv = 1ll << 21;
    for (int a = 0; a < ky[1]; a++) {
        long long sh = 1ll << 21;
        for (int b = 0; b < kx[1]; b++) sh += (long long)cr_box_small(img, down, ky[0] + a, kx[0] + b, ch) * kx[2 + b];
        sv += (long long)cr_box_clip(sh) * ky[2 + a];
    }
    out[g] = (unsigned char)cr_box_clip(sv);
}
