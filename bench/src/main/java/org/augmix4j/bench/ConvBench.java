package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cpu.ConvEngine;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.ops.Conv;
import org.openjdk.jmh.annotations.*;

/**
 * CPU convolution (forward, backward data, backward filter) at the WideResNet shapes of a JSD
 * batch: N = 384 (128 samples x 3 views), 32x32 CIFAR input, 3x3 pad 1 and 1x1 pad 0 convs.
 *
 * <p>FLOPs per call (every pass): 2 * N * K * C * R * S * Ho * Wo, printed by setup as
 * "GFLOP/op"; GFLOP/s = GFLOP/op / (ms/op) * 1000. For the 3x3 stride-1 shapes
 * (c32_h32, c64_h16, c128_h8) that is 7.25 GFLOP per call.
 *
 * <p>{@code algo}: "auto" is the engine as shipped (Winograd F(2x2, 3x3) for the 3x3 stride-1
 * convs' forward and backward data, im2col GEMM otherwise); "im2col" forces the GEMM path
 * everywhere (ConvEngine.setWinograd(false)), for an A/B in one run.
 *
 * <p>Setup first checks the engine against the float64 reference at the same shape with N = 2
 * (norm-wise relative error below 1e-5), so a wrong kernel cannot post a time.
 * Run: java --add-modules jdk.incubator.vector -jar bench/target/benchmarks.jar ConvBench -f 1 -wi 2 -i 3
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class ConvBench {
    /** C, K, H (= W), R (= S), stride; pad = R / 2. */
    @Param({"c32_k32_h32_r3_s1", "c64_k64_h16_r3_s1", "c128_k128_h8_r3_s1", // stage 1-3 body convs
            "c16_k32_h32_r3_s1", "c32_k64_h32_r3_s2", "c64_k128_h16_r3_s2", // stage entry convs
            "c16_k32_h32_r1_s1", "c32_k64_h32_r1_s2", "c3_k16_h32_r3_s1"})  // 1x1 shortcuts, input conv
    String shape;
    @Param({"384"})
    int n;
    /** CPU threads of the engine; 0 = all cores (-p threads=1 gives the per-core rate). */
    @Param({"0"})
    int threads;
    /** "auto" (the shipped choice) or "im2col" (Winograd off). */
    @Param({"auto", "im2col"})
    String algo;

    int C, K, H, R, st, pad, Ho;
    float[] x, w, y, dy, dx, dw;

    @Setup(Level.Trial)
    public void setup() {
        String[] f = shape.split("_");
        C = Integer.parseInt(f[0].substring(1));
        K = Integer.parseInt(f[1].substring(1));
        H = Integer.parseInt(f[2].substring(1));
        R = Integer.parseInt(f[3].substring(1));
        st = Integer.parseInt(f[4].substring(1));
        pad = R / 2;
        Ho = Conv.outSize(H, R, st, pad);
        Parallel.setThreads(threads);
        if (!algo.equals("auto") && !algo.equals("im2col")) throw new IllegalArgumentException("algo must be auto or im2col, got " + algo);
        ConvEngine.setWinograd(algo.equals("auto"));
        validate();
        Random rnd = new Random(1);
        x = gaussian(rnd, n * C * H * H);
        w = gaussian(rnd, K * C * R * R);
        dy = gaussian(rnd, n * K * Ho * Ho);
        y = new float[dy.length];
        dx = new float[x.length];
        dw = new float[w.length];
        System.out.printf("%n%s N=%d: %.4f GFLOP/op%n", shape, n, 2.0 * n * K * C * R * R * Ho * Ho / 1e9);
    }

    /** The float paths vs the float64 reference at this shape with 2 images. */
    private void validate() {
        int N = 2;
        Random rnd = new Random(2);
        float[] xs = gaussian(rnd, N * C * H * H), ws = gaussian(rnd, K * C * R * R), gs = gaussian(rnd, N * K * Ho * Ho);
        float[] out = new float[gs.length], din = new float[xs.length], dws = new float[ws.length];
        double[] ref = new double[gs.length], dinRef = new double[xs.length], dwRef = new double[ws.length];
        Conv.forward(xs, ws, out, N, C, H, H, K, R, R, st, pad);
        Conv.forwardRef(d(xs), d(ws), ref, N, C, H, H, K, R, R, st, pad);
        check("forward", out, ref);
        Conv.backwardData(gs, ws, din, N, C, H, H, K, R, R, st, pad);
        Conv.backwardDataRef(d(gs), d(ws), dinRef, N, C, H, H, K, R, R, st, pad);
        check("backwardData", din, dinRef);
        Conv.backwardFilter(xs, gs, dws, N, C, H, H, K, R, R, st, pad);
        Conv.backwardFilterRef(d(xs), d(gs), dwRef, N, C, H, H, K, R, R, st, pad);
        check("backwardFilter", dws, dwRef);
    }

    private void check(String pass, float[] got, double[] ref) {
        double num = 0, den = 0;
        for (int i = 0; i < ref.length; i++) {
            num += (got[i] - ref[i]) * (got[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        double rel = Math.sqrt(num / den);
        if (!(rel < 1e-5)) throw new IllegalStateException(shape + " " + pass + ": relative error " + rel + " vs reference");
    }

    @Benchmark
    public float[] forward() {
        Conv.forward(x, w, y, n, C, H, H, K, R, R, st, pad);
        return y;
    }

    @Benchmark
    public float[] backwardData() {
        Conv.backwardData(dy, w, dx, n, C, H, H, K, R, R, st, pad);
        return dx;
    }

    @Benchmark
    public float[] backwardFilter() {
        Conv.backwardFilter(x, dy, dw, n, C, H, H, K, R, R, st, pad);
        return dw;
    }

    private static float[] gaussian(Random rnd, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }

    private static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) r[i] = a[i];
        return r;
    }
}
