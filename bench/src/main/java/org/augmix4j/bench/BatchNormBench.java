package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.ops.BatchNorm;
import org.openjdk.jmh.annotations.*;

/**
 * CPU batch norm (ops/BatchNorm) at the WideResNet-k=2 activation shapes: training forward
 * (batch statistics, running-statistics update), training backward, and evaluation forward, for
 * N images (128: one no-JSD batch or CIFAR-C eval chunk; 384: a JSD batch of 128 samples x 3 views).
 * Score: ops/s = calls/s; {@code images} gives images/s, {@code bytes} gives GB/s over the
 * MINIMAL traffic of the op, 4-byte floats, E = N*C*H*W elements:
 * trainForward 8 E (read x, write y), trainBackward 12 E (read x and dy, write dx),
 * evalForward 8 E. (The engine reads x more than once in training; the figure is what the op
 * must move, so implementations compare on it.)
 * Setup checks forward and backward against the float64 reference (BatchNorm.*Ref) at the same
 * C and HW with N = 4: norm-wise relative error below 1e-5.
 * Run: bench/run.sh BatchNormBench
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class BatchNormBench {
    /** Channels and spatial size: the three WRN-k=2 stages. */
    @Param({"c32_h32", "c64_h16", "c128_h8"})
    String shape;
    @Param({"128", "384"})
    int n;
    /** CPU threads; 0 = all cores. */
    @Param({"0"})
    int threads;

    int c, hw;
    float[] x, y, dy, dx, gamma, beta, runMean, runVar, mean, inv, dgamma, dbeta;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        String[] p = shape.split("_");
        c = Integer.parseInt(p[0].substring(1));
        int h = Integer.parseInt(p[1].substring(1));
        hw = h * h;
        validate(4);
        Random r = new Random(1);
        int e = n * c * hw;
        x = BenchSupport.gaussian(r, e, 1.5);
        dy = BenchSupport.gaussian(r, e, 1.0);
        y = new float[e];
        dx = new float[e];
        alloc(r);
        BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, mean, inv);
    }

    private void alloc(Random r) {
        gamma = BenchSupport.gaussian(r, c, 0.3);
        beta = BenchSupport.gaussian(r, c, 0.3);
        for (int i = 0; i < c; i++) gamma[i] += 1;
        runMean = new float[c];
        runVar = new float[c];
        java.util.Arrays.fill(runVar, 1f);
        mean = new float[c];
        inv = new float[c];
        dgamma = new float[c];
        dbeta = new float[c];
    }

    private void validate(int vn) {
        Random r = new Random(2);
        int e = vn * c * hw;
        float[] vx = BenchSupport.gaussian(r, e, 1.5), vdy = BenchSupport.gaussian(r, e, 1.0), vy = new float[e], vdx = new float[e];
        alloc(r);
        BatchNorm.trainForward(vx, vy, vn, c, hw, gamma, beta, runMean, runVar, mean, inv);
        BatchNorm.trainBackward(vx, vdy, vdx, vn, c, hw, gamma, mean, inv, dgamma, dbeta);
        double[] ry = new double[e], rdx = new double[e], sm = new double[c], si = new double[c], rdg = new double[c], rdb = new double[c];
        double[] g = BenchSupport.toDouble(gamma), b = BenchSupport.toDouble(beta), xd = BenchSupport.toDouble(vx);
        BatchNorm.trainForwardRef(xd, ry, vn, c, hw, g, b, sm, si);
        BatchNorm.trainBackwardRef(xd, BenchSupport.toDouble(vdy), rdx, vn, c, hw, g, sm, si, rdg, rdb);
        BenchSupport.require("batch norm forward vs float64", BenchSupport.normRel(vy, ry), 1e-5);
        BenchSupport.require("batch norm backward dx vs float64", BenchSupport.normRel(vdx, rdx), 1e-5);
        BenchSupport.require("batch norm backward dgamma vs float64", BenchSupport.normRel(dgamma, rdg), 1e-5);
        BenchSupport.require("batch norm backward dbeta vs float64", BenchSupport.normRel(dbeta, rdb), 1e-5);
    }

    @Benchmark
    public float[] trainForward(BenchSupport.Images work, BenchSupport.Bytes bytes) {
        BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, mean, inv);
        work.images += n;
        bytes.bytes += 8L * n * c * hw;
        return y;
    }

    @Benchmark
    public float[] trainBackward(BenchSupport.Images work, BenchSupport.Bytes bytes) {
        BatchNorm.trainBackward(x, dy, dx, n, c, hw, gamma, mean, inv, dgamma, dbeta);
        work.images += n;
        bytes.bytes += 12L * n * c * hw;
        return dx;
    }

    @Benchmark
    public float[] evalForward(BenchSupport.Images work, BenchSupport.Bytes bytes) {
        BatchNorm.evalForward(x, y, n, c, hw, gamma, beta, runMean, runVar);
        work.images += n;
        bytes.bytes += 8L * n * c * hw;
        return y;
    }
}
