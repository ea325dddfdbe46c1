package org.augmix4j.bench;

import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Gelu;
import org.augmix4j.ops.GeluCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU sigmoid-form GELU forward and backward (kernels/gelu.cu) over one AllConv stage-1 activation
 * of a JSD batch (384 x 96 x 32 x 32 floats). Each call ends with a stream synchronisation, so the
 * time is launch + kernel. Bytes moved: forward 8 n, backward 16 n; GB/s = bytes / time (the
 * kernels use a double exp: on GPUs with slow FP64 they may be compute-bound). Setup compares the
 * forward with the CPU reference (1 ulp). Needs a real GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar GeluCudaBench
 */
public class GeluCudaBench extends KernelBenchDefaults {
    @Param({"37748736"})
    int n;
    Gpu gpu;
    DeviceBuffer x, y, dy, dx;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();  // throws with the reason and the fix when there is no GPU
        if (gpu.isEmulated()) throw new IllegalStateException("GeluCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) h[i] = (float) (2 * r.nextGaussian());
        Gelu.forward(h, want, n);
        x = DeviceBuffer.of(gpu, h);
        y = DeviceBuffer.floats(gpu, n);
        dy = DeviceBuffer.of(gpu, h);
        dx = DeviceBuffer.floats(gpu, n);
        GeluCuda.forward(x, y, n);
        float[] got = y.toFloats();
        for (int i = 0; i < n; i++) {
            if (Math.abs(got[i] - want[i]) > Math.ulp(want[i])) throw new IllegalStateException("gelu mismatch at " + i);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {x, y, dy, dx}) b.close();
    }

    @Benchmark
    public void forward() {
        GeluCuda.forward(x, y, n);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        GeluCuda.backward(x, dy, dx, n);
        gpu.stream().synchronize();
    }
}
