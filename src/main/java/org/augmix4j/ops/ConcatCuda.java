package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;
import org.augmix4j.tensor.ShapeException;

/**
 * GPU launches of kernels/concat.cu: channel concatenation y (N, Ca+Cb, HW) = cat(a (N, Ca, HW),
 * b (N, Cb, HW)) and its backward, the same values as {@link Concat} (bit for bit: ConcatCudaTest),
 * built on a general channel-range copy ({@link #copyChannels}, {@link #accumulateChannels}) that a
 * caller keeping a DenseNet block's features in one preallocated buffer can use directly, one launch
 * per new slice.
 */
public final class ConcatCuda {
    static final int BLOCK = 256;

    static final Kernel CONCAT_FORWARD = Kernel.declare(
            "concat_forward(const float* src, float* dst, int n, int cs, int cd, int offset, int hw)");
    static final Kernel CONCAT_BACKWARD = Kernel.declare(
            "concat_backward(const float* ddst, float* dsrc, int n, int cs, int cd, int offset, int hw)");

    private ConcatCuda() {}

    /** y (N, Ca+Cb, HW) = cat(a (N, Ca, HW), b (N, Cb, HW)) along channels; y overwritten (two launches). */
    public static void forward(DeviceBuffer a, int ca, DeviceBuffer b, int cb, DeviceBuffer y, int n, int hw) {
        CudaChecks.positive("concat", "N=" + n + " Ca=" + ca + " Cb=" + cb + " HW=" + hw, n, ca, cb, hw);
        ShapeException.check((long) ca + cb <= Integer.MAX_VALUE, "concat", "Ca + Cb = " + ((long) ca + cb) + " channels is too many");
        copyChannels(a, y, n, ca, ca + cb, 0, hw);
        copyChannels(b, y, n, cb, ca + cb, ca, hw);
    }

    /** da += dy[:, 0..Ca), db += dy[:, Ca..Ca+Cb); dy (N, Ca+Cb, HW); da (N, Ca, HW), db (N, Cb, HW) each nullable. */
    public static void backward(DeviceBuffer dy, DeviceBuffer da, DeviceBuffer db, int n, int ca, int cb, int hw) {
        CudaChecks.positive("concat_backward", "N=" + n + " Ca=" + ca + " Cb=" + cb + " HW=" + hw, n, ca, cb, hw);
        ShapeException.check((long) ca + cb <= Integer.MAX_VALUE, "concat_backward", "Ca + Cb = " + ((long) ca + cb) + " channels is too many");
        if (da != null) accumulateChannels(dy, da, n, ca, ca + cb, 0, hw);
        if (db != null) accumulateChannels(dy, db, n, cb, ca + cb, ca, hw);
    }

    /** dst[:, offset..offset+cs) = src; src (N, Cs, HW), dst (N, Cd, HW), the rest of dst untouched. */
    public static void copyChannels(DeviceBuffer src, DeviceBuffer dst, int n, int cs, int cd, int offset, int hw) {
        long count = check("concat", src, "src", dst, "dst", n, cs, cd, offset, hw);
        Launch.linear(CONCAT_FORWARD, CudaChecks.stream(dst), count, BLOCK, src, dst, n, cs, cd, offset, hw);
    }

    /** dsrc += ddst[:, offset..offset+cs); ddst (N, Cd, HW), dsrc (N, Cs, HW) accumulated. */
    public static void accumulateChannels(DeviceBuffer ddst, DeviceBuffer dsrc, int n, int cs, int cd, int offset, int hw) {
        long count = check("concat_backward", dsrc, "dsrc", ddst, "ddst", n, cs, cd, offset, hw);
        Launch.linear(CONCAT_BACKWARD, CudaChecks.stream(dsrc), count, BLOCK, ddst, dsrc, n, cs, cd, offset, hw);
    }

    /** Checks sizes, the channel range and the buffers; returns the source's element count N*Cs*HW. */
    private static long check(String op, DeviceBuffer src, String srcName, DeviceBuffer dst, String dstName,
                              int n, int cs, int cd, int offset, int hw) {
        CudaChecks.positive(op, "N=" + n + " Cs=" + cs + " Cd=" + cd + " HW=" + hw, n, cs, cd, hw);
        ShapeException.check(offset >= 0 && (long) offset + cs <= cd, op, "channels [" + offset + ", " + ((long) offset + cs)
                + ") do not fit in the " + cd + " channels of " + dstName + "; the offset must be >= 0 and offset + Cs <= Cd");
        CudaChecks.length(op, srcName, src, (long) n * cs * hw, "(N, Cs, HW) = (" + n + ", " + cs + ", " + hw + ")");
        CudaChecks.length(op, dstName, dst, (long) n * cd * hw, "(N, Cd, HW) = (" + n + ", " + cd + ", " + hw + ")");
        return (long) n * cs * hw;
    }
}
