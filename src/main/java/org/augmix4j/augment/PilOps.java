package org.augmix4j.augment;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Pillow-exact pixel operations on one uint8 RGB image, HWC interleaved (R, G, B per pixel, rows
 * top to bottom), of any size {@code h x w}. Each method reads {@code src[so ..]} and writes
 * {@code dst[dof ..]} ({@code h * w * 3} bytes each); source and destination must not overlap.
 *
 * <p>Every formula is the one Pillow's C code evaluates (as google-research/augmix augmentations.py calls it; Pillow
 * {@code Geometry.c}, {@code Blend.c}, {@code Filter.c}, {@code Convert.c}, {@code ImageOps.py},
 * {@code ImageEnhance.py}): geometry in double with pixel centres and truncation, blends and the
 * SMOOTH filter in float32, LUTs in integer/double host math. Java float/double arithmetic is
 * IEEE without fused multiply-add, as Pillow's x86-64 build. The golden tests compare every op
 * with Pillow bit for bit.
 */
public final class PilOps {
    private PilOps() {}

    // ------------------------------------------------------------------ geometry

    /**
     * {@code Image.transform(size, AFFINE, (a, b, c, d, e, f), BILINEAR)} with fill 0: output pixel
     * (x, y) samples the input at {@code (a xo + b yo + c, d xo + e yo + f)}, {@code xo = x + 0.5},
     * {@code yo = y + 0.5}; outside {@code [0, w) x [0, h)} it is 0; inside, bilinear with edge
     * clamping, truncated to uint8.
     */
    public static void affine(byte[] src, int so, byte[] dst, int dof, int h, int w,
                              double a, double b, double c, double d, double e, double f) {
        final int stride = w * 3;
        for (int y = 0; y < h; y++) {
            final double yo = y + 0.5;
            int o = dof + y * stride;
            for (int x = 0; x < w; x++, o += 3) {
                final double xo = x + 0.5;
                final double xi = a * xo + b * yo + c;
                final double yi = d * xo + e * yo + f;
                if (xi < 0.0 || xi >= w || yi < 0.0 || yi >= h) {
                    dst[o] = 0;
                    dst[o + 1] = 0;
                    dst[o + 2] = 0;
                    continue;
                }
                final double xs = xi - 0.5, ys = yi - 0.5;
                final int x0 = xs < 0.0 ? (int) Math.floor(xs) : (int) xs;
                final int y0 = ys < 0.0 ? (int) Math.floor(ys) : (int) ys;
                final double dx = xs - x0, dy = ys - y0;
                final int cx0 = 3 * (x0 < 0 ? 0 : x0 < w ? x0 : w - 1);
                final int cx1 = 3 * (x0 + 1 < 0 ? 0 : x0 + 1 < w ? x0 + 1 : w - 1);
                final int r0 = so + (y0 < 0 ? 0 : y0 < h ? y0 : h - 1) * stride;
                final boolean has1 = y0 + 1 >= 0 && y0 + 1 < h;
                final int r1 = so + (y0 + 1) * stride;
                for (int ch = 0; ch < 3; ch++) {
                    int p00 = src[r0 + cx0 + ch] & 0xFF, p01 = src[r0 + cx1 + ch] & 0xFF;
                    double v1 = p00 + (p01 - p00) * dx;
                    double v2;
                    if (has1) {
                        int p10 = src[r1 + cx0 + ch] & 0xFF, p11 = src[r1 + cx1 + ch] & 0xFF;
                        v2 = p10 + (p11 - p10) * dx;
                    } else {
                        v2 = v1;
                    }
                    dst[o + ch] = (byte) (int) (v1 + (v2 - v1) * dy);
                }
            }
        }
    }

    /**
     * Exact integer shift: {@code out(x, y) = in(x + tx, y + ty)} or 0 outside; what
     * {@link #affine} gives for {@code (1, 0, tx, 0, 1, ty)} with integer tx, ty.
     */
    public static void shift(byte[] src, int so, byte[] dst, int dof, int h, int w, long tx, long ty) {
        final int stride = w * 3;
        for (int y = 0; y < h; y++) {
            long sy = y + ty;
            int o = dof + y * stride;
            if (sy < 0 || sy >= h) {
                java.util.Arrays.fill(dst, o, o + stride, (byte) 0);
                continue;
            }
            // valid x: 0 <= x + tx < w
            long lo = Math.max(0, -tx), hi = Math.min(w, w - tx); // [lo, hi)
            if (lo >= hi) {
                java.util.Arrays.fill(dst, o, o + stride, (byte) 0);
                continue;
            }
            int l = (int) lo, r = (int) hi;
            java.util.Arrays.fill(dst, o, o + 3 * l, (byte) 0);
            System.arraycopy(src, so + (int) sy * stride + 3 * (int) (l + tx), dst, o + 3 * l, 3 * (r - l));
            java.util.Arrays.fill(dst, o + 3 * r, o + stride, (byte) 0);
        }
    }

    /** {@code transform(AFFINE, (1, s, 0, 0, 1, 0))}: identical to {@link #affine}, row-wise (dy = 0 exactly). */
    public static void shearX(byte[] src, int so, byte[] dst, int dof, int h, int w, double s) {
        final int stride = w * 3;
        for (int y = 0; y < h; y++) {
            final double syo = s * (y + 0.5);
            final int row = so + y * stride;
            int o = dof + y * stride;
            for (int x = 0; x < w; x++, o += 3) {
                final double xi = (x + 0.5) + syo;
                if (xi < 0.0 || xi >= w) {
                    dst[o] = 0;
                    dst[o + 1] = 0;
                    dst[o + 2] = 0;
                    continue;
                }
                final double xs = xi - 0.5;
                final int x0 = xs < 0.0 ? (int) Math.floor(xs) : (int) xs;
                final double dx = xs - x0;
                final int i0 = row + 3 * (x0 < 0 ? 0 : x0 < w ? x0 : w - 1);
                final int i1 = row + 3 * (x0 + 1 < w ? x0 + 1 : w - 1);
                for (int ch = 0; ch < 3; ch++) {
                    int p0 = src[i0 + ch] & 0xFF, p1 = src[i1 + ch] & 0xFF;
                    dst[o + ch] = (byte) (int) (p0 + (p1 - p0) * dx);
                }
            }
        }
    }

    /** {@code transform(AFFINE, (1, 0, 0, s, 1, 0))}: identical to {@link #affine}, column-wise (dx = 0 exactly). */
    public static void shearY(byte[] src, int so, byte[] dst, int dof, int h, int w, double s) {
        final int stride = w * 3;
        for (int y = 0; y < h; y++) {
            final double yo = y + 0.5;
            int o = dof + y * stride;
            for (int x = 0; x < w; x++, o += 3) {
                final double yi = s * (x + 0.5) + yo;
                if (yi < 0.0 || yi >= h) {
                    dst[o] = 0;
                    dst[o + 1] = 0;
                    dst[o + 2] = 0;
                    continue;
                }
                final double ys = yi - 0.5;
                final int y0 = ys < 0.0 ? (int) Math.floor(ys) : (int) ys;
                final double dy = ys - y0;
                final int i0 = so + (y0 < 0 ? 0 : y0) * stride + 3 * x;
                final boolean has1 = y0 + 1 < h;
                final int i1 = so + (y0 + 1) * stride + 3 * x;
                for (int ch = 0; ch < 3; ch++) {
                    int v1 = src[i0 + ch] & 0xFF;
                    int v2 = has1 ? src[i1 + ch] & 0xFF : v1;
                    dst[o + ch] = (byte) (int) (v1 + (v2 - v1) * dy);
                }
            }
        }
    }

    /** Python's {@code round(x, 15)}: the double nearest to x rounded half-even at 15 decimals. */
    static double round15(double x) {
        if (x == 0.0 || !Double.isFinite(x)) return x;
        double r = new BigDecimal(x).setScale(15, RoundingMode.HALF_EVEN).doubleValue();
        return r == 0.0 ? Math.copySign(0.0, x) : r;
    }

    /** Python's {@code angle % 360.0}. */
    static double pyMod360(double angle) {
        double r = angle % 360.0;
        if (r != 0.0 && r < 0.0) r += 360.0;
        if (r == 0.0) r = 0.0; // Python gives +0.0
        return r;
    }

    /** The rounded (cos, sin) of every integer angle 0..359, computed once (safe to share between threads). */
    private static final double[][] INT_ANGLE_COS_SIN = new double[360][];

    static {
        for (int k = 0; k < 360; k++) INT_ANGLE_COS_SIN[k] = cosSinUncached(k);
    }

    /** {@code (round(cos(phi), 15), round(sin(phi), 15))}, {@code phi = -radians(theta)}, theta in [0, 360). */
    static double[] cosSin(double theta) {
        int k = (int) theta;
        if (k == theta && k >= 0 && k < 360) return INT_ANGLE_COS_SIN[k];
        return cosSinUncached(theta);
    }

    private static double[] cosSinUncached(double theta) {
        double phi = -(theta * (Math.PI / 180.0));
        return new double[] {round15(StrictMath.cos(phi)), round15(StrictMath.sin(phi))};
    }

    /**
     * The affine data {@code (a, b, c, d, e, f)} Pillow's {@code Image.rotate(deg)} (center default,
     * no translate, expand False) passes to {@code transform}, for a non-fast-path angle.
     */
    public static double[] rotateMatrix(double degrees, int h, int w) {
        double theta = pyMod360(degrees);
        double[] cs = cosSin(theta);
        double a = cs[0], b = cs[1];
        double d = -cs[1], e = cs[0];
        double cx = w / 2.0, cy = h / 2.0;
        double c = a * -cx + b * -cy + 0.0;
        double f = d * -cx + e * -cy + 0.0;
        c += cx;
        f += cy;
        return new double[] {a, b, c, d, e, f};
    }

    /**
     * {@code img.rotate(degrees, resample=BILINEAR)}: counter-clockwise, about the image centre,
     * fill 0, same size; Pillow's fast paths (0: copy; 180; 90/270 on square images: exact
     * transposes) included.
     */
    public static void rotate(byte[] src, int so, byte[] dst, int dof, int h, int w, double degrees) {
        double theta = pyMod360(degrees);
        if (theta == 0.0) {
            System.arraycopy(src, so, dst, dof, h * w * 3);
            return;
        }
        if (theta == 180.0) {
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) copyPixel(src, so + ((h - 1 - y) * w + (w - 1 - x)) * 3, dst, dof + (y * w + x) * 3);
            return;
        }
        if ((theta == 90.0 || theta == 270.0) && w == h) {
            boolean ccw = theta == 90.0;
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int sx = ccw ? w - 1 - y : y, sy = ccw ? x : h - 1 - x;
                    copyPixel(src, so + (sy * w + sx) * 3, dst, dof + (y * w + x) * 3);
                }
            return;
        }
        AffinePlan plan = cachedRotatePlan(degrees, h, w);
        if (plan != null) {
            plan.apply(src, so, dst, dof);
            return;
        }
        double[] m = rotateMatrix(degrees, h, w);
        affine(src, so, dst, dof, h, w, m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    /**
     * {@link #affine} split in two: the per-pixel geometry (four source offsets and dx, dy,
     * computed with exactly the same double operations) done once, and the per-channel bilinear
     * blend, done per image. Used for the integer rotation angles of the random path.
     */
    static final class AffinePlan {
        final int h, w;
        /** per output pixel: byte offsets of (x0, y0), (x1, y0), (x0, y1), (x1, y1); -1 = fill. */
        final int[] idx;
        final double[] dxy;

        AffinePlan(int h, int w, double a, double b, double c, double d, double e, double f) {
            this.h = h;
            this.w = w;
            idx = new int[4 * h * w];
            dxy = new double[2 * h * w];
            final int stride = w * 3;
            for (int y = 0, q = 0; y < h; y++) {
                final double yo = y + 0.5;
                for (int x = 0; x < w; x++, q++) {
                    final double xo = x + 0.5;
                    final double xi = a * xo + b * yo + c;
                    final double yi = d * xo + e * yo + f;
                    if (xi < 0.0 || xi >= w || yi < 0.0 || yi >= h) {
                        idx[4 * q] = -1;
                        continue;
                    }
                    final double xs = xi - 0.5, ys = yi - 0.5;
                    final int x0 = xs < 0.0 ? (int) Math.floor(xs) : (int) xs;
                    final int y0 = ys < 0.0 ? (int) Math.floor(ys) : (int) ys;
                    final int cx0 = 3 * (x0 < 0 ? 0 : x0 < w ? x0 : w - 1);
                    final int cx1 = 3 * (x0 + 1 < 0 ? 0 : x0 + 1 < w ? x0 + 1 : w - 1);
                    final int r0 = (y0 < 0 ? 0 : y0 < h ? y0 : h - 1) * stride;
                    // without a second row, v2 = v1: the same row again gives exactly v1
                    final int r1 = y0 + 1 >= 0 && y0 + 1 < h ? (y0 + 1) * stride : r0;
                    idx[4 * q] = r0 + cx0;
                    idx[4 * q + 1] = r0 + cx1;
                    idx[4 * q + 2] = r1 + cx0;
                    idx[4 * q + 3] = r1 + cx1;
                    dxy[2 * q] = xs - x0;
                    dxy[2 * q + 1] = ys - y0;
                }
            }
        }

        void apply(byte[] src, int so, byte[] dst, int dof) {
            final int[] ix = idx;
            final double[] dd = dxy;
            final int np = h * w;
            for (int q = 0, o = dof; q < np; q++, o += 3) {
                final int i00 = ix[4 * q];
                if (i00 < 0) {
                    dst[o] = 0;
                    dst[o + 1] = 0;
                    dst[o + 2] = 0;
                    continue;
                }
                final int a0 = so + i00, a1 = so + ix[4 * q + 1], b0 = so + ix[4 * q + 2], b1 = so + ix[4 * q + 3];
                final double dx = dd[2 * q], dy = dd[2 * q + 1];
                for (int ch = 0; ch < 3; ch++) {
                    int p00 = src[a0 + ch] & 0xFF, p01 = src[a1 + ch] & 0xFF;
                    int p10 = src[b0 + ch] & 0xFF, p11 = src[b1 + ch] & 0xFF;
                    double v1 = p00 + (p01 - p00) * dx;
                    double v2 = p10 + (p11 - p10) * dx;
                    dst[o + ch] = (byte) (int) (v1 + (v2 - v1) * dy);
                }
            }
        }
    }

    private static final java.util.concurrent.ConcurrentHashMap<Long, AffinePlan> ROTATE_PLANS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong PLAN_PIXELS = new java.util.concurrent.atomic.AtomicLong();
    /** Cache budget: 2^21 pixels of plans (48 bytes each, about 100 MB). */
    private static final long PLAN_PIXEL_BUDGET = 1L << 21;

    /** The cached plan of an integer rotation angle in [-360, 360], or null (not cached / over budget). */
    static AffinePlan cachedRotatePlan(double degrees, int h, int w) {
        if (degrees != Math.rint(degrees) || Math.abs(degrees) > 360 || h >= (1 << 20) || w >= (1 << 20)) return null;
        long key = ((long) degrees + 360) << 40 | (long) h << 20 | w;
        AffinePlan p = ROTATE_PLANS.get(key);
        if (p != null) return p;
        long px = (long) h * w;
        if (PLAN_PIXELS.get() + px > PLAN_PIXEL_BUDGET) return null;
        return ROTATE_PLANS.computeIfAbsent(key, k -> {
            PLAN_PIXELS.addAndGet(px);
            double[] m = rotateMatrix(degrees, h, w);
            return new AffinePlan(h, w, m[0], m[1], m[2], m[3], m[4], m[5]);
        });
    }

    private static void copyPixel(byte[] src, int s, byte[] dst, int d) {
        dst[d] = src[s];
        dst[d + 1] = src[s + 1];
        dst[d + 2] = src[s + 2];
    }

    /** {@code transform(AFFINE, (1, 0, t, 0, 1, 0))}: positive t moves content left. */
    public static void translateX(byte[] src, int so, byte[] dst, int dof, int h, int w, double t) {
        if (t == Math.rint(t) && Math.abs(t) < 1e9) shift(src, so, dst, dof, h, w, (long) t, 0);
        else affine(src, so, dst, dof, h, w, 1, 0, t, 0, 1, 0);
    }

    /** {@code transform(AFFINE, (1, 0, 0, 0, 1, t))}: positive t moves content up. */
    public static void translateY(byte[] src, int so, byte[] dst, int dof, int h, int w, double t) {
        if (t == Math.rint(t) && Math.abs(t) < 1e9) shift(src, so, dst, dof, h, w, 0, (long) t);
        else affine(src, so, dst, dof, h, w, 1, 0, 0, 0, 1, t);
    }

    // ------------------------------------------------------------------ LUT ops

    /** {@code Image.point(lut)} with one 256-entry LUT per band (values already in 0..255). */
    public static void applyLut(byte[] src, int so, byte[] dst, int dof, int h, int w, byte[] lutR, byte[] lutG, byte[] lutB) {
        int n = h * w * 3;
        for (int i = 0; i < n; i += 3) {
            dst[dof + i] = lutR[src[so + i] & 0xFF];
            dst[dof + i + 1] = lutG[src[so + i + 1] & 0xFF];
            dst[dof + i + 2] = lutB[src[so + i + 2] & 0xFF];
        }
    }

    /** Per-band LUTs packed in one array: band ch uses {@code lut[ch * 256 + v]}. */
    static void applyLut3(byte[] src, int so, byte[] dst, int dof, int h, int w, byte[] lut) {
        int n = h * w * 3;
        for (int i = 0; i < n; i += 3) {
            dst[dof + i] = lut[src[so + i] & 0xFF];
            dst[dof + i + 1] = lut[256 + (src[so + i + 1] & 0xFF)];
            dst[dof + i + 2] = lut[512 + (src[so + i + 2] & 0xFF)];
        }
    }

    private static void applyLut(byte[] src, int so, byte[] dst, int dof, int h, int w, byte[] lut) {
        int n = h * w * 3;
        for (int i = 0; i < n; i++) dst[dof + i] = lut[src[so + i] & 0xFF];
    }

    /** Per-band 256-bin histograms: {@code hist[ch * 256 + v]}. */
    public static int[] histogram(byte[] src, int so, int h, int w, int[] hist) {
        // two interleaved partial histograms (even / odd pixels) so that neighbouring equal
        // pixels do not serialise on one counter; summed at the end
        int[] t = new int[1536];
        int np = h * w, i = so, end = so + 3 * (np & ~1);
        for (; i < end; i += 6) {
            t[src[i] & 0xFF]++;
            t[256 + (src[i + 1] & 0xFF)]++;
            t[512 + (src[i + 2] & 0xFF)]++;
            t[768 + (src[i + 3] & 0xFF)]++;
            t[1024 + (src[i + 4] & 0xFF)]++;
            t[1280 + (src[i + 5] & 0xFF)]++;
        }
        if ((np & 1) != 0) {
            t[src[i] & 0xFF]++;
            t[256 + (src[i + 1] & 0xFF)]++;
            t[512 + (src[i + 2] & 0xFF)]++;
        }
        for (int k = 0; k < 768; k++) hist[k] = t[k] + t[768 + k];
        return hist;
    }

    /** {@code ImageOps.autocontrast(img)} (cutoff 0, no ignore): per band stretch of [lo, hi] to [0, 255]. */
    public static void autocontrast(byte[] src, int so, byte[] dst, int dof, int h, int w) {
        int[] hist = histogram(src, so, h, w, new int[768]);
        byte[] lut = new byte[768];
        for (int ch = 0; ch < 3; ch++) autocontrastLut(hist, ch * 256, lut, ch * 256);
        applyLut3(src, so, dst, dof, h, w, lut);
    }

    static void autocontrastLut(int[] hist, int off, byte[] lut, int lo0) {
        int lo = 0, hi = 255;
        while (lo < 255 && hist[off + lo] == 0) lo++;
        while (hi > 0 && hist[off + hi] == 0) hi--;
        if (hi <= lo) {
            for (int i = 0; i < 256; i++) lut[lo0 + i] = (byte) i;
            return;
        }
        double scale = 255.0 / (hi - lo);
        double offset = -lo * scale;
        for (int i = 0; i < 256; i++) {
            int v = (int) (i * scale + offset);
            lut[lo0 + i] = (byte) (v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }

    /** {@code ImageOps.equalize(img)}: per band, Pillow's step = (N - count of the top bin) // 255. */
    public static void equalize(byte[] src, int so, byte[] dst, int dof, int h, int w) {
        int[] hist = histogram(src, so, h, w, new int[768]);
        byte[] lut = new byte[768];
        for (int ch = 0; ch < 3; ch++) equalizeLut(hist, ch * 256, lut, ch * 256);
        applyLut3(src, so, dst, dof, h, w, lut);
    }

    static void equalizeLut(int[] hist, int off, byte[] lut, int lo0) {
        long total = 0;
        int nonzero = 0, last = 0;
        for (int i = 0; i < 256; i++) {
            int c = hist[off + i];
            if (c != 0) {
                nonzero++;
                total += c;
                last = c;
            }
        }
        long step = nonzero <= 1 ? 0 : (total - last) / 255;
        if (step == 0) {
            for (int i = 0; i < 256; i++) lut[lo0 + i] = (byte) i;
            return;
        }
        // LUT[i] = (step / 2 + sum_{j<i} h[j]) // step: floor division by a reciprocal estimate,
        // corrected to the exact quotient (the estimate is off by at most one)
        long n = step / 2;
        double inv = 1.0 / step;
        for (int i = 0; i < 256; i++) {
            long q = (long) (n * inv);
            if (q * step > n) q--;
            else if ((q + 1) * step <= n) q++;
            lut[lo0 + i] = (byte) (q > 255 ? 255 : q);
            n += hist[off + i];
        }
    }

    /** {@code ImageOps.posterize(img, bits)}, bits in 0..8: keep the top {@code bits} bits. */
    public static void posterize(byte[] src, int so, byte[] dst, int dof, int h, int w, int bits) {
        if (bits < 0 || bits > 8) throw new IllegalArgumentException("posterize bits must be in 0..8; got " + bits);
        int mask = ~((1 << (8 - bits)) - 1);
        byte[] lut = new byte[256];
        for (int i = 0; i < 256; i++) lut[i] = (byte) (i & mask);
        applyLut(src, so, dst, dof, h, w, lut);
    }

    /** {@code ImageOps.solarize(img, threshold)}: {@code v < threshold ? v : 255 - v}. */
    public static void solarize(byte[] src, int so, byte[] dst, int dof, int h, int w, double threshold) {
        byte[] lut = new byte[256];
        for (int i = 0; i < 256; i++) lut[i] = (byte) (i < threshold ? i : 255 - i);
        applyLut(src, so, dst, dof, h, w, lut);
    }

    // ------------------------------------------------------------------ ImageEnhance

    /**
     * {@code Image.blend(deg, img, alpha)} of one byte, alpha already float32 and not 0 or 1:
     * Pillow's interpolation branch (0 &le; alpha &le; 1) or clipped extrapolation.
     */
    static int blend(int deg, int img, float alpha) {
        float t = deg + alpha * (float) (img - deg);
        if (alpha >= 0f && alpha <= 1.0f) return (int) t;
        return t <= 0f ? 0 : t >= 255f ? 255 : (int) t;
    }

    /** Pillow >= 7 RGB to L: {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}. */
    public static int luma(int r, int g, int b) {
        return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
    }

    /** {@code ImageEnhance.Color(img).enhance(factor)}: blend with the L-converted grey image. */
    public static void color(byte[] src, int so, byte[] dst, int dof, int h, int w, double factor) {
        float a = (float) factor;
        int n = h * w * 3;
        if (a == 1.0f) {
            System.arraycopy(src, so, dst, dof, n);
            return;
        }
        for (int i = 0; i < n; i += 3) {
            int r = src[so + i] & 0xFF, g = src[so + i + 1] & 0xFF, b = src[so + i + 2] & 0xFF;
            int l = luma(r, g, b);
            if (a == 0f) {
                dst[dof + i] = dst[dof + i + 1] = dst[dof + i + 2] = (byte) l;
            } else {
                dst[dof + i] = (byte) blend(l, r, a);
                dst[dof + i + 1] = (byte) blend(l, g, a);
                dst[dof + i + 2] = (byte) blend(l, b, a);
            }
        }
    }

    /** The Contrast degenerate grey level: {@code int(mean(L) + 0.5)} with ImageStat's double mean. */
    public static int contrastMean(byte[] src, int so, int h, int w) {
        int[] hist = new int[256];
        int n = h * w * 3;
        for (int i = 0; i < n; i += 3) hist[luma(src[so + i] & 0xFF, src[so + i + 1] & 0xFF, src[so + i + 2] & 0xFF)]++;
        double sum = 0.0;
        for (int j = 0; j < 256; j++) sum += (double) j * hist[j];
        double mean = sum / (h * w);
        return (int) (mean + 0.5);
    }

    /** {@code ImageEnhance.Contrast(img).enhance(factor)}: blend with a constant grey image. */
    public static void contrast(byte[] src, int so, byte[] dst, int dof, int h, int w, double factor) {
        blendConstant(src, so, dst, dof, h, w, contrastMean(src, so, h, w), (float) factor);
    }

    /** {@code ImageEnhance.Brightness(img).enhance(factor)}: blend with black. */
    public static void brightness(byte[] src, int so, byte[] dst, int dof, int h, int w, double factor) {
        blendConstant(src, so, dst, dof, h, w, 0, (float) factor);
    }

    private static void blendConstant(byte[] src, int so, byte[] dst, int dof, int h, int w, int deg, float a) {
        int n = h * w * 3;
        if (a == 1.0f) {
            System.arraycopy(src, so, dst, dof, n);
            return;
        }
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) lut[v] = (byte) (a == 0f ? deg : blend(deg, v, a));
        applyLut(src, so, dst, dof, h, w, lut);
    }

    /** SMOOTH kernel entries as Pillow's {@code _filter} makes them: {@code float(k) / float(13)}. */
    static final float K1 = 1.0f / 13.0f, K5 = 5.0f / 13.0f;

    /** {@code (float) v * K1} and {@code (float) v * K5} for every byte v (each product is one float multiply). */
    private static final float[] T1 = new float[256], T5 = new float[256];

    static {
        for (int v = 0; v < 256; v++) {
            T1[v] = v * K1;
            T5[v] = v * K5;
        }
    }

    /**
     * One interior pixel of {@code image.filter(ImageFilter.SMOOTH)}, channel at index i, as
     * Filter.c: {@code ss = 0.5; ss += row(y+1); ss += row(y); ss += row(y-1)}, each row
     * {@code (a k0 + b k1) + c k2} in float32.
     */
    private static int smooth(byte[] s, int i, int stride) {
        int up = i - stride, dn = i + stride;
        float ss = 0.5f;
        ss += T1[s[dn - 3] & 0xFF] + T1[s[dn] & 0xFF] + T1[s[dn + 3] & 0xFF];
        ss += T1[s[i - 3] & 0xFF] + T5[s[i] & 0xFF] + T1[s[i + 3] & 0xFF];
        ss += T1[s[up - 3] & 0xFF] + T1[s[up] & 0xFF] + T1[s[up + 3] & 0xFF];
        return ss <= 0f ? 0 : ss >= 255f ? 255 : (int) ss;
    }

    /** {@code image.filter(ImageFilter.SMOOTH)}: 3x3 [[1,1,1],[1,5,1],[1,1,1]]/13, border pixels copied. */
    public static void smoothFilter(byte[] src, int so, byte[] dst, int dof, int h, int w) {
        sharpness(src, so, dst, dof, h, w, 0.0);
    }

    /** {@code ImageEnhance.Sharpness(img).enhance(factor)}: blend with the SMOOTH-filtered image. */
    public static void sharpness(byte[] src, int so, byte[] dst, int dof, int h, int w, double factor) {
        float a = (float) factor;
        int n = h * w * 3, stride = w * 3;
        System.arraycopy(src, so, dst, dof, n); // borders: degenerate = image, so blend = image
        if (a == 1.0f || w < 3 || h < 3) return;
        for (int y = 1; y < h - 1; y++) {
            int row = y * stride;
            for (int x = 3; x < stride - 3; x++) {
                int i = so + row + x;
                int deg = smooth(src, i, stride);
                dst[dof + row + x] = (byte) (a == 0f ? deg : blend(deg, src[i] & 0xFF, a));
            }
        }
    }
}
