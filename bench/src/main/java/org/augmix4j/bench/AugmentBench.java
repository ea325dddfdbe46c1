package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.augment.SampleImages;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * CPU AugMix: JSD training samples per second (clean + 2 AugMix views, official CIFAR defaults:
 * width 3, depth 1..3, severity 3, 9 ops, flip + crop) for batches of 128 32x32 images, on 1 thread
 * and on all cores ({@code threads = 0}). The score is samples/s ({@code @OperationsPerInvocation(128)}).
 * Reference point: the official Pillow pipeline does about 1,000 JSD samples/s per core
 * (tools/pillow/bench_pillow_augmix.py measures it on the same machine).
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar AugmentBench
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AugmentBench {
    static final int BATCH = 128, SET = 1024, H = 32, W = 32;

    /** Worker threads: 1, or 0 = all cores. */
    @Param({"1", "0"})
    int threads;

    ImageBatch set;
    AugMixConfig cfg;
    float[] out;
    int[] perm;
    int step, epoch;
    final int[] idx = new int[BATCH];

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        // natural-ish images: the built-in drawings shifted, tinted and with mild noise
        byte[] px = new byte[SET * H * W * 3];
        Random r = new Random(1);
        for (int i = 0; i < SET; i++) {
            byte[] base = SampleImages.draw(i, 48);
            int oy = r.nextInt(16), ox = r.nextInt(16);
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    for (int c = 0; c < 3; c++) {
                        int v = (base[((y + oy) * 48 + x + ox) * 3 + c] & 0xFF) + r.nextInt(17) - 8;
                        px[((i * H + y) * W + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                    }
        }
        set = new ImageBatch(px, SET, H, W, 3);
        cfg = AugMixConfig.defaults();
        out = new float[(int) AugMix.outputSize(cfg, BATCH, H, W)];
        perm = Philox.shuffle(1L, 0, SET);
        // validate once: the parallel batch equals the per-image reference, values in [-1, 1]
        nextIndices();
        AugMix.sampleBatch(set, idx, 1L, epoch, cfg, out);
        int plane = 3 * H * W;
        for (int b = 0; b < BATCH; b += 17) {
            float[][] want = AugMix.trace(set, idx[b], idx[b], 1L, epoch, cfg).outputs();
            for (int v = 0; v < 3; v++)
                for (int k = 0; k < plane; k++)
                    if (Float.floatToRawIntBits(out[(v * BATCH + b) * plane + k]) != Float.floatToRawIntBits(want[v][k])) {
                        throw new IllegalStateException("AugMix batch differs from the per-image reference at entry " + b);
                    }
        }
        for (float v : out) if (!(v >= -1f && v <= 1f)) throw new IllegalStateException("output outside [-1, 1]: " + v);
    }

    private void nextIndices() {
        if (step + BATCH > SET) {
            step = 0;
            epoch++;
            perm = Philox.shuffle(1L, epoch, SET);
        }
        System.arraycopy(perm, step, idx, 0, BATCH);
        step += BATCH;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[] jsdSamples() {
        nextIndices();
        AugMix.sampleBatch(set, idx, 1L, epoch, cfg, out);
        return out;
    }
}
