package org.augmix4j.corrupt;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The corruptions at any image size h x w with the ImageNet-C parameter tables (Hendrycks and
 * Dietterich 2019, {@code imagenet_c/corruptions.py}; the {@code imagecorruptions} package applies the
 * same tables to images of any size). Same algorithms and helpers as the CIFAR versions in
 * {@link Corruptions} (cifar-c.md section 5), only with h x w and the ImageNet-C constants, except where an
 * entry names imagecorruptions' own generalisation (defocus_blur's disk, elastic_transform):
 * <ul>
 * <li>gaussian_noise {@code clip(x + N(0, c))}, c = .08 .12 .18 .26 .38;</li>
 * <li>shot_noise {@code Poisson(x c) / c}, c = 60 25 12 5 3;</li>
 * <li>impulse_noise s&amp;p amount c = .03 .06 .09 .17 .27;</li>
 * <li>speckle_noise {@code x + x N(0, c)}, c = .15 .2 .35 .45 .6;</li>
 * <li>gaussian_blur per channel, sigma c = 1 2 3 4 6 (truncate 4, nearest border);</li>
 * <li>motion_blur ImageMagick (radius, sigma) = (10,3) (15,5) (15,8) (15,12) (20,15), angle U(-45, 45);</li>
 * <li>fog {@code (x + c0 plasma(c1)) max / (max + c0)}, (c0, c1) = (1.5,2) (2,2) (2.5,1.7) (2.5,1.5) (3,1.4), plasma on
 *     the next power of two of max(h, w), top-left crop;</li>
 * <li>brightness V + c in HSV, c = .1 .2 .3 .4 .5; contrast {@code (x - mean) c + mean}, c = .4 .3 .2 .1 .05;
 *     saturate S c0 + c1, (c0, c1) = (.3,0) (.1,0) (2,0) (5,.1) (20,.2);</li>
 * <li>glass_blur (sigma, max_delta, iterations) = (.7,1,2) (.9,2,1) (1,2,3) (1.1,3,2) (1.5,4,2): blur, uint8, then per pass
 *     for h = H-d .. d+1, w = W-d .. d+1 (descending) draw dx, dy in [-d, d) and copy pixel (h+dy, w+dx) to (h, w)
 *     in place (what NumPy's tuple "swap" of views does), blur again;</li>
 * <li>zoom_blur: mean of x and its clipped zooms by {@code np.arange(1, end, step)}, (end, step) = (1.11,.01)
 *     (1.16,.01) (1.21,.02) (1.26,.02) (1.31,.03), float32; clipped_zoom crops, zooms and trims each axis on its
 *     own, with ImageNet-C's centred trim (imagecorruptions keeps the top-left h x w of the zoomed crop instead);</li>
 * <li>defocus_blur: per channel cv2.filter2D with imagecorruptions' {@code disk(r, alias_blur)} ({@link #disk}),
 *     (r, alias_blur) = (3,.1) (4,.5) (6,.5) (8,.5) (10,.5), radius in pixels at every size;</li>
 * <li>elastic_transform as imagecorruptions generalises it (no affine step): displacement fields
 *     {@code gaussian(U(-0.005 h, 0.005 h), sigma = (0.01 h, 0.01 w), reflect, truncate 3) * alpha},
 *     alpha = 250 x (.05 .065 .085 .1 .12), order-1 map_coordinates, mode reflect;</li>
 * <li>snow, the CIFAR version's steps (ImageMagick motion blur of the 8-bit layer, as ImageNet-C's Wand call),
 *     (loc, scale, zoom, threshold, radius, sigma, blend) = (.1,.3,3,.5,10,4,.8) (.2,.3,2,.5,12,4,.7)
 *     (.55,.3,4,.9,12,8,.7) (.55,.3,4.5,.85,12,8,.65) (.55,.3,2.5,.85,12,12,.55), clipped_zoom per axis;</li>
 * <li>spatter, the CIFAR version's steps (the OpenCV operations of {@link CvOps} at h x w),
 *     (loc, scale, sigma, threshold, intensity, mode) = (.65,.3,4,.69,.6,0) (.65,.3,3,.68,.6,0) (.65,.3,2,.68,.5,0)
 *     (.65,.3,1,.65,1.5,1) (.67,.4,1,.65,1.5,1);</li>
 * <li>frost {@code clip(a x + b frost, 0, 255)} on 0..255 values, (a, b) = (1,.4) (.8,.6) (.7,.7) (.65,.7) (.6,.75),
 *     the frost an h x w crop made at the image size ({@link FrostTiles#procedural(CounterRng, int, int, int[])}:
 *     procedural, as at 32x32, since the frost photographs are not shipped);</li>
 * <li>jpeg_compression quality 25 18 15 10 7 (JDK codec, as the CIFAR version);</li>
 * <li>pixelate: Pillow BOX resize to (int(w c), int(h c)) and BOX back, c = .6 .5 .4 .3 .25.</li>
 * </ul>
 * Values become uint8 by {@code np.uint8(clip(v, 0, 1) * 255)} (truncation). The random draws use the
 * CIFAR versions' {@link CounterRng} streams, sized h x w. All 19 are available at every size ({@link #available}).
 */
final class AnySize {
    private AnySize() {}

    /** The corruptions available at sizes other than 32x32: all 19. */
    static final Set<Corruption> SUPPORTED = EnumSet.allOf(Corruption.class);

    /** {@link #SUPPORTED}: the same at every size other than 32x32. */
    static Set<Corruption> available(int h, int w) {
        return EnumSet.copyOf(SUPPORTED);
    }

    static final double[] GAUSS = {.08, .12, .18, .26, .38};
    static final double[] SHOT = {60, 25, 12, 5, 3};
    static final double[] IMPULSE = {.03, .06, .09, .17, .27};
    static final double[] SPECKLE = {.15, .2, .35, .45, .6};
    static final double[] BLUR = {1, 2, 3, 4, 6};
    static final double[][] MOTION = {{10, 3}, {15, 5}, {15, 8}, {15, 12}, {20, 15}};
    static final double[][] FOG = {{1.5, 2}, {2, 2}, {2.5, 1.7}, {2.5, 1.5}, {3, 1.4}};
    static final double[] BRIGHT = {.1, .2, .3, .4, .5};
    static final double[] CONTRAST = {.4, .3, .2, .1, .05};
    static final double[][] SATURATE = {{.3, 0}, {.1, 0}, {2, 0}, {5, .1}, {20, .2}};
    static final int[] JPEG = {25, 18, 15, 10, 7};
    static final double[][] GLASS = {{.7, 1, 2}, {.9, 2, 1}, {1, 2, 3}, {1.1, 3, 2}, {1.5, 4, 2}};
    static final double[][] ZOOM = {{1.11, .01}, {1.16, .01}, {1.21, .02}, {1.26, .02}, {1.31, .03}};
    static final double[] PIXELATE = {.6, .5, .4, .3, .25};
    static final double[][] DEFOCUS = {{3, .1}, {4, .5}, {6, .5}, {8, .5}, {10, .5}};
    static final double[] ELASTIC = {250 * .05, 250 * .065, 250 * .085, 250 * .1, 250 * .12};
    static final double[][] SNOW = {
            {.1, .3, 3, .5, 10, 4, .8}, {.2, .3, 2, .5, 12, 4, .7}, {.55, .3, 4, .9, 12, 8, .7},
            {.55, .3, 4.5, .85, 12, 8, .65}, {.55, .3, 2.5, .85, 12, 12, .55}};
    static final double[][] SPATTER = {
            {.65, .3, 4, .69, .6, 0}, {.65, .3, 3, .68, .6, 0}, {.65, .3, 2, .68, .5, 0},
            {.65, .3, 1, .65, 1.5, 1}, {.67, .4, 1, .65, 1.5, 1}};
    static final double[][] FROST = {{1, .4}, {.8, .6}, {.7, .7}, {.65, .7}, {.6, .75}};

    /** Corrupts the h x w x 3 image at {@code in[io..]} into {@code out[oo..]}. */
    static void apply(Corruption c, int s, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        final int n = h * w * 3, px = h * w;
        switch (c) {
            case GAUSSIAN_NOISE, SPECKLE_NOISE -> {
                double sd = (c == Corruption.GAUSSIAN_NOISE ? GAUSS : SPECKLE)[s - 1];
                double[] z = new double[n];
                CounterRng.gaussians(rng.key(), z, n);
                boolean speckle = c == Corruption.SPECKLE_NOISE;
                for (int j = 0; j < n; j++) {
                    double x = (in[io + j] & 255) / 255.0;
                    out[oo + j] = trunc(speckle ? x + x * (sd * z[j]) : x + sd * z[j]);
                }
            }
            case SHOT_NOISE -> {
                double k = SHOT[s - 1];
                long key = rng.key();
                CounterRng r = new CounterRng(0);
                for (int j = 0; j < n; j++) {
                    r.reset(CounterRng.subKey(key, j));
                    out[oo + j] = trunc((double) r.nextPoisson((in[io + j] & 255) / 255.0 * k) / k);
                }
            }
            case IMPULSE_NOISE -> {
                double a = IMPULSE[s - 1];
                long key = rng.key();
                for (int j = 0; j < n; j++) {
                    double x = (in[io + j] & 255) / 255.0;
                    if (CounterRng.uniformAt(key, 2L * j + 1) < a) x = CounterRng.uniformAt(key, 2L * j + 2) < 0.5 ? 1.0 : 0.0;
                    out[oo + j] = trunc(x);
                }
            }
            case GAUSSIAN_BLUR -> {
                double[] x = unit(in, io, n);
                Kernels.gaussian(x, h, w, 3, Kernels.gaussianWeights(BLUR[s - 1], 4.0), Kernels.NEAREST, false);
                store(x, out, oo);
            }
            case MOTION_BLUR -> {
                int[] src = new int[n], dst = new int[n];
                for (int i = 0; i < n; i++) src[i] = in[io + i] & 255;
                Kernels.motionBlur(src, dst, h, w, 3, MOTION[s - 1][0], MOTION[s - 1][1], rng.uniform(-45, 45));
                for (int i = 0; i < n; i++) out[oo + i] = (byte) dst[i];
            }
            case FOG -> {
                double t = FOG[s - 1][0];
                int m = Integer.highestOneBit(Math.max(h, w) - 1) << 1;
                if (Math.max(h, w) == 1) m = 1;
                double[] p = Kernels.plasma(Math.max(m, 2), FOG[s - 1][1], rng);
                int pm = Math.max(m, 2);
                double[] x = unit(in, io, n);
                double mx = 0;
                for (double v : x) mx = Math.max(mx, v);
                for (int y = 0; y < h; y++) {
                    for (int xx = 0; xx < w; xx++) {
                        double f = t * p[y * pm + xx];
                        for (int ch = 0; ch < 3; ch++) {
                            int i = (y * w + xx) * 3 + ch;
                            out[oo + i] = trunc((x[i] + f) * mx / (mx + t));
                        }
                    }
                }
            }
            case BRIGHTNESS, SATURATE -> {
                double[] x = unit(in, io, n);
                Kernels.rgb2hsv(x, px);
                if (c == Corruption.BRIGHTNESS) {
                    for (int p = 0; p < px; p++) x[3 * p + 2] = Math.min(Math.max(x[3 * p + 2] + BRIGHT[s - 1], 0), 1);
                } else {
                    double mul = SATURATE[s - 1][0], add = SATURATE[s - 1][1];
                    for (int p = 0; p < px; p++) x[3 * p + 1] = Math.min(Math.max(x[3 * p + 1] * mul + add, 0), 1);
                }
                Kernels.hsv2rgb(x, px);
                store(x, out, oo);
            }
            case CONTRAST -> {
                double k = CONTRAST[s - 1];
                double[] x = unit(in, io, n);
                double[] mean = new double[3];
                for (int ch = 0; ch < 3; ch++) {
                    double sum = 0;
                    for (int p = 0; p < px; p++) sum += x[3 * p + ch];
                    mean[ch] = sum / px;
                }
                for (int i = 0; i < n; i++) out[oo + i] = trunc((x[i] - mean[i % 3]) * k + mean[i % 3]);
            }
            case JPEG_COMPRESSION -> jpeg(in, io, out, oo, h, w, JPEG[s - 1]);
            case GLASS_BLUR -> glass(s, in, io, out, oo, h, w, rng);
            case ZOOM_BLUR -> zoom(s, in, io, out, oo, h, w);
            case DEFOCUS_BLUR -> defocus(s, in, io, out, oo, h, w);
            case ELASTIC_TRANSFORM -> elastic(s, in, io, out, oo, h, w, rng);
            case SNOW -> snow(s, in, io, out, oo, h, w, rng);
            case SPATTER -> spatter(s, in, io, out, oo, h, w, rng);
            case FROST -> {
                int[] f = new int[n];
                FrostTiles.procedural(rng, h, w, f);
                double a = FROST[s - 1][0], b = FROST[s - 1][1];
                for (int i = 0; i < n; i++) {
                    double v = a * (in[io + i] & 255) + b * f[i];
                    out[oo + i] = (byte) (int) (v < 0 ? 0 : v > 255 ? 255 : v);
                }
            }
            case PIXELATE -> {
                int sh = Math.max(1, (int) (h * PIXELATE[s - 1])), sw = Math.max(1, (int) (w * PIXELATE[s - 1]));
                int[] src = new int[n];
                for (int i = 0; i < n; i++) src[i] = in[io + i] & 255;
                int[] big = Kernels.boxResize(Kernels.boxResize(src, h, w, sh, sw), sh, sw, h, w);
                for (int i = 0; i < n; i++) out[oo + i] = (byte) big[i];
            }
        }
    }

    /** glass_blur with the ImageNet-C table: {@link Corruptions#glassBlur(double[], byte[], int, byte[], int, int, int, CounterRng)}. */
    private static void glass(int s, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        Corruptions.glassBlur(GLASS[s - 1], in, io, out, oo, h, w, rng);
    }

    /** {@code (x + sum_z clipped_zoom(x, z)) / (count + 1)} in float32, z = NumPy's arange(1, end, step). */
    private static void zoom(int s, byte[] in, int io, byte[] out, int oo, int h, int w) {
        final int n = h * w * 3;
        final double end = ZOOM[s - 1][0], step = ZOOM[s - 1][1];
        final int count = (int) Math.ceil((end - 1.0) / step); // NumPy's arange length
        final double d = (1.0 + step) - 1.0;                    // NumPy's arange delta
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((in[io + i] & 255) / 255.0);
        float[] acc = new float[n];
        for (int i = 0; i < count; i++) {
            double[] z = Kernels.clippedZoom(x, h, w, 3, 1.0 + i * d, true);
            for (int k = 0; k < n; k++) acc[k] += (float) z[k];
        }
        float div = count + 1;
        for (int k = 0; k < n; k++) {
            float v = ((float) x[k] + acc[k]) / div;
            float c = v < 0 ? 0f : (v > 1 ? 1f : v);
            if (Float.isNaN(v)) c = 0f;
            out[oo + k] = (byte) (int) (c * 255f);
        }
    }

    /**
     * imagecorruptions' {@code disk(radius, alias_blur)}: the float32 0/1 disk X^2 + Y^2 &lt;= r^2 on
     * the grid -8..8 (r &lt;= 8) or -r..r, divided by its sum, then cv2.GaussianBlur (3x3 for r &lt;= 8,
     * else 5x5; sigma alias_blur; BORDER_REFLECT_101) in float32, rows then columns. Row-major k x k.
     */
    static float[] disk(double radius, double aliasBlur) {
        int half = radius <= 8 ? 8 : (int) radius, k = 2 * half + 1, ks = radius <= 8 ? 3 : 5;
        float[] d = new float[k * k];
        float sum = 0;
        for (int y = -half; y <= half; y++) {
            for (int x = -half; x <= half; x++) {
                if (x * x + y * y <= radius * radius) {
                    d[(y + half) * k + x + half] = 1f;
                    sum += 1f;
                }
            }
        }
        for (int i = 0; i < d.length; i++) d[i] /= sum;
        // cv::getGaussianKernel(ks, sigma, CV_32F): exp(-(i - (ks-1)/2)^2 / (2 sigma^2)) as float, normalised
        float[] g = new float[ks];
        double gs = 0;
        for (int i = 0; i < ks; i++) {
            double x = i - (ks - 1) * 0.5;
            g[i] = (float) Math.exp(-0.5 / (aliasBlur * aliasBlur) * x * x);
            gs += g[i];
        }
        for (int i = 0; i < ks; i++) g[i] = (float) (g[i] * (1.0 / gs));
        int r = ks / 2;
        float[] t = new float[k * k], o = new float[k * k];
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                float acc = g[r] * d[y * k + x];
                for (int j = 1; j <= r; j++) acc += g[r - j] * (d[y * k + Kernels.r101(x - j, k)] + d[y * k + Kernels.r101(x + j, k)]);
                t[y * k + x] = acc;
            }
        }
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                float acc = g[r] * t[y * k + x];
                for (int j = 1; j <= r; j++) acc += g[r - j] * (t[Kernels.r101(y - j, k) * k + x] + t[Kernels.r101(y + j, k) * k + x]);
                o[y * k + x] = acc;
            }
        }
        return o;
    }

    /**
     * defocus_blur: per channel cv2.filter2D(x, -1, disk(r, a)) in float64 with BORDER_REFLECT_101
     * (a direct sum over the kernel's non-zero taps; OpenCV takes the DFT route for kernels this large,
     * which differs in the last bits), then truncation to uint8.
     */
    private static void defocus(int s, byte[] in, int io, byte[] out, int oo, int h, int w) {
        float[] kf = disk(DEFOCUS[s - 1][0], DEFOCUS[s - 1][1]);
        int k = (int) Math.round(Math.sqrt(kf.length)), half = k / 2;
        int taps = 0;
        int[] ty = new int[kf.length], tx = new int[kf.length];
        double[] tw = new double[kf.length];
        for (int i = 0; i < kf.length; i++) {
            if (kf[i] == 0f) continue;
            ty[taps] = i / k - half;
            tx[taps] = i % k - half;
            tw[taps++] = kf[i];
        }
        double[] x = unit(in, io, h * w * 3);
        int[][] ry = new int[k][h], rx = new int[k][w];
        for (int d = -half; d <= half; d++) {
            for (int i = 0; i < h; i++) ry[d + half][i] = Kernels.r101(i + d, h);
            for (int i = 0; i < w; i++) rx[d + half][i] = Kernels.r101(i + d, w);
        }
        for (int y = 0; y < h; y++) {
            for (int xx = 0; xx < w; xx++) {
                double a0 = 0, a1 = 0, a2 = 0;
                for (int t = 0; t < taps; t++) {
                    int p = (ry[ty[t] + half][y] * w + rx[tx[t] + half][xx]) * 3;
                    a0 += tw[t] * x[p];
                    a1 += tw[t] * x[p + 1];
                    a2 += tw[t] * x[p + 2];
                }
                int o = oo + (y * w + xx) * 3;
                out[o] = trunc(a0);
                out[o + 1] = trunc(a1);
                out[o + 2] = trunc(a2);
            }
        }
    }

    /**
     * elastic_transform as imagecorruptions generalises it: sigma = (0.01 h, 0.01 w), max_d = 0.005 h,
     * alpha = 250 x (.05 .065 .085 .1 .12); dx, dy = float32(gaussian(U(-max_d, max_d), sigma,
     * reflect, truncate 3) * alpha); the float32 image sampled at (y + dy, x + dx) by order-1
     * map_coordinates, mode reflect. Draws: h*w uniforms for dx, then h*w for dy (row-major).
     */
    private static void elastic(int s, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        final int n = h * w * 3, px = h * w;
        double alpha = ELASTIC[s - 1], maxD = h * 0.005;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (float) (in[io + i] & 255) / 255f;
        double[] wy = Kernels.gaussianWeights(h * 0.01, 3.0), wx = Kernels.gaussianWeights(w * 0.01, 3.0);
        double[] dx = new double[px], dy = new double[px];
        for (int i = 0; i < px; i++) dx[i] = rng.uniform(-maxD, maxD);
        for (int i = 0; i < px; i++) dy[i] = rng.uniform(-maxD, maxD);
        Kernels.gaussian(dx, h, w, 1, wy, wx, Kernels.REFLECT, false);
        Kernels.gaussian(dy, h, w, 1, wy, wx, Kernels.REFLECT, false);
        for (int i = 0; i < px; i++) {
            dx[i] = (float) (dx[i] * alpha);
            dy[i] = (float) (dy[i] * alpha);
        }
        double[] r = Kernels.displace(x, h, w, 3, dy, dx);
        for (int i = 0; i < n; i++) {
            float v = (float) r[i];
            float c = v < 0 ? 0f : (v > 1 ? 1f : v);
            out[oo + i] = (byte) (int) (c * 255f);
        }
    }

    /** snow with the ImageNet-C table: {@link Corruptions#snow(double[], byte[], int, byte[], int, int, int, CounterRng)}. */
    private static void snow(int s, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        Corruptions.snow(SNOW[s - 1], in, io, out, oo, h, w, rng);
    }

    /** spatter with the ImageNet-C table: {@link Corruptions#spatter(double[], byte[], int, byte[], int, int, int, CounterRng)}. */
    private static void spatter(int s, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        Corruptions.spatter(SPATTER[s - 1], in, io, out, oo, h, w, rng);
    }

    private static double[] unit(byte[] in, int off, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (in[off + i] & 255) / 255.0;
        return x;
    }

    /** np.uint8(np.clip(v, 0, 1) * 255): truncation; NaN to 0. */
    static byte trunc(double v) {
        double c = v < 0 ? 0 : (v > 1 ? 1 : v);
        if (Double.isNaN(v)) c = 0;
        return (byte) (int) (c * 255);
    }

    private static void store(double[] v, byte[] out, int off) {
        for (int i = 0; i < v.length; i++) out[off + i] = trunc(v[i]);
    }

    /** JDK ImageIO baseline JPEG at quality q (4:2:0, IJG tables), decoded again by ImageIO (cifar-c.md section 4.7). */
    static void jpeg(byte[] in, int io, byte[] out, int oo, int h, int w, int quality) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int p = 0; p < h * w; p++) {
            bgr[3 * p] = in[io + 3 * p + 2];
            bgr[3 * p + 1] = in[io + 3 * p + 1];
            bgr[3 * p + 2] = in[io + 3 * p];
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
            ImageWriter wr = JPEG_WRITER.get();
            try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
                ImageWriteParam p = wr.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality / 100f);
                wr.setOutput(ios);
                wr.write(null, new IIOImage(img, null, null), p);
            } finally {
                wr.reset();
            }
            ImageReader r = JPEG_READER.get();
            BufferedImage back;
            try (MemoryCacheImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                r.setInput(iis, true, true);
                back = r.read(0);
            } finally {
                r.reset();
            }
            if (back.getType() == BufferedImage.TYPE_3BYTE_BGR && back.getWidth() == w && back.getHeight() == h) {
                byte[] b = ((DataBufferByte) back.getRaster().getDataBuffer()).getData();
                for (int p = 0; p < h * w; p++) {
                    out[oo + 3 * p] = b[3 * p + 2];
                    out[oo + 3 * p + 1] = b[3 * p + 1];
                    out[oo + 3 * p + 2] = b[3 * p];
                }
                return;
            }
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = back.getRGB(x, y);
                    int o = oo + (y * w + x) * 3;
                    out[o] = (byte) (rgb >> 16);
                    out[o + 1] = (byte) (rgb >> 8);
                    out[o + 2] = (byte) rgb;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip failed", e);
        }
    }

    /** One JDK JPEG writer and reader per thread, reset between images (creating them is slow). */
    private static final ThreadLocal<ImageWriter> JPEG_WRITER = ThreadLocal.withInitial(() -> {
        Iterator<ImageWriter> ws = ImageIO.getImageWritersByFormatName("jpeg");
        if (!ws.hasNext()) throw new IllegalStateException("no JPEG writer in this JDK (java.desktop missing?)");
        return ws.next();
    });
    private static final ThreadLocal<ImageReader> JPEG_READER = ThreadLocal.withInitial(() -> {
        Iterator<ImageReader> rs = ImageIO.getImageReadersByFormatName("jpeg");
        if (!rs.hasNext()) throw new IllegalStateException("no JPEG reader in this JDK (java.desktop missing?)");
        return rs.next();
    });
}
