package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * The per-channel bias of a convolution with {@code bias=True} (the official AllConv's
 * convolutions), on contiguous (N, C, HW) float32 arrays:
 *
 * <pre>
 *   forward:  y[n][c][j] += b[c]
 *   backward: db[c] += sum_{n, j} dy[n][c][j]
 * </pre>
 *
 * The backward sums in double and adds the rounded sum to db, like the other reductions here, in
 * a fixed order shared with the GPU kernel (kernels/bias.cu, {@link BiasCuda}): {@link #LANES}
 * partial sums, lane t taking the positions p = t, t + LANES, ... (p = n * HW + j) in increasing
 * order, then added pairwise (stride LANES/2, ..., 1). So both devices give the same bits. The
 * {@code *Ref} float64 paths are the specification (plain sums) and serve the gradient checks.
 *
 * <p>Tests: BiasTest (float vs float64, central differences, F.conv2d with bias), BiasCudaTest.
 */
public final class Bias {
    /** Partial sums per channel of the backward: the GPU kernel's block size, part of the summation order. */
    public static final int LANES = 256;
    private static final int GRAIN = 1 << 14;

    private Bias() {}

    /** y (N, C, HW) += b (C) per channel. */
    public static void forward(float[] y, float[] b, int n, int c, int hw) {
        check("bias forward", "y", y, b, n, c, hw);
        Parallel.range(n * c, Math.max(1, GRAIN / Math.max(1, hw)), (s, e) -> {
            for (int row = s; row < e; row++) {
                float v = b[row % c];
                for (int j = row * hw, end = j + hw; j < end; j++) y[j] += v;
            }
        });
    }

    /** db (C) += sum over (N, HW) of dy (N, C, HW), summed in double in the fixed order of the class comment. */
    public static void backward(float[] dy, float[] db, int n, int c, int hw) {
        check("bias backward", "dy", dy, db, n, c, hw);
        Parallel.range(c, (s, e) -> {
            double[] lane = new double[LANES];
            for (int ch = s; ch < e; ch++) {
                java.util.Arrays.fill(lane, 0);
                int t = 0;  // = p % LANES, p = image * hw + pixel
                for (int image = 0; image < n; image++) {
                    for (int j = (image * c + ch) * hw, end = j + hw; j < end; j++) {
                        lane[t] += dy[j];
                        if (++t == LANES) t = 0;
                    }
                }
                for (int stride = LANES / 2; stride > 0; stride >>= 1) {
                    for (int l = 0; l < stride; l++) lane[l] += lane[l + stride];
                }
                db[ch] += (float) lane[0];
            }
        });
    }

    // ---------------------------------------------------------------- float64 reference (the specification)

    /** Reference of {@link #forward}, float64. */
    public static void forwardRef(double[] y, double[] b, int n, int c, int hw) {
        for (int i = 0; i < n * c * hw; i++) y[i] += b[(i / hw) % c];
    }

    /** Reference of {@link #backward}, float64: db[c] += sum dy[., c, .] in plain order. */
    public static void backwardRef(double[] dy, double[] db, int n, int c, int hw) {
        for (int i = 0; i < n * c * hw; i++) db[(i / hw) % c] += dy[i];
    }

    private static void check(String op, String yName, float[] y, float[] b, int n, int c, int hw) {
        ShapeException.check(n >= 1 && c >= 1 && hw >= 1, op, "sizes must be positive, got (N, C, HW) = (" + n + ", " + c + ", " + hw
                + "); pass the activation's batch, channels and H*W");
        ShapeException.check((long) n * c * hw == y.length, op, yName + " has " + y.length + " floats but (N, C, HW) = (" + n + ", " + c
                + ", " + hw + ") needs " + ((long) n * c * hw) + "; pass the convolution's output");
        ShapeException.check(b.length == c, op, "the bias has " + b.length + " values but the activation has " + c
                + " channels; a convolution with K output channels needs a bias of shape (K)");
    }
}
