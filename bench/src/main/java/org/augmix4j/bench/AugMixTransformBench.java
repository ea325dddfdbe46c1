package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.AugMixTransform;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.openjdk.jmh.annotations.*;

/**
 * Per-image AugMix (the library API) against the batch path, one thread each, in images/s:
 * <ul>
 * <li>{@code transformTensor}: {@code AugMixTransform.toTensor} (one AugMix view, CHW float normalised, a new array);</li>
 * <li>{@code transformTensorInto}: the same written into a caller's buffer ({@code toTensor(..., out, off)});</li>
 * <li>{@code transformUint8}: {@code AugMixTransform.apply} on HWC bytes (uint8 result);</li>
 * <li>{@code sampleStatic}: {@code AugMix.sample} (AUGMIX mode, no train transform), the old per-image call;</li>
 * <li>{@code batch}: {@code AugMix.sampleBatch} of 16 images, same mode, {@code Parallel.setThreads(1)}, scored per image.</li>
 * </ul>
 * All: official defaults (width 3, depth 1..3, severity 3, 9 ops, alpha 1), no flip/crop, fresh draw index each op.
 * Run (no install into ~/.m2 needed): tools/bench-augmixtransform.sh; on a loaded machine also
 * tools/bench-augmixtransform.sh --cputime (AugMixTransformCpuTime: the same calls interleaved, thread CPU time).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1)
public class AugMixTransformBench {
    static final int BATCH = 16;

    @Param({"32", "224"})
    int size;

    byte[][] images;
    ImageBatch set;
    AugMixTransform transform;
    AugMixConfig cfg;
    float[] out;
    int[] idx;
    long next;
    int epoch;

    @Setup
    public void setup() {
        Random r = new Random(1);
        int n = size * size * 3;
        byte[] all = new byte[BATCH * n];
        r.nextBytes(all);
        // smooth-ish content so the LUT ops are not degenerate: add a gradient
        for (int i = 0; i < all.length; i++) all[i] = (byte) ((all[i] & 63) + (i % (size * 3)) * 190 / (size * 3));
        images = new byte[BATCH][];
        for (int b = 0; b < BATCH; b++) images[b] = java.util.Arrays.copyOfRange(all, b * n, (b + 1) * n);
        set = new ImageBatch(all, BATCH, size, size, 3);
        transform = AugMixTransform.builder().seed(7).build();
        cfg = AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX).withTrainTransform(false);
        out = new float[(int) AugMix.outputSize(cfg, BATCH, size, size)];
        idx = new int[BATCH];
        for (int b = 0; b < BATCH; b++) idx[b] = b;
        Parallel.setThreads(1);
    }

    @Benchmark
    public float[] transformTensor() {
        long i = next++;
        return transform.toTensor(images[(int) (i % BATCH)], size, size, i);
    }

    @Benchmark
    public float[] transformTensorInto() {
        long i = next++;
        int b = (int) (i % BATCH);
        transform.toTensor(images[b], size, size, i, out, b * size * size * 3);
        return out;
    }

    @Benchmark
    public byte[] transformUint8() {
        long i = next++;
        return transform.apply(images[(int) (i % BATCH)], size, size, i);
    }

    @Benchmark
    public float[][] sampleStatic() {
        long i = next++;
        return AugMix.sample(images[(int) (i % BATCH)], size, size, (int) i, 7L, 0, cfg);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public float[] batch() {
        AugMix.sampleBatch(set, idx, 7L, epoch++, cfg, out);
        return out;
    }
}
