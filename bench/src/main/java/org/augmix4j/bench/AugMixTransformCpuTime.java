package org.augmix4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.AugMixTransform;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * A/B of the per-image AugMix calls against the batch path by thread CPU time, for a shared, loaded machine where
 * JMH wall-clock scores swing 2x between runs: the five calls of AugMixTransformBench run interleaved, 16 images
 * each per round, on one thread ({@code Parallel.setThreads(1)}); the first quarter of the rounds is warm-up.
 * Prints microseconds of thread CPU time per image. Args: size rounds. Run: tools/bench-augmixtransform.sh --cputime
 */
public final class AugMixTransformCpuTime {
    private static final int B = 16;
    private static final String[] NAMES = {"batch", "transformTensor", "transformTensorInto", "transformUint8", "sampleStatic"};

    public static void main(String[] args) {
        final int size = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]), n = size * size * 3;
        ThreadMXBean tm = ManagementFactory.getThreadMXBean();
        Random r = new Random(1);
        byte[] all = new byte[B * n];
        r.nextBytes(all);
        for (int i = 0; i < all.length; i++) all[i] = (byte) ((all[i] & 63) + (i % (size * 3)) * 190 / (size * 3));
        byte[][] im = new byte[B][];
        for (int b = 0; b < B; b++) im[b] = Arrays.copyOfRange(all, b * n, (b + 1) * n);
        ImageBatch set = new ImageBatch(all, B, size, size, 3);
        Parallel.setThreads(1);
        AugMixTransform t = AugMixTransform.builder().seed(7).build();
        AugMixConfig cfg = AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX).withTrainTransform(false);
        float[] out = new float[(int) AugMix.outputSize(cfg, B, size, size)];
        int[] idx = new int[B];
        for (int b = 0; b < B; b++) idx[b] = b;
        long[] ns = new long[NAMES.length];
        long counted = 0, i = 0;
        int epoch = 0;
        for (int round = 0; round < rounds; round++) {
            boolean warm = round < rounds / 4;
            for (int m = 0; m < NAMES.length; m++) {
                long t0 = tm.getCurrentThreadCpuTime();
                if (m == 0) {
                    AugMix.sampleBatch(set, idx, 7L, epoch++, cfg, out);
                    i += B;
                } else {
                    for (int b = 0; b < B; b++, i++) {
                        switch (m) {
                            case 1 -> t.toTensor(im[b], size, size, i);
                            case 2 -> t.toTensor(im[b], size, size, i, out, b * n);
                            case 3 -> t.apply(im[b], size, size, i);
                            default -> AugMix.sample(im[b], size, size, (int) i, 7L, 0, cfg);
                        }
                    }
                }
                if (!warm) ns[m] += tm.getCurrentThreadCpuTime() - t0;
            }
            if (!warm) counted += B;
        }
        for (int m = 0; m < NAMES.length; m++) {
            System.out.printf("%-20s size %3d: %8.1f us CPU/image, %6.0f images per CPU-second%n", NAMES[m], size,
                    ns[m] / 1e3 / counted, counted * 1e9 / ns[m]);
        }
    }
}
