package org.augmix4j.bench;

import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.augment.SampleImages;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Event;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * GPU AugMix (kernels/augment.cu through ops/AugmentCuda), the GPU twin of AugmentBench: JSD
 * batches (clean + 2 AugMix views per sample, official CIFAR defaults: width 3, depth 1..3,
 * severity 3, 9 ops, flip + crop) of 32x32 images from a CIFAR-sized uint8 set on the GPU,
 * shuffled indices from Philox, written into a float32 NCHW input buffer.
 *
 * <ul>
 * <li>{@code batch}: one launch, then a stream synchronisation (the training loop's pattern when
 *     nothing else is queued): launch latency included.</li>
 * <li>{@code pipelined}: {@value #PIPELINE} launches back to back, one synchronisation (kernel
 *     throughput).</li>
 * </ul>
 * Secondary metrics (JMH aux counters, per second): {@code views} = AugMix views (2 per sample;
 * the clean images are extra), {@code hbmBytes} = the bytes a perfect kernel must move (3,072 B
 * read + 3 x 12,288 B written per JSD sample, about 40 KB).
 * Their ratio to the H100's ~3.0 TB/s sustainable HBM bandwidth is the distance from the floor;
 * the tear-down prints it from CUDA-event kernel times as well. Target (issue 3): >= 20 M views/s
 * on an H100. {@code groupThreads}: threads per chain group (0 = the launcher's default).
 *
 * <p>Needs a real GPU: without one (or on the CUDA emulator) the setup throws, so JMH reports the
 * benchmark as skipped with the reason and produces no number.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar AugmentCudaBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AugmentCudaBench {
    static final int SET = 50_000, H = 32, W = 32, PIPELINE = 16;
    static final long SEED = 1L;
    /** Bytes a perfect JSD kernel moves per sample: the uint8 source once, three float32 images. */
    static final long FLOOR_BYTES_PER_SAMPLE = 3L * H * W + 3L * 4 * 3 * H * W;
    /** Sustainable HBM3 bandwidth of an H100 SXM used for the floor (the measured device-to-device copy rate; the spec sheet's peak is 3.35 TB/s). */
    static final double HBM_BYTES_PER_S = 3.0e12;

    @Param({"128", "1024", "8192"})
    int samples;

    @Param({"0", "32", "128"})
    int groupThreads;

    Gpu gpu;
    AugMixConfig cfg;
    AugmentCuda.Images set;
    DeviceBuffer perm, out;
    int epoch, step;

    /** Per-second counters reported beside the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long views;
        public long hbmBytes;
    }

    @Setup(Level.Trial)
    public void setup() {
        GpuProbe probe = Gpu.probe();
        if (!probe.available()) throw new IllegalStateException("SKIPPED: AugmentCudaBench needs a GPU: " + probe);
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("SKIPPED: AugmentCudaBench needs a real GPU, not the emulator");
        cfg = AugMixConfig.defaults();
        ImageBatch host = images();
        set = AugmentCuda.Images.upload(gpu, host);
        // the epochs' shuffles, as the training loop keeps them: one int buffer, a window per batch
        int epochs = 4;
        int[] all = new int[epochs * SET];
        for (int e = 0; e < epochs; e++) System.arraycopy(Philox.shuffle(SEED, e, SET), 0, all, e * SET, SET);
        perm = DeviceBuffer.of(gpu, all);
        out = DeviceBuffer.floats(gpu, AugMix.outputSize(cfg, samples, H, W));
        validate(host, all);
        report();
    }

    /** CIFAR-like images: the built-in drawings, shifted and tinted, with mild noise. */
    static ImageBatch images() {
        byte[] px = new byte[SET * H * W * 3];
        Random r = new Random(1);
        byte[][] base = new byte[SampleImages.NAMES.length][];
        for (int k = 0; k < base.length; k++) base[k] = SampleImages.draw(k, 48);
        for (int i = 0; i < SET; i++) {
            byte[] b = base[i % base.length];
            int oy = r.nextInt(16), ox = r.nextInt(16), tint = r.nextInt(41) - 20;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    for (int c = 0; c < 3; c++) {
                        int v = (b[((y + oy) * 48 + x + ox) * 3 + c] & 0xFF) + (c == 0 ? tint : -tint) + r.nextInt(9) - 4;
                        px[((i * H + y) * W + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                    }
        }
        return new ImageBatch(px, SET, H, W, 3);
    }

    /** Once: the GPU batch equals the CPU reference (1e-6, the Dirichlet weights' device log). */
    private void validate(ImageBatch host, int[] all) {
        int n = Math.min(samples, 256);
        int[] idx = java.util.Arrays.copyOf(all, n);
        float[] want = new float[(int) AugMix.outputSize(cfg, n, H, W)];
        AugMix.sampleBatch(host, idx, idx, SEED, 0, cfg, want);
        try (DeviceBuffer o = DeviceBuffer.floats(gpu, want.length)) {
            AugmentCuda.sampleBatch(set, perm, perm, n, SEED, 0, cfg, o, groupThreads);
            float[] got = o.toFloats();
            for (int i = 0; i < want.length; i++) {
                if (!(Math.abs(got[i] - want[i]) <= 1e-6f)) {
                    throw new IllegalStateException("GPU AugMix differs from the CPU reference at " + i + ": " + got[i] + " vs " + want[i]);
                }
            }
        }
    }

    /** Kernel time by CUDA events over many launches: views/s, achieved floor bytes/s. */
    private void report() {
        int launches = Math.max(8, (int) (200_000L / samples));
        try (Event a = Event.create(gpu, true); Event b = Event.create(gpu, true)) {
            launchNext();
            a.record(gpu.stream());
            for (int i = 0; i < launches; i++) launchNext();
            b.record(gpu.stream());
            b.synchronize();
            double s = b.millisSince(a) / 1e3;
            double views = 2.0 * samples * launches / s, bytes = (double) FLOOR_BYTES_PER_SAMPLE * samples * launches / s;
            AugmentCuda.Plan p = AugmentCuda.plan(gpu, cfg, samples, H, W, groupThreads);
            System.out.printf(Locale.ROOT, "%n[AugmentCudaBench] %s: %d samples/launch, %d x %d threads (%s), %.3f us/launch:"
                    + " %.2f M views/s, %.1f GB/s of floor traffic = %.1f %% of %.1f TB/s (floor %.2f us/launch)%n",
                    gpu.name(), samples, p.groups(), p.groupThreads(), p.imagesInShared() ? "shared" : "global",
                    1e6 * s / launches, views / 1e6, bytes / 1e9, 100 * bytes / HBM_BYTES_PER_S, HBM_BYTES_PER_S / 1e12,
                    1e6 * FLOOR_BYTES_PER_SAMPLE * samples / HBM_BYTES_PER_S);
        }
    }

    private void launchNext() {
        if ((step + 1) * samples > SET) {
            step = 0;
            epoch = (epoch + 1) % 4;
        }
        try (DeviceBuffer window = perm.view((long) epoch * SET + (long) step * samples, samples)) {
            AugmentCuda.sampleBatch(set, window, window, samples, SEED, epoch, cfg, out, groupThreads);
        }
        step++;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        report();
        set.pixels().close();
        perm.close();
        out.close();
    }

    @Benchmark
    public void batch(Counters c) {
        launchNext();
        gpu.stream().synchronize();
        c.views += 2L * samples;
        c.hbmBytes += FLOOR_BYTES_PER_SAMPLE * samples;
    }

    @Benchmark
    public void pipelined(Counters c) {
        for (int i = 0; i < PIPELINE; i++) launchNext();
        gpu.stream().synchronize();
        c.views += 2L * samples * PIPELINE;
        c.hbmBytes += FLOOR_BYTES_PER_SAMPLE * samples * PIPELINE;
    }
}
