package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.SgdCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU SGD step (kernels/sgd.cu) over a flat buffer of WRN-40-2's size (about 2.24M parameters), and
 * the sum of squares of the gradient (the NaN check). Bytes moved by a step: 20 n (read p, g, buf;
 * write p, buf); GB/s = 20 n / time. Each call ends with a stream synchronisation. Needs a GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar SgdCudaBench
 */
public class SgdCudaBench extends KernelBenchDefaults {
    @Param({"2243546"})
    int n;
    Gpu gpu;
    DeviceBuffer p, g, buf, partial, out;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("SgdCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[n];
        for (int i = 0; i < n; i++) h[i] = (float) (0.1 * r.nextGaussian());
        p = DeviceBuffer.of(gpu, h);
        g = DeviceBuffer.of(gpu, h);
        buf = DeviceBuffer.floats(gpu, n);
        partial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
        out = DeviceBuffer.floats(gpu, 1);
        SgdCuda.step(p, g, buf, n, 0.1f, 0.9f, 5e-4f, true, true);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        p.close();
        g.close();
        buf.close();
        partial.close();
        out.close();
    }

    @Benchmark
    public void step() {
        SgdCuda.step(p, g, buf, n, 1e-6f, 0.9f, 5e-4f, true, false);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void sumSquares() {
        SgdCuda.sumSquares(g, n, partial, out);
        gpu.stream().synchronize();
    }
}
