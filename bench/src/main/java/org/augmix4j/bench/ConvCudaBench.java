package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Conv;
import org.augmix4j.ops.ConvCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU fallback convolution (kernels/conv.cu) on WRN-40-2 layers of a JSD batch (N = 384): stage 1
 * 3x3 32 -> 32 on 32x32, stage 3 3x3 128 -> 128 on 8x8, and a stride-2 1x1 shortcut 32 -> 64; and
 * ResNeXt-29 (4x32d)'s grouped stage-1 3x3 128 -> 128 on 32x32 with cardinality 4.
 * GFLOP/s = 2 N K (C/groups) R S Ho Wo / time (each direction). Each call ends with a stream synchronisation.
 * Needs a GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvCudaBench
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    /** C:H:K:R:stride:pad[:groups] (square maps; groups 1 when absent). */
    @Param({"32:32:32:3:1:1", "128:8:128:3:1:1", "32:32:64:1:2:0", "128:32:128:3:1:1:4"})
    String layer;
    int c, h, k, r, stride, pad, groups, ho;
    Gpu gpu;
    DeviceBuffer x, w, y, dx, dw;

    private DeviceBuffer random(Random rnd, long len) {
        float[] a = new float[Math.toIntExact(len)];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        return DeviceBuffer.of(gpu, a);
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("ConvCudaBench needs a real GPU, not the emulator");
        String[] p = layer.split(":");
        c = Integer.parseInt(p[0]);
        h = Integer.parseInt(p[1]);
        k = Integer.parseInt(p[2]);
        r = Integer.parseInt(p[3]);
        stride = Integer.parseInt(p[4]);
        pad = Integer.parseInt(p[5]);
        groups = p.length > 6 ? Integer.parseInt(p[6]) : 1;
        ho = Conv.outSize(h, r, stride, pad);
        Random rnd = new Random(1);
        x = random(rnd, (long) n * c * h * h);
        w = random(rnd, (long) k * (c / groups) * r * r);
        y = random(rnd, (long) n * k * ho * ho);
        dx = DeviceBuffer.floats(gpu, (long) n * c * h * h);
        dw = DeviceBuffer.floats(gpu, (long) k * (c / groups) * r * r);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer d : new DeviceBuffer[] {x, w, y, dx, dw}) d.close();
    }

    @Benchmark
    public void forward() {
        ConvCuda.forward(x, w, y, n, c, h, h, k, r, r, stride, pad, groups);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backwardData() {
        ConvCuda.backwardData(y, w, dx, n, c, h, h, k, r, r, stride, pad, groups);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backwardFilter() {
        ConvCuda.backwardFilter(x, y, dw, n, c, h, h, k, r, r, stride, pad, groups);
        gpu.stream().synchronize();
    }
}
