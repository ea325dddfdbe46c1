package org.augmix4j.bench;

import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.MaxPool;
import org.augmix4j.ops.MaxPoolCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU 2x2 / stride-2 max pooling forward and backward (kernels/maxpool.cu) over AllConv's first
 * pool of a JSD batch: 384 x 96 x 32 x 32 -> 16 x 16. Each call ends with a stream synchronisation
 * (launch + kernel). Bytes moved: forward 5 n / 4 floats, backward (argmax recomputed from x) about
 * 3 n floats. Setup compares the forward with the CPU reference (bit-exact). Needs a real GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar MaxPoolCudaBench
 */
public class MaxPoolCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    @Param({"96"})
    int c;
    @Param({"32"})
    int hw;
    Gpu gpu;
    DeviceBuffer x, y, dy, dx;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();  // throws with the reason and the fix when there is no GPU
        if (gpu.isEmulated()) throw new IllegalStateException("MaxPoolCudaBench needs a real GPU, not the emulator");
        int len = n * c * hw * hw, out = n * c * (hw / 2) * (hw / 2);
        Random r = new Random(1);
        float[] h = new float[len], want = new float[out];
        for (int i = 0; i < len; i++) h[i] = (float) r.nextGaussian();
        MaxPool.forward(h, want, n, c, hw, hw, 2, 2);
        x = DeviceBuffer.of(gpu, h);
        y = DeviceBuffer.floats(gpu, out);
        dy = DeviceBuffer.of(gpu, want);
        dx = DeviceBuffer.floats(gpu, len);
        MaxPoolCuda.forward(x, y, n, c, hw, hw, 2, 2);
        if (!java.util.Arrays.equals(y.toFloats(), want)) throw new IllegalStateException("max pool differs from the CPU reference");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {x, y, dy, dx}) b.close();
    }

    @Benchmark
    public void forward() {
        MaxPoolCuda.forward(x, y, n, c, hw, hw, 2, 2);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        MaxPoolCuda.backward(x, dy, dx, n, c, hw, hw, 2, 2);
        gpu.stream().synchronize();
    }
}
