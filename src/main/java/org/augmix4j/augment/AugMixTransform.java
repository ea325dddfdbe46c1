package org.augmix4j.augment;

import java.awt.image.BufferedImage;
import java.util.concurrent.atomic.AtomicLong;
import org.augmix4j.image.Images;
import org.augmix4j.image.RgbImage;

/**
 * AugMix as a per-image transform, in the style of torchvision's {@code transforms.AugMix} and the
 * official {@code augment_and_mix}: built once with severity, width, depth, alpha, allOps and a seed,
 * then applied to {@link BufferedImage}s (any type; the result has the same kind, see
 * {@link Images#withRgb}), {@link RgbImage}s or raw uint8 HWC bytes.
 *
 * <p>Math (spec augmix.md section 1; the ops are the Pillow-exact {@link Op}s): for image x and draw
 * index i, view v draws {@code w ~ Dirichlet(alpha)}, {@code m ~ Beta(alpha, alpha)} and per chain k
 * a depth (1..3 when depth &le; 0) and ops with levels in [0.1, severity], all from Philox keyed by
 * (seed, i, v) ({@link AugMix#program}); chain k applies its ops to x in uint8. Then in float32:
 * <ul>
 * <li>uint8 form ({@link #apply}): {@code mix = 0; mix += w_k * c_k}; {@code y = (1 - m) x + m mix},
 *     rounded to nearest and clamped to 0..255 (torchvision truncates instead; rounding keeps an identity
 *     mix at its value despite float rounding);</li>
 * <li>tensor form ({@link #toTensor}): the same mix of {@code N_c(u) = (u / 255 - mean_c) / std_c},
 *     CHW float32; with mean = std = 0.5 it is bit for bit {@link AugMix#sample}'s AUGMIX view;</li>
 * <li>JSD form ({@link #jsdViews}): {@code [N(x), view 1, view 2]}, the three images of the JSD loss
 *     (train with {@code CE(view 0) + 12 * JS(p0, p1, p2)}).</li>
 * </ul>
 * The CIFAR train transform (flip, pad-and-crop) is not part of it; do it before, as torchvision does.
 *
 * <p>Randomness and threads: every method has a form taking the draw index {@code i} (e.g. the dataset
 * index times the epoch count plus the epoch): the result is a pure function of (seed, i, image),
 * whatever thread calls it. The forms without {@code i} take the next value of a shared counter
 * (thread-safe, reproducible in one thread). The transform is immutable apart from that counter, runs
 * entirely on the calling thread (no pool: parallelise with your own executor or data loader, no
 * oversubscription) and keeps one scratch set per thread, so a call costs what one image of
 * {@link AugMix#sampleBatch} costs on one thread.
 */
public final class AugMixTransform {
    private final AugMixConfig cfg;
    private final long seed;
    private final float[] mean, std;
    private final AtomicLong counter = new AtomicLong();
    private final ThreadLocal<AugMix.Scratch> scratch = new ThreadLocal<>();
    /** Per channel c, {@code norm[c][u] = (u / 255f - mean_c) / std_c}. */
    private final float[][] norm = new float[3][256];
    /** mean = std = 0.5 on every channel: the batch path's normalisation, and its mixing loop. */
    private final boolean half;

    private AugMixTransform(Builder b) {
        this.cfg = new AugMixConfig(AugMixConfig.Mode.AUGMIX, b.width, b.depth, b.severity, b.alpha, b.allOps, false);
        this.seed = b.seed;
        this.mean = b.mean.clone();
        this.std = b.std.clone();
        boolean h = true;
        for (int c = 0; c < 3; c++) h &= mean[c] == 0.5f && std[c] == 0.5f;
        this.half = h;
        for (int c = 0; c < 3; c++) {
            for (int u = 0; u < 256; u++) norm[c][u] = h ? AugMix.NORM[u] : ((float) u / 255f - mean[c]) / std[c];
        }
    }

    /** A builder with the official defaults: severity 3, width 3, depth -1 (1..3), alpha 1, 9 ops, seed 0, mean = std = 0.5. */
    public static Builder builder() { return new Builder(); }

    /** The sampling parameters (mode AUGMIX, no train transform). */
    public AugMixConfig config() { return cfg; }

    /** The seed of every draw. */
    public long seed() { return seed; }

    // ------------------------------------------------------------------ uint8 forms

    /** AugMix of {@code img} with the next draw index; same kind of image back (see {@link Images#withRgb}). */
    public BufferedImage apply(BufferedImage img) { return apply(img, counter.getAndIncrement()); }

    /** AugMix of {@code img} with draw index {@code i}; same kind of image back. */
    public BufferedImage apply(BufferedImage img, long i) {
        return Images.withRgb(img, apply(Images.toRgb(img), i));
    }

    /** AugMix of an 8-bit RGB image with the next draw index. */
    public RgbImage apply(RgbImage img) { return apply(img, counter.getAndIncrement()); }

    /** AugMix of an 8-bit RGB image with draw index {@code i}. */
    public RgbImage apply(RgbImage img, long i) {
        return new RgbImage(img.height(), img.width(), apply(img.pixels(), img.height(), img.width(), i));
    }

    /** AugMix of uint8 HWC RGB bytes ({@code h * w * 3}) with draw index {@code i}: new uint8 HWC bytes. */
    public byte[] apply(byte[] hwc, int h, int w, long i) {
        AugMix.Scratch s = scratch(hwc, h, w);
        AugMix.ViewProgram p = program(i, 1, h, w);
        byte[][] ch = chains(s, p);
        final int width = ch.length, n = s.n;
        final float m = p.m(), om = 1f - m;
        final float[] wt = p.w();
        // products of a float32 weight with a uint8 value depend only on the value: tabulated (the same multiplies)
        final float[] tab = s.tables(width + 1);
        for (int u = 0; u < 256; u++) {
            tab[u] = om * (float) u;
            for (int k = 0; k < width; k++) tab[256 * (k + 1) + u] = wt[k] * (float) u;
        }
        final byte[] x = s.x, out = new byte[n];
        if (width == 3) {
            final byte[] c0 = ch[0], c1 = ch[1], c2 = ch[2];
            for (int k = 0; k < n; k++) {
                float mix = 0f;
                mix += tab[256 + (c0[k] & 0xFF)];
                mix += tab[512 + (c1[k] & 0xFF)];
                mix += tab[768 + (c2[k] & 0xFF)];
                out[k] = toUint8(tab[x[k] & 0xFF] + m * mix);
            }
            return out;
        }
        for (int k = 0; k < n; k++) {
            float mix = 0f;
            for (int c = 0; c < width; c++) mix += tab[256 * (c + 1) + (ch[c][k] & 0xFF)];
            out[k] = toUint8(tab[x[k] & 0xFF] + m * mix);
        }
        return out;
    }

    /** Round to nearest, clamped to 0..255. */
    private static byte toUint8(float y) {
        float r = y + 0.5f;
        return (byte) (r <= 0f ? 0 : r >= 255f ? 255 : (int) r);
    }

    // ------------------------------------------------------------------ float forms

    /** The AugMix view of {@code img} (draw index {@code i}) normalised with this transform's mean/std: CHW float32. */
    public float[] toTensor(RgbImage img, long i) { return toTensor(img.pixels(), img.height(), img.width(), i); }

    /** {@link #toTensor(RgbImage, long)} of a BufferedImage of any type. */
    public float[] toTensor(BufferedImage img, long i) { return toTensor(Images.toRgb(img), i); }

    /** {@link #toTensor(RgbImage, long)} of uint8 HWC bytes. */
    public float[] toTensor(byte[] hwc, int h, int w, long i) {
        float[] out = new float[3 * h * w];
        toTensor(hwc, h, w, i, out, 0);
        return out;
    }

    /**
     * {@link #toTensor(byte[], int, int, long)} written into {@code out[off .. off + 3hw)}, e.g. straight into a
     * batch buffer (no allocation per image: the batch path's cost).
     */
    public void toTensor(byte[] hwc, int h, int w, long i, float[] out, int off) {
        AugMix.Scratch s = scratch(hwc, h, w);
        if (out == null || off < 0 || (long) off + s.n > out.length) {
            throw new IllegalArgumentException("output needs " + s.n + " floats from offset " + off + "; it holds "
                    + (out == null ? 0 : out.length));
        }
        mixNormalized(s, program(i, 1, h, w), out, off);
    }

    /**
     * The three JSD images of {@code img} (draw index {@code i}), each CHW float32 normalised with
     * mean/std: {@code [clean, AugMix view 1, AugMix view 2]} (views independent).
     */
    public float[][] jsdViews(RgbImage img, long i) { return jsdViews(img.pixels(), img.height(), img.width(), i); }

    /** {@link #jsdViews(RgbImage, long)} of a BufferedImage of any type. */
    public float[][] jsdViews(BufferedImage img, long i) { return jsdViews(Images.toRgb(img), i); }

    /** {@link #jsdViews(RgbImage, long)} of uint8 HWC bytes. */
    public float[][] jsdViews(byte[] hwc, int h, int w, long i) {
        float[][] out = new float[3][];
        out[0] = normalize(hwc, h, w);
        AugMix.Scratch s = scratch(hwc, h, w);
        for (int v = 1; v <= 2; v++) {
            out[v] = new float[s.n];
            mixNormalized(s, program(i, v, h, w), out[v], 0);
        }
        return out;
    }

    /** {@code N_c(u)} of every value: the clean image normalised with mean/std, CHW float32 (torchvision ToTensor + Normalize). */
    public float[] normalize(byte[] hwc, int h, int w) {
        AugMix.checkImage(hwc, h, w);
        final int hw = h * w;
        float[] out = new float[3 * hw];
        for (int p = 0, k = 0; p < hw; p++, k += 3) {
            out[p] = norm[0][hwc[k] & 0xFF];
            out[hw + p] = norm[1][hwc[k + 1] & 0xFF];
            out[2 * hw + p] = norm[2][hwc[k + 2] & 0xFF];
        }
        return out;
    }

    /** The program of view v for draw index i: sample = low 32 bits of i, epoch = high 32 bits. */
    public AugMix.ViewProgram program(long i, int view, int h, int w) {
        return AugMix.program(seed, (int) (i >>> 32), (int) i, view, cfg, h, w);
    }

    // ------------------------------------------------------------------ internals

    private AugMix.Scratch scratch(byte[] hwc, int h, int w) {
        AugMix.checkImage(hwc, h, w);
        AugMix.Scratch s = scratch.get();
        if (s == null || s.h != h || s.w != w) {
            s = new AugMix.Scratch(h, w);
            scratch.set(s);
        }
        System.arraycopy(hwc, 0, s.x, 0, s.n);
        return s;
    }

    private static byte[][] chains(AugMix.Scratch s, AugMix.ViewProgram p) {
        final int width = p.chains().size();
        s.ensureWidth(width);
        byte[][] ch = new byte[width][];
        for (int c = 0; c < width; c++) ch[c] = AugMix.runChain(s.x, p.chains().get(c), c, s);
        return ch;
    }

    /**
     * {@code out[c * hw + q] = (1 - m) N_c(x) + m * (mix = 0; mix += w_k N_c(chain_k))}, in that order, with
     * the products tabulated per channel (each table entry is the multiply the element loop would do).
     */
    private void mixNormalized(AugMix.Scratch s, AugMix.ViewProgram p, float[] out, int off) {
        if (half) {
            AugMix.mixView(s.x, p, s, out, off, null); // mean = std = 0.5: the batch path's own loop
            return;
        }
        byte[][] ch = chains(s, p);
        final int width = ch.length, hw = s.h * s.w, stride = 256 * (width + 1);
        final float m = p.m(), om = 1f - m;
        final float[] wt = p.w();
        final float[] tab = s.tables(3 * (width + 1));
        for (int c = 0; c < 3; c++) {
            for (int u = 0; u < 256; u++) {
                float nu = norm[c][u];
                tab[c * stride + u] = om * nu;
                for (int k = 0; k < width; k++) tab[c * stride + 256 * (k + 1) + u] = wt[k] * nu;
            }
        }
        final byte[] x = s.x;
        for (int c = 0; c < 3; c++) {
            final int base = c * stride, o = off + c * hw;
            if (width == 3) {
                final byte[] c0 = ch[0], c1 = ch[1], c2 = ch[2];
                for (int q = 0, k3 = c; q < hw; q++, k3 += 3) {
                    float mix = 0f;
                    mix += tab[base + 256 + (c0[k3] & 0xFF)];
                    mix += tab[base + 512 + (c1[k3] & 0xFF)];
                    mix += tab[base + 768 + (c2[k3] & 0xFF)];
                    out[o + q] = tab[base + (x[k3] & 0xFF)] + m * mix;
                }
                continue;
            }
            for (int q = 0, k3 = c; q < hw; q++, k3 += 3) {
                float mix = 0f;
                for (int k = 0; k < width; k++) mix += tab[base + 256 * (k + 1) + (ch[k][k3] & 0xFF)];
                out[o + q] = tab[base + (x[k3] & 0xFF)] + m * mix;
            }
        }
    }

    /** Parameters of an {@link AugMixTransform}; each setter validates as {@link AugMixConfig} does. */
    public static final class Builder {
        private int severity = 3, width = 3, depth = -1;
        private double alpha = 1.0;
        private boolean allOps;
        private long seed;
        private float[] mean = {0.5f, 0.5f, 0.5f}, std = {0.5f, 0.5f, 0.5f};

        private Builder() {}

        /** Level upper bound, 1..10 (official default 3). */
        public Builder severity(int v) { severity = v; return this; }
        /** Chains per view, 1..255 (3). */
        public Builder width(int v) { width = v; return this; }
        /** Ops per chain, 1..255, or &le; 0 for uniform 1..3 (-1). */
        public Builder depth(int v) { depth = v; return this; }
        /** Dirichlet/Beta concentration, &gt; 0 (1). */
        public Builder alpha(double v) { alpha = v; return this; }
        /** All 13 ops instead of the 9 that leave out the ImageNet-C overlap (false). */
        public Builder allOps(boolean v) { allOps = v; return this; }
        /** Seed of every draw (0). */
        public Builder seed(long v) { seed = v; return this; }

        /** Per-channel mean and std of the float forms, in the 0..1 scale (e.g. ImageNet's 0.485, 0.456, 0.406 / 0.229, 0.224, 0.225). */
        public Builder normalize(float[] mean, float[] std) {
            if (mean == null || std == null || mean.length != 3 || std.length != 3) {
                throw new IllegalArgumentException("mean and std need 3 values each (R, G, B)");
            }
            for (int c = 0; c < 3; c++) {
                if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                    throw new IllegalArgumentException("mean must be finite and std finite and > 0; got mean "
                            + java.util.Arrays.toString(mean) + ", std " + java.util.Arrays.toString(std));
                }
            }
            this.mean = mean.clone();
            this.std = std.clone();
            return this;
        }

        /** The transform; throws IllegalArgumentException naming the first parameter out of range. */
        public AugMixTransform build() { return new AugMixTransform(this); }
    }
}
