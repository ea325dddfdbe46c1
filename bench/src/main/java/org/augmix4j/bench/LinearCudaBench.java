package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.LinearCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU fallback linear layer (kernels/linear.cu) on the WRN head of a JSD batch: x (384, 128),
 * W (K, 128), K = 10 or 100; forward, and backward (dx, dW, db). FLOP: forward 2 N C K, backward
 * 4 N C K. Each call ends with a stream synchronisation. Needs a GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar LinearCudaBench
 */
public class LinearCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    @Param({"128"})
    int c;
    @Param({"10", "100"})
    int k;
    Gpu gpu;
    DeviceBuffer x, w, b, y, dx, dw, db;

    private DeviceBuffer random(Random r, int len) {
        float[] h = new float[len];
        for (int i = 0; i < len; i++) h[i] = (float) r.nextGaussian();
        return DeviceBuffer.of(gpu, h);
    }

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("LinearCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        x = random(r, n * c);
        w = random(r, k * c);
        b = random(r, k);
        y = random(r, n * k);
        dx = random(r, n * c);
        dw = random(r, k * c);
        db = random(r, k);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer d : new DeviceBuffer[] {x, w, b, y, dx, dw, db}) d.close();
    }

    @Benchmark
    public void forward() {
        LinearCuda.forward(x, w, b, y, n, c, k);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        LinearCuda.backward(x, w, y, dx, dw, db, n, c, k);
        gpu.stream().synchronize();
    }
}
