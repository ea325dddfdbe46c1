package org.augmix4j.bench;

import java.util.Arrays;
import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Dropout;
import org.augmix4j.ops.DropoutCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU dropout (kernels/dropout.cu) over one AllConv stage-1 activation of a JSD batch (384 x 96 x 32
 * x 32 floats): drawing the Philox mask (4 bytes written per element, one Philox4x32-10 per 4
 * elements), and y = x * mask (12 bytes per element). Each call ends with a stream synchronisation.
 * Setup compares the mask with the CPU's bit for bit. Needs a real GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar DropoutCudaBench
 */
public class DropoutCudaBench extends KernelBenchDefaults {
    @Param({"37748736"})
    int n;
    Gpu gpu;
    DeviceBuffer x, mask, y;
    long counter;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();
        if (gpu.isEmulated()) throw new IllegalStateException("DropoutCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) h[i] = (float) r.nextGaussian();
        Dropout.mask(42, 0, 0.5f, want, n);
        x = DeviceBuffer.of(gpu, h);
        mask = DeviceBuffer.floats(gpu, n);
        y = DeviceBuffer.floats(gpu, n);
        DropoutCuda.mask(mask, 42, 0, 0.5f, n);
        if (!Arrays.equals(want, mask.toFloats())) throw new IllegalStateException("dropout mask differs from the CPU's");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer b : new DeviceBuffer[] {x, mask, y}) b.close();
    }

    @Benchmark
    public void mask() {
        DropoutCuda.mask(mask, 42, ++counter, 0.5f, n);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void forward() {
        DropoutCuda.forward(x, mask, y, n);
        gpu.stream().synchronize();
    }
}
