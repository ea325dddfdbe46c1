package org.augmix4j.bench;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.CorruptionsCuda;
import org.augmix4j.corrupt.TestImages;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * GPU corruption throughput (kernels/corrupt.cu, corrupt_field.cu through CorruptionsCuda), the
 * GPU twin of CorruptBench, on 10,000 procedural 32x32 images already in device memory.
 * <ul>
 *   <li>{@code corrupt}: each of the 15 GPU corruptions at severity 3, device to device, ending with a
 *       stream synchronisation; score images/s (one op = one image).</li>
 *   <li>{@code CifarCSet.gpu15}: the 15 GPU corruptions x 5 severities x 10k images, each result
 *       copied back to the host (as the corrupt command does); {@code CifarCSet.mixed19}: the whole
 *       CIFAR-C-sized set, 19 x 5 x 10k = 950,000 images, the other 4 (snow, frost, spatter,
 *       jpeg_compression) on the CPU cores, i.e. {@code corrupt --device gpu} without the disk
 *       writes. Scores: the secondary results {@code :images}, in images/s.</li>
 * </ul>
 * Needs a real GPU: without one (or on the CUDA emulator) the setup fails with "SKIPPED: ..." and
 * the reason, JMH reports that benchmark as failed and goes on with the next one.
 * Setup checks the GPU output against the CPU reference on the first 64 images.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar CorruptCudaBench -f 1
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class CorruptCudaBench {
    static final int IMAGES = 10_000, VALUES = 3072;

    @Param({"gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
            "fog", "brightness", "contrast", "elastic_transform", "pixelate", "speckle_noise", "gaussian_blur", "saturate"})
    String corruption;

    Gpu gpu;
    Corruption c;
    DeviceBuffer in, out;

    /** The GPU, or a setup failure that says why the benchmark is skipped. */
    static Gpu requireGpu(String bench) {
        GpuProbe p = Gpu.probe();
        if (!p.available()) throw new IllegalStateException("SKIPPED " + bench + ": no GPU: " + p);
        Gpu g = Gpu.get();
        if (g.isEmulated()) throw new IllegalStateException("SKIPPED " + bench + ": the CUDA emulator is not a GPU to time");
        return g;
    }

    /** Uploads the images and checks the GPU result of {@code c} against the CPU reference on 64 of them. */
    static void validate(Gpu gpu, ImageBatch images, DeviceBuffer din, DeviceBuffer dout, Corruption c) {
        int n = 64;
        CorruptionsCuda.corrupt(din, dout, n, c, 3, 7L, 0L);
        byte[] got = new byte[n * VALUES];
        dout.copyTo(0, got, 0, got.length);
        ImageBatch head = new ImageBatch(Arrays.copyOf(images.pixels(), n * VALUES), n, 32, 32, 3);
        byte[] want = Corruptions.corrupt(head, c, 3, 7L, 0L, null).pixels();
        int diff = 0;
        for (int i = 0; i < want.length; i++) if (want[i] != got[i]) diff++;
        if (diff != 0) throw new IllegalStateException(c + ": GPU differs from the CPU reference in " + diff + " of " + want.length + " values");
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = requireGpu("CorruptCudaBench");
        c = Corruption.byName(corruption);
        ImageBatch images = TestImages.batch(1, IMAGES);
        in = DeviceBuffer.of(gpu, images.pixels());
        out = DeviceBuffer.bytes(gpu, (long) IMAGES * VALUES);
        validate(gpu, images, in, out, c);
        System.out.println("\n[CorruptCudaBench] " + gpu);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (in != null) in.close();
        if (out != null) out.close();
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public void corrupt() {
        CorruptionsCuda.corrupt(in, out, IMAGES, c, 3, 7L, 0L);
        gpu.stream().synchronize();
    }

    /** Whole CIFAR-C-sized sets, results downloaded to the host per corruption and severity. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 2, time = 1)
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public static class CifarCSet {
        Gpu gpu;
        ImageBatch images;
        DeviceBuffer in, out;
        byte[] host;

        @Setup(Level.Trial)
        public void setup() {
            gpu = requireGpu("CorruptCudaBench.CifarCSet");
            images = TestImages.batch(1, IMAGES);
            in = DeviceBuffer.of(gpu, images.pixels());
            out = DeviceBuffer.bytes(gpu, (long) IMAGES * VALUES);
            host = new byte[IMAGES * VALUES];
            for (Corruption c : CorruptionsCuda.SUPPORTED) validate(gpu, images, in, out, c);
            System.out.println("\n[CorruptCudaBench.CifarCSet] " + gpu + "; CPU threads=" + Parallel.threads());
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            if (in != null) in.close();
            if (out != null) out.close();
        }

        private long gpuPart() {
            long sum = 0;
            for (Corruption c : CorruptionsCuda.SUPPORTED) {
                for (int s = 1; s <= 5; s++) {
                    CorruptionsCuda.corrupt(in, out, IMAGES, c, s, 7L, 0L);
                    out.copyTo(0, host, 0, host.length);
                    sum += host[host.length - 1];
                }
            }
            return sum;
        }

        @Benchmark
        public long gpu15(BenchSupport.Images counter) {
            long sum = gpuPart();
            counter.images += (long) CorruptionsCuda.SUPPORTED.size() * 5 * IMAGES;
            return sum;
        }

        @Benchmark
        public long mixed19(BenchSupport.Images counter) {
            long sum = gpuPart();
            for (Corruption c : Corruption.values()) {
                if (CorruptionsCuda.supports(c)) continue;
                for (int s = 1; s <= 5; s++) {
                    Corruptions.corruptInto(images, c, s, 7L, 0L, null, host, 0);
                    sum += host[host.length - 1];
                }
            }
            counter.images += 19L * 5 * IMAGES;
            return sum;
        }
    }
}
