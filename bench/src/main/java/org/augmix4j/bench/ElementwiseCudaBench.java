package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Elementwise;
import org.augmix4j.ops.ElementwiseCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU ReLU forward and residual add (kernels/elementwise.cu) over one WRN stage-1 activation of a JSD
 * batch (384 x 32 x 32 x 32 floats), the GPU twin of ElementwiseBench. Each call ends with a stream
 * synchronisation, so the time is launch + kernel. Bytes moved: relu 8 n, add 12 n; GB/s = bytes / time.
 * Needs a GPU (on the emulator the figures mean nothing; setup refuses it).
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ElementwiseCudaBench
 */
public class ElementwiseCudaBench extends KernelBenchDefaults {
    @Param({"12582912"})
    int n;
    Gpu gpu;
    DeviceBuffer x, y, out;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();  // throws with the reason and the fix when there is no GPU
        if (gpu.isEmulated()) throw new IllegalStateException("ElementwiseCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] h = new float[n], want = new float[n];
        for (int i = 0; i < n; i++) h[i] = (float) r.nextGaussian();
        Elementwise.reluForward(h, want, n);
        x = DeviceBuffer.of(gpu, h);
        y = DeviceBuffer.floats(gpu, n);
        out = DeviceBuffer.floats(gpu, n);
        ElementwiseCuda.reluForward(x, y, n);
        float[] got = y.toFloats();
        for (int i = 0; i < n; i++) if (got[i] != want[i]) throw new IllegalStateException("relu mismatch at " + i);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
        y.close();
        out.close();
    }

    @Benchmark
    public void reluForward() {
        ElementwiseCuda.reluForward(x, y, n);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void add() {
        ElementwiseCuda.add(x, y, out, n);
        gpu.stream().synchronize();
    }
}
