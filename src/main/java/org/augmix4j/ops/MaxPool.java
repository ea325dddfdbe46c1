package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * 2-D max pooling as PyTorch's {@code MaxPool2d(k, stride=s)} with no padding, no dilation and
 * floor output size (the model zoo's AllConv and ResNeXt heads): x (N, C, H, W) -> y (N, C, Ho, Wo),
 * Ho = (H - k) / s + 1, Wo = (W - k) / s + 1. CPU reference and CPU engine (float32), float64 paths
 * for gradient checks; kernels/maxpool.cu ({@code MaxPoolCuda}) does the same operations.
 *
 * <p>Contract
 * <ul>
 *   <li>Which element is the maximum (PyTorch's rule, CPU and CUDA alike): the window is scanned
 *       row by row, left to right, starting from "max = -inf, index = the window's first element";
 *       an element replaces the current one when {@code v > max} or v is NaN. So ties go to the
 *       FIRST maximum in scan order, a window holding a NaN yields NaN (its LAST NaN is the argmax,
 *       as in PyTorch), and a window of -inf yields -inf with its first element as argmax.</li>
 *   <li>Backward: dx[argmax(window o)] += dy[o] for every output o, in increasing o; ACCUMULATES
 *       into dx. Elements that are no window's argmax (and the rows/columns that floor drops) get
 *       nothing. Windows may overlap (k > s): an element can receive several terms, added in
 *       increasing output order (the CUDA kernel gathers them in that same order: bit for bit).</li>
 *   <li>Planes (n, c) are independent; the float paths split them over the CPU pool, which does not
 *       change any result.</li>
 * </ul>
 */
public final class MaxPool {
    private MaxPool() {}

    /** Output size of a window k with stride s over {@code in} (floor), with the checks PyTorch makes. */
    public static int outSize(int in, int k, int s) {
        ShapeException.check(k >= 1 && s >= 1, "max_pool2d", "kernel " + k + " and stride " + s + " must be >= 1");
        ShapeException.check(in >= k, "max_pool2d", "an input side of " + in + " is smaller than the " + k + "x" + k
                + " window (no padding); pool a larger map or use a smaller kernel");
        return (in - k) / s + 1;
    }

    static void check(String op, String xName, int xLen, String yName, int yLen, int n, int c, int h, int w, int k, int s) {
        ShapeException.check(n >= 1 && c >= 1, op, "N=" + n + " and C=" + c + " must be >= 1");
        int ho = outSize(h, k, s), wo = outSize(w, k, s);
        ShapeException.check(xLen == (long) n * c * h * w && yLen == (long) n * c * ho * wo, op,
                xName + " has " + xLen + " values and " + yName + " " + yLen + ", expected (N, C, H, W) = (" + n + ", " + c + ", " + h + ", " + w
                        + ") = " + ((long) n * c * h * w) + " and (N, C, Ho, Wo) = (" + n + ", " + c + ", " + ho + ", " + wo
                        + ") = " + ((long) n * c * ho * wo));
    }

    // ---------------------------------------------------------------- float32 engine

    /** y = max over each k x k window (stride s) of x; x (N, C, H, W), y (N, C, Ho, Wo) overwritten. */
    public static void forward(float[] x, float[] y, int n, int c, int h, int w, int k, int s) {
        check("max_pool2d", "x", x.length, "y", y.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        Parallel.range(n * c, grain(h * w), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xp = p * h * w, yp = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) y[yp + oh * wo + ow] = x[argmax(x, xp, w, oh * s, ow * s, k)];
                }
            }
        });
    }

    /**
     * dx[argmax] += dy for every window, in increasing output order; x (N, C, H, W) the forward's
     * input, dy (N, C, Ho, Wo), dx (N, C, H, W) accumulated.
     */
    public static void backward(float[] x, float[] dy, float[] dx, int n, int c, int h, int w, int k, int s) {
        check("max_pool2d_backward", "x", x.length, "dy", dy.length, n, c, h, w, k, s);
        ShapeException.check(dx.length == x.length, "max_pool2d_backward", "dx has " + dx.length + " values but x " + x.length
                + "; dx must have the shape of x (N, C, H, W)");
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        Parallel.range(n * c, grain(h * w), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xp = p * h * w, yp = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) dx[argmax(x, xp, w, oh * s, ow * s, k)] += dy[yp + oh * wo + ow];
                }
            }
        });
    }

    /** Index in x of the maximum of the k x k window at (h0, w0) of the plane starting at xp (row length w). */
    static int argmax(float[] x, int xp, int w, int h0, int w0, int k) {
        int best = xp + h0 * w + w0;
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            int row = xp + (h0 + i) * w + w0;
            for (int j = 0; j < k; j++) {
                float v = x[row + j];
                if (v > m || Float.isNaN(v)) {
                    m = v;
                    best = row + j;
                }
            }
        }
        return best;
    }

    /** Planes per chunk of the CPU pool: about 32K elements of work each. */
    private static int grain(int hw) { return Math.max(1, (1 << 15) / Math.max(1, hw)); }

    // ---------------------------------------------------------------- float64 paths (gradient checks)

    /** float64 forward, the same rule. */
    public static void forwardRef(double[] x, double[] y, int n, int c, int h, int w, int k, int s) {
        check("max_pool2d", "x", x.length, "y", y.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        for (int p = 0; p < n * c; p++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) y[(p * ho + oh) * wo + ow] = x[argmaxRef(x, p * h * w, w, oh * s, ow * s, k)];
            }
        }
    }

    /** float64 backward, accumulating into dx. */
    public static void backwardRef(double[] x, double[] dy, double[] dx, int n, int c, int h, int w, int k, int s) {
        check("max_pool2d_backward", "x", x.length, "dy", dy.length, n, c, h, w, k, s);
        ShapeException.check(dx.length == x.length, "max_pool2d_backward", "dx has " + dx.length + " values but x " + x.length
                + "; dx must have the shape of x (N, C, H, W)");
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        for (int p = 0; p < n * c; p++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) dx[argmaxRef(x, p * h * w, w, oh * s, ow * s, k)] += dy[(p * ho + oh) * wo + ow];
            }
        }
    }

    private static int argmaxRef(double[] x, int xp, int w, int h0, int w0, int k) {
        int best = xp + h0 * w + w0;
        double m = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            int row = xp + (h0 + i) * w + w0;
            for (int j = 0; j < k; j++) {
                double v = x[row + j];
                if (v > m || Double.isNaN(v)) {
                    m = v;
                    best = row + j;
                }
            }
        }
        return best;
    }
}
