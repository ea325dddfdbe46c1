package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.ops.Elementwise;
import org.openjdk.jmh.annotations.*;

/**
 * CPU ReLU forward over one WRN stage-1 activation of a JSD batch (384 x 32 x 32 x 32 floats).
 * Bytes moved per call: 2 * 4 * n (read x, write y). GB/s = 8 n / time.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ElementwiseBench
 */
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ElementwiseBench extends KernelBenchDefaults {
    @Param({"12582912"})
    int n;
    float[] x, y;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(1);
        x = new float[n];
        y = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        Elementwise.reluForward(x, y, n);
        for (int i = 0; i < n; i++) if (y[i] != Math.max(x[i], 0f)) throw new IllegalStateException("relu mismatch at " + i);
    }

    @Benchmark
    public float[] reluForward() {
        Elementwise.reluForward(x, y, n);
        return y;
    }
}
