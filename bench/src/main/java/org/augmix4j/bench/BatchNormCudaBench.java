package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.BatchNormCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU fallback batch norm (kernels/batchnorm.cu) on WRN-40-2 activations of a JSD batch (N = 384):
 * stage 1 (C = 32, 32x32) and stage 3 (C = 128, 8x8). Bytes: training forward 16 N C HW (x read
 * three times, y written), backward 20 N C HW, eval forward 8 N C HW. Each call ends with a stream
 * synchronisation. Needs a GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar BatchNormCudaBench
 */
public class BatchNormCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    @Param({"32:1024", "128:64"})
    String channelsAndMap;
    int c, hw;
    Gpu gpu;
    DeviceBuffer x, y, dy, dx, gamma, beta, rm, rv, sm, si, dg, db;

    private DeviceBuffer random(Random r, int len, double shift) {
        float[] h = new float[len];
        for (int i = 0; i < len; i++) h[i] = (float) (shift + r.nextGaussian());
        return DeviceBuffer.of(gpu, h);
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("BatchNormCudaBench needs a real GPU, not the emulator");
        String[] parts = channelsAndMap.split(":");
        c = Integer.parseInt(parts[0]);
        hw = Integer.parseInt(parts[1]);
        Random r = new Random(1);
        int len = n * c * hw;
        x = random(r, len, 1);
        dy = random(r, len, 0);
        y = DeviceBuffer.floats(gpu, len);
        dx = DeviceBuffer.floats(gpu, len);
        gamma = random(r, c, 1);
        beta = random(r, c, 0);
        rm = random(r, c, 0);
        rv = random(r, c, 2);
        sm = DeviceBuffer.floats(gpu, c);
        si = DeviceBuffer.floats(gpu, c);
        dg = random(r, c, 0);
        db = random(r, c, 0);
        BatchNormCuda.trainForward(x, y, n, c, hw, gamma, beta, rm, rv, sm, si);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer d : new DeviceBuffer[] {x, y, dy, dx, gamma, beta, rm, rv, sm, si, dg, db}) d.close();
    }

    @Benchmark
    public void trainForward() {
        BatchNormCuda.trainForward(x, y, n, c, hw, gamma, beta, rm, rv, sm, si);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void trainBackward() {
        BatchNormCuda.trainBackward(x, dy, dx, n, c, hw, gamma, sm, si, dg, db);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void evalForward() {
        BatchNormCuda.evalForward(x, y, n, c, hw, gamma, beta, rm, rv);
        gpu.stream().synchronize();
    }
}
