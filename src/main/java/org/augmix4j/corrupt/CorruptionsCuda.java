package org.augmix4j.corrupt;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.tensor.ShapeException;

/**
 * GPU launches of kernels/corrupt.cu and kernels/corrupt_field.cu: the CIFAR-C corruptions that are
 * cheap on a GPU ({@link #SUPPORTED}: the four noises, five blurs, brightness, contrast, saturate,
 * pixelate, fog and elastic_transform) on a uint8 batch that is already in device memory. The other
 * four (snow, frost, spatter, jpeg_compression) stay on the CPU ({@link Corruptions}).
 *
 * <p>Same results as the CPU reference {@link Corruptions}: image {@code i} uses the counter-based
 * stream {@code CounterRng.key(seed, stem, severity, firstIndex + i)} with the draw layout that
 * Corruptions documents, and every value is computed with the same operations in the same order
 * (float64 or float32 as NumPy had them; the fatbin is built with {@code -fmad=false}). Outputs are
 * bit-identical, with one caveat: gaussian_noise, speckle_noise, shot_noise and motion_blur call
 * log/sin/cos/exp/hypot, whose last bit may differ between Java, glibc (the emulator) and CUDA's
 * libm. Such a difference changes an output value only when it moves a value across a truncation
 * boundary ({@code (int)(v * 255)}, Poisson's accept test, motion blur's offset rounding or its
 * {@code floor(s + 0.5)}), which needs v within about 1e-16 of the boundary: expected well under once
 * per 10^9 values. The other eleven use only +, -, *, /, sqrt, floor/ceil/rint/fmod and comparisons
 * and are bit-identical by construction (filter weights and log k! come from Java).
 *
 * <p>Each call queues its launches on the buffers' GPU's compute stream and returns; scratch
 * buffers come from the caching allocator and go back to it at once (safe: same stream).
 */
public final class CorruptionsCuda {
    /** Threads per block of the one-thread-per-value launches. */
    public static final int BLOCK = 256;
    /** Threads per block of the one-block-per-image launches (contrast, fog, elastic). */
    public static final int IMAGE_BLOCK = 128;

    /** The corruptions with GPU kernels. */
    public static final Set<Corruption> SUPPORTED = Collections.unmodifiableSet(EnumSet.of(
            Corruption.GAUSSIAN_NOISE, Corruption.SHOT_NOISE, Corruption.IMPULSE_NOISE, Corruption.SPECKLE_NOISE,
            Corruption.DEFOCUS_BLUR, Corruption.GLASS_BLUR, Corruption.MOTION_BLUR, Corruption.ZOOM_BLUR,
            Corruption.GAUSSIAN_BLUR, Corruption.BRIGHTNESS, Corruption.CONTRAST, Corruption.SATURATE,
            Corruption.PIXELATE, Corruption.FOG, Corruption.ELASTIC_TRANSFORM));

    static final Kernel NOISE = Kernel.declare("corrupt_noise_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int kind, double amount)");
    static final Kernel SHOT = Kernel.declare("corrupt_shot_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int c, const int* log_factorial)");
    static final Kernel DEFOCUS = Kernel.declare("corrupt_defocus_forward(const unsigned char* in, unsigned char* out, int count, int severity)");
    static final Kernel GAUSSIAN = Kernel.declare("corrupt_gaussian_forward(const unsigned char* in, unsigned char* out, int count, const int* weights, int radius)");
    static final Kernel GLASS_SHUFFLE = Kernel.declare("corrupt_glass_shuffle_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, int iteration)");
    static final Kernel MOTION = Kernel.declare("corrupt_motion_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, const int* weights, int width)");
    static final Kernel ZOOM = Kernel.declare("corrupt_zoom_forward(const unsigned char* in, unsigned char* out, int count, int zooms)");
    static final Kernel HSV = Kernel.declare("corrupt_hsv_forward(const unsigned char* in, unsigned char* out, int count, int mode, double a, double b)");
    static final Kernel CONTRAST = Kernel.declare("corrupt_contrast_forward(const unsigned char* in, unsigned char* out, int count, double c)");
    static final Kernel PIXELATE = Kernel.declare("corrupt_pixelate_forward(const unsigned char* in, unsigned char* out, int count, int size, const int* table)");
    static final Kernel FOG = Kernel.declare("corrupt_fog_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, double t, double decay)");
    static final Kernel ELASTIC = Kernel.declare("corrupt_elastic_forward(const unsigned char* in, unsigned char* out, int count, long long severity_key, long long first_index, double alpha, double affine, const int* weights, int radius)");

    private static final int VALUES = Corruptions.SIZE * Corruptions.SIZE * 3;
    private static final int PIXELS = Corruptions.SIZE * Corruptions.SIZE;

    /** Small per-severity tables (weights, log k!, BOX coefficients), uploaded once per process. */
    private static final Map<String, DeviceBuffer> TABLES = new ConcurrentHashMap<>();

    private CorruptionsCuda() {}

    /** Whether {@code c} has a GPU kernel. */
    public static boolean supports(Corruption c) { return SUPPORTED.contains(c); }

    /**
     * Corrupts images {@code [0, count)} of {@code in} into {@code out}: uint8 byte buffers of at
     * least {@code count * 3072} elements (32x32x3 images, HWC), distinct. Image {@code i} is dataset
     * image {@code firstIndex + i} for the random draws. Queued on the GPU's compute stream.
     *
     * @throws IllegalArgumentException for a corruption without a kernel (see {@link #supports}),
     *         a bad severity, or buffers that are too short, of the wrong type or the same
     */
    public static void corrupt(DeviceBuffer in, DeviceBuffer out, int count, Corruption c, int severity, long seed,
                               long firstIndex) {
        Corruption.checkSeverity(severity);
        if (c == null) throw new IllegalArgumentException("corruption is null");
        if (!supports(c)) {
            throw new IllegalArgumentException(c.stem() + " has no GPU kernel (GPU: " + SUPPORTED
                    + "); use Corruptions.corrupt on the CPU");
        }
        if (count < 0) throw new IllegalArgumentException(c.stem() + ": count = " + count + " < 0");
        if ((long) count * VALUES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(c.stem() + ": " + count + " images per launch is too many; split the batch");
        }
        for (DeviceBuffer b : new DeviceBuffer[] {in, out}) {
            if (b.type() != DeviceBuffer.Type.BYTE) throw new IllegalArgumentException(c.stem() + ": " + b + " is not a uint8 buffer");
            if (b.length() < (long) count * VALUES) {
                throw new IllegalArgumentException(c.stem() + ": " + count + " images need " + (long) count * VALUES
                        + " bytes but " + b + " is shorter");
            }
        }
        if (in.pointer().equals(out.pointer()) && count > 0) {
            throw new IllegalArgumentException(c.stem() + ": in and out must be different buffers");
        }
        if (count == 0) return;
        Gpu gpu = in.gpu();
        long key = CounterRng.severityKey(seed, c.stem(), severity);
        int s = severity - 1, n = count * VALUES;
        switch (c) {
            case GAUSSIAN_NOISE -> linear(NOISE, gpu, n, in, out, count, key, firstIndex, 0, Corruptions.GAUSS_SIGMA[s]);
            case SPECKLE_NOISE -> linear(NOISE, gpu, n, in, out, count, key, firstIndex, 1, Corruptions.SPECKLE_SIGMA[s]);
            case IMPULSE_NOISE -> linear(NOISE, gpu, n, in, out, count, key, firstIndex, 2, Corruptions.IMPULSE_AMOUNT[s]);
            case SHOT_NOISE -> linear(SHOT, gpu, n, in, out, count, key, firstIndex, Corruptions.SHOT_C[s],
                    table(gpu, "logfact", () -> doubleWords(CounterRng.logFactorialTable())));
            case DEFOCUS_BLUR -> linear(DEFOCUS, gpu, n, in, out, count, severity);
            case GAUSSIAN_BLUR -> gaussian(gpu, in, out, count, Corruptions.GAUSS_BLUR_SIGMA[s]);
            case GLASS_BLUR -> glass(gpu, in, out, count, s, key, firstIndex);
            case MOTION_BLUR -> {
                double[] k = Kernels.motionKernel(Corruptions.MOTION[s][0], Corruptions.MOTION[s][1]);
                linear(MOTION, gpu, n, in, out, count, key, firstIndex, table(gpu, "motion" + s, () -> doubleWords(k)), k.length);
            }
            case ZOOM_BLUR -> linear(ZOOM, gpu, n, in, out, count, Corruptions.ZOOM_COUNT[s]);
            case BRIGHTNESS -> linear(HSV, gpu, count * PIXELS, in, out, count, 0, Corruptions.BRIGHTNESS[s], 0.0);
            case SATURATE -> linear(HSV, gpu, count * PIXELS, in, out, count, 1, Corruptions.SATURATE[s][0],
                    Corruptions.SATURATE[s][1]);
            case CONTRAST -> perImage(CONTRAST, gpu, count, in, out, count, Corruptions.CONTRAST[s]);
            case PIXELATE -> {
                int size = Corruptions.PIXELATE_SIZE[s];
                DeviceBuffer t = table(gpu, "pixelate" + s, () -> concat(Kernels.boxTable(Corruptions.SIZE, size),
                        Kernels.boxTable(size, Corruptions.SIZE)));
                linear(PIXELATE, gpu, n, in, out, count, size, t);
            }
            case FOG -> perImage(FOG, gpu, count, in, out, count, key, firstIndex, Corruptions.FOG[s][0], Corruptions.FOG[s][1]);
            case ELASTIC_TRANSFORM -> {
                double[] e = Corruptions.ELASTIC[s];
                double[] w = Kernels.gaussianWeights(e[1], 3.0);
                perImage(ELASTIC, gpu, count, in, out, count, key, firstIndex, e[0], e[2],
                        table(gpu, "elastic" + s, () -> doubleWords(w)), w.length - 1);
            }
            default -> throw new AssertionError(c);
        }
    }

    /**
     * Host convenience: uploads {@code in} (32x32x3), corrupts it on the GPU (or on the CPU for the
     * corruptions without a kernel) and returns the result. Image i has dataset index
     * {@code firstIndex + i}; frost uses {@code frost} (null: procedural).
     */
    public static ImageBatch corrupt(Gpu gpu, ImageBatch in, Corruption c, int severity, long seed, long firstIndex,
                                     FrostTiles frost) {
        if (in.height() != Corruptions.SIZE || in.width() != Corruptions.SIZE || in.channels() != 3) {
            throw new ShapeException("corruptions need 32x32 RGB images (CIFAR parameters), got " + in.height() + "x"
                    + in.width() + "x" + in.channels() + "; pad or resize to 32x32x3 first");
        }
        if (!supports(c)) return Corruptions.corrupt(in, c, severity, seed, firstIndex, frost);
        byte[] result = new byte[in.pixels().length];
        try (DeviceBuffer din = DeviceBuffer.of(gpu, in.pixels()); DeviceBuffer dout = DeviceBuffer.bytes(gpu, result.length)) {
            corrupt(din, dout, in.count(), c, severity, seed, firstIndex);
            dout.copyTo(result);
        }
        return new ImageBatch(result, in.count(), in.height(), in.width(), in.channels());
    }

    // ---------------------------------------------------------------- launches

    private static void linear(Kernel k, Gpu gpu, int threads, Object... args) {
        Launch.linear(k, gpu.stream(), threads, BLOCK, args);
    }

    private static void perImage(Kernel k, Gpu gpu, int count, Object... args) {
        Launch.run(org.augmix4j.cuda.Kernels.module(gpu), k, gpu.stream(), Launch.Dim.of(count), Launch.Dim.of(IMAGE_BLOCK), 0, args);
    }

    /** scipy 'nearest' Gaussian filter of x / 255 then truncation, sigma with truncate 4. */
    private static void gaussian(Gpu gpu, DeviceBuffer in, DeviceBuffer out, int count, double sigma) {
        double[] w = Kernels.gaussianWeights(sigma, 4.0);
        linear(GAUSSIAN, gpu, count * VALUES, in, out, count, table(gpu, "gauss" + sigma, () -> doubleWords(w)), w.length - 1);
    }

    /** Gaussian filter, `iterations` shuffle passes, Gaussian filter; two scratch buffers. */
    private static void glass(Gpu gpu, DeviceBuffer in, DeviceBuffer out, int count, int s, long key, long firstIndex) {
        double sigma = Corruptions.GLASS[s][0];
        int iterations = (int) Corruptions.GLASS[s][2];
        long n = (long) count * VALUES;
        try (DeviceBuffer a = DeviceBuffer.bytes(gpu, n); DeviceBuffer b = DeviceBuffer.bytes(gpu, n)) {
            gaussian(gpu, in, a, count, sigma);
            DeviceBuffer src = a, dst = b;
            for (int it = 0; it < iterations; it++) {
                linear(GLASS_SHUFFLE, gpu, (int) n, src, dst, count, key, firstIndex, it);
                DeviceBuffer t = src;
                src = dst;
                dst = t;
            }
            gaussian(gpu, src, out, count, sigma);
        }
    }

    // ---------------------------------------------------------------- tables

    private interface Maker {
        int[] make();
    }

    /** A cached device table (int words) for the process's one GPU. */
    private static DeviceBuffer table(Gpu gpu, String name, Maker maker) {
        return TABLES.computeIfAbsent(name, k -> DeviceBuffer.of(gpu, maker.make()));
    }

    /** The little-endian 32-bit words of float64 values, as the kernels read them (cr_doubles). */
    static int[] doubleWords(double[] v) {
        int[] w = new int[2 * v.length];
        for (int i = 0; i < v.length; i++) {
            long bits = Double.doubleToRawLongBits(v[i]);
            w[2 * i] = (int) bits;
            w[2 * i + 1] = (int) (bits >>> 32);
        }
        return w;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
