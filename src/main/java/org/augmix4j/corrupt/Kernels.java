package org.augmix4j.corrupt;

/**
 * Image-processing building blocks with the semantics of the libraries the original CIFAR-10-C
 * generator called (SciPy, OpenCV, ImageMagick), on small interleaved HWC arrays. Each section
 * names the function it reproduces.
 */
final class Kernels {
    private Kernels() {}

    // ------------------------------------------------------------------ Gaussian filter (skimage.filters.gaussian -> scipy.ndimage.gaussian_filter)

    /** Correctly rounded SciPy Gaussian weights (centre..edge) for the gaussian_blur sigmas, truncate 4. */
    private static final double[] W04 = {0x1.d6a3bb0b987e5p-1, 0x1.4adaf8877b346p-5, 0x1.cbc6f0363e1f1p-19};
    private static final double[] W06 = {0x1.53dffefe63382p-1, 0x1.52fe8b43e1330p-3, 0x1.505dafd617359p-9};
    private static final double[] W07 = {0x1.23c2d39adde1dp-1, 0x1.a4a892b55c7f0p-3, 0x1.3b3170a27df78p-7,
            0x1.eaf0abfddfc57p-15};
    /** SciPy <= 1.2 value of w3 (the 2019 generator's); SciPy >= 1.3 gives 0x1.ce27258cea946p-12. */
    private static final double[] W08 = {0x1.fea50a329ccc5p-2, 0x1.d39491a41f9e1p-3, 0x1.66fa84b3e9043p-6,
            0x1.ce27258cea94dp-12};
    private static final double[] W10 = {0x1.9884a307594fbp-2, 0x1.ef8eb9ad499bap-3, 0x1.ba4b99d1799abp-5,
            0x1.22724cb7eb269p-8, 0x1.18a9c4fd536c6p-13};

    /**
     * Half of a normalised symmetric Gaussian kernel (index 0 = centre) with radius
     * {@code (int)(truncate*sigma + 0.5)}, as scipy.ndimage computes it; an empty-radius kernel {1}
     * is the identity.
     */
    static double[] gaussianWeights(double sigma, double truncate) {
        if (truncate == 4.0) {
            if (sigma == 0.4) return W04;
            if (sigma == 0.6) return W06;
            if (sigma == 0.7) return W07;
            if (sigma == 0.8) return W08;
            if (sigma == 1.0) return W10;
        }
        if (sigma <= 1e-15) return new double[] {1.0};
        int r = (int) (truncate * sigma + 0.5);
        double c = -0.5 / (sigma * sigma);
        double[] full = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            full[i + r] = Math.exp(c * (double) (i * i));
            sum += full[i + r];
        }
        double[] half = new double[r + 1];
        for (int i = 0; i <= r; i++) half[i] = full[i + r] / sum;
        return half;
    }

    /** Border modes of the 1-D correlations. */
    static final int NEAREST = 0, REFLECT = 1;

    private static int border(int i, int n, int mode) {
        if (i >= 0 && i < n) return i;
        if (mode == NEAREST) return i < 0 ? 0 : n - 1;
        // half-sample symmetric (scipy 'reflect'): -1 -> 0, n -> n-1; period 2n
        int p = 2 * n;
        i %= p;
        if (i < 0) i += p;
        return i < n ? i : p - 1 - i;
    }

    /**
     * In-place separable Gaussian filter over the two spatial axes of an h x w x c array (rows
     * first, then columns, as scipy.ndimage.gaussian_filter with the channel sigma 0), SciPy's
     * symmetric summation order. {@code f32} rounds the intermediate and the result to float32
     * (a float32 input).
     */
    static void gaussian(double[] a, int h, int w, int c, double[] wt, int mode, boolean f32) {
        int r = wt.length - 1;
        if (r == 0) {
            if (wt[0] != 1.0) for (int i = 0; i < a.length; i++) a[i] *= wt[0];
            return;
        }
        int n = Math.max(h, w);
        double[] pad = new double[n + 2 * r];
        // axis 0: along y
        for (int x = 0; x < w; x++) {
            for (int ch = 0; ch < c; ch++) {
                for (int y = 0; y < h; y++) pad[r + y] = a[(y * w + x) * c + ch];
                padBorders(pad, r, h, mode);
                for (int y = 0; y < h; y++) {
                    int q = r + y;
                    double acc = pad[q] * wt[0];
                    for (int j = r; j >= 1; j--) acc += (pad[q - j] + pad[q + j]) * wt[j];
                    a[(y * w + x) * c + ch] = f32 ? (float) acc : acc;
                }
            }
        }
        // axis 1: along x
        for (int y = 0; y < h; y++) {
            for (int ch = 0; ch < c; ch++) {
                for (int x = 0; x < w; x++) pad[r + x] = a[(y * w + x) * c + ch];
                padBorders(pad, r, w, mode);
                for (int x = 0; x < w; x++) {
                    int q = r + x;
                    double acc = pad[q] * wt[0];
                    for (int j = r; j >= 1; j--) acc += (pad[q - j] + pad[q + j]) * wt[j];
                    a[(y * w + x) * c + ch] = f32 ? (float) acc : acc;
                }
            }
        }
    }

    /**
     * As {@link #gaussian} with a kernel per axis ({@code wy} along y, then {@code wx} along x), what
     * scipy.ndimage.gaussian_filter does for a sigma per axis; each axis with a one-tap kernel {1} is skipped.
     */
    static void gaussian(double[] a, int h, int w, int c, double[] wy, double[] wx, int mode, boolean f32) {
        int r = Math.max(wy.length, wx.length) - 1;
        double[] pad = new double[Math.max(h, w) + 2 * r];
        if (wy.length > 1 || wy[0] != 1.0) {
            int ry = wy.length - 1;
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int y = 0; y < h; y++) pad[ry + y] = a[(y * w + x) * c + ch];
                    padBorders(pad, ry, h, mode);
                    for (int y = 0; y < h; y++) {
                        int q = ry + y;
                        double acc = pad[q] * wy[0];
                        for (int j = ry; j >= 1; j--) acc += (pad[q - j] + pad[q + j]) * wy[j];
                        a[(y * w + x) * c + ch] = f32 ? (float) acc : acc;
                    }
                }
            }
        }
        if (wx.length > 1 || wx[0] != 1.0) {
            int rx = wx.length - 1;
            for (int y = 0; y < h; y++) {
                for (int ch = 0; ch < c; ch++) {
                    for (int x = 0; x < w; x++) pad[rx + x] = a[(y * w + x) * c + ch];
                    padBorders(pad, rx, w, mode);
                    for (int x = 0; x < w; x++) {
                        int q = rx + x;
                        double acc = pad[q] * wx[0];
                        for (int j = rx; j >= 1; j--) acc += (pad[q - j] + pad[q + j]) * wx[j];
                        a[(y * w + x) * c + ch] = f32 ? (float) acc : acc;
                    }
                }
            }
        }
    }

    /** Fills the r cells on each side of pad[r .. r+n) by the border rule. */
    private static void padBorders(double[] pad, int r, int n, int mode) {
        for (int i = 1; i <= r; i++) {
            pad[r - i] = pad[r + border(-i, n, mode)];
            pad[r + n - 1 + i] = pad[r + border(n - 1 + i, n, mode)];
        }
    }

    // ------------------------------------------------------------------ clipped_zoom (make_cifar_c.py; scipy.ndimage.zoom, order 1)

    /**
     * MC's clipped_zoom of a square h x h x c array: centre crop ceil(h/z), SciPy order-1
     * (corner-aligned) zoom to round-half-even(ch*z), then rows/cols [t, t+h) with t = (n-h)/2.
     * {@code f32}: the array is float32 (values and result rounded to float).
     */
    static double[] clippedZoom(double[] a, int h, int c, double z, boolean f32) {
        return clippedZoom(a, h, h, c, z, f32);
    }

    /**
     * The same per axis for an h x w x c array (SciPy's zoom maps each axis on its own): centre crop
     * ceil(h/z) x ceil(w/z), order-1 zoom to round(ch*z) x round(cw*z), the centred h x w window.
     * For h == w it is the square version above, operation for operation.
     */
    static double[] clippedZoom(double[] a, int h, int w, int c, double z, boolean f32) {
        int chh = (int) Math.ceil(h / z), chw = (int) Math.ceil(w / z);
        int top = (h - chh) / 2, left = (w - chw) / 2;
        int[] iy = new int[h], ix = new int[w];
        double[] fy = new double[h], fx = new double[w];
        zoomAxis(h, chh, z, iy, fy);
        zoomAxis(w, chw, z, ix, fx);
        double[] out = new double[h * w * c];
        for (int oy = 0; oy < h; oy++) {
            int y0 = iy[oy], y1 = Math.min(y0 + 1, chh - 1);
            double wy1 = fy[oy], wy0 = 1.0 - wy1;
            for (int ox = 0; ox < w; ox++) {
                int x0 = ix[ox], x1 = Math.min(x0 + 1, chw - 1);
                double wx1 = fx[ox], wx0 = 1.0 - wx1;
                int b00 = ((top + y0) * w + left + x0) * c, b01 = ((top + y0) * w + left + x1) * c;
                int b10 = ((top + y1) * w + left + x0) * c, b11 = ((top + y1) * w + left + x1) * c;
                for (int k = 0; k < c; k++) {
                    double v = 0.0;
                    v += a[b00 + k] * wy0 * wx0;
                    v += a[b01 + k] * wy0 * wx1;
                    v += a[b10 + k] * wy1 * wx0;
                    v += a[b11 + k] * wy1 * wx1;
                    out[(oy * w + ox) * c + k] = f32 ? (float) v : v;
                }
            }
        }
        return out;
    }

    /** One axis of clippedZoom: source index and fraction of the n output cells of a crop of ch cells. */
    private static void zoomAxis(int n0, int ch, double z, int[] i0, double[] w1) {
        int n = (int) Math.rint(ch * z);
        int t = (n - n0) / 2;
        double step = n > 1 ? (double) (ch - 1) / (double) (n - 1) : 0.0;
        for (int k = 0; k < n0; k++) {
            double cc = (k + t) * step;
            int s = (int) Math.floor(cc);
            double f = cc - s;
            if (s >= ch - 1) { s = ch - 1; f = 0.0; }
            i0[k] = s;
            w1[k] = f;
        }
    }

    // ------------------------------------------------------------------ ImageMagick motion blur (MagickCore/effect.c MotionBlurImage)

    /**
     * ImageMagick 6 {@code MotionBlurImage(radius, sigma, angle)} on an 8-bit h x w x c image
     * (values 0..255 in {@code src}), one-sided Gaussian line kernel, edge-replicating reads,
     * Q16 quantisation then 8-bit output = floor(round(257*S)/257).
     */
    static void motionBlur(int[] src, int[] dst, int h, int w, int c, double radius, double sigma, double angleDeg) {
        double[] k = motionKernel(radius, sigma);
        int width = k.length;
        double rad = Math.PI * angleDeg / 180.0;
        double px = width * Math.sin(rad), py = width * Math.cos(rad);
        double hyp = Math.hypot(px, py);
        int[] ox = new int[width], oy = new int[width];
        for (int i = 0; i < width; i++) {
            ox[i] = (int) Math.ceil((i * py) / hyp - 0.5);
            oy[i] = (int) Math.ceil((i * px) / hyp - 0.5);
        }
        int[][] xs = new int[width][w], ys = new int[width][h];
        for (int i = 0; i < width; i++) {
            for (int x = 0; x < w; x++) xs[i][x] = Math.min(Math.max(x + ox[i], 0), w - 1);
            for (int y = 0; y < h; y++) ys[i][y] = Math.min(Math.max(y + oy[i], 0), h - 1) * w;
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < c; ch++) {
                    double s = 0;
                    for (int i = 0; i < width; i++) s += k[i] * (257.0 * src[(ys[i][y] + xs[i][x]) * c + ch]);
                    long q = (long) Math.floor(s + 0.5);
                    if (q < 0) q = 0;
                    if (q > 65535) q = 65535;
                    dst[(y * w + x) * c + ch] = (int) (q / 257);
                }
            }
        }
    }

    /**
     * The normalised one-sided Gaussian line kernel of {@link #motionBlur}: width
     * {@code 2 * ceil(radius) + 1}, weight i for the pixel i steps along the blur direction.
     */
    static double[] motionKernel(double radius, double sigma) {
        int width = 2 * (int) Math.ceil(radius) + 1;
        double[] k = new double[width];
        double norm = 0;
        double sq2pi = 2.50662827463100024161235523934010416269302368164062;
        for (int i = 0; i < width; i++) {
            k[i] = Math.exp(-((double) i * i) / (2.0 * sigma * sigma)) / (sq2pi * sigma);
            norm += k[i];
        }
        for (int i = 0; i < width; i++) k[i] /= norm;
        return k;
    }

    // ------------------------------------------------------------------ skimage HSV (skimage.color rgb2hsv / hsv2rgb)

    /** rgb (0..1 doubles) -> hsv in place, skimage semantics, for {@code n} pixels. */
    static void rgb2hsv(double[] a, int n) {
        for (int p = 0; p < n; p++) {
            double r = a[3 * p], g = a[3 * p + 1], b = a[3 * p + 2];
            double v = Math.max(r, Math.max(g, b));
            double mn = Math.min(r, Math.min(g, b));
            double d = v - mn;
            double s = d == 0 ? 0.0 : d / v;
            double hh = 0.0;
            if (d != 0) {
                double t = 0;
                if (r == v) t = (g - b) / d;
                if (g == v) t = 2.0 + (b - r) / d;
                if (b == v) t = 4.0 + (r - g) / d;
                hh = (t / 6.0) % 1.0;
                if (hh < 0) hh += 1.0;
            }
            a[3 * p] = hh;
            a[3 * p + 1] = s;
            a[3 * p + 2] = v;
        }
    }

    /** hsv -> rgb in place, skimage semantics. */
    static void hsv2rgb(double[] a, int n) {
        for (int p = 0; p < n; p++) {
            double hh = a[3 * p], s = a[3 * p + 1], v = a[3 * p + 2];
            double hi = Math.floor(hh * 6);
            double f = hh * 6 - hi;
            double pp = v * (1 - s);
            double q = v * (1 - f * s);
            double t = v * (1 - (1 - f) * s);
            int i = ((int) hi) % 6;
            if (i < 0) i += 6;
            double r, g, b;
            switch (i) {
                case 0: r = v; g = t; b = pp; break;
                case 1: r = q; g = v; b = pp; break;
                case 2: r = pp; g = v; b = t; break;
                case 3: r = pp; g = q; b = v; break;
                case 4: r = t; g = pp; b = v; break;
                default: r = v; g = pp; b = q; break;
            }
            a[3 * p] = r;
            a[3 * p + 1] = g;
            a[3 * p + 2] = b;
        }
    }

    // ------------------------------------------------------------------ Pillow BOX resize (libImaging/Resample.c)

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Fixed-point coefficients of Pillow's BOX filter for in -> out: [out][bounds(2) + weights]. */
    private static int[][] boxCoeffs(int in, int out, int[] xmins, int[] xsizes) {
        double scale = (double) in / out;
        double filterscale = Math.max(scale, 1.0);
        double support = 0.5 * filterscale;
        int[][] kk = new int[out][];
        for (int xx = 0; xx < out; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > in) xmax = in;
            xmax -= xmin;
            double[] k = new double[xmax];
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double arg = (x + xmin - center + 0.5) * ss;
                double wv = (arg > -0.5 && arg <= 0.5) ? 1.0 : 0.0;
                k[x] = wv;
                ww += wv;
            }
            int[] ik = new int[xmax];
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0 ? k[x] / ww : k[x];
                ik[x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            kk[xx] = ik;
            xmins[xx] = xmin;
            xsizes[xx] = xmax;
        }
        return kk;
    }

    /** Most taps of one BOX coefficient row at the CIFAR pixelate sizes (checked by {@link #boxTable}). */
    static final int BOX_TAPS = 4;

    /**
     * The BOX coefficients of an {@code in -> out} resize as a flat table for the GPU: per output
     * index {@code [xmin, taps, w0, w1, w2, w3]} (unused weights 0), {@code 2 + BOX_TAPS} ints each.
     */
    static int[] boxTable(int in, int out) {
        int[] xmin = new int[out], xsz = new int[out];
        int[][] k = boxCoeffs(in, out, xmin, xsz);
        int[] t = new int[out * (2 + BOX_TAPS)];
        for (int o = 0; o < out; o++) {
            if (xsz[o] > BOX_TAPS) throw new IllegalArgumentException("BOX " + in + "->" + out + " needs " + xsz[o] + " taps");
            t[o * (2 + BOX_TAPS)] = xmin[o];
            t[o * (2 + BOX_TAPS) + 1] = xsz[o];
            System.arraycopy(k[o], 0, t, o * (2 + BOX_TAPS) + 2, xsz[o]);
        }
        return t;
    }

    private static int clip8(long ss) {
        long v = ss >> PRECISION_BITS;
        return v < 0 ? 0 : v > 255 ? 255 : (int) v;
    }

    /** Pillow {@code Image.resize((ow, oh), BOX)} of an 8-bit RGB image (horizontal pass first). */
    static int[] boxResize(int[] src, int ih, int iw, int oh, int ow) {
        int[] tmp;
        if (ow != iw) {
            int[] xmin = new int[ow], xsz = new int[ow];
            int[][] k = boxCoeffs(iw, ow, xmin, xsz);
            tmp = new int[ih * ow * 3];
            for (int y = 0; y < ih; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    for (int ch = 0; ch < 3; ch++) {
                        long ss = 1L << (PRECISION_BITS - 1);
                        for (int x = 0; x < xsz[xx]; x++) ss += (long) src[(y * iw + x + xmin[xx]) * 3 + ch] * k[xx][x];
                        tmp[(y * ow + xx) * 3 + ch] = clip8(ss);
                    }
                }
            }
        } else {
            tmp = src;
        }
        if (oh == ih) return tmp == src ? src.clone() : tmp;
        int[] ymin = new int[oh], ysz = new int[oh];
        int[][] k = boxCoeffs(ih, oh, ymin, ysz);
        int[] out = new int[oh * ow * 3];
        for (int yy = 0; yy < oh; yy++) {
            for (int x = 0; x < ow; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int y = 0; y < ysz[yy]; y++) ss += (long) tmp[((y + ymin[yy]) * ow + x) * 3 + ch] * k[yy][y];
                    out[(yy * ow + x) * 3 + ch] = clip8(ss);
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ plasma fractal (make_cifar_c.py plasma_fractal)

    /**
     * MC's diamond-square plasma (wrap-around), normalised to [0, 1]; noise drawn in NumPy's
     * array order: per step the square centres, then the (i*s, j*s+s/2) diamonds, then the
     * (i*s+s/2, j*s) diamonds, each row-major.
     */
    static double[] plasma(int m, double wibbleDecay, CounterRng rng) {
        double[] a = new double[m * m];
        int step = m;
        double wibble = 100;
        while (step >= 2) {
            int n = m / step, hs = step / 2;
            // squares
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int i1 = (i + 1) % n, j1 = (j + 1) % n;
                    double sum = (a[(i * step) * m + j * step] + a[(i1 * step) * m + j * step])
                            + (a[(i * step) * m + j1 * step] + a[(i1 * step) * m + j1 * step]);
                    a[(i * step + hs) * m + j * step + hs] = sum / 4 + wibble * rng.uniform(-wibble, wibble);
                }
            }
            // diamonds: (i*s, j*s + s/2)
            double[] d1 = new double[n * n], d2 = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int im = (i - 1 + n) % n, j1 = (j + 1) % n;
                    double ldr = a[(i * step + hs) * m + j * step + hs] + a[(im * step + hs) * m + j * step + hs];
                    double lul = a[(i * step) * m + j * step] + a[(i * step) * m + j1 * step];
                    d1[i * n + j] = (ldr + lul) / 4 + wibble * rng.uniform(-wibble, wibble);
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    int jm = (j - 1 + n) % n, i1 = (i + 1) % n;
                    double tdr = a[(i * step + hs) * m + j * step + hs] + a[(i * step + hs) * m + jm * step + hs];
                    double tul = a[(i * step) * m + j * step] + a[(i1 * step) * m + j * step];
                    d2[i * n + j] = (tdr + tul) / 4 + wibble * rng.uniform(-wibble, wibble);
                }
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[(i * step) * m + j * step + hs] = d1[i * n + j];
                    a[(i * step + hs) * m + j * step] = d2[i * n + j];
                }
            }
            step /= 2;
            wibble /= wibbleDecay;
        }
        double mn = Double.POSITIVE_INFINITY;
        for (double v : a) mn = Math.min(mn, v);
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < a.length; i++) {
            a[i] -= mn;
            mx = Math.max(mx, a[i]);
        }
        for (int i = 0; i < a.length; i++) a[i] /= mx;
        return a;
    }

    // ------------------------------------------------------------------ OpenCV warpAffine (cv2.warpAffine, fixed point)

    /** Inverse of a 2x3 affine matrix {a,b,c,d,e,f} (x' = a x + b y + c, y' = d x + e y + f). */
    static double[] invertAffine(double[] m) {
        double det = m[0] * m[4] - m[1] * m[3];
        det = det != 0 ? 1.0 / det : 0.0;
        double a11 = m[4] * det, a22 = m[0] * det;
        double a12 = -m[1] * det, a21 = -m[3] * det;
        double b1 = -a11 * m[2] - a12 * m[5];
        double b2 = -a21 * m[2] - a22 * m[5];
        return new double[] {a11, a12, b1, a21, a22, b2};
    }

    /** cv::getAffineTransform: M with M * src_k = dst_k for three point pairs (x, y). */
    static double[] affineFromPoints(double[] src, double[] dst) {
        // Solve the 6x6 system by Gaussian elimination with partial pivoting (OpenCV: LU).
        double[][] a = new double[6][7];
        for (int i = 0; i < 3; i++) {
            int j = i * 2, k = i * 2 + 1;
            a[j][0] = src[2 * i]; a[j][1] = src[2 * i + 1]; a[j][2] = 1; a[j][6] = dst[2 * i];
            a[k][3] = src[2 * i]; a[k][4] = src[2 * i + 1]; a[k][5] = 1; a[k][6] = dst[2 * i + 1];
        }
        for (int col = 0; col < 6; col++) {
            int piv = col;
            for (int r = col + 1; r < 6; r++) if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) piv = r;
            double[] tmp = a[col]; a[col] = a[piv]; a[piv] = tmp;
            for (int r = col + 1; r < 6; r++) {
                double f = a[r][col] / a[col][col];
                for (int cc = col; cc < 7; cc++) a[r][cc] -= f * a[col][cc];
            }
        }
        double[] x = new double[6];
        for (int r = 5; r >= 0; r--) {
            double s = a[r][6];
            for (int cc = r + 1; cc < 6; cc++) s -= a[r][cc] * x[cc];
            x[r] = s / a[r][r];
        }
        return x;
    }

    private static int reflect101(int i, int n) {
        if (n == 1) return 0;
        while (i < 0 || i >= n) {
            if (i < 0) i = -i;
            if (i >= n) i = 2 * n - 2 - i;
        }
        return i;
    }

    /**
     * cv::warpAffine (forward matrix {@code m}, INTER_LINEAR, BORDER_REFLECT_101) of a float32
     * h x w x c image, with OpenCV's fixed-point coordinate arithmetic (1/32-pixel fractions).
     */
    static double[] warpAffine(double[] src, int h, int w, int c, double[] m) {
        double[] mi = invertAffine(m);
        double[] out = new double[h * w * c];
        final int AB_SCALE = 1024, ROUND = 16;
        for (int y = 0; y < h; y++) {
            int x0 = (int) Math.rint((mi[1] * y + mi[2]) * AB_SCALE) + ROUND;
            int y0 = (int) Math.rint((mi[4] * y + mi[5]) * AB_SCALE) + ROUND;
            for (int x = 0; x < w; x++) {
                int X = (x0 + (int) Math.rint(mi[0] * x * AB_SCALE)) >> 5;
                int Y = (y0 + (int) Math.rint(mi[3] * x * AB_SCALE)) >> 5;
                int sx = X >> 5, sy = Y >> 5;
                float fx = (X & 31) * (1.0f / 32), fy = (Y & 31) * (1.0f / 32);
                float w00 = (1.0f - fy) * (1.0f - fx), w01 = (1.0f - fy) * fx, w10 = fy * (1.0f - fx), w11 = fy * fx;
                int xa = reflect101(sx, w), xb = reflect101(sx + 1, w);
                int ya = reflect101(sy, h), yb = reflect101(sy + 1, h);
                for (int ch = 0; ch < c; ch++) {
                    float v = (float) src[(ya * w + xa) * c + ch] * w00 + (float) src[(ya * w + xb) * c + ch] * w01
                            + (float) src[(yb * w + xa) * c + ch] * w10 + (float) src[(yb * w + xb) * c + ch] * w11;
                    out[(y * w + x) * c + ch] = v;
                }
            }
        }
        return out;
    }

    /**
     * scipy.ndimage.map_coordinates(order=1, mode='reflect') of a float32 h x w x c image at
     * (row + dy[y,x], col + dx[y,x]) for every pixel; result rounded to float32.
     */
    static double[] displace(double[] src, int h, int w, int c, double[] dy, double[] dx) {
        double[] out = new double[h * w * c];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double cy = y + dy[y * w + x], cx = x + dx[y * w + x];
                int y0 = (int) Math.floor(cy), x0 = (int) Math.floor(cx);
                double fy = cy - y0, fx = cx - x0;
                int ya = border(y0, h, REFLECT), yb = border(y0 + 1, h, REFLECT);
                int xa = border(x0, w, REFLECT), xb = border(x0 + 1, w, REFLECT);
                double wy0 = 1.0 - fy, wx0 = 1.0 - fx;
                for (int ch = 0; ch < c; ch++) {
                    double v = 0.0;
                    v += src[(ya * w + xa) * c + ch] * wy0 * wx0;
                    v += src[(ya * w + xb) * c + ch] * wy0 * fx;
                    v += src[(yb * w + xa) * c + ch] * fy * wx0;
                    v += src[(yb * w + xb) * c + ch] * fy * fx;
                    out[(y * w + x) * c + ch] = (float) v;
                }
            }
        }
        return out;
    }

    /** Reflect-101 index, exposed for the OpenCV-style filters. */
    static int r101(int i, int n) { return reflect101(i, n); }
}
