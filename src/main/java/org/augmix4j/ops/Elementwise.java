package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;

/**
 * Elementwise glue of the network: ReLU forward/backward (and its mask), residual add, accumulate, fill, scale.
 * CPU reference (also the CPU engine's implementation); the CUDA launches of kernels/elementwise.cu
 * live in {@code ElementwiseCuda}. All arrays are flat float32 of length n.
 */
public final class Elementwise {
    private static final int GRAIN = 1 << 15;

    private Elementwise() {}

    // ---------------------------------------------------------------- relu

    /** y = max(x, 0). x, y: (n); may alias. */
    public static void reluForward(float[] x, float[] y, int n) {
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = x[i] > 0f ? x[i] : 0f;
        });
    }

    /** dx += (y > 0 ? dy : 0), where y is the ReLU output (PyTorch's threshold_backward on the result). */
    public static void reluBackward(float[] y, float[] dy, float[] dx, int n) {
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) if (y[i] > 0f) dx[i] += dy[i];
        });
    }

    /** {@code dy[i] = 0} where {@code y[i] <= 0} (or NaN), in place: the ReLU's mask applied to its output gradient. */
    public static void reluMask(float[] y, float[] dy, int n) {
        for (int i = 0; i < n; i++) if (!(y[i] > 0f)) dy[i] = 0f;
    }

    // ---------------------------------------------------------------- add / accumulate

    /** out = a + b. */
    public static void add(float[] a, float[] b, float[] out, int n) {
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) out[i] = a[i] + b[i];
        });
    }

    /** acc += x (gradient accumulation). */
    public static void accumulate(float[] x, float[] acc, int n) {
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) acc[i] += x[i];
        });
    }

    /** x[i] = v. */
    public static void fill(float[] x, float v, int n) {
        java.util.Arrays.fill(x, 0, n, v);
    }

    /** x[i] *= a. */
    public static void scale(float[] x, float a, int n) {
        for (int i = 0; i < n; i++) x[i] *= a;
    }

    // ---------------------------------------------------------------- float64 paths (gradient checks)

    public static void reluForward(double[] x, double[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
    }

    public static void reluBackward(double[] y, double[] dy, double[] dx, int n) {
        for (int i = 0; i < n; i++) if (y[i] > 0) dx[i] += dy[i];
    }
}
