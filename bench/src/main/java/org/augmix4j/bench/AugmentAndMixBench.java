package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * augment-and-mix: AugMix.sampleBatch in no-JSD mode (flip + crop, then one AugMix view per sample:
 * 3 chains of 1..3 random ops mixed in float32, official CIFAR defaults), over batch size, image
 * size and threads (1, or 0 = all cores). Score: ops/s = batches/s; the {@code images} counter
 * gives images/s, {@code bytes} GB/s. Bytes per image: read h*w*3 uint8, write h*w*3 float32 (16 B per pixel).
 * The JSD-sample figure at the training shape (batch 128, 32x32, clean + 2 views) is AugmentBench's.
 * Setup checks every golden AugMix sample against the Pillow + NumPy pipeline (1e-6), then the
 * parallel batch against the per-image reference bit for bit, before timing.
 * Run: bench/run.sh AugmentAndMixBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AugmentAndMixBench {
    @Param({"32", "128"})
    int batch;
    @Param({"32", "224"})
    int size;
    @Param({"1", "0"})
    int threads;

    ImageBatch set;
    AugMixConfig cfg;
    float[] out;
    int[] idx;
    int epoch;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        int samples = PillowGolden.load().checkSamples();
        int n = Math.max(batch, 64);
        byte[] px = new byte[n * size * size * 3];
        for (int i = 0; i < n; i++) {
            byte[] img = AugOpsBench.naturalImage(new Random(i), size, size);
            System.arraycopy(img, 0, px, i * img.length, img.length);
        }
        set = new ImageBatch(px, n, size, size, 3);
        cfg = AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX);
        out = new float[(int) AugMix.outputSize(cfg, batch, size, size)];
        idx = java.util.Arrays.copyOf(Philox.shuffle(1L, 0, n), batch);
        AugMix.sampleBatch(set, idx, 1L, 0, cfg, out);
        int plane = 3 * size * size;
        for (int b = 0; b < batch; b += 7) {
            float[] want = AugMix.trace(set, idx[b], idx[b], 1L, 0, cfg).outputs()[0];
            for (int k = 0; k < plane; k++) {
                if (Float.floatToRawIntBits(out[b * plane + k]) != Float.floatToRawIntBits(want[k])) {
                    throw new IllegalStateException("batch entry " + b + " differs from the per-image reference - not timing a wrong result");
                }
            }
        }
        System.out.printf("%n[AugmentAndMixBench] %d golden samples match Pillow; batch matches the reference; threads=%d%n",
                samples, Parallel.threads());
    }

    @Benchmark
    public float[] augmentAndMix(BenchSupport.Images work, BenchSupport.Bytes bytes) {
        AugMix.sampleBatch(set, idx, 1L, ++epoch, cfg, out);
        work.images += batch;
        bytes.bytes += (long) batch * size * size * 3 * 5;
        return out;
    }
}
