// kernels/corrupt_field.cu: the CIFAR-C corruptions that need a whole image at once: fog (plasma
// fractal) and elastic_transform (affine jitter plus a smoothed random displacement field).
// Launched by corrupt/CorruptionsCuda.java; CPU reference corrupt/Corruptions.java with
// corrupt/Kernels.java (plasma, affineFromPoints, warpAffine, gaussian, displace);
// CorruptionsCudaTest compares them on the same draws. Helpers and the random-number contract:
// corrupt.cuh.
//
// Contract (both kernels)
// - in, out: (count, 32, 32, 3) uint8, distinct buffers; one block per image (grid = count),
//   blockDim.x a power of two between 32 and 256 (the launcher uses 128).
// - Draws in the reference's sequential order, addressed by counter, so the work can be spread over
//   the block; only +, -, *, /, floor, rint, min/max feed the outputs: bit-identical to Java.
// Versions: one each (v1, shared memory, barriers between the dependent stages).
#include "corrupt.cuh"

#define CR_MAX_BLOCK 256

// Minimum (is_max false) or maximum of v over the block; every thread gets it. red: CR_MAX_BLOCK
// doubles of shared memory. Exact in any order (no rounding), so it equals the sequential loop.
__device__ __forceinline__ double cr_block_extreme(double v, bool is_max, double* red) {
    red[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int)threadIdx.x < s) {
            const double o = red[threadIdx.x + s];
            red[threadIdx.x] = is_max ? (o > red[threadIdx.x] ? o : red[threadIdx.x]) : (o < red[threadIdx.x] ? o : red[threadIdx.x]);
        }
        __syncthreads();
    }
    const double r = red[0];
    __syncthreads();
    return r;
}

// ---------------------------------------------------------------- fog

// fog: x = (x + t * plasma) * max(x) / (max(x) + t) with the 32x32 diamond-square plasma fractal
// (wibble decay `decay`) normalised to [0, 1] (Kernels.plasma). Draws per step (n = 32 / step
// cells): the n*n square centres, then the n*n (i*s, j*s + s/2) diamonds, then the n*n
// (i*s + s/2, j*s) ones, row-major; 1023 in all. One block per image. in, out: (count, 32, 32, 3)
extern "C" __global__ void corrupt_fog_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, double t, double decay) {
    __shared__ double a[CR_PIXELS];
    __shared__ double d1[CR_PIXELS / 4], d2[CR_PIXELS / 4];
    __shared__ double red[CR_MAX_BLOCK];
    if ((int)blockIdx.x >= count) return;
    const int tid = threadIdx.x, nt = blockDim.x, m = CR_SIZE;
    const cr_u64 key = cr_image_key(severity_key, first_index, blockIdx.x);
    for (int p = tid; p < CR_PIXELS; p += nt) a[p] = 0.0;
    __syncthreads();
    double wibble = 100;
    cr_u64 drawn = 0;
    for (int step = m; step >= 2; step /= 2) {
        const int n = m / step, hs = step / 2, nn = n * n;
        const double lo = -wibble, hi = wibble;
        for (int q = tid; q < nn; q += nt) {  // squares
            const int i = q / n, j = q % n, i1 = (i + 1) % n, j1 = (j + 1) % n;
            const double sum = (a[(i * step) * m + j * step] + a[(i1 * step) * m + j * step])
                               + (a[(i * step) * m + j1 * step] + a[(i1 * step) * m + j1 * step]);
            a[(i * step + hs) * m + j * step + hs] = sum / 4 + wibble * (lo + (hi - lo) * cr_unit(cr_draw(key, drawn + 1 + q)));
        }
        __syncthreads();
        for (int q = tid; q < nn; q += nt) {  // diamonds
            const int i = q / n, j = q % n, i1 = (i + 1) % n, j1 = (j + 1) % n;
            const int im = (i - 1 + n) % n, jm = (j - 1 + n) % n;
            const double ldr = a[(i * step + hs) * m + j * step + hs] + a[(im * step + hs) * m + j * step + hs];
            const double lul = a[(i * step) * m + j * step] + a[(i * step) * m + j1 * step];
            d1[q] = (ldr + lul) / 4 + wibble * (lo + (hi - lo) * cr_unit(cr_draw(key, drawn + nn + 1 + q)));
            const double tdr = a[(i * step + hs) * m + j * step + hs] + a[(i * step + hs) * m + jm * step + hs];
            const double tul = a[(i * step) * m + j * step] + a[(i1 * step) * m + j * step];
            d2[q] = (tdr + tul) / 4 + wibble * (lo + (hi - lo) * cr_unit(cr_draw(key, drawn + 2 * nn + 1 + q)));
        }
        __syncthreads();
        for (int q = tid; q < nn; q += nt) {
            const int i = q / n, j = q % n;
            a[(i * step) * m + j * step + hs] = d1[q];
            a[(i * step + hs) * m + j * step] = d2[q];
        }
        __syncthreads();
        drawn += 3 * (cr_u64)nn;
        wibble /= decay;
    }
    double local = a[tid];
    for (int p = tid + nt; p < CR_PIXELS; p += nt) local = a[p] < local ? a[p] : local;
    const double mn = cr_block_extreme(local, false, red);
    local = 0;
    for (int p = tid; p < CR_PIXELS; p += nt) {
        a[p] -= mn;
        local = a[p] > local ? a[p] : local;
    }
    const double mx = cr_block_extreme(local, true, red);
    for (int p = tid; p < CR_PIXELS; p += nt) a[p] /= mx;
    const long long base = (long long)blockIdx.x * CR_VALUES;
    local = 0;
    for (int v = tid; v < CR_VALUES; v += nt) {
        const double x = (double)in[base + v] / 255.0;
        local = x > local ? x : local;
    }
    const double mxx = cr_block_extreme(local, true, red);  // also orders a[] /= mx before the reads below
    for (int v = tid; v < CR_VALUES; v += nt) {
        const double x = (double)in[base + v] / 255.0;
        out[base + v] = cr_trunc((x + t * a[v / 3]) * mxx / (mxx + t));
    }
}

// ---------------------------------------------------------------- elastic_transform

// cv::getAffineTransform by Gaussian elimination with partial pivoting, then its inverse
// (Kernels.affineFromPoints, Kernels.invertAffine). src, dst: 3 points (x, y); mi: 2x3 inverse.
__device__ void cr_affine_inverse(const double* src, const double* dst, double* mi) {
    double a[6][7];
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < 7; c++) a[r][c] = 0.0;
    for (int i = 0; i < 3; i++) {
        const int j = i * 2, k = i * 2 + 1;
        a[j][0] = src[2 * i]; a[j][1] = src[2 * i + 1]; a[j][2] = 1; a[j][6] = dst[2 * i];
        a[k][3] = src[2 * i]; a[k][4] = src[2 * i + 1]; a[k][5] = 1; a[k][6] = dst[2 * i + 1];
    }
    for (int col = 0; col < 6; col++) {
        int piv = col;
        for (int r = col + 1; r < 6; r++) if (fabs(a[r][col]) > fabs(a[piv][col])) piv = r;
        if (piv != col) {
            for (int c = 0; c < 7; c++) {
                const double tmp = a[col][c];
                a[col][c] = a[piv][c];
                a[piv][c] = tmp;
            }
        }
        for (int r = col + 1; r < 6; r++) {
            const double f = a[r][col] / a[col][col];
            for (int c = col; c < 7; c++) a[r][c] -= f * a[col][c];
        }
    }
    double m[6];
    for (int r = 5; r >= 0; r--) {
        double s = a[r][6];
        for (int c = r + 1; c < 6; c++) s -= a[r][c] * m[c];
        m[r] = s / a[r][r];
    }
    double det = m[0] * m[4] - m[1] * m[3];
    det = det != 0 ? 1.0 / det : 0.0;
    const double a11 = m[4] * det, a22 = m[0] * det, a12 = -m[1] * det, a21 = -m[3] * det;
    mi[0] = a11;
    mi[1] = a12;
    mi[2] = -a11 * m[2] - a12 * m[5];
    mi[3] = a21;
    mi[4] = a22;
    mi[5] = -a21 * m[2] - a22 * m[5];
}

// One axis of SciPy's 'reflect' Gaussian filter of a 32x32 float64 field (Kernels.gaussian):
// along y (vertical true) or x, from src into dst.
__device__ __forceinline__ void cr_field_filter(const double* src, double* dst, const double* w, int r, bool vertical) {
    for (int p = threadIdx.x; p < CR_PIXELS; p += blockDim.x) {
        const int y = p / CR_SIZE, x = p % CR_SIZE;
        double acc = src[p] * w[0];
        for (int j = r; j >= 1; j--) {
            const double a = vertical ? src[cr_reflect(y - j, CR_SIZE) * CR_SIZE + x] : src[y * CR_SIZE + cr_reflect(x - j, CR_SIZE)];
            const double b = vertical ? src[cr_reflect(y + j, CR_SIZE) * CR_SIZE + x] : src[y * CR_SIZE + cr_reflect(x + j, CR_SIZE)];
            acc += (a + b) * w[j];
        }
        dst[p] = acc;
    }
}

// elastic_transform: cv::warpAffine (fixed-point 1/32-pixel bilinear, REFLECT_101) with the three
// reference points jittered by uniform(-affine, affine) (draws 1-6), then
// map_coordinates(order=1, mode='reflect') displaced by alpha * Gaussian-smoothed uniform(-1, 1)
// fields dx (draws 7-1030) and dy (draws 1031-2054), float32 results. One block per image.
// in, out: (count, 32, 32, 3); weights: radius + 1 float64 (centre first) as 2 * radius + 2 ints
extern "C" __global__ void corrupt_elastic_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, double alpha, double affine, const int* weights, int radius) {
    __shared__ double fx[CR_PIXELS], fy[CR_PIXELS], tmp[CR_PIXELS];
    __shared__ float warped[CR_VALUES];
    __shared__ double mi[6];
    if ((int)blockIdx.x >= count) return;
    const int tid = threadIdx.x, nt = blockDim.x;
    const cr_u64 key = cr_image_key(severity_key, first_index, blockIdx.x);
    const long long base = (long long)blockIdx.x * CR_VALUES;
    if (tid == 0) {
        const float pts[6] = {26.f, 26.f, 26.f, 6.f, 6.f, 6.f};
        double src[6], dst[6];
        cr_stream r;
        r.key = key;
        r.counter = 0;
        for (int i = 0; i < 6; i++) {
            src[i] = pts[i];
            dst[i] = pts[i] + (float)r.uniform(-affine, affine);
        }
        cr_affine_inverse(src, dst, mi);
    }
    for (int p = tid; p < CR_PIXELS; p += nt) {
        fx[p] = -1.0 + (1.0 - -1.0) * cr_unit(cr_draw(key, 7 + (cr_u64)p));
        fy[p] = -1.0 + (1.0 - -1.0) * cr_unit(cr_draw(key, 7 + CR_PIXELS + (cr_u64)p));
    }
    __syncthreads();
    // warpAffine of x / 255 (float32)
    for (int p = tid; p < CR_PIXELS; p += nt) {
        const int y = p / CR_SIZE, x = p % CR_SIZE;
        const int x0 = (int)rint((mi[1] * y + mi[2]) * 1024) + 16;
        const int y0 = (int)rint((mi[4] * y + mi[5]) * 1024) + 16;
        const int X = (x0 + (int)rint(mi[0] * x * 1024)) >> 5;
        const int Y = (y0 + (int)rint(mi[3] * x * 1024)) >> 5;
        const int sx = X >> 5, sy = Y >> 5;
        const float wx = (X & 31) * (1.0f / 32), wy = (Y & 31) * (1.0f / 32);
        const float w00 = (1.0f - wy) * (1.0f - wx), w01 = (1.0f - wy) * wx, w10 = wy * (1.0f - wx), w11 = wy * wx;
        const int xa = cr_reflect101(sx, CR_SIZE), xb = cr_reflect101(sx + 1, CR_SIZE);
        const int ya = cr_reflect101(sy, CR_SIZE), yb = cr_reflect101(sy + 1, CR_SIZE);
        for (int ch = 0; ch < 3; ch++) {
            const float s00 = (float)in[base + (ya * CR_SIZE + xa) * 3 + ch] / 255.f;
            const float s01 = (float)in[base + (ya * CR_SIZE + xb) * 3 + ch] / 255.f;
            const float s10 = (float)in[base + (yb * CR_SIZE + xa) * 3 + ch] / 255.f;
            const float s11 = (float)in[base + (yb * CR_SIZE + xb) * 3 + ch] / 255.f;
            warped[p * 3 + ch] = s00 * w00 + s01 * w01 + s10 * w10 + s11 * w11;
        }
    }
    // the displacement fields: Gaussian filter (rows, then columns), times alpha, rounded to float32
    const double* w = cr_doubles(weights);
    cr_field_filter(fx, tmp, w, radius, true);
    __syncthreads();
    cr_field_filter(tmp, fx, w, radius, false);
    __syncthreads();
    cr_field_filter(fy, tmp, w, radius, true);
    __syncthreads();
    cr_field_filter(tmp, fy, w, radius, false);
    __syncthreads();
    for (int p = tid; p < CR_PIXELS; p += nt) {
        const int y = p / CR_SIZE, x = p % CR_SIZE;
        const double cy = y + (double)(float)(fy[p] * alpha), cx = x + (double)(float)(fx[p] * alpha);
        const int y0 = (int)floor(cy), x0 = (int)floor(cx);
        const double ry = cy - y0, rx = cx - x0;
        const int ya = cr_reflect(y0, CR_SIZE), yb = cr_reflect(y0 + 1, CR_SIZE);
        const int xa = cr_reflect(x0, CR_SIZE), xb = cr_reflect(x0 + 1, CR_SIZE);
        const double wy0 = 1.0 - ry, wx0 = 1.0 - rx;
        for (int ch = 0; ch < 3; ch++) {
            double v = 0.0;
            v += (double)warped[(ya * CR_SIZE + xa) * 3 + ch] * wy0 * wx0;
            v += (double)warped[(ya * CR_SIZE + xb) * 3 + ch] * wy0 * rx;
            v += (double)warped[(yb * CR_SIZE + xa) * 3 + ch] * ry * wx0;
            v += (double)warped[(yb * CR_SIZE + xb) * 3 + ch] * ry * rx;
            out[base + p * 3 + ch] = cr_trunc_f((float)v);
        }
    }
}
