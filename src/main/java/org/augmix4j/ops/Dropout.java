package org.augmix4j.ops;

import org.augmix4j.augment.Philox;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * Dropout as the official AllConv uses it ({@code nn.Dropout(p = 0.5)}, training only; identity in
 * evaluation), on flat float32 arrays of length n:
 *
 * <pre>
 *   y = x * mask,   mask[i] = 0 (dropped, probability p) or 1 / (1 - p) (kept)
 * </pre>
 *
 * <b>The mask</b> is a pure function of (seed, counter, i), from the counter-based Philox4x32-10 of
 * {@link Philox} (sub-stream {@link Philox#TAG_DROPOUT}): the block
 * {@code (c0 = i >>> 2, c1 = (uint32) counter, c2 = TAG_DROPOUT << 24, c3 = (uint32) (counter >>> 32))}
 * under the key of {@code seed} gives four words, word {@code i & 3} is element i's; it keeps iff {@code Philox.u24(word) >= p}
 * (all in float: exact), and a kept element's value is the float {@code 1f / (1f - p)}. So a mask
 * does not depend on n, on threads or on the device: kernels/dropout.cu ({@link DropoutCuda})
 * draws the same bits. The caller owns seeds and counters (e.g. counter = step * layers + layer);
 * masks of different counters are independent streams, and tag 7 keeps them apart from AugMix's
 * draws under the same seed.
 *
 * <p>Forward and backward are one float multiply per element, identical on both devices; the
 * backward accumulates ({@code dx += dy * mask}). Float64 paths serve the gradient checks.
 *
 * <p>Tests: DropoutTest (mask statistics and layout, forward/backward, central differences,
 * F.dropout), DropoutCudaTest (the kernels, mask bit for bit).
 */
public final class Dropout {
    private static final int GRAIN = 1 << 14;

    private Dropout() {}

    /** The value of a kept element: {@code 1f / (1f - p)} in float (infinite for p = 1, where nothing is kept). */
    public static float scale(float p) { return 1f / (1f - p); }

    /**
     * mask[0..n) of the mask (seed, counter) with drop probability p in [0, 1]: 0 or {@link #scale}(p),
     * element i's draw a pure function of (seed, counter, i). mask: (n).
     */
    public static void mask(long seed, long counter, float p, float[] mask, int n) {
        checkP("dropout mask", p);
        check("dropout mask", n, mask);
        float keep = scale(p);
        int k0 = (int) seed, k1 = (int) (seed >>> 32), c1 = (int) counter, c2 = Philox.TAG_DROPOUT << 24, c3 = (int) (counter >>> 32);
        int groups = (int) ((n + 3L) >>> 2);
        Parallel.range(groups, GRAIN / 4, (s, e) -> {
            int[] w = new int[4];
            for (int g = s; g < e; g++) {
                Philox.philox4x32(10, g, c1, c2, c3, k0, k1, w);
                for (int j = 0, i = 4 * g; j < 4 && i < n; j++, i++) mask[i] = Philox.u24(w[j]) >= p ? keep : 0f;
            }
        });
    }

    /** y = x * mask. x, mask, y: (n); y may alias x. */
    public static void forward(float[] x, float[] mask, float[] y, int n) {
        check("dropout forward", n, x, mask, y);
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) y[i] = x[i] * mask[i];
        });
    }

    /** dx += dy * mask. mask, dy, dx: (n). */
    public static void backward(float[] mask, float[] dy, float[] dx, int n) {
        check("dropout backward", n, mask, dy, dx);
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) dx[i] += dy[i] * mask[i];
        });
    }

    // ---------------------------------------------------------------- float64 paths (gradient checks)

    /** y = x * mask in float64. */
    public static void forwardRef(double[] x, double[] mask, double[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] * mask[i];
    }

    /** dx += dy * mask in float64. */
    public static void backwardRef(double[] mask, double[] dy, double[] dx, int n) {
        for (int i = 0; i < n; i++) dx[i] += dy[i] * mask[i];
    }

    // ---------------------------------------------------------------- argument checks

    static void checkP(String op, float p) {
        ShapeException.check(p >= 0f && p <= 1f, op, "drop probability p = " + p + " is outside [0, 1]; pass e.g. 0.5"
                + " (AllConv's), and skip dropout entirely in evaluation");
    }

    private static void check(String op, int n, float[]... arrays) {
        ShapeException.check(n >= 0, op, "n = " + n + " < 0; pass the element count");
        for (float[] a : arrays) {
            ShapeException.check(a.length >= n, op, "an array has " + a.length + " floats but n = " + n
                    + "; pass arrays of at least n elements");
        }
    }
}
