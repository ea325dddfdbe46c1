package org.augmix4j.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * AugMix training samples, exactly as the official {@code cifar.py} (its AugMixDataset and aug()),
 * with Philox randomness (see {@link Philox} for the counter layout).
 *
 * <p>Per sample (dataset index {@code sample}, epoch {@code epoch}, run seed {@code seed}):
 * <ol>
 * <li>train transform (if enabled): flip p = 0.5, then zero pad 4 and crop back to h x w at a
 *     uniformly drawn (top, left) in 0..8 ({@link Philox#crop});</li>
 * <li>clean view {@code N(x)}, {@code N(u) = (u / 255f - 0.5f) / 0.5f} in float32;</li>
 * <li>each AugMix view v (1 and 2 in JSD mode, 1 otherwise): w ~ Dirichlet, m ~ Beta (float32);
 *     per chain i: depth, then per step an op and its level, applied to uint8 images starting
 *     from x; then in float32, in this order: {@code mix = 0; mix += w_i * N(chain_i)} for i = 0..,
 *     {@code out = (1 - m) * N(x) + m * mix}.</li>
 * </ol>
 * Output layout: NCHW float32; JSD: image {@code v * B + b} is view v (0 = clean) of batch entry b,
 * i.e. {@code cat([clean(B), aug1(B), aug2(B)])}; AUGMIX: the one AugMix view; NONE: {@code N(x)}.
 */
public final class AugMix {
    private AugMix() {}

    /** {@code N(u)} for every uint8 u: ToTensor then Normalize(0.5, 0.5), float32. */
    static final float[] NORM = new float[256];

    static {
        for (int u = 0; u < 256; u++) NORM[u] = ((float) u / 255f - 0.5f) / 0.5f;
    }

    /** The normalised value of uint8 {@code u}, {@code (u / 255f - 0.5f) / 0.5f}. */
    public static float normalize(int u) { return NORM[u & 0xFF]; }

    // ------------------------------------------------------------------ programs

    /** One chain step: the op, its sampled level and sign, and the explicit parameter they give. */
    public record Step(Op op, double level, boolean negate, double param) {}

    /** One chain of a view: its steps in order (length = depth). */
    public record Chain(List<Step> steps) {
        public int depth() { return steps.size(); }
    }

    /** Everything drawn for one AugMix view of one sample: w (float32), m (float32), the chains. */
    public record ViewProgram(int view, float[] w, float m, List<Chain> chains) {
        @Override
        public String toString() {
            return "view " + view + ": w=" + Arrays.toString(w) + " m=" + m + " chains=" + chains;
        }
    }

    /**
     * Draws the program of AugMix view {@code view} (1-based) of (sample, epoch) for an
     * {@code h x w} image: pure function of its arguments.
     */
    public static ViewProgram program(long seed, int epoch, int sample, int view, AugMixConfig cfg, int h, int w) {
        float[] weights = Samplers.dirichlet(seed, epoch, sample, view, cfg.width(), cfg.alpha());
        float m = Samplers.beta(seed, epoch, sample, view, cfg.alpha());
        List<Op> ops = cfg.ops();
        int[] r = new int[4];
        List<Chain> chains = new ArrayList<>(cfg.width());
        for (int i = 0; i < cfg.width(); i++) {
            int depth = cfg.depth();
            if (depth <= 0) {
                Philox.draw(seed, epoch, sample, Philox.TAG_DEPTH, view, i, 0, 0, r);
                depth = 1 + Philox.uniformInt(r[0], 3);
            }
            List<Step> steps = new ArrayList<>(depth);
            for (int j = 0; j < depth; j++) {
                Philox.draw(seed, epoch, sample, Philox.TAG_STEP, view, i, j, 0, r);
                Op op = ops.get(Philox.uniformInt(r[0], ops.size()));
                double level = 0.1 + (cfg.severity() - 0.1) * Philox.u53(r[1], r[2]);
                boolean negate = (r[3] >>> 31) == 1;
                steps.add(new Step(op, level, negate, op.paramFromLevel(level, negate, h, w)));
            }
            chains.add(new Chain(List.copyOf(steps)));
        }
        return new ViewProgram(view, weights, m, List.copyOf(chains));
    }

    // ------------------------------------------------------------------ execution

    /** Per-thread work buffers for one image size: the input and two ping-pong buffers per chain. */
    static final class Scratch {
        final int h, w, n;
        final byte[] x;
        byte[][] bufs = new byte[0][];
        byte[][] chains = new byte[0][];

        Scratch(int h, int w) {
            this.h = h;
            this.w = w;
            this.n = h * w * 3;
            x = new byte[n];
        }

        float[] tab = new float[0];

        float[] tables(int count) {
            if (tab.length < 256 * count) tab = new float[256 * count];
            return tab;
        }

        void ensureWidth(int width) {
            if (chains.length < width) {
                bufs = new byte[2 * width][];
                for (int i = 0; i < bufs.length; i++) bufs[i] = new byte[n];
                chains = new byte[width][];
            }
        }
    }

    /**
     * The train transform of (sample, epoch) applied to {@code src[so..]} into {@code dst[0..]}:
     * flip (if drawn), then zero pad {@code PAD} and crop at (top, left).
     */
    static void trainTransform(byte[] src, int so, int h, int w, Philox.Crop c, byte[] dst) {
        final int pad = AugMixConfig.PAD, stride = w * 3;
        // output column x shows column px = x + left - pad of the flipped image, valid for px in [0, w)
        final int x0 = Math.max(0, pad - c.left()), x1 = Math.min(w, w + pad - c.left()); // valid x: [x0, x1)
        for (int y = 0; y < h; y++) {
            int sy = y + c.top() - pad;
            int o = y * stride;
            if (sy < 0 || sy >= h || x0 >= x1) {
                Arrays.fill(dst, o, o + stride, (byte) 0);
                continue;
            }
            Arrays.fill(dst, o, o + 3 * x0, (byte) 0);
            Arrays.fill(dst, o + 3 * x1, o + stride, (byte) 0);
            int row = so + sy * stride, shift = c.left() - pad;
            if (!c.flip()) {
                System.arraycopy(src, row + 3 * (x0 + shift), dst, o + 3 * x0, 3 * (x1 - x0));
            } else {
                for (int x = x0; x < x1; x++) {
                    int s3 = row + 3 * (w - 1 - (x + shift)), d3 = o + 3 * x;
                    dst[d3] = src[s3];
                    dst[d3 + 1] = src[s3 + 1];
                    dst[d3 + 2] = src[s3 + 2];
                }
            }
        }
    }

    /** Writes {@code N(x)} as CHW planes at {@code out[off..]}. */
    static void writeClean(byte[] x, int h, int w, float[] out, int off) {
        int hw = h * w;
        for (int p = 0, i = 0; p < hw; p++, i += 3) {
            out[off + p] = NORM[x[i] & 0xFF];
            out[off + hw + p] = NORM[x[i + 1] & 0xFF];
            out[off + 2 * hw + p] = NORM[x[i + 2] & 0xFF];
        }
    }

    /** Runs chain i on x; returns the buffer holding its result (one of chain i's two buffers). */
    static byte[] runChain(byte[] x, Chain chain, int i, Scratch s) {
        byte[] cur = x, b0 = s.bufs[2 * i], b1 = s.bufs[2 * i + 1];
        for (Step st : chain.steps()) {
            byte[] dst = cur == b0 ? b1 : b0;
            st.op().apply(cur, 0, dst, 0, s.h, s.w, st.param());
            cur = dst;
        }
        return cur;
    }

    /**
     * augment-and-mix of the HWC image x by program p, written as CHW float32 planes at
     * {@code out[off..]}: per element, in float32 and in this order,
     * {@code mix = 0; mix += w_i * N(chain_i)} for i = 0.., then {@code (1 - m) * N(x) + m * mix}.
     * {@code chainSink}, if not null, receives a copy of each chain's final uint8 image.
     */
    static void mixView(byte[] x, ViewProgram p, Scratch s, float[] out, int off, byte[][] chainSink) {
        final int width = p.chains().size(), hw = s.h * s.w;
        s.ensureWidth(width);
        final byte[][] ch = s.chains;
        for (int i = 0; i < width; i++) {
            ch[i] = runChain(x, p.chains().get(i), i, s);
            if (chainSink != null) chainSink[i] = Arrays.copyOf(ch[i], s.n);
        }
        final float m = p.m(), om = 1f - m;
        final float[] wt = p.w();
        // products of a float32 constant with N(u) depend only on u: tabulate them (each table
        // entry is the very float multiply the element loop would do, so results are identical)
        final float[] tab = s.tables(width + 1);
        for (int u = 0; u < 256; u++) {
            float nu = NORM[u];
            tab[u] = om * nu;
            for (int i = 0; i < width; i++) tab[256 * (i + 1) + u] = wt[i] * nu;
        }
        final int n = s.n;
        if (width == 3) {
            final byte[] c0 = ch[0], c1 = ch[1], c2 = ch[2];
            for (int q = 0, k = 0; k < n; q++, k += 3) {
                for (int c = 0; c < 3; c++) {
                    float mix = 0f;
                    mix += tab[256 + (c0[k + c] & 0xFF)];
                    mix += tab[512 + (c1[k + c] & 0xFF)];
                    mix += tab[768 + (c2[k + c] & 0xFF)];
                    out[off + c * hw + q] = tab[x[k + c] & 0xFF] + m * mix;
                }
            }
            return;
        }
        for (int q = 0, k = 0; k < n; q++, k += 3) {
            for (int c = 0; c < 3; c++) {
                float mix = 0f;
                for (int i = 0; i < width; i++) mix += tab[256 * (i + 1) + (ch[i][k + c] & 0xFF)];
                out[off + c * hw + q] = tab[x[k + c] & 0xFF] + m * mix;
            }
        }
    }

    /** Number of floats {@link #sampleBatch} writes for {@code batch} samples of h x w. */
    public static long outputSize(AugMixConfig cfg, int batch, int h, int w) {
        return (long) cfg.imagesPerSample() * batch * 3 * h * w;
    }

    /**
     * {@link #sampleBatch(ImageBatch, int[], int[], long, int, AugMixConfig, float[])} where each
     * sample index is both the image's index in {@code src} and its Philox sample index (src is the
     * whole dataset).
     */
    public static void sampleBatch(ImageBatch src, int[] sampleIndices, long seed, int epoch, AugMixConfig cfg, float[] out) {
        sampleBatch(src, sampleIndices, sampleIndices, seed, epoch, cfg, out);
    }

    /**
     * Builds a training batch: entry b takes image {@code srcIndices[b]} of {@code src} (uint8 RGB
     * NHWC) and the randomness of Philox sample {@code sampleIds[b]}; writes NCHW float32 to
     * {@code out} (layout in the class doc; {@link #outputSize} floats). Parallel over entries;
     * the result does not depend on the thread count.
     */
    public static void sampleBatch(ImageBatch src, int[] srcIndices, int[] sampleIds, long seed, int epoch,
                                   AugMixConfig cfg, float[] out) {
        if (src == null) throw new IllegalArgumentException("no source images (src is null)");
        if (cfg == null) throw new IllegalArgumentException("no AugMix configuration (cfg is null)");
        if (srcIndices == null || srcIndices.length == 0) {
            throw new IllegalArgumentException("empty batch: no sample indices given; pass at least one index into the source images");
        }
        if (sampleIds == null || sampleIds.length != srcIndices.length) {
            throw new IllegalArgumentException("sampleIds must have one entry per batch entry (" + srcIndices.length + ")");
        }
        checkRgb(src);
        final int h = src.height(), w = src.width(), batch = srcIndices.length, count = src.count();
        for (int b = 0; b < batch; b++) {
            if (srcIndices[b] < 0 || srcIndices[b] >= count) {
                throw new IllegalArgumentException("sample index " + srcIndices[b] + " at batch position " + b
                        + " is outside the source set of " + count + " images (valid: 0.." + (count - 1) + ")");
            }
        }
        long need = outputSize(cfg, batch, h, w);
        if (out == null || out.length < need) {
            throw new IllegalArgumentException("output buffer holds " + (out == null ? 0 : out.length) + " floats but "
                    + batch + " samples need " + need + " (" + cfg.imagesPerSample() + " x " + batch + " x 3 x " + h + " x " + w + ")");
        }
        final byte[] px = src.pixels();
        final int imgBytes = src.imageBytes(), plane = 3 * h * w;
        Parallel.range(batch, 1, (s0, e0) -> {
            Scratch s = new Scratch(h, w);
            for (int b = s0; b < e0; b++) {
                int sample = sampleIds[b];
                prepare(px, srcIndices[b] * imgBytes, sample, seed, epoch, cfg, s);
                switch (cfg.mode()) {
                    case NONE -> writeClean(s.x, h, w, out, b * plane);
                    case AUGMIX -> mixView(s.x, program(seed, epoch, sample, 1, cfg, h, w), s, out, b * plane, null);
                    case JSD -> {
                        writeClean(s.x, h, w, out, b * plane);
                        mixView(s.x, program(seed, epoch, sample, 1, cfg, h, w), s, out, (batch + b) * plane, null);
                        mixView(s.x, program(seed, epoch, sample, 2, cfg, h, w), s, out, (2 * batch + b) * plane, null);
                    }
                }
            }
        });
    }

    /** Puts the (train-transformed) input image into s.x; returns the crop drawn (null if none). */
    private static Philox.Crop prepare(byte[] px, int off, int sample, long seed, int epoch, AugMixConfig cfg, Scratch s) {
        if (cfg.trainTransform()) {
            Philox.Crop c = Philox.crop(seed, epoch, sample, AugMixConfig.PAD);
            trainTransform(px, off, s.h, s.w, c, s.x);
            return c;
        }
        System.arraycopy(px, off, s.x, 0, s.n);
        return null;
    }

    static void checkRgb(ImageBatch src) {
        if (src.channels() != 3) {
            throw new IllegalArgumentException("AugMix needs RGB images (3 channels per pixel); the batch has "
                    + src.channels() + " - replicate a grey channel to RGB first");
        }
        if (src.height() < 1 || src.width() < 1) {
            throw new IllegalArgumentException("AugMix needs images of at least 1x1 pixels; got " + src.height() + "x" + src.width());
        }
    }

    // ------------------------------------------------------------------ per-image API

    private static final ThreadLocal<Scratch> SAMPLE_SCRATCH = new ThreadLocal<>();

    /**
     * One sample of one image ({@code hwc}: h*w*3 bytes, RGB): returns the sample's output images
     * (JSD: clean, view 1, view 2; AUGMIX: the view; NONE: the clean image), each CHW float32.
     * For repeated per-image use, {@link AugMixTransform} also reuses its buffers per thread.
     */
    public static float[][] sample(byte[] hwc, int h, int w, int sample, long seed, int epoch, AugMixConfig cfg) {
        // the batch path's work without trace()'s copies of the input and of every chain image, in buffers kept per
        // thread (the last image size's only)
        checkImage(hwc, h, w);
        Scratch s = SAMPLE_SCRATCH.get();
        if (s == null || s.h != h || s.w != w) SAMPLE_SCRATCH.set(s = new Scratch(h, w));
        prepare(hwc, 0, sample, seed, epoch, cfg, s);
        float[][] outs = new float[cfg.imagesPerSample()][];
        int o = 0;
        if (cfg.mode() != AugMixConfig.Mode.AUGMIX) {
            outs[o] = new float[s.n];
            writeClean(s.x, h, w, outs[o++], 0);
        }
        for (int v = 1; v <= cfg.augViews(); v++) {
            outs[o] = new float[s.n];
            mixView(s.x, program(seed, epoch, sample, v, cfg, h, w), s, outs[o++], 0, null);
        }
        return outs;
    }

    /**
     * AugMix of an image by an explicit program, without the train transform: CHW float32
     * {@code (1 - m) N(x) + m sum_i w_i N(chain_i)}.
     */
    public static float[] augmentAndMix(byte[] hwc, int h, int w, ViewProgram p) {
        checkImage(hwc, h, w);
        Scratch s = new Scratch(h, w);
        System.arraycopy(hwc, 0, s.x, 0, s.n);
        float[] out = new float[s.n];
        mixView(s.x, p, s, out, 0, null);
        return out;
    }

    /**
     * The input of sample (sample, epoch) after the train transform (a copy of {@code hwc} when
     * {@code cfg.trainTransform()} is off): what every view of the sample starts from.
     */
    public static byte[] transformedInput(byte[] hwc, int h, int w, int sample, long seed, int epoch, AugMixConfig cfg) {
        checkImage(hwc, h, w);
        Scratch s = new Scratch(h, w);
        prepare(hwc, 0, sample, seed, epoch, cfg, s);
        return s.x;
    }

    /** What was drawn and produced for one AugMix view: its program and the uint8 chain images (HWC). */
    public record ViewTrace(ViewProgram program, List<byte[]> chainImages) {}

    /**
     * Everything about one sample: the crop drawn (null without train transform), the input after
     * the transform (HWC uint8), each AugMix view's program and chain images, and the output images
     * as {@link #sample} returns them.
     */
    public record SampleTrace(int sample, int epoch, Philox.Crop crop, byte[] input, List<ViewTrace> views,
                              float[][] outputs) {}

    /**
     * The full trace of one sample: the draw-for-draw reference for another implementation (the
     * CUDA kernel): crop, transformed input, per view (w, m, per chain the ops, levels, parameters
     * and the final uint8 image), and the float outputs.
     */
    public static SampleTrace trace(byte[] hwc, int h, int w, int sample, long seed, int epoch, AugMixConfig cfg) {
        checkImage(hwc, h, w);
        Scratch s = new Scratch(h, w);
        Philox.Crop crop = prepare(hwc, 0, sample, seed, epoch, cfg, s);
        byte[] input = s.x.clone();
        List<ViewTrace> views = new ArrayList<>();
        float[][] outs = new float[cfg.imagesPerSample()][];
        int o = 0;
        if (cfg.mode() != AugMixConfig.Mode.AUGMIX) {
            outs[o] = new float[s.n];
            writeClean(s.x, h, w, outs[o++], 0);
        }
        for (int v = 1; v <= cfg.augViews(); v++) {
            ViewProgram p = program(seed, epoch, sample, v, cfg, h, w);
            byte[][] chains = new byte[cfg.width()][];
            outs[o] = new float[s.n];
            mixView(s.x, p, s, outs[o++], 0, chains);
            views.add(new ViewTrace(p, List.of(chains)));
        }
        return new SampleTrace(sample, epoch, crop, input, List.copyOf(views), outs);
    }

    /** {@link #trace(byte[], int, int, int, long, int, AugMixConfig)} of image {@code index} of a batch. */
    public static SampleTrace trace(ImageBatch src, int index, int sample, long seed, int epoch, AugMixConfig cfg) {
        checkRgb(src);
        if (index < 0 || index >= src.count()) {
            throw new IllegalArgumentException("image index " + index + " is outside the batch of " + src.count());
        }
        return trace(src.image(index).pixels(), src.height(), src.width(), sample, seed, epoch, cfg);
    }

    static void checkImage(byte[] hwc, int h, int w) {
        if (h < 1 || w < 1) throw new IllegalArgumentException("image size must be at least 1x1; got " + h + "x" + w);
        if (hwc == null || hwc.length != h * w * 3) {
            throw new IllegalArgumentException("expected an RGB image of " + h + "x" + w + "x3 = " + (h * w * 3)
                    + " bytes; got " + (hwc == null ? "null" : hwc.length + " bytes") + " (not RGB, or wrong size)");
        }
    }
}
