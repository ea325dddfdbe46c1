package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.LossesCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU fused training loss (kernels/losses.cu: ce_jsd_backward + loss_reduce_forward) on the logits of
 * one JSD batch (3 x 128 rows, K = 10 or 100), and the CE-only path (128 rows). Each call ends with a
 * stream synchronisation, so the time is launches + kernels (latency-bound: two tiny launches).
 * Needs a GPU (setup refuses the emulator).
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar LossesCudaBench
 */
public class LossesCudaBench extends KernelBenchDefaults {
    @Param({"10", "100"})
    int k;
    @Param({"128"})
    int b;
    Gpu gpu;
    DeviceBuffer z, labels, dz;
    LossesCuda.Workspace jsd, ce;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("LossesCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[3 * b * k];
        int[] y = new int[b];
        for (int i = 0; i < h.length; i++) h[i] = (float) (2 * r.nextGaussian());
        for (int i = 0; i < b; i++) y[i] = r.nextInt(k);
        z = DeviceBuffer.of(gpu, h);
        labels = DeviceBuffer.of(gpu, y);
        dz = DeviceBuffer.floats(gpu, h.length);
        jsd = new LossesCuda.Workspace(gpu, b, true);
        ce = new LossesCuda.Workspace(gpu, b, false);
        jsd.run(z, labels, dz, k, 1f);
        float want = Losses.crossEntropy(h, y, b, k, null, 1f) + Losses.JSD_WEIGHT * Losses.jsd(h, b, k, null, 1f);
        float got = jsd.readLoss()[0];
        if (Math.abs(got - want) > 1e-5 * Math.abs(want)) throw new IllegalStateException("loss " + got + " != reference " + want);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jsd.close();
        ce.close();
        z.close();
        labels.close();
        dz.close();
    }

    @Benchmark
    public void ceJsd() {
        jsd.run(z, labels, dz, k, 1f);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void crossEntropy() {
        ce.run(z, labels, dz, k, 1f);
        gpu.stream().synchronize();
    }
}
