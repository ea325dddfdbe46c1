package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launches of kernels/bias.cu, with the semantics of the CPU reference {@link Bias}: y (N, C, HW)
 * += b (C), and db (C) += the sum of dy (N, C, HW) over (N, HW) (one block of {@link Bias#LANES}
 * threads per channel, summing in double in {@link Bias}'s order). Each call queues one launch on
 * the buffers' GPU's compute stream and returns; results are bit-identical to {@link Bias}'s.
 */
public final class BiasCuda {
    /** Threads per block of the forward. */
    public static final int BLOCK = 256;

    static final Kernel BIAS_FORWARD = Kernel.declare("bias_forward(float* y, const float* b, int n, int c, int hw)");
    static final Kernel BIAS_BACKWARD = Kernel.declare("bias_backward(const float* dy, float* db, int n, int c, int hw)");

    private BiasCuda() {}

    /** y (N, C, HW) += b (C) per channel. */
    public static void forward(DeviceBuffer y, DeviceBuffer b, int n, int c, int hw) {
        check("bias_forward", "y", y, "b", b, n, c, hw);
        Launch.linear(BIAS_FORWARD, CudaChecks.stream(y), (long) n * c * hw, BLOCK, y, b, n, c, hw);
    }

    /** db (C) += sum over (N, HW) of dy (N, C, HW). */
    public static void backward(DeviceBuffer dy, DeviceBuffer db, int n, int c, int hw) {
        check("bias_backward", "dy", dy, "db", db, n, c, hw);
        CudaChecks.grid(BIAS_BACKWARD, dy, c, Bias.LANES, dy, db, n, c, hw);
    }

    private static void check(String op, String yName, DeviceBuffer y, String bName, DeviceBuffer b, int n, int c, int hw) {
        String shape = "(N, C, HW) = (" + n + ", " + c + ", " + hw + ")";
        CudaChecks.positive(op, shape, n, c, hw);
        CudaChecks.length(op, yName, y, (long) n * c * hw, shape);
        CudaChecks.length(op, bName, b, c, "(C) = (" + c + ")");
    }
}
