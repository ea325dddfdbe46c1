package org.augmix4j.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Random;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.ops.Conv;

/**
 * Companion to ConvBench for a shared, loaded machine, where JMH's wall-clock averages measure the
 * neighbours as much as the code. For each WRN shape and pass it reports:
 * <ul>
 *   <li>per core: one engine thread, GFLOP per second of that thread's CPU time, best of the runs
 *       (time the thread was descheduled does not count; cache pollution by neighbours still does);</li>
 *   <li>all cores: wall-clock GFLOP/s with the default thread count, best of the runs.</li>
 * </ul>
 * Then the WRN-16-2 JSD step total (every conv of the net, N = 384, forward + both backward
 * passes; the input conv's backward data is skipped, as training does not need it).
 * FLOPs per call: 2 * N * K * C * R * S * Ho * Wo.
 * Run: java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.augmix4j.bench.ConvCpuTime [runs]
 */
public final class ConvCpuTime {
    /** C, K, H (= W), R (= S), stride, and how many convs of this shape WRN-16-2 has. */
    private static final int[][] SHAPES = {
        {32, 32, 32, 3, 1, 3}, {64, 64, 16, 3, 1, 3}, {128, 128, 8, 3, 1, 3},
        {16, 32, 32, 3, 1, 1}, {32, 64, 32, 3, 2, 1}, {64, 128, 16, 3, 2, 1},
        {16, 32, 32, 1, 1, 1}, {32, 64, 32, 1, 2, 1}, {64, 128, 16, 1, 2, 1}, {3, 16, 32, 3, 1, 1}};
    private static final String[] PASS = {"forward", "backwardData", "backwardFilter"};

    private ConvCpuTime() {}

    public static void main(String[] args) {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 8, N = 384, cores = Parallel.threads();
        ThreadMXBean tb = ManagementFactory.getThreadMXBean();
        double stepCpu = 0, stepWall = 0, stepFlops = 0;
        System.out.printf("JDK %s, %d cores, %d runs per entry (best kept), N = %d%n", Runtime.version(), cores, runs, N);
        System.out.printf("%-22s %-15s %9s %12s %12s%n", "shape (C,K,H,R,s)", "pass", "GFLOP", "1-core GF/s", cores + "-core GF/s");
        for (int[] sh : SHAPES) {
            int C = sh[0], K = sh[1], H = sh[2], R = sh[3], st = sh[4], pad = R / 2, Ho = Conv.outSize(H, R, st, pad);
            Random rnd = new Random(1);
            float[] x = gaussian(rnd, N * C * H * H), w = gaussian(rnd, K * C * R * R), dy = gaussian(rnd, N * K * Ho * Ho);
            float[] y = new float[dy.length], dx = new float[x.length], dw = new float[w.length];
            double flops = 2.0 * N * K * C * R * R * Ho * Ho;
            for (int pass = 0; pass < 3; pass++) {
                double[] rate = new double[2];
                for (int mode = 0; mode < 2; mode++) {
                    Parallel.setThreads(mode == 0 ? 1 : 0);
                    double best = Double.MAX_VALUE;
                    for (int it = -2; it < runs; it++) {
                        long c0 = tb.getCurrentThreadCpuTime(), t0 = System.nanoTime();
                        if (pass == 0) Conv.forward(x, w, y, N, C, H, H, K, R, R, st, pad);
                        else if (pass == 1) Conv.backwardData(dy, w, dx, N, C, H, H, K, R, R, st, pad);
                        else Conv.backwardFilter(x, dy, dw, N, C, H, H, K, R, R, st, pad);
                        double t = mode == 0 ? (tb.getCurrentThreadCpuTime() - c0) * 1e-9 : (System.nanoTime() - t0) * 1e-9;
                        if (it >= 0) best = Math.min(best, t);
                    }
                    rate[mode] = flops / best / 1e9;
                }
                System.out.printf("%-22s %-15s %9.3f %12.1f %12.1f%n", Arrays.toString(Arrays.copyOf(sh, 5)), PASS[pass],
                        flops / 1e9, rate[0], rate[1]);
                if (C == 3 && pass == 1) continue; // the input conv needs no dx
                stepFlops += sh[5] * flops;
                stepCpu += sh[5] * flops / rate[0] / 1e9;
                stepWall += sh[5] * flops / rate[1] / 1e9;
            }
        }
        Parallel.setThreads(0);
        System.out.printf("WRN-16-2 JSD step convs: %.1f GFLOP; %.2f s on one core (%.1f GFLOP/s), %.2f s on %d cores "
                + "(%.1f GFLOP/s wall); %d cores at the one-core rate: %.2f s (%.1f GFLOP/s)%n", stepFlops / 1e9,
                stepCpu, stepFlops / stepCpu / 1e9, stepWall, cores, stepFlops / stepWall / 1e9, cores,
                stepCpu / cores, stepFlops / stepCpu * cores / 1e9);
    }

    private static float[] gaussian(Random rnd, int len) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
