package org.augmix4j.bench;

import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.AvgPool;
import org.augmix4j.ops.AvgPoolCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU 2x2 / stride-2 average pooling forward and backward (kernels/avgpool.cu) over DenseNet-40-12's
 * first transition of a JSD batch: 384 x 168 x 32 x 32 -> 16 x 16. Each call ends with a stream
 * synchronisation (launch + kernel). Bytes moved: forward 5 n / 4 floats, backward 5 n / 4 plus the
 * accumulation into dx (2 n). Setup compares the forward with the CPU reference (bit-exact). Needs a
 * real GPU. Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar AvgPoolCudaBench
 */
public class AvgPoolCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    @Param({"168"})
    int c;
    @Param({"32"})
    int hw;
    Gpu gpu;
    DeviceBuffer x, y, dy, dx;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();  // throws with the reason and the fix when there is no GPU
        if (gpu.isEmulated()) throw new IllegalStateException("AvgPoolCudaBench needs a real GPU, not the emulator");
        int len = n * c * hw * hw, out = n * c * (hw / 2) * (hw / 2);
        Random r = new Random(1);
        float[] h = new float[len], want = new float[out];
        for (int i = 0; i < len; i++) h[i] = (float) r.nextGaussian();
        AvgPool.forward(h, want, n, c, hw, hw, 2, 2);
        x = DeviceBuffer.of(gpu, h);
        y = DeviceBuffer.floats(gpu, out);
        dy = DeviceBuffer.of(gpu, want);
        dx = DeviceBuffer.floats(gpu, len);
        AvgPoolCuda.forward(x, y, n, c, hw, hw, 2, 2);
        if (!java.util.Arrays.equals(y.toFloats(), want)) throw new IllegalStateException("average pool differs from the CPU reference");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {x, y, dy, dx}) b.close();
    }

    @Benchmark
    public void forward() {
        AvgPoolCuda.forward(x, y, n, c, hw, hw, 2, 2);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        AvgPoolCuda.backward(dy, dx, n, c, hw, hw, 2, 2);
        gpu.stream().synchronize();
    }
}
