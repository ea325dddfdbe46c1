package org.augmix4j.ops;

import java.util.Objects;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.PilOps;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Kernels;
import org.augmix4j.cuda.Launch;
import org.augmix4j.tensor.ImageBatch;

/**
 * GPU AugMix (kernels/augment.cu): the launches of the CPU reference {@link AugMix} (stem
 * {@code augment}: {@code kernels/augment.cu} ~ {@code augment/AugMix.java} ~ this class ~
 * {@code ops/AugmentCudaTest.java}).
 *
 * <p>{@link #sampleBatch} is one launch per training batch: it reads the uint8 source set already on
 * the GPU ({@link Images}, NHWC), the batch's image and Philox sample indices (int device buffers),
 * the seed and epoch, and writes the normalised float32 batch into the model's input buffer, exactly
 * as {@link AugMix#sampleBatch(ImageBatch, int[], int[], long, int, AugMixConfig, float[])} does
 * (NCHW; JSD: {@code cat([clean(B), aug1(B), aug2(B)])}): identical uint8 chain images, outputs
 * equal up to the last bits of the Dirichlet weights (device {@code log}; within 1e-6). No per-image
 * host work; the only host work per call is argument checking and, for images too large for shared
 * memory (e.g. 224x224), a stream-ordered scratch allocation from the caching allocator.
 *
 * <p>Debug and test entry points: {@link #trace} (the same kernel, also writing each entry's
 * transformed input and every chain's final uint8 image), {@link #programs} (the draws alone, for
 * many samples), {@link #philox} (the raw generator).
 */
public final class AugmentCuda {
    static final Kernel AUGMIX_FORWARD = Kernel.declare("augmix_forward(const unsigned char* images, int count, int img_h, int img_w, const int* image_index, const int* sample_index, int batch, long long seed, int epoch, int mode, int mix_width, int mix_depth, int severity, double alpha, int all_ops, int train_transform, const int* rotation, int group_threads, int images_in_shared, unsigned char* scratch, float* out, int trace, unsigned char* trace_inputs, unsigned char* trace_chains)");
    static final Kernel AUGMIX_PROGRAM_FORWARD = Kernel.declare("augmix_program_forward(const int* sample_index, int n, long long seed, int epoch, int views, int mix_width, int mix_depth, int severity, double alpha, int all_ops, int img_h, int img_w, int* crops, float* weights, int* steps)");
    static final Kernel PHILOX_FORWARD = Kernel.declare("philox_forward(const int* counters, const int* keys, int rounds, int* out, int n)");

    /** Bytes of one chain group's statistics in shared memory (AMX_STAT_BYTES in the .cu). */
    static final int STAT_BYTES = 3872;
    /** Static shared memory of the batch kernel (AmxShared), rounded up, and the per-block limit used. */
    static final int STATIC_SHARED = 5 * 1024, SHARED_LIMIT = 48 * 1024;
    /** Largest chain-group count and block size the kernel supports. */
    static final int MAX_GROUPS = 8, MAX_BLOCK = 768;
    /** Rotation angles the device table covers: -MAX_ANGLE..MAX_ANGLE (random angles are |deg| <= 29). */
    static final int MAX_ANGLE = 30;

    private AugmentCuda() {}

    /**
     * A uint8 RGB image set on the GPU: {@code pixels} holds {@code count} images of
     * {@code height x width x 3} bytes, NHWC (the {@link ImageBatch} layout).
     */
    public record Images(DeviceBuffer pixels, int count, int height, int width) {
        public Images {
            Objects.requireNonNull(pixels, "pixels");
            if (pixels.type() != DeviceBuffer.Type.BYTE) {
                throw new IllegalArgumentException("AugMix source images must be a byte (uint8) buffer; got " + pixels);
            }
            if (count < 1 || height < 1 || width < 1) {
                throw new IllegalArgumentException("AugMix source set needs at least one image of at least 1x1; got "
                        + count + " x " + height + "x" + width);
            }
            if ((long) height * width * 3 > Integer.MAX_VALUE / 2) {
                throw new IllegalArgumentException("image of " + height + "x" + width + " is too large");
            }
            if (pixels.length() < (long) count * imageBytes(height, width)) {
                throw new IllegalArgumentException(pixels + " is too short for " + count + " RGB images of " + height + "x"
                        + width + " (" + (long) count * imageBytes(height, width) + " bytes)");
            }
        }

        /** Copies an RGB {@link ImageBatch} to the GPU. */
        public static Images upload(Gpu gpu, ImageBatch batch) {
            if (batch.channels() != 3) {
                throw new IllegalArgumentException("AugMix needs RGB images (3 channels per pixel); the batch has "
                        + batch.channels() + " - replicate a grey channel to RGB first");
            }
            return new Images(DeviceBuffer.of(gpu, batch.pixels()), batch.count(), batch.height(), batch.width());
        }

        /** Bytes per image. */
        public int imageBytes() { return imageBytes(height, width); }

        static int imageBytes(int h, int w) { return h * w * 3; }
    }

    /**
     * How one batch is launched: {@code groups} chain groups of {@code groupThreads} threads per
     * block, images in shared memory or in global scratch, the dynamic shared memory, the grid and
     * the scratch size. Computed by {@link #plan}; the kernel derives the same layout.
     */
    public record Plan(int groups, int groupThreads, boolean imagesInShared, int sharedBytes, int grid, long scratchBytes) {
        public int blockThreads() { return groups * groupThreads; }
    }

    /** Bytes of one image slot: h*w*3 rounded up to 16 (amx_slot_bytes). */
    static long slotBytes(int h, int w) { return ((long) h * w * 3 + 15) & ~15L; }

    /**
     * The launch plan for {@code batch} samples of {@code h x w} under {@code cfg}: up to 3 chains
     * advance in parallel (one group each); groups of {@code groupThreads} threads (a multiple of 32;
     * 0 = the default: 64 for images up to 64x64 pixels, else 256); images in shared memory when
     * the block's working set fits in 48 KiB, else in global scratch for a grid of at most
     * {@code 2 x multiprocessors} blocks.
     */
    public static Plan plan(Gpu gpu, AugMixConfig cfg, int batch, int h, int w, int groupThreads) {
        return plan(gpu.multiprocessors(), cfg, batch, h, w, groupThreads, false);
    }

    static Plan plan(int multiprocessors, AugMixConfig cfg, int batch, int h, int w, int groupThreads, boolean forceGlobal) {
        long npix = (long) h * w;
        int t = groupThreads > 0 ? groupThreads : npix <= 64 * 64 ? 64 : 256;
        if (t % 32 != 0 || t > MAX_BLOCK) {
            throw new IllegalArgumentException("threads per chain group must be a positive multiple of 32 up to "
                    + MAX_BLOCK + "; got " + t);
        }
        int groups = cfg.mode() == AugMixConfig.Mode.NONE ? 1 : Math.min(cfg.width(), 3);
        while (groups > 1 && groups * t > MAX_BLOCK) groups--;
        int views = cfg.mode() == AugMixConfig.Mode.JSD ? 2 : 1;
        long items = (long) batch * views;
        long slot = slotBytes(h, w);
        long imageSlots = cfg.mode() == AugMixConfig.Mode.NONE ? 1 : 1 + groups + cfg.width();
        long stats = (long) groups * STAT_BYTES;
        long inShared = stats + imageSlots * slot;
        if (!forceGlobal && inShared + STATIC_SHARED <= SHARED_LIMIT) {
            return new Plan(groups, t, true, (int) inShared, (int) items, 0);
        }
        int grid = (int) Math.min(items, 2L * Math.max(1, multiprocessors));
        return new Plan(groups, t, false, (int) stats, grid, grid * imageSlots * slot);
    }

    // ---------------------------------------------------------------- the batch

    /**
     * One training batch on the GPU: entry b takes image {@code imageIndex[b]} of {@code src} and the
     * randomness of Philox sample {@code sampleIndex[b]} (both int device buffers of at least
     * {@code batch} entries), and {@code out} receives {@link AugMix#outputSize} floats, NCHW:
     * JSD: image {@code v * batch + b} is view v (0 = clean); AUGMIX: the AugMix view; NONE: the
     * train-transformed image. Queued on the GPU's compute stream; returns at once. An image index
     * outside {@code [0, count)} gives NaN images for that entry (the indices are not read back).
     */
    public static void sampleBatch(Images src, DeviceBuffer imageIndex, DeviceBuffer sampleIndex, int batch, long seed,
                                   int epoch, AugMixConfig cfg, DeviceBuffer out) {
        launch(src, imageIndex, sampleIndex, batch, seed, epoch, cfg, out, 0, false, null, null);
    }

    /**
     * {@link #sampleBatch(Images, DeviceBuffer, DeviceBuffer, int, long, int, AugMixConfig, DeviceBuffer)}
     * with host index arrays, checked and uploaded first (a convenience for tests and tools; the
     * training loop keeps its indices on the GPU).
     */
    public static void sampleBatch(Images src, int[] imageIndex, int[] sampleIndex, long seed, int epoch,
                                   AugMixConfig cfg, DeviceBuffer out) {
        checkHostIndices(src, imageIndex, sampleIndex);
        Gpu gpu = src.pixels().gpu();
        try (DeviceBuffer ii = DeviceBuffer.of(gpu, imageIndex); DeviceBuffer si = DeviceBuffer.of(gpu, sampleIndex)) {
            sampleBatch(src, ii, si, imageIndex.length, seed, epoch, cfg, out);
        }
    }

    /**
     * What the batch kernel computed besides its output: each entry's input after the train
     * transform ({@code inputs}: batch x h x w x 3) and the final uint8 image of every chain
     * ({@code chains}: batch x views x width x h x w x 3, views = 2 in JSD mode, else 1), HWC.
     */
    public record Trace(int batch, int views, int width, int height, int imageWidth, float[] output, byte[] inputs,
                        byte[] chains) {
        /** Image bytes h*w*3. */
        public int imageBytes() { return height * imageWidth * 3; }

        /** The transformed input of entry b. */
        public byte[] input(int b) {
            return java.util.Arrays.copyOfRange(inputs, b * imageBytes(), (b + 1) * imageBytes());
        }

        /** The final image of chain {@code chain} of AugMix view {@code view} (1-based) of entry b. */
        public byte[] chain(int b, int view, int chain) {
            int o = ((b * views + view - 1) * width + chain) * imageBytes();
            return java.util.Arrays.copyOfRange(chains, o, o + imageBytes());
        }
    }

    /**
     * Runs the batch kernel in trace mode on host indices and returns its output and traces
     * (synchronous). {@code groupThreads} 0 = default; {@code forceGlobal} puts the images in global
     * scratch even when they would fit in shared memory (to test that path on small images).
     */
    public static Trace trace(Images src, int[] imageIndex, int[] sampleIndex, long seed, int epoch, AugMixConfig cfg,
                              int groupThreads, boolean forceGlobal) {
        checkHostIndices(src, imageIndex, sampleIndex);
        Gpu gpu = src.pixels().gpu();
        int batch = imageIndex.length, n = src.imageBytes();
        int views = cfg.mode() == AugMixConfig.Mode.JSD ? 2 : 1;
        long chainBytes = cfg.mode() == AugMixConfig.Mode.NONE ? 1 : (long) batch * views * cfg.width() * n;
        try (DeviceBuffer ii = DeviceBuffer.of(gpu, imageIndex); DeviceBuffer si = DeviceBuffer.of(gpu, sampleIndex);
             DeviceBuffer out = DeviceBuffer.floats(gpu, AugMix.outputSize(cfg, batch, src.height(), src.width()));
             DeviceBuffer inputs = DeviceBuffer.bytes(gpu, (long) batch * n);
             DeviceBuffer chains = DeviceBuffer.bytes(gpu, chainBytes)) {
            launch(src, ii, si, batch, seed, epoch, cfg, out, groupThreads, forceGlobal, inputs, chains);
            gpu.stream().synchronize();
            byte[] in = new byte[batch * n];
            inputs.copyTo(in);
            byte[] ch = new byte[Math.toIntExact(chainBytes)];
            chains.copyTo(ch);
            return new Trace(batch, views, cfg.width(), src.height(), src.width(), out.toFloats(), in, ch);
        }
    }

    /** The batch kernel with an explicit group size (0 = default), e.g. for benchmarks. */
    public static void sampleBatch(Images src, DeviceBuffer imageIndex, DeviceBuffer sampleIndex, int batch, long seed,
                                   int epoch, AugMixConfig cfg, DeviceBuffer out, int groupThreads) {
        launch(src, imageIndex, sampleIndex, batch, seed, epoch, cfg, out, groupThreads, false, null, null);
    }

    static void launch(Images src, DeviceBuffer imageIndex, DeviceBuffer sampleIndex, int batch, long seed,
                               int epoch, AugMixConfig cfg, DeviceBuffer out, int groupThreads, boolean forceGlobal,
                               DeviceBuffer traceInputs, DeviceBuffer traceChains) {
        Objects.requireNonNull(src, "src");
        if (cfg == null) throw new IllegalArgumentException("no AugMix configuration (cfg is null)");
        if (batch < 1) {
            throw new IllegalArgumentException("empty batch: batch = " + batch + "; pass at least one index into the source images");
        }
        requireInts("imageIndex", imageIndex, batch);
        requireInts("sampleIndex", sampleIndex, batch);
        int h = src.height(), w = src.width();
        long need = AugMix.outputSize(cfg, batch, h, w);
        if (out == null || out.type() != DeviceBuffer.Type.FLOAT || out.length() < need) {
            throw new IllegalArgumentException("output buffer " + out + " must be a float buffer of at least " + need
                    + " floats (" + cfg.imagesPerSample() + " x " + batch + " x 3 x " + h + " x " + w + ")");
        }
        Gpu gpu = src.pixels().gpu();
        Plan p = plan(gpu.multiprocessors(), cfg, batch, h, w, groupThreads, forceGlobal);
        DeviceBuffer rotation = rotationTable(gpu);
        DeviceBuffer scratch = DeviceBuffer.bytes(gpu, Math.max(1, p.scratchBytes()));
        try {
            boolean trace = traceInputs != null;
            Object[] args = {src.pixels(), src.count(), h, w, imageIndex, sampleIndex, batch, seed, epoch, modeCode(cfg),
                cfg.width(), cfg.depth() > 0 ? cfg.depth() : -1, cfg.severity(), cfg.alpha(), cfg.allOps() ? 1 : 0,
                cfg.trainTransform() ? 1 : 0, rotation, p.groupThreads(), p.imagesInShared() ? 1 : 0, scratch, out,
                trace ? 1 : 0, trace ? traceInputs : scratch, trace ? traceChains : scratch};
            Launch.run(Kernels.module(gpu), AUGMIX_FORWARD, gpu.stream(), Launch.Dim.of(p.grid()),
                    Launch.Dim.of(p.blockThreads()), p.sharedBytes(), args);
        } finally {
            scratch.close();  // stream-ordered: later work on this stream may reuse it safely
        }
    }

    static int modeCode(AugMixConfig cfg) {
        return switch (cfg.mode()) {
            case JSD -> 0;
            case AUGMIX -> 1;
            case NONE -> 2;
        };
    }

    private static void requireInts(String what, DeviceBuffer b, int batch) {
        if (b == null || b.type() != DeviceBuffer.Type.INT || b.length() < batch) {
            throw new IllegalArgumentException(what + " must be an int buffer of at least " + batch + " entries; got " + b);
        }
    }

    private static void checkHostIndices(Images src, int[] imageIndex, int[] sampleIndex) {
        Objects.requireNonNull(src, "src");
        if (imageIndex == null || imageIndex.length == 0) {
            throw new IllegalArgumentException("empty batch: no sample indices given; pass at least one index into the source images");
        }
        if (sampleIndex == null || sampleIndex.length != imageIndex.length) {
            throw new IllegalArgumentException("sampleIndex must have one entry per batch entry (" + imageIndex.length + ")");
        }
        for (int b = 0; b < imageIndex.length; b++) {
            if (imageIndex[b] < 0 || imageIndex[b] >= src.count()) {
                throw new IllegalArgumentException("sample index " + imageIndex[b] + " at batch position " + b
                        + " is outside the source set of " + src.count() + " images (valid: 0.." + (src.count() - 1) + ")");
            }
        }
    }

    // ---------------------------------------------------------------- rotation table

    private static DeviceBuffer rotation;
    private static Gpu rotationGpu;

    /**
     * The (cos, sin) pairs Pillow's rotate uses ({@link PilOps#rotateMatrix} entries a and b, i.e.
     * cos/sin of -angle rounded to 15 decimals) for the integer angles -30..30, as the bits of
     * doubles (low word first): uploaded once per GPU, shared by every launch.
     */
    static synchronized DeviceBuffer rotationTable(Gpu gpu) {
        if (rotation != null && rotationGpu == gpu) return rotation;
        rotation = DeviceBuffer.of(gpu, rotationTableBits());
        rotationGpu = gpu;
        return rotation;
    }

    static int[] rotationTableBits() {
        int[] bits = new int[4 * (2 * MAX_ANGLE + 1)];
        for (int deg = -MAX_ANGLE; deg <= MAX_ANGLE; deg++) {
            double[] m = PilOps.rotateMatrix(deg, 32, 32);  // a, b do not depend on the size
            int o = 4 * (deg + MAX_ANGLE);
            long a = Double.doubleToRawLongBits(m[0]), b = Double.doubleToRawLongBits(m[1]);
            bits[o] = (int) a;
            bits[o + 1] = (int) (a >>> 32);
            bits[o + 2] = (int) b;
            bits[o + 3] = (int) (b >>> 32);
        }
        return bits;
    }

    // ---------------------------------------------------------------- draws only

    /**
     * What the kernel draws for entries {@code samples} (Philox sample indices) of an
     * {@code h x w} batch: {@code crops} (n x 3: flip, top, left), {@code weights} (n x views x
     * (width + 1): w then m) and {@code steps} (n x views x width x maxSteps x 6: op ordinal or -1
     * past the chain's depth, negate, level bits low/high word, parameter bits low/high word).
     */
    public record Programs(int n, int views, int width, int maxSteps, int[] crops, float[] weights, int[] steps) {
        /** Offset of step j of chain i of AugMix view {@code view} (1-based) of entry e in {@link #steps}. */
        public int stepOffset(int e, int view, int chain, int j) {
            return (((e * views + view - 1) * width + chain) * maxSteps + j) * 6;
        }

        public int op(int e, int view, int chain, int j) { return steps[stepOffset(e, view, chain, j)]; }

        public boolean negate(int e, int view, int chain, int j) { return steps[stepOffset(e, view, chain, j) + 1] != 0; }

        public double level(int e, int view, int chain, int j) { return bitsAt(stepOffset(e, view, chain, j) + 2); }

        public double param(int e, int view, int chain, int j) { return bitsAt(stepOffset(e, view, chain, j) + 4); }

        /** w (length width) of AugMix view {@code view} of entry e. */
        public float[] w(int e, int view) {
            int o = (e * views + view - 1) * (width + 1);
            return java.util.Arrays.copyOfRange(weights, o, o + width);
        }

        public float m(int e, int view) { return weights[(e * views + view - 1) * (width + 1) + width]; }

        private double bitsAt(int o) {
            return Double.longBitsToDouble((steps[o] & 0xFFFFFFFFL) | (long) steps[o + 1] << 32);
        }
    }

    /** The draws of {@link #sampleBatch} for Philox samples {@code samples} (synchronous). */
    public static Programs programs(Gpu gpu, int[] samples, long seed, int epoch, AugMixConfig cfg, int h, int w) {
        if (samples == null || samples.length == 0) throw new IllegalArgumentException("no samples");
        int n = samples.length, views = Math.max(1, cfg.augViews()), width = cfg.width();
        int maxSteps = cfg.depth() > 0 ? cfg.depth() : 3;
        try (DeviceBuffer s = DeviceBuffer.of(gpu, samples); DeviceBuffer crops = DeviceBuffer.ints(gpu, 3L * n);
             DeviceBuffer weights = DeviceBuffer.floats(gpu, (long) n * views * (width + 1));
             DeviceBuffer steps = DeviceBuffer.ints(gpu, (long) n * views * width * maxSteps * 6)) {
            Launch.linear(AUGMIX_PROGRAM_FORWARD, gpu.stream(), (long) n * views, 64, s, n, seed, epoch, views, width,
                    cfg.depth() > 0 ? cfg.depth() : -1, cfg.severity(), cfg.alpha(), cfg.allOps() ? 1 : 0, h, w, crops,
                    weights, steps);
            return new Programs(n, views, width, maxSteps, crops.toInts(), weights.toFloats(), steps.toInts());
        }
    }

    /**
     * Philox4x32 with {@code rounds} rounds of each counter {@code counters[4i..4i+3]} under key
     * {@code keys[2i..2i+1]} on the GPU (synchronous): the device twin of
     * {@link org.augmix4j.augment.Philox#philox4x32}.
     */
    public static int[] philox(Gpu gpu, int[] counters, int[] keys, int rounds) {
        if (counters.length % 4 != 0 || keys.length * 2 != counters.length) {
            throw new IllegalArgumentException("need 4 counter words and 2 key words per draw; got " + counters.length
                    + " and " + keys.length);
        }
        int n = counters.length / 4;
        if (n == 0) return new int[0];
        try (DeviceBuffer c = DeviceBuffer.of(gpu, counters); DeviceBuffer k = DeviceBuffer.of(gpu, keys);
             DeviceBuffer out = DeviceBuffer.ints(gpu, counters.length)) {
            Launch.linear(PHILOX_FORWARD, gpu.stream(), n, 128, c, k, rounds, out, n);
            return out.toInts();
        }
    }
}
