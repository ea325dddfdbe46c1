package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;
import org.augmix4j.tensor.ShapeException;

/**
 * GPU launches of kernels/conv.cu, the fallback convolution (where cuDNN cannot be loaded, and under
 * the emulator): forward, backward-data and backward-filter of {@link Conv}'s convolution (NCHW, no
 * bias, same stride and pad in both dimensions; x (N, C, H, W), w (K, C, R, S), y (N, K, Ho, Wo)),
 * and of its grouped form ({@link GroupedConv}: the overloads with {@code groups}, w (K, C/groups, R, S)).
 * Outputs are overwritten, as in {@link Conv}. Float32 with FMA; ConvCudaTest and ConvGroupsCudaTest
 * compare with the float64 references {@code Conv.*Ref} and {@code GroupedConv.*Ref}. Direct
 * kernels, simple and correct rather than fast; the methods without {@code groups} launch groups = 1.
 * Backward filter has two kernels ({@link FilterAlgo}); {@link #backwardFilter(DeviceBuffer, DeviceBuffer,
 * DeviceBuffer, int, int, int, int, int, int, int, int, int)} picks one by shape.
 */
public final class ConvCuda {
    static final int BLOCK = 256;
    /** Most threads per (k, c) block of the backward-filter kernel. */
    static final int MAX_FILTER_BLOCK = 256;
    /** The backward-filter kernel keeps the R*S tap sums in registers: R and S at most this. */
    public static final int MAX_FILTER_SIZE = 3;

    private static final String PARAMS = "int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int ho, int wo, int groups)";
    static final Kernel CONV_FORWARD = Kernel.declare("conv_forward(const float* x, const float* wt, float* y, " + PARAMS);
    static final Kernel CONV_BACKWARD_DATA = Kernel.declare("conv_backward_data(const float* dy, const float* wt, float* dx, " + PARAMS);
    static final Kernel CONV_BACKWARD_FILTER = Kernel.declare("conv_backward_filter(const float* x, const float* dy, float* dw, " + PARAMS);
    static final Kernel CONV_BACKWARD_FILTER_SERIAL = Kernel.declare(
            "conv_backward_filter_serial(const float* x, const float* dy, float* dw, " + PARAMS);

    /** The two backward-filter kernels. */
    public enum FilterAlgo {
        /** conv_backward_filter: a block per (k, c) reduces over the N*Ho*Wo positions (tree, barriers). */
        REDUCE,
        /** conv_backward_filter_serial: a thread per weight sums its positions in order (no barriers). */
        SERIAL
    }

    /**
     * {@link #backwardFilter} uses SERIAL up to this many output positions N*Ho*Wo (a guess, not yet
     * measured on a GPU: ConvCudaBench), REDUCE above.
     */
    public static final int SERIAL_MAX_POSITIONS = 1024;

    private ConvCuda() {}

    /** y (N, K, Ho, Wo) = conv(x (N, C, H, W), w (K, C, R, S)). */
    public static void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad) {
        forward(x, w, y, N, C, H, W, K, R, S, stride, pad, 1);
    }

    /** y (N, K, Ho, Wo) = grouped conv(x (N, C, H, W), w (K, C/groups, R, S)) ({@link GroupedConv#forward}). */
    public static void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad, int groups) {
        int[] o = check("conv_forward", x, w, y, "y", N, C, H, W, K, R, S, stride, pad, groups);
        Launch.linear(CONV_FORWARD, CudaChecks.stream(x), (long) N * K * o[0] * o[1], BLOCK,
                x, w, y, N, C, H, W, K, R, S, stride, pad, o[0], o[1], groups);
    }

    /** dx (N, C, H, W) = d(sum y * dy)/dx for dy (N, K, Ho, Wo). */
    public static void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, int N, int C, int H, int W, int K, int R,
                                    int S, int stride, int pad) {
        backwardData(dy, w, dx, N, C, H, W, K, R, S, stride, pad, 1);
    }

    /** dx (N, C, H, W) = d(sum y * dy)/dx of the grouped convolution, w (K, C/groups, R, S). */
    public static void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, int N, int C, int H, int W, int K, int R,
                                    int S, int stride, int pad, int groups) {
        int[] o = check("conv_backward_data", dx, w, dy, "dy", N, C, H, W, K, R, S, stride, pad, groups);
        Launch.linear(CONV_BACKWARD_DATA, CudaChecks.stream(dx), (long) N * C * H * W, BLOCK,
                dy, w, dx, N, C, H, W, K, R, S, stride, pad, o[0], o[1], groups);
    }

    /**
     * dw (K, C, R, S) = d(sum y * dy)/dw, with {@link FilterAlgo#SERIAL} for at most
     * {@link #SERIAL_MAX_POSITIONS} output positions, filters larger than 3x3, and always on the emulator (where barriers cost
     * about 3 us per thread: a whole training step must stay affordable there), else
     * {@link FilterAlgo#REDUCE}.
     */
    public static void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad) {
        backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad, 1);
    }

    /** dw (K, C/groups, R, S) of the grouped convolution, the kernel chosen as in the method above. */
    public static void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad, int groups) {
        long positions = (long) N * Conv.outSize(H, R, stride, pad) * Conv.outSize(W, S, stride, pad);
        boolean serial = positions <= SERIAL_MAX_POSITIONS || R > MAX_FILTER_SIZE || S > MAX_FILTER_SIZE || x.gpu().isEmulated();
        FilterAlgo algo = serial ? FilterAlgo.SERIAL : FilterAlgo.REDUCE;
        backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad, groups, algo);
    }

    /** dw (K, C, R, S) = d(sum y * dy)/dw with the given kernel. REDUCE needs R, S &le; {@link #MAX_FILTER_SIZE}. */
    public static void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad, FilterAlgo algo) {
        backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad, 1, algo);
    }

    /** dw (K, C/groups, R, S) of the grouped convolution with the given kernel. */
    public static void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad, int groups, FilterAlgo algo) {
        int[] o = check("conv_backward_filter", x, dw, dy, "dy", N, C, H, W, K, R, S, stride, pad, groups);
        int cg = C / groups;
        if (algo == FilterAlgo.SERIAL) {
            Launch.linear(CONV_BACKWARD_FILTER_SERIAL, CudaChecks.stream(x), (long) K * cg * R * S, BLOCK,
                    x, dy, dw, N, C, H, W, K, R, S, stride, pad, o[0], o[1], groups);
            return;
        }
        ShapeException.check(R <= MAX_FILTER_SIZE && S <= MAX_FILTER_SIZE, "conv_backward_filter", "the fallback kernel handles"
                + " filters up to " + MAX_FILTER_SIZE + "x" + MAX_FILTER_SIZE + ", got " + R + "x" + S
                + "; use cuDNN or the CPU path for larger filters");
        ShapeException.check((long) K * cg <= Integer.MAX_VALUE, "conv_backward_filter", "K*C/groups too large");
        long positions = (long) N * o[0] * o[1];
        int block = (int) Math.min(MAX_FILTER_BLOCK, (positions + 31) / 32 * 32);
        CudaChecks.grid(CONV_BACKWARD_FILTER, x, K * cg, block, x, dy, dw, N, C, H, W, K, R, S, stride, pad, o[0], o[1], groups);
    }

    /** Checks sizes, groups and buffer lengths; returns {Ho, Wo}. */
    private static int[] check(String op, DeviceBuffer image, DeviceBuffer filter, DeviceBuffer out, String outName, int N, int C,
                               int H, int W, int K, int R, int S, int stride, int pad, int groups) {
        CudaChecks.positive(op, "N=" + N + " C=" + C + " H=" + H + " W=" + W + " K=" + K + " R=" + R + " S=" + S, N, C, H, W, K, R, S);
        ShapeException.check(stride >= 1 && pad >= 0, op, "stride must be >= 1 and pad >= 0, got stride=" + stride + " pad=" + pad);
        GroupedConv.checkGroups(op, C, K, groups);
        int ho = Conv.outSize(H, R, stride, pad), wo = Conv.outSize(W, S, stride, pad);
        String imageName = op.equals("conv_backward_data") ? "dx" : "x";
        String filterName = op.equals("conv_backward_filter") ? "dw" : "w";
        int cg = C / groups;
        CudaChecks.length(op, imageName, image, (long) N * C * H * W, "(N, C, H, W) = (" + N + ", " + C + ", " + H + ", " + W + ")");
        CudaChecks.length(op, filterName, filter, (long) K * cg * R * S, groups == 1
                ? "(K, C, R, S) = (" + K + ", " + C + ", " + R + ", " + S + ")"
                : "(K, C/groups, R, S) = (" + K + ", " + cg + ", " + R + ", " + S + ")");
        CudaChecks.length(op, outName, out, (long) N * K * ho * wo, "(N, K, Ho, Wo) = (" + N + ", " + K + ", " + ho + ", " + wo + ")");
        return new int[] {ho, wo};
    }
}
