package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * 2-D average pooling as PyTorch's {@code AvgPool2d(k, stride=s)} / {@code avg_pool2d} with no
 * padding and floor output size, dividing by k*k (DenseNet's transitions: avg_pool2d(2); the heads
 * AvgPool2d(8) on an 8x8 map, and AllConv's on a 10x10 map, where floor keeps ONE window over the
 * top-left 8x8): x (N, C, H, W) -> y (N, C, Ho, Wo), Ho = (H - k) / s + 1, Wo = (W - k) / s + 1.
 * CPU reference and CPU engine (float32), float64 paths for gradient checks; kernels/avgpool.cu
 * ({@code AvgPoolCuda}) does the same operations.
 *
 * <p>Contract
 * <ul>
 *   <li>Forward (float32): y = (float)(sum of the window in double, row by row, left to right /
 *       (k*k)). PyTorch sums in float; the double sum differs from it by float rounding at most.</li>
 *   <li>Backward: for every output o in increasing order, g = dy[o] / (float)(k*k) (float) is added
 *       to dx at each element of o's window; ACCUMULATES into dx. With overlapping windows (k > s) an
 *       element receives one term per window containing it, in increasing output order (the CUDA
 *       kernel gathers them in that order: bit for bit). Elements in no window (what floor drops)
 *       get nothing.</li>
 *   <li>Planes (n, c) are independent; the float paths split them over the CPU pool.</li>
 * </ul>
 */
public final class AvgPool {
    private AvgPool() {}

    /** Output size of a window k with stride s over {@code in} (floor), with the checks PyTorch makes. */
    public static int outSize(int in, int k, int s) {
        ShapeException.check(k >= 1 && s >= 1, "avg_pool2d", "kernel " + k + " and stride " + s + " must be >= 1");
        ShapeException.check(in >= k, "avg_pool2d", "an input side of " + in + " is smaller than the " + k + "x" + k
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

    /** y = mean over each k x k window (stride s) of x; x (N, C, H, W), y (N, C, Ho, Wo) overwritten. */
    public static void forward(float[] x, float[] y, int n, int c, int h, int w, int k, int s) {
        check("avg_pool2d", "x", x.length, "y", y.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        Parallel.range(n * c, grain(h * w), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xp = p * h * w, yp = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) {
                        double sum = 0;
                        for (int i = 0; i < k; i++) {
                            int row = xp + (oh * s + i) * w + ow * s;
                            for (int j = 0; j < k; j++) sum += x[row + j];
                        }
                        y[yp + oh * wo + ow] = (float) (sum / (k * k));
                    }
                }
            }
        });
    }

    /** dx[window of o] += dy[o] / (k*k) for every output o in increasing order; dy (N, C, Ho, Wo), dx (N, C, H, W) accumulated. */
    public static void backward(float[] dy, float[] dx, int n, int c, int h, int w, int k, int s) {
        check("avg_pool2d_backward", "dx", dx.length, "dy", dy.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        float area = (float) (k * k);
        Parallel.range(n * c, grain(h * w), (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int xp = p * h * w, yp = p * ho * wo;
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) {
                        float g = dy[yp + oh * wo + ow] / area;
                        for (int i = 0; i < k; i++) {
                            int row = xp + (oh * s + i) * w + ow * s;
                            for (int j = 0; j < k; j++) dx[row + j] += g;
                        }
                    }
                }
            }
        });
    }

    /** Planes per chunk of the CPU pool: about 32K elements of work each. */
    private static int grain(int hw) { return Math.max(1, (1 << 15) / Math.max(1, hw)); }

    // ---------------------------------------------------------------- float64 paths (gradient checks)

    public static void forwardRef(double[] x, double[] y, int n, int c, int h, int w, int k, int s) {
        check("avg_pool2d", "x", x.length, "y", y.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        for (int p = 0; p < n * c; p++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    double sum = 0;
                    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) sum += x[(p * h + oh * s + i) * w + ow * s + j];
                    y[(p * ho + oh) * wo + ow] = sum / (k * k);
                }
            }
        }
    }

    /** float64 backward, accumulating into dx. */
    public static void backwardRef(double[] dy, double[] dx, int n, int c, int h, int w, int k, int s) {
        check("avg_pool2d_backward", "dx", dx.length, "dy", dy.length, n, c, h, w, k, s);
        int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        for (int p = 0; p < n * c; p++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    double g = dy[(p * ho + oh) * wo + ow] / (k * k);
                    for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) dx[(p * h + oh * s + i) * w + ow * s + j] += g;
                }
            }
        }
    }
}
