package org.augmix4j.bench;

import java.util.Random;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Concat;
import org.augmix4j.ops.ConcatCuda;
import org.openjdk.jmh.annotations.*;

/**
 * GPU channel concatenation forward and backward (kernels/concat.cu) at DenseNet-40-12's widest
 * point in block 1 of a JSD batch: (384, 156, 32, 32) ++ (384, 12, 32, 32). Each call ends with a
 * stream synchronisation (launch + kernel). Bytes moved: forward 2 x output floats, backward 3 x
 * (read dy, read-modify-write both gradients). Setup compares the forward with the CPU reference
 * (bit-exact). Needs a real GPU.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConcatCudaBench
 */
public class ConcatCudaBench extends KernelBenchDefaults {
    @Param({"384"})
    int n;
    @Param({"156"})
    int ca;
    @Param({"12"})
    int cb;
    @Param({"1024"})
    int hw;
    Gpu gpu;
    DeviceBuffer a, b, y, da, db;

    @Setup(Level.Trial)
    public void setup() {
        gpu = Gpu.get();  // throws with the reason and the fix when there is no GPU
        if (gpu.isEmulated()) throw new IllegalStateException("ConcatCudaBench needs a real GPU, not the emulator");
        Random r = new Random(1);
        float[] ha = new float[n * ca * hw], hb = new float[n * cb * hw], want = new float[n * (ca + cb) * hw];
        for (int i = 0; i < ha.length; i++) ha[i] = (float) r.nextGaussian();
        for (int i = 0; i < hb.length; i++) hb[i] = (float) r.nextGaussian();
        Concat.forward(ha, ca, hb, cb, want, n, hw);
        a = DeviceBuffer.of(gpu, ha);
        b = DeviceBuffer.of(gpu, hb);
        y = DeviceBuffer.floats(gpu, want.length);
        da = DeviceBuffer.floats(gpu, ha.length);
        db = DeviceBuffer.floats(gpu, hb.length);
        ConcatCuda.forward(a, ca, b, cb, y, n, hw);
        if (!java.util.Arrays.equals(y.toFloats(), want)) throw new IllegalStateException("concat differs from the CPU reference");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (DeviceBuffer d : new DeviceBuffer[] {a, b, y, da, db}) d.close();
    }

    @Benchmark
    public void forward() {
        ConcatCuda.forward(a, ca, b, cb, y, n, hw);
        gpu.stream().synchronize();
    }

    @Benchmark
    public void backward() {
        ConcatCuda.backward(y, da, db, n, ca, cb, hw);
        gpu.stream().synchronize();
    }
}
