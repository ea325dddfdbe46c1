package org.augmix4j.ops;

import java.util.Arrays;
import org.augmix4j.tensor.ShapeException;

/**
 * Grouped 2-D convolution (PyTorch's {@code nn.Conv2d(..., groups=g, bias=False)}; ResNeXt's 3x3
 * with g = the cardinality) on contiguous NCHW float32 arrays: the C input channels and the K
 * output channels are split into g equal groups, and output channel k sees only the input channels
 * of its group through its weights w[k][0..C/g):
 *
 * <pre>
 *   y[n][k][h][w] = sum_{c &lt; C/g, r, s} w[k][c][r][s] * x[n][G(k) * C/g + c][h*stride - pad + r][w*stride - pad + s]
 *   G(k) = k / (K/g)
 * </pre>
 *
 * Shapes: x (N, C, H, W), w (K, C/g, R, S), y (N, K, Ho, Wo), g dividing C and K; Ho, Wo as in
 * {@link Conv}. With g = 1 everything here is {@link Conv}'s (the float paths call it directly).
 *
 * <p>The float paths run {@link Conv}'s engine once per group on packed copies: the group's input
 * channels (N, C/g, H, W), its weights (K/g, C/g, R, S) and output channels (N, K/g, Ho, Wo) are copied
 * into arrays of their own, convolved, and the result copied back. Correct first: the copies cost
 * about one extra pass over x, w and y per call; a strided engine entry would avoid them. The
 * {@code *Ref} float64 paths are the specification, written as the obvious loops (with g = 1 they
 * add the same terms in the same order as {@code Conv.*Ref}). Outputs are overwritten.
 *
 * <p>The GPU twins: {@link ConvCuda}'s overloads with {@code groups} (kernels/conv.cu) and cuDNN
 * ({@link ConvCudnn}, {@code cudnnSetConvolutionGroupCount}), both through {@link ConvBackend.Shape#groups()}.
 * Tests: ConvGroupsTest, ConvGroupsCudaTest.
 */
public final class GroupedConv {
    private GroupedConv() {}

    /** Fails unless groups >= 1 divides both C and K, saying what to change. */
    public static void checkGroups(String op, int C, int K, int groups) {
        ShapeException.check(groups >= 1, op, "groups = " + groups + "; pass groups >= 1 (1 is a plain convolution)");
        ShapeException.check(C % groups == 0 && K % groups == 0, op, "groups = " + groups + " must divide both the input channels C = "
                + C + " and the output channels K = " + K + "; choose widths that are multiples of the cardinality");
    }

    // ---------------------------------------------------------------- float32 (Conv's engine per group)

    /** y (N, K, Ho, Wo) = grouped conv(x (N, C, H, W), w (K, C/groups, R, S)); y overwritten. */
    public static void forward(float[] x, float[] w, float[] y, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad, int groups) {
        if (groups == 1) {
            Conv.forward(x, w, y, N, C, H, W, K, R, S, stride, pad);
            return;
        }
        Dims d = check("GroupedConv.forward", x.length, w.length, y.length, N, C, H, W, K, R, S, stride, pad, groups);
        for (int g = 0; g < groups; g++) {
            float[] yg = new float[N * d.kg * d.hwOut()];
            Conv.forward(slice(x, N, C, H * W, g * d.cg, d.cg), weights(w, g, d), yg, N, d.cg, H, W, d.kg, R, S, stride, pad);
            unslice(yg, y, N, K, d.hwOut(), g * d.kg, d.kg);
        }
    }

    /** dx (N, C, H, W) = d(sum y * dy)/dx for dy (N, K, Ho, Wo); dx overwritten. */
    public static void backwardData(float[] dy, float[] w, float[] dx, int N, int C, int H, int W, int K, int R, int S,
                                    int stride, int pad, int groups) {
        if (groups == 1) {
            Conv.backwardData(dy, w, dx, N, C, H, W, K, R, S, stride, pad);
            return;
        }
        Dims d = check("GroupedConv.backwardData", dx.length, w.length, dy.length, N, C, H, W, K, R, S, stride, pad, groups);
        for (int g = 0; g < groups; g++) {
            float[] dxg = new float[N * d.cg * H * W];
            Conv.backwardData(slice(dy, N, K, d.hwOut(), g * d.kg, d.kg), weights(w, g, d), dxg, N, d.cg, H, W, d.kg, R, S, stride, pad);
            unslice(dxg, dx, N, C, H * W, g * d.cg, d.cg);
        }
    }

    /** dw (K, C/groups, R, S) = d(sum y * dy)/dw; dw overwritten. */
    public static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K, int R, int S,
                                      int stride, int pad, int groups) {
        if (groups == 1) {
            Conv.backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad);
            return;
        }
        Dims d = check("GroupedConv.backwardFilter", x.length, dw.length, dy.length, N, C, H, W, K, R, S, stride, pad, groups);
        int per = d.weights;  // one group's weights, contiguous in w
        for (int g = 0; g < groups; g++) {
            float[] dwg = new float[per];
            Conv.backwardFilter(slice(x, N, C, H * W, g * d.cg, d.cg), slice(dy, N, K, d.hwOut(), g * d.kg, d.kg), dwg,
                    N, d.cg, H, W, d.kg, R, S, stride, pad);
            System.arraycopy(dwg, 0, dw, g * per, per);
        }
    }

    // ---------------------------------------------------------------- float64 reference (the specification)

    /** Reference of {@link #forward}, float64. */
    public static void forwardRef(double[] x, double[] w, double[] y, int N, int C, int H, int W, int K, int R, int S,
                                  int stride, int pad, int groups) {
        Dims d = check("GroupedConv.forwardRef", x.length, w.length, y.length, N, C, H, W, K, R, S, stride, pad, groups);
        int Ho = d.ho, Wo = d.wo, cg = d.cg;
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++) {
                int c0 = k / d.kg * cg;
                for (int h = 0; h < Ho; h++)
                    for (int v = 0; v < Wo; v++) {
                        double sum = 0;
                        for (int c = 0; c < cg; c++)
                            for (int r = 0; r < R; r++)
                                for (int s = 0; s < S; s++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        sum += w[((k * cg + c) * R + r) * S + s] * x[((n * C + c0 + c) * H + ih) * W + iw];
                                }
                        y[((n * K + k) * Ho + h) * Wo + v] = sum;
                    }
            }
    }

    /** Reference of {@link #backwardData}, float64: every product of the forward sends dy back to x. */
    public static void backwardDataRef(double[] dy, double[] w, double[] dx, int N, int C, int H, int W, int K, int R, int S,
                                       int stride, int pad, int groups) {
        Dims d = check("GroupedConv.backwardDataRef", dx.length, w.length, dy.length, N, C, H, W, K, R, S, stride, pad, groups);
        int Ho = d.ho, Wo = d.wo, cg = d.cg;
        Arrays.fill(dx, 0);
        for (int n = 0; n < N; n++)
            for (int k = 0; k < K; k++) {
                int c0 = k / d.kg * cg;
                for (int h = 0; h < Ho; h++)
                    for (int v = 0; v < Wo; v++) {
                        double g = dy[((n * K + k) * Ho + h) * Wo + v];
                        for (int c = 0; c < cg; c++)
                            for (int r = 0; r < R; r++)
                                for (int s = 0; s < S; s++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        dx[((n * C + c0 + c) * H + ih) * W + iw] += w[((k * cg + c) * R + r) * S + s] * g;
                                }
                    }
            }
    }

    /** Reference of {@link #backwardFilter}, float64. */
    public static void backwardFilterRef(double[] x, double[] dy, double[] dw, int N, int C, int H, int W, int K, int R, int S,
                                         int stride, int pad, int groups) {
        Dims d = check("GroupedConv.backwardFilterRef", x.length, dw.length, dy.length, N, C, H, W, K, R, S, stride, pad, groups);
        int Ho = d.ho, Wo = d.wo, cg = d.cg;
        for (int k = 0; k < K; k++) {
            int c0 = k / d.kg * cg;
            for (int c = 0; c < cg; c++)
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++) {
                        double sum = 0;
                        for (int n = 0; n < N; n++)
                            for (int h = 0; h < Ho; h++)
                                for (int v = 0; v < Wo; v++) {
                                    int ih = h * stride - pad + r, iw = v * stride - pad + s;
                                    if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                                        sum += dy[((n * K + k) * Ho + h) * Wo + v] * x[((n * C + c0 + c) * H + ih) * W + iw];
                                }
                        dw[((k * cg + c) * R + r) * S + s] = sum;
                    }
        }
    }

    // ---------------------------------------------------------------- packing and checks

    /** One group's sizes: C/g input and K/g output channels, Ho, Wo, and its R*S*C/g*K/g weights. */
    private record Dims(int cg, int kg, int ho, int wo, int weights) {
        int hwOut() { return ho * wo; }
    }

    /** Group g's weights (K/g, C/g, R, S): a contiguous run of w, copied. */
    private static float[] weights(float[] w, int g, Dims d) {
        return Arrays.copyOfRange(w, g * d.weights, (g + 1) * d.weights);
    }

    /** Channels [c0, c0 + cn) of a (N, C, HW) array, packed into (N, cn, HW). */
    private static float[] slice(float[] a, int N, int C, int hw, int c0, int cn) {
        float[] out = new float[N * cn * hw];
        for (int n = 0; n < N; n++) System.arraycopy(a, (n * C + c0) * hw, out, n * cn * hw, cn * hw);
        return out;
    }

    /** Writes a packed (N, cn, HW) array into channels [c0, c0 + cn) of a (N, C, HW) array. */
    private static void unslice(float[] packed, float[] a, int N, int C, int hw, int c0, int cn) {
        for (int n = 0; n < N; n++) System.arraycopy(packed, n * cn * hw, a, (n * C + c0) * hw, cn * hw);
    }

    /** Checks sizes, groups and the lengths of the (N,C,H,W), (K,C/g,R,S) and (N,K,Ho,Wo) arrays. */
    private static Dims check(String op, int xLen, int wLen, int yLen, int N, int C, int H, int W, int K, int R, int S,
                              int stride, int pad, int groups) {
        String dims = "N=" + N + " C=" + C + " H=" + H + " W=" + W + " K=" + K + " R=" + R + " S=" + S + " stride=" + stride
                + " pad=" + pad + " groups=" + groups;
        ShapeException.check(N >= 1 && C >= 1 && H >= 1 && W >= 1 && K >= 1 && R >= 1 && S >= 1, op,
                "sizes must be positive (" + dims + "); pass N, C, H, W, K, R, S >= 1");
        ShapeException.check(stride >= 1 && pad >= 0, op, "stride must be >= 1 and pad >= 0 (" + dims
                + "); pass e.g. stride=1 pad=1 for a 3x3 'same' conv");
        checkGroups(op, C, K, groups);
        int ho = Conv.outSize(H, R, stride, pad), wo = Conv.outSize(W, S, stride, pad), cg = C / groups, kg = K / groups;
        length(op, "the input", xLen, (long) N * C * H * W, "(N,C,H,W)=(" + N + "," + C + "," + H + "," + W + ")", dims);
        length(op, "the weight", wLen, (long) K * cg * R * S, "(K,C/groups,R,S)=(" + K + "," + cg + "," + R + "," + S + ")", dims);
        length(op, "the output", yLen, (long) N * K * ho * wo, "(N,K,Ho,Wo)=(" + N + "," + K + "," + ho + "," + wo + ")", dims);
        return new Dims(cg, kg, ho, wo, kg * cg * R * S);
    }

    private static void length(String op, String name, int have, long need, String shape, String dims) {
        ShapeException.check(need <= Integer.MAX_VALUE, op, name + " " + shape + " has more than 2^31-1 elements (" + dims
                + "); split the batch");
        ShapeException.check(have == need, op, name + " has " + have + " floats but " + shape + " needs " + need + " (" + dims
                + "); pass an array of shape " + shape);
    }
}
