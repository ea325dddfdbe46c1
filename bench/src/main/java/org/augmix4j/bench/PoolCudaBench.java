package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.PoolCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU global average pool (kernels/pool.cu) on the WRN-40-2 head of a JSD batch: x (384 * 128, 64).
 * Bytes: forward 4 nc (hw + 1), backward 4 nc (2 hw + 1). Each call ends with a stream
 * synchronisation. Needs a GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar PoolCudaBench
 */
public class PoolCudaBench extends KernelBenchDefaults {
    @Param({"49152"})
    int nc;
    @Param({"64"})
    int hw;
    Gpu gpu;
    DeviceBuffer x, y, dx;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("PoolCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[nc * hw];
        for (int i = 0; i < h.length; i++) h[i] = (float) r.nextGaussian();
        x = DeviceBuffer.of(gpu, h);
        dx = DeviceBuffer.of(gpu, h);
        y = DeviceBuffer.floats(gpu, nc);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        y.close();
        dx.close();
    }

    @Benchmark
    public void forward() {
        PoolCuda.globalAvgForward(x, y, nc, hw);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        PoolCuda.globalAvgBackward(y, dx, nc, hw);
        gpu.stream().synchronize();
    }
}
