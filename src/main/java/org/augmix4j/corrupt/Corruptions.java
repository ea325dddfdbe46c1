package org.augmix4j.corrupt;

import java.util.List;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * The 19 CIFAR-C corruptions at CIFAR (32x32) strength, CPU reference, following the original
 * generator (hendrycks/robustness, ImageNet-C/create_c/make_cifar_c.py; Hendrycks &amp; Dietterich 2019): same algorithms, same
 * parameter tables, NumPy's float64/float32 arithmetic and the final uint8 truncation.
 *
 * <p>Randomness: image {@code i} of a call draws from its own {@link CounterRng} stream keyed by
 * {@code CounterRng.key(seed, stem, severity, firstIndex + i)}, so the output for a given dataset
 * index does not depend on threads, batch size or the other images.
 *
 * <p>Typical use: {@code Corruptions.corrupt(batch, "fog", 3, seed)}; the evaluator passes
 * {@code firstIndex} when it corrupts a dataset chunk by chunk.
 */
public final class Corruptions {
    private Corruptions() {}

    /** Images must be this size (the CIFAR parameter tables are tied to it). */
    public static final int SIZE = 32;
    private static final int N = SIZE * SIZE * 3;

    /** The 15 benchmark stems in the official order. */
    public static final List<String> BENCHMARK = Corruption.benchmarkSet().stream().map(Corruption::stem).toList();
    /** The 4 extra stems. */
    public static final List<String> EXTRAS = Corruption.extras().stream().map(Corruption::stem).toList();
    /** All 19 stems. */
    public static final List<String> ALL = Corruption.stems();

    /** Corrupts every image of {@code in} (32x32x3) with procedural frost; image i has index i. */
    public static ImageBatch corrupt(ImageBatch in, String name, int severity, long seed) {
        return corrupt(in, Corruption.byName(name), severity, seed, 0L, FrostTiles.procedural());
    }

    /** As {@link #corrupt(ImageBatch, String, int, long)}, with dataset index of image 0 and frost source. */
    public static ImageBatch corrupt(ImageBatch in, Corruption c, int severity, long seed, long firstIndex, FrostTiles frost) {
        byte[] out = new byte[in.pixels().length];
        corruptInto(in, c, severity, seed, firstIndex, frost, out, 0);
        return new ImageBatch(out, in.count(), in.height(), in.width(), in.channels());
    }

    /**
     * Writes the corrupted images of {@code in} into {@code out} starting at byte {@code outOff}
     * (e.g. straight into a severity slice of a CIFAR-C-layout buffer). Parallel over images.
     */
    public static void corruptInto(ImageBatch in, Corruption c, int severity, long seed, long firstIndex,
                                   FrostTiles frost, byte[] out, int outOff) {
        checkShape(in);
        Corruption.checkSeverity(severity);
        if (c == null) throw new IllegalArgumentException("corruption is null; valid names: " + String.join(", ", ALL));
        FrostTiles f = frost == null ? FrostTiles.procedural() : frost;
        BatchShapes.checkOutput(out.length, outOff, in.count(), N);
        byte[] src = in.pixels();
        int grain = c == Corruption.JPEG_COMPRESSION || c == Corruption.MOTION_BLUR ? 8 : 16;
        Parallel.range(in.count(), grain, (s, e) -> {
            CounterRng rng = new CounterRng(0);
            for (int i = s; i < e; i++) {
                rng.reset(CounterRng.key(seed, c.stem(), severity, firstIndex + i));
                apply(c, severity, src, i * N, out, outOff + i * N, rng, f);
            }
        });
    }

    /** One image: 3072 bytes at {@code inOff} to 3072 bytes at {@code outOff}, drawing from {@code rng}. */
    public static void corruptImage(Corruption c, int severity, byte[] in, int inOff, byte[] out, int outOff,
                                    long seed, long index, FrostTiles frost) {
        Corruption.checkSeverity(severity);
        CounterRng rng = new CounterRng(CounterRng.key(seed, c.stem(), severity, index));
        apply(c, severity, in, inOff, out, outOff, rng, frost == null ? FrostTiles.procedural() : frost);
    }

    private static void checkShape(ImageBatch in) {
        if (in.height() != SIZE || in.width() != SIZE || in.channels() != 3) BatchShapes.notCifar(in);
    }

    static void apply(Corruption c, int s, byte[] in, int io, byte[] out, int oo, CounterRng rng, FrostTiles frost) {
        switch (c) {
            case GAUSSIAN_NOISE -> gaussianNoise(s, in, io, out, oo, rng);
            case SHOT_NOISE -> shotNoise(s, in, io, out, oo, rng);
            case IMPULSE_NOISE -> impulseNoise(s, in, io, out, oo, rng);
            case DEFOCUS_BLUR -> defocusBlur(s, in, io, out, oo);
            case GLASS_BLUR -> glassBlur(s, in, io, out, oo, rng);
            case MOTION_BLUR -> motionBlur(s, in, io, out, oo, rng);
            case ZOOM_BLUR -> zoomBlur(s, in, io, out, oo);
            case SNOW -> snow(s, in, io, out, oo, rng);
            case FROST -> frost(s, in, io, out, oo, rng, frost);
            case FOG -> fog(s, in, io, out, oo, rng);
            case BRIGHTNESS -> brightness(s, in, io, out, oo);
            case CONTRAST -> contrast(s, in, io, out, oo);
            case ELASTIC_TRANSFORM -> elastic(s, in, io, out, oo, rng);
            case PIXELATE -> pixelate(s, in, io, out, oo);
            case JPEG_COMPRESSION -> jpeg(s, in, io, out, oo);
            case SPECKLE_NOISE -> speckleNoise(s, in, io, out, oo, rng);
            case GAUSSIAN_BLUR -> gaussianBlur(s, in, io, out, oo);
            case SPATTER -> spatter(s, in, io, out, oo, rng);
            case SATURATE -> saturate(s, in, io, out, oo);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** X = x / 255. (float64). */
    private static double[] unit(byte[] in, int off) {
        double[] x = new double[N];
        for (int i = 0; i < N; i++) x[i] = (in[off + i] & 255) / 255.0;
        return x;
    }

    /** np.array(x, dtype=float32) / 255. (float32 division). */
    private static float[] unitF(byte[] in, int off) {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) (in[off + i] & 255) / 255f;
        return x;
    }

    /** np.uint8(np.clip(v, 0, 1) * 255) in float64: truncation. */
    private static byte trunc(double v) {
        double c = v < 0 ? 0 : (v > 1 ? 1 : v);
        if (Double.isNaN(v)) c = 0;
        return (byte) (int) (c * 255);
    }

    /** The same for a float32 array. */
    private static byte truncF(float v) {
        float c = v < 0 ? 0f : (v > 1 ? 1f : v);
        if (Float.isNaN(v)) c = 0f;
        return (byte) (int) (c * 255f);
    }

    private static void store(double[] v, byte[] out, int off) {
        for (int i = 0; i < N; i++) out[off + i] = trunc(v[i]);
    }

    private static int[] ints(byte[] in, int off) {
        int[] x = new int[N];
        for (int i = 0; i < N; i++) x[i] = in[off + i] & 255;
        return x;
    }

    // ------------------------------------------------------------------ noise

    static final double[] GAUSS_SIGMA = {0.04, 0.06, 0.08, 0.09, 0.10};
    static final int[] SHOT_C = {500, 250, 100, 75, 50};
    static final double[] IMPULSE_AMOUNT = {0.01, 0.02, 0.03, 0.05, 0.07};
    static final double[] SPECKLE_SIGMA = {0.06, 0.10, 0.12, 0.16, 0.20};

    /** Value j's noise is {@code gaussianAt(key, j)}. */
    private static void gaussianNoise(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double sd = GAUSS_SIGMA[s - 1];
        double[] z = new double[N];
        CounterRng.gaussians(rng.key(), z, N);
        for (int j = 0; j < N; j++) {
            double x = (in[io + j] & 255) / 255.0;
            out[oo + j] = trunc(x + sd * z[j]);
        }
    }

    /** Value j draws Poisson(X*c) from sub-stream {@code subKey(key, j)}. */
    private static void shotNoise(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        int c = SHOT_C[s - 1];
        long key = rng.key();
        CounterRng r = new CounterRng(0);
        for (int j = 0; j < N; j++) {
            double x = (in[io + j] & 255) / 255.0;
            r.reset(CounterRng.subKey(key, j));
            out[oo + j] = trunc((double) r.nextPoisson(x * c) / c);
        }
    }

    /** skimage 0.14 random_noise 's&p': value j flipped if draw 2j+1 &lt; amount, salt (1) if draw 2j+2 &lt; 0.5. */
    private static void impulseNoise(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double a = IMPULSE_AMOUNT[s - 1];
        long key = rng.key();
        for (int j = 0; j < N; j++) {
            double x = (in[io + j] & 255) / 255.0;
            boolean flipped = CounterRng.uniformAt(key, 2L * j + 1) < a;
            if (flipped) x = CounterRng.uniformAt(key, 2L * j + 2) < 0.5 ? 1.0 : 0.0;
            out[oo + j] = trunc(x);
        }
    }

    private static void speckleNoise(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double sd = SPECKLE_SIGMA[s - 1];
        double[] z = new double[N];
        CounterRng.gaussians(rng.key(), z, N);
        for (int j = 0; j < N; j++) {
            double x = (in[io + j] & 255) / 255.0;
            out[oo + j] = trunc(x + x * (sd * z[j]));
        }
    }

    // ------------------------------------------------------------------ blur

    /** Effective float32 defocus kernels at offsets (0,0), (0,1), (1,1), (0,2), (1,2) (make_cifar_c.py's disk()). */
    private static final float[][] DEFOCUS = {
            {0.84497315f, 0.03712553f, 0.001631182f, 0f, 0f},
            {0.61934704f, 0.08381951f, 0.011343737f, 0f, 0f},
            {0.44521323f, 0.111014895f, 0.027681809f, 0f, 0f},
            {0.2f, 0.19999777f, 1.4906418e-06f, 7.4531954e-07f, 2.7775475e-12f},
            {0.11111111f, 0.11111111f, 0.11111111f, 2.1430555e-23f, 2.1430555e-23f}};

    private static double defocusWeight(float[] k, int dy, int dx) {
        int a = Math.min(Math.abs(dy), Math.abs(dx)), b = Math.max(Math.abs(dy), Math.abs(dx));
        if (a == 0 && b == 0) return k[0];
        if (a == 0 && b == 1) return k[1];
        if (a == 1 && b == 1) return k[2];
        if (a == 0 && b == 2) return k[3];
        if (a == 1 && b == 2) return k[4];
        return 0.0;
    }

    private static void defocusBlur(int s, byte[] in, int io, byte[] out, int oo) {
        double[] x = unit(in, io);
        float[] k = DEFOCUS[s - 1];
        double[] kk = new double[25];
        for (int dy = -2; dy <= 2; dy++) for (int dx = -2; dx <= 2; dx++) kk[(dy + 2) * 5 + dx + 2] = defocusWeight(k, dy, dx);
        int[][] idx = new int[5][SIZE];
        for (int d = -2; d <= 2; d++) for (int i = 0; i < SIZE; i++) idx[d + 2][i] = Kernels.r101(i + d, SIZE);
        int taps = 0;
        int[] tdy = new int[25], tdx = new int[25];
        double[] tw = new double[25];
        for (int t = 0; t < 25; t++) {
            if (kk[t] == 0) continue;
            tdy[taps] = t / 5;
            tdx[taps] = t % 5;
            tw[taps++] = kk[t];
        }
        for (int y = 0; y < SIZE; y++) {
            for (int xx = 0; xx < SIZE; xx++) {
                for (int ch = 0; ch < 3; ch++) {
                    double acc = 0;
                    for (int t = 0; t < taps; t++) acc += tw[t] * x[(idx[tdy[t]][y] * SIZE + idx[tdx[t]][xx]) * 3 + ch];
                    out[oo + (y * SIZE + xx) * 3 + ch] = trunc(acc);
                }
            }
        }
    }

    static final double[][] GLASS = {{0.05, 1, 1}, {0.25, 1, 1}, {0.4, 1, 1}, {0.25, 1, 2}, {0.4, 1, 2}};

    /** Draws per pass, h = 31..2, w = 31..2: dx then dy, each uniform in {-1, 0}. */
    private static void glassBlur(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        glassBlur(GLASS[s - 1], in, io, out, oo, SIZE, SIZE, rng);
    }

    /**
     * glass_blur at h x w with {@code c} = (sigma, max shift d, iterations) (this class's CIFAR table,
     * d = 1, at 32x32; AnySize's ImageNet-C table elsewhere): gaussian, then per iteration every pixel
     * from (h - d, w - d) down to (d + 1, d + 1) takes the value of a neighbour up to d away (two draws
     * per pixel), then gaussian again.
     */
    static void glassBlur(double[] c, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        final int d = (int) c[1], iterations = (int) c[2], n = h * w * 3;
        double[] wt = Kernels.gaussianWeights(c[0], 4.0);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (in[io + i] & 255) / 255.0;
        Kernels.gaussian(x, h, w, 3, wt, Kernels.NEAREST, false);
        int[] u = new int[n];
        for (int i = 0; i < n; i++) u[i] = Math.max(0, Math.min(255, (int) (x[i] * 255)));
        for (int it = 0; it < iterations; it++) {
            for (int y = h - d; y > d; y--) {
                for (int xx = w - d; xx > d; xx--) {
                    int dx = rng.nextInt(-d, d), dy = rng.nextInt(-d, d);
                    int src = ((y + dy) * w + xx + dx) * 3, dst = (y * w + xx) * 3;
                    u[dst] = u[src];
                    u[dst + 1] = u[src + 1];
                    u[dst + 2] = u[src + 2];
                }
            }
        }
        for (int i = 0; i < n; i++) x[i] = u[i] / 255.0;
        Kernels.gaussian(x, h, w, 3, wt, Kernels.NEAREST, false);
        for (int i = 0; i < n; i++) out[oo + i] = trunc(x[i]);
    }

    static final double[][] MOTION = {{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}};

    /** One draw: the angle, uniform in [-45, 45) degrees. */
    private static void motionBlur(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double angle = rng.uniform(-45, 45);
        motionBlurFixed(s, angle, in, io, out, oo);
    }

    /** motion_blur with a given angle (degrees): the deterministic part, tested against ImageMagick. */
    static void motionBlurFixed(int s, double angle, byte[] in, int io, byte[] out, int oo) {
        int[] src = ints(in, io), dst = new int[N];
        Kernels.motionBlur(src, dst, SIZE, SIZE, 3, MOTION[s - 1][0], MOTION[s - 1][1], angle);
        for (int i = 0; i < N; i++) out[oo + i] = (byte) dst[i];
    }

    static final int[] ZOOM_COUNT = {7, 12, 16, 21, 26};

    private static void zoomBlur(int s, byte[] in, int io, byte[] out, int oo) {
        double[] x = new double[N];
        for (int i = 0; i < N; i++) x[i] = (float) ((in[io + i] & 255) / 255.0);
        int count = ZOOM_COUNT[s - 1];
        double d = (1.0 + 0.01) - 1.0; // NumPy's arange step
        float[] acc = new float[N];
        for (int i = 0; i < count; i++) {
            double[] z = Kernels.clippedZoom(x, SIZE, 3, 1.0 + i * d, true);
            for (int k = 0; k < N; k++) acc[k] += (float) z[k];
        }
        float div = count + 1;
        for (int k = 0; k < N; k++) out[oo + k] = truncF(((float) x[k] + acc[k]) / div);
    }

    static final double[] GAUSS_BLUR_SIGMA = {0.4, 0.6, 0.7, 0.8, 1.0};

    private static void gaussianBlur(int s, byte[] in, int io, byte[] out, int oo) {
        double[] x = unit(in, io);
        Kernels.gaussian(x, SIZE, SIZE, 3, Kernels.gaussianWeights(GAUSS_BLUR_SIGMA[s - 1], 4.0), Kernels.NEAREST, false);
        store(x, out, oo);
    }

    // ------------------------------------------------------------------ weather

    static final double[][] SNOW = {
            {0.1, 0.2, 1, 0.6, 8, 3, 0.95}, {0.1, 0.2, 1, 0.5, 10, 4, 0.9}, {0.15, 0.3, 1.75, 0.55, 10, 4, 0.9},
            {0.25, 0.3, 2.25, 0.6, 12, 6, 0.85}, {0.3, 0.3, 1.25, 0.65, 14, 12, 0.8}};

    /** Draws: 1024 normals (row-major snow layer), then the angle in [-135, -45). */
    private static void snow(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        snow(SNOW[s - 1], in, io, out, oo, SIZE, SIZE, rng);
    }

    /**
     * snow at h x w with the parameters {@code c} (this class's CIFAR table at 32x32, AnySize's
     * ImageNet-C table elsewhere): layer N(c0, c1) (h*w draws, row-major), clipped_zoom by c2 (per
     * axis), zero below c3, clip, uint8, ImageMagick motion blur (radius c4, sigma c5, angle U(-135, -45): the
     * next draw), then {@code c6 x + (1 - c6) max(x, gray 1.5 + 0.5) + layer + rot180(layer)}.
     */
    static void snow(double[] c, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        final int px = h * w;
        float[] x = new float[px * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (in[io + i] & 255) / 255f;
        double[] layer = new double[px];
        for (int i = 0; i < px; i++) layer[i] = c[0] + c[1] * rng.nextGaussian();
        layer = Kernels.clippedZoom(layer, h, w, 1, c[2], false);
        int[] l8 = new int[px];
        for (int i = 0; i < px; i++) {
            double v = layer[i] < c[3] ? 0 : layer[i];
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            l8[i] = (int) (v * 255);
        }
        int[] blurred = new int[px];
        Kernels.motionBlur(l8, blurred, h, w, 1, c[4], c[5], rng.uniform(-135, -45));
        float blend = (float) c[6], rest = (float) (1 - c[6]);
        for (int p = 0; p < px; p++) {
            float r = x[3 * p], g = x[3 * p + 1], b = x[3 * p + 2];
            float gray = r * 0.299f + g * 0.587f + b * 0.114f;
            float lift = gray * 1.5f + 0.5f;
            for (int ch = 0; ch < 3; ch++) {
                float v = x[3 * p + ch];
                float xv = blend * v + rest * Math.max(v, lift);
                out[oo + 3 * p + ch] = trunc(((double) xv + blurred[p] / 255.0) + blurred[px - 1 - p] / 255.0);
            }
        }
    }

    static final double[][] FROST = {{1, 0.2}, {1, 0.3}, {0.9, 0.4}, {0.85, 0.4}, {0.75, 0.45}};

    private static void frost(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng, FrostTiles tiles) {
        double a = FROST[s - 1][0], b = FROST[s - 1][1];
        int[] f = new int[N];
        tiles.tile(rng, f);
        for (int i = 0; i < N; i++) {
            double v = a * (in[io + i] & 255) + b * f[i];
            v = v < 0 ? 0 : v > 255 ? 255 : v;
            out[oo + i] = (byte) (int) v;
        }
    }

    static final double[][] FOG = {{0.2, 3}, {0.5, 3}, {0.75, 2.5}, {1, 2}, {1.5, 1.75}};

    private static void fog(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double t = FOG[s - 1][0];
        double[] x = unit(in, io);
        double m = 0;
        for (double v : x) m = Math.max(m, v);
        double[] p = Kernels.plasma(SIZE, FOG[s - 1][1], rng);
        for (int i = 0; i < N; i++) out[oo + i] = trunc((x[i] + t * p[i / 3]) * m / (m + t));
    }

    static final double[] BRIGHTNESS = {0.05, 0.10, 0.15, 0.20, 0.30};

    private static void brightness(int s, byte[] in, int io, byte[] out, int oo) {
        double c = BRIGHTNESS[s - 1];
        double[] x = unit(in, io);
        Kernels.rgb2hsv(x, SIZE * SIZE);
        for (int p = 0; p < SIZE * SIZE; p++) x[3 * p + 2] = Math.min(Math.max(x[3 * p + 2] + c, 0), 1);
        Kernels.hsv2rgb(x, SIZE * SIZE);
        store(x, out, oo);
    }

    // ------------------------------------------------------------------ digital

    static final double[] CONTRAST = {0.75, 0.5, 0.4, 0.3, 0.15};

    private static void contrast(int s, byte[] in, int io, byte[] out, int oo) {
        double c = CONTRAST[s - 1];
        double[] x = unit(in, io);
        double[] mean = new double[3];
        for (int ch = 0; ch < 3; ch++) {
            double sum = 0;
            for (int p = 0; p < SIZE * SIZE; p++) sum += x[3 * p + ch];
            mean[ch] = sum / (SIZE * SIZE);
        }
        for (int i = 0; i < N; i++) out[oo + i] = trunc((x[i] - mean[i % 3]) * c + mean[i % 3]);
    }

    static final double[][] ELASTIC = {
            {32 * 0.0, 32 * 0.0, 32 * 0.08}, {32 * 0.05, 32 * 0.2, 32 * 0.07}, {32 * 0.08, 32 * 0.06, 32 * 0.06},
            {32 * 0.1, 32 * 0.04, 32 * 0.05}, {32 * 0.1, 32 * 0.03, 32 * 0.03}};

    /** Draws: 6 uniforms (affine jitter, row-major 3x2), 1024 uniforms (dx field), 1024 (dy field). */
    private static void elastic(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        double alpha = ELASTIC[s - 1][0], sigma = ELASTIC[s - 1][1], aff = ELASTIC[s - 1][2];
        float[] xf = unitF(in, io);
        double[] x = new double[N];
        for (int i = 0; i < N; i++) x[i] = xf[i];
        float[] pts1 = {26f, 26f, 26f, 6f, 6f, 6f};
        double[] src = new double[6], dst = new double[6];
        for (int i = 0; i < 6; i++) {
            src[i] = pts1[i];
            dst[i] = pts1[i] + (float) rng.uniform(-aff, aff);
        }
        double[] m = Kernels.affineFromPoints(src, dst);
        double[] warped = Kernels.warpAffine(x, SIZE, SIZE, 3, m);
        double[] wt = Kernels.gaussianWeights(sigma, 3.0);
        double[] dx = new double[SIZE * SIZE], dy = new double[SIZE * SIZE];
        for (int i = 0; i < dx.length; i++) dx[i] = rng.uniform(-1, 1);
        for (int i = 0; i < dy.length; i++) dy[i] = rng.uniform(-1, 1);
        Kernels.gaussian(dx, SIZE, SIZE, 1, wt, Kernels.REFLECT, false);
        Kernels.gaussian(dy, SIZE, SIZE, 1, wt, Kernels.REFLECT, false);
        for (int i = 0; i < dx.length; i++) {
            dx[i] = (float) (dx[i] * alpha);
            dy[i] = (float) (dy[i] * alpha);
        }
        double[] r = Kernels.displace(warped, SIZE, SIZE, 3, dy, dx);
        for (int i = 0; i < N; i++) out[oo + i] = truncF((float) r[i]);
    }

    static final int[] PIXELATE_SIZE = {30, 28, 27, 24, 20};

    private static void pixelate(int s, byte[] in, int io, byte[] out, int oo) {
        int size = PIXELATE_SIZE[s - 1];
        int[] small = Kernels.boxResize(ints(in, io), SIZE, SIZE, size, size);
        int[] big = Kernels.boxResize(small, size, size, SIZE, SIZE);
        for (int i = 0; i < N; i++) out[oo + i] = (byte) big[i];
    }

    static final int[] JPEG_QUALITY = {80, 65, 58, 50, 40};

    /** JDK ImageIO baseline JPEG at quality q (4:2:0, IJG tables), decoded again by ImageIO (the bytes of Pillow's save(quality=q) + open). */
    private static void jpeg(int s, byte[] in, int io, byte[] out, int oo) {
        AnySize.jpeg(in, io, out, oo, SIZE, SIZE, JPEG_QUALITY[s - 1]);
    }

    static final double[][] SATURATE = {{0.3, 0}, {0.1, 0}, {1.5, 0}, {2, 0.1}, {2.5, 0.2}};

    private static void saturate(int s, byte[] in, int io, byte[] out, int oo) {
        double mul = SATURATE[s - 1][0], add = SATURATE[s - 1][1];
        double[] x = unit(in, io);
        Kernels.rgb2hsv(x, SIZE * SIZE);
        for (int p = 0; p < SIZE * SIZE; p++) x[3 * p + 1] = Math.min(Math.max(x[3 * p + 1] * mul + add, 0), 1);
        Kernels.hsv2rgb(x, SIZE * SIZE);
        store(x, out, oo);
    }

    static final double[][] SPATTER = {
            {0.62, 0.1, 0.7, 0.7, 0.5, 0}, {0.65, 0.1, 0.8, 0.7, 0.5, 0}, {0.65, 0.3, 1, 0.69, 0.5, 0},
            {0.65, 0.1, 0.7, 0.69, 0.6, 1}, {0.65, 0.1, 0.5, 0.68, 0.6, 1}};
    private static final int[] SPATTER_KERNEL = {-2, -1, 0, -1, 1, 1, 0, 1, 2};

    /** Draws: 1024 normals (row-major liquid layer). */
    private static void spatter(int s, byte[] in, int io, byte[] out, int oo, CounterRng rng) {
        spatter(SPATTER[s - 1], in, io, out, oo, SIZE, SIZE, rng);
    }

    /**
     * spatter at h x w with the parameters {@code c} (this class's CIFAR table at 32x32, AnySize's
     * ImageNet-C table elsewhere): liquid N(c0, c1) (h*w draws, row-major), gaussian sigma c2, zero
     * below c3; c5 = 0: water (Canny, distance transform, equalised and embossed, times the liquid,
     * normalised, times c4, pale turquoise added); c5 = 1: mud (mask liquid &gt; c3, gaussian sigma c4,
     * zero below 0.8, brown blended in).
     */
    static void spatter(double[] c, byte[] in, int io, byte[] out, int oo, int h, int w, CounterRng rng) {
        final int P = h * w;
        float[] x = new float[P * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (in[io + i] & 255) / 255f;
        double[] liquid = new double[P];
        for (int i = 0; i < P; i++) liquid[i] = c[0] + c[1] * rng.nextGaussian();
        Kernels.gaussian(liquid, h, w, 1, Kernels.gaussianWeights(c[2], 4.0), Kernels.NEAREST, false);
        for (int i = 0; i < P; i++) if (liquid[i] < c[3]) liquid[i] = 0;
        if (c[5] == 0) {
            int[] l8 = new int[P];
            for (int i = 0; i < P; i++) l8[i] = ((int) (liquid[i] * 255)) & 255; // NumPy astype(uint8) wraps
            int[] edges = CvOps.canny(l8, h, w, 50, 150);
            for (int i = 0; i < P; i++) edges[i] = 255 - edges[i];
            float[] dist = CvOps.distanceTransform(edges, h, w);
            for (int i = 0; i < P; i++) dist[i] = Math.min(dist[i], 20f);
            dist = CvOps.box3(dist, h, w);
            int[] d8 = new int[P];
            for (int i = 0; i < P; i++) d8[i] = (int) dist[i];
            d8 = CvOps.equalizeHist(d8);
            d8 = CvOps.filter3x3u8(d8, h, w, SPATTER_KERNEL);
            d8 = CvOps.box3u8(d8, h, w);
            float[] mk = new float[P];
            float mx = 0;
            for (int i = 0; i < P; i++) {
                mk[i] = (float) l8[i] * (float) d8[i];
                mx = Math.max(mx, mk[i]);
            }
            float intensity = (float) c[4];
            float[] color = {175f / 255f, 238f / 255f, 238f / 255f};
            for (int p = 0; p < P; p++) {
                float mv = mx > 0 ? mk[p] / mx * intensity : 0f;
                for (int ch = 0; ch < 3; ch++) out[oo + 3 * p + ch] = truncF(x[3 * p + ch] + mv * color[ch]);
            }
        } else {
            double[] m = new double[P];
            for (int i = 0; i < P; i++) m[i] = liquid[i] > c[3] ? 1.0 : 0.0;
            Kernels.gaussian(m, h, w, 1, Kernels.gaussianWeights(c[4], 4.0), Kernels.NEAREST, true);
            float[] color = {63f / 255f, 42f / 255f, 20f / 255f};
            for (int p = 0; p < P; p++) {
                float mv = (float) m[p];
                if (mv < 0.8f) mv = 0f;
                for (int ch = 0; ch < 3; ch++) {
                    float v = x[3 * p + ch] * (1f - mv);
                    out[oo + 3 * p + ch] = truncF(v + color[ch] * mv);
                }
            }
        }
    }
}
