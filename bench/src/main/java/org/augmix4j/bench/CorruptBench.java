package org.augmix4j.bench;

import java.util.concurrent.TimeUnit;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.TestImages;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * CPU corruption throughput: each corruption at severity 3 on 10,000 procedural 32x32 images
 * (the size of one CIFAR-C severity slice), all cores through cpu.Parallel. The score of
 * {@code corrupt} is images/s (one op = one image). {@code WholeSet.all19} times one pass of all
 * 19 corruptions over the 10k images. {@code CifarCSet.generate} generates a whole CIFAR-C-sized
 * set, 19 corruptions x 5 severities x 10,000 images = 950,000 images, as {@code corrupt} does
 * (without the disk writes), and reports images/s; {@code -p perSeverity=1000} for a 10x quicker run.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar CorruptBench -f 1 -wi 1 -i 2
 *      (the whole set alone: ... benchmarks.jar 'CorruptBench.CifarCSet' -f 1)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class CorruptBench {
    static final int IMAGES = 10_000;

    @Param({"gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur", "zoom_blur",
            "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate", "jpeg_compression",
            "speckle_noise", "gaussian_blur", "spatter", "saturate"})
    String corruption;

    ImageBatch images;
    Corruption c;

    @Setup(Level.Trial)
    public void setup() {
        images = TestImages.batch(1, IMAGES);
        c = Corruption.byName(corruption);
        System.out.println("\n[CorruptBench] threads=" + Parallel.threads());
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public ImageBatch corrupt() {
        return Corruptions.corrupt(images, c, 3, 7L, 0L, null);
    }

    /** All 19 corruptions at severity 3 over 10k images; seconds per op. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 2, time = 1)
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public static class WholeSet {
        ImageBatch images;

        @Setup(Level.Trial)
        public void setup() { images = TestImages.batch(1, IMAGES); }

        @Benchmark
        public long all19() {
            long sum = 0;
            for (Corruption c : Corruption.values()) sum += Corruptions.corrupt(images, c, 3, 7L, 0L, null).pixels()[0];
            return sum;
        }
    }

    /**
     * A CIFAR-C-sized set: all 19 corruptions at severities 1-5 over {@code perSeverity} images
     * (10,000 as CIFAR-10-C: 950,000 images per invocation), into one reused buffer per corruption as
     * the corrupt command fills its files. Score: the secondary result {@code generate:images}, in
     * images/s.
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 0)
    @Measurement(iterations = 1, time = 1)
    @Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
    public static class CifarCSet {
        @Param({"10000"})
        int perSeverity;
        ImageBatch images;
        byte[] out;

        @Setup(Level.Trial)
        public void setup() {
            images = TestImages.batch(1, perSeverity);
            out = new byte[5 * perSeverity * 3072];
            System.out.println("\n[CorruptBench.CifarCSet] threads=" + Parallel.threads() + ", " + 19 * 5 * perSeverity + " images");
        }

        @Benchmark
        public long generate(BenchSupport.Images counter) {
            long sum = 0;
            for (Corruption c : Corruption.values()) {
                for (int s = 1; s <= 5; s++) {
                    Corruptions.corruptInto(images, c, s, 7L, 0L, null, out, (s - 1) * perSeverity * 3072);
                }
                sum += out[out.length - 1];
            }
            counter.images += 19L * 5 * perSeverity;
            return sum;
        }
    }
}
