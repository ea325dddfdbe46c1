package org.augmix4j.bench;

import java.util.Arrays;
import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Bias;
import org.augmix4j.ops.BiasCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU convolution bias (kernels/bias.cu) on AllConv layers of a JSD batch (N = 384): forward y += b
 * (8 bytes per element) and the backward's per-channel double sums (one block of 256 per channel, 4
 * bytes read per element). Each call ends with a stream synchronisation. Setup compares the backward
 * with the CPU's bit for bit. Needs a real GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar BiasCudaBench
 */
public class BiasCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    /** C:HW. */
    @Param({"96:1024", "192:64"})
    String layer;
    int c, hw;
    Gpu gpu;
    DeviceBuffer y, b, db;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("BiasCudaBench needs a real GPU, not the emulator");
        String[] p = layer.split(":");
        c = Integer.parseInt(p[0]);
        hw = Integer.parseInt(p[1]);
        Random r = new Random(1);
        float[] h = new float[n * c * hw], bias = new float[c], want = new float[c];
        for (int i = 0; i < h.length; i++) h[i] = (float) r.nextGaussian();
        Bias.backward(h, want, n, c, hw);
        y = DeviceBuffer.of(gpu, h);
        b = DeviceBuffer.of(gpu, bias);
        db = DeviceBuffer.of(gpu, new float[c]);
        BiasCuda.backward(y, db, n, c, hw);
        if (!Arrays.equals(want, db.toFloats())) throw new IllegalStateException("bias backward differs from the CPU's");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer d : new DeviceBuffer[] {y, b, db}) d.close();
    }

    @Benchmark
    public void forward() {
        BiasCuda.forward(y, b, n, c, hw);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        BiasCuda.backward(y, db, n, c, hw);
        gpu.stream().synchronize();
    }
}
