package org.augmix4j.ops;

import org.augmix4j.cpu.ConvEngine;
import org.augmix4j.tensor.ShapeException;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code nn.Conv2d} with {@code bias=False}) on
 * contiguous NCHW float32 arrays, the hot path of CPU training:
 *
 * <pre>
 *   y[n][k][h][w] = sum_{c,r,s} w[k][c][r][s] * x[n][c][h*stride - pad + r][w*stride - pad + s]
 * </pre>
 *
 * with zeros outside x, the same stride and pad in both dimensions, and
 * {@code Ho = (H + 2 pad - R) / stride + 1} (likewise Wo). Shapes: x (N, C, H, W), w (K, C, R, S),
 * y (N, K, Ho, Wo). The float paths run on the CPU engine ({@link ConvEngine}: im2col + register
 * blocked Vector API GEMM, multithreaded, deterministic); the {@code *Ref} float64 paths are the
 * specification, written as the obvious loops, and serve the gradient checks. Outputs are
 * overwritten, never accumulated.
 *
 * <p>Test: ConvTest. Benchmark: bench/.../ConvBench (GFLOP/s = 2 N K C R S Ho Wo / time).
 */
public final class Conv {
    // The engine classes behind this one (cpu.Gemm, cpu.ConvEngine, ops.BatchNorm) use jdk.incubator.vector and fail
    // to link without it; check here first, so the error is a sentence naming the flag, not NoClassDefFoundError.
    static { org.augmix4j.cpu.VectorSupport.require("the CPU convolution (org.augmix4j.ops.Conv)"); }

    private Conv() {}

    // ---------------------------------------------------------------- shapes

    /**
     * Output size along one dimension: {@code (in + 2 pad - r) / stride + 1}.
     *
     * @throws ShapeException unless in, r, stride >= 1, pad >= 0 and the padded input holds the kernel
     */
    public static int outSize(int in, int r, int stride, int pad) {
        ShapeException.check(in >= 1 && r >= 1 && stride >= 1 && pad >= 0, "Conv.outSize",
                "in=" + in + " r=" + r + " stride=" + stride + " pad=" + pad
                        + " is invalid; pass in, r, stride >= 1 and pad >= 0");
        ShapeException.check(in + 2L * pad >= r, "Conv.outSize", "kernel " + r + " is larger than the padded input "
                + in + " + 2*" + pad + "; use a smaller kernel or more padding");
        return (int) ((in + 2L * pad - r) / stride + 1);
    }

    // ---------------------------------------------------------------- float32 engine

    /** y (N, K, Ho, Wo) = conv(x (N, C, H, W), w (K, C, R, S)); y overwritten. */
    public static void forward(float[] x, float[] w, float[] y, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad) {
        check("Conv.forward", "x", x.length, "w", w.length, "y", y.length, N, C, H, W, K, R, S, stride, pad);
        ConvEngine.forward(x, w, y, N, C, H, W, K, R, S, stride, pad);
    }

    /** dx (N, C, H, W) = d(sum y * dy)/dx for dy (N, K, Ho, Wo); dx overwritten. */
    public static void backwardData(float[] dy, float[] w, float[] dx, int N, int C, int H, int W, int K, int R,
                                    int S, int stride, int pad) {
        check("Conv.backwardData", "dx", dx.length, "w", w.length, "dy", dy.length, N, C, H, W, K, R, S, stride, pad);
        ConvEngine.backwardData(dy, w, dx, N, C, H, W, K, R, S, stride, pad);
    }

    /** dw (K, C, R, S) = d(sum y * dy)/dw = sum_n dy_n * im2col(x_n)^T; dw overwritten. */
    public static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad) {
        check("Conv.backwardFilter", "x", x.length, "dw", dw.length, "dy", dy.length, N, C, H, W, K, R, S, stride, pad);
        ConvEngine.backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad);
    }

    // ---------------------------------------------------------------- float64 reference (the specification)

    /** Reference of {@link #forward}, float64. */
    public static void forwardRef(double[] x, double[] w, double[] y, int N, int C, int H, int W, int K, int R,
                                  int S, int stride, int pad) {
        check("Conv.forwardRef", "x", x.length, "w", w.length, "y", y.length, N, C, H, W, K, R, S, stride, pad);
        int Ho = outSize(H, R, stride, pad), Wo = outSize(W, S, stride, pad);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
                for (int h = 0; h < Ho; h++)
                    for (int v = 0; v < Wo; v++) {
                        double sum = 0;
                        for (int c = 0; c < C; c++)
                            for (int r = 0; r < R; r++)
                                for (int s = 0; s < S; s++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        sum += w[((k * C + c) * R + r) * S + s] * x[((n * C + c) * H + ih) * W + iw];
                                }
                        y[((n * K + k) * Ho + h) * Wo + v] = sum;
                    }
    }

    /** Reference of {@link #backwardData}, float64: every product of the forward sends dy back to x. */
    public static void backwardDataRef(double[] dy, double[] w, double[] dx, int N, int C, int H, int W, int K,
                                       int R, int S, int stride, int pad) {
        check("Conv.backwardDataRef", "dx", dx.length, "w", w.length, "dy", dy.length, N, C, H, W, K, R, S, stride, pad);
        int Ho = outSize(H, R, stride, pad), Wo = outSize(W, S, stride, pad);
        java.util.Arrays.fill(dx, 0);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++)
                for (int h = 0; h < Ho; h++)
                    for (int v = 0; v < Wo; v++) {
                        double g = dy[((n * K + k) * Ho + h) * Wo + v];
                        for (int c = 0; c < C; c++)
                            for (int r = 0; r < R; r++)
                                for (int s = 0; s < S; s++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        dx[((n * C + c) * H + ih) * W + iw] += w[((k * C + c) * R + r) * S + s] * g;
                                }
                    }
    }

    /** Reference of {@link #backwardFilter}, float64. */
    public static void backwardFilterRef(double[] x, double[] dy, double[] dw, int N, int C, int H, int W, int K,
                                         int R, int S, int stride, int pad) {
        check("Conv.backwardFilterRef", "x", x.length, "dw", dw.length, "dy", dy.length, N, C, H, W, K, R, S, stride, pad);
        int Ho = outSize(H, R, stride, pad), Wo = outSize(W, S, stride, pad);
        for (int k = 0; k < K; k++)
            for (int c = 0; c < C; c++)
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++) {
                        double sum = 0;
                        for (int n = 0; n < N; n++)
                            for (int h = 0; h < Ho; h++)
                                for (int v = 0; v < Wo; v++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        sum += dy[((n * K + k) * Ho + h) * Wo + v] * x[((n * C + c) * H + ih) * W + iw];
                                }
                        dw[((k * C + c) * R + r) * S + s] = sum;
                    }
    }

    // ---------------------------------------------------------------- argument checks

    /** Checks sizes and the lengths of the (N,C,H,W), (K,C,R,S) and (N,K,Ho,Wo) arrays. */
    private static void check(String op, String xName, int xLen, String wName, int wLen, String yName, int yLen,
                              int N, int C, int H, int W, int K, int R, int S, int stride, int pad) {
        String dims = "N=" + N + " C=" + C + " H=" + H + " W=" + W + " K=" + K + " R=" + R + " S=" + S
                + " stride=" + stride + " pad=" + pad;
        ShapeException.check(N >= 1 && C >= 1 && H >= 1 && W >= 1 && K >= 1 && R >= 1 && S >= 1,
                op, "sizes must be positive (" + dims + "); pass N, C, H, W, K, R, S >= 1");
        ShapeException.check(stride >= 1 && pad >= 0, op,
                "stride must be >= 1 and pad >= 0 (" + dims + "); pass e.g. stride=1 pad=1 for a 3x3 'same' conv");
        ShapeException.check(H + 2L * pad >= R && W + 2L * pad >= S, op, "kernel " + R + "x" + S
                + " does not fit the padded input " + (H + 2L * pad) + "x" + (W + 2L * pad) + " (" + dims
                + "); use a smaller kernel or more padding");
        int Ho = outSize(H, R, stride, pad), Wo = outSize(W, S, stride, pad);
        length(op, xName, xLen, (long) N * C * H * W, "(N,C,H,W)=(" + N + "," + C + "," + H + "," + W + ")", dims);
        length(op, wName, wLen, (long) K * C * R * S,
                "(K,C,R,S)=(" + K + "," + C + "," + R + "," + S + ")", dims);
        length(op, yName, yLen, (long) N * K * Ho * Wo, "(N,K,Ho,Wo)=(" + N + "," + K + "," + Ho + "," + Wo + ")", dims);
    }

    private static void length(String op, String name, int have, long need, String shape, String dims) {
        ShapeException.check(need <= Integer.MAX_VALUE, op, name + " " + shape + " has more than 2^31-1 elements ("
                + dims + "); split the batch");
        ShapeException.check(have == need, op, name + " has " + have + " floats but " + shape + " needs " + need
                + " (" + dims + "); pass " + name + " of shape " + shape);
    }
}
