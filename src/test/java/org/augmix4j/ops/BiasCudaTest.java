package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/bias.cu (through BiasCuda) against the CPU reference Bias, bit for bit: the forward, and
 * the backward's per-channel double sums in the shared lane order, for channels with fewer
 * positions than the 256 lanes, more, and not a multiple of them; db accumulates; each backward runs
 * twice and must repeat its bits; buffers' tails are checked untouched.
 */
class BiasCudaTest extends KernelTestBase {
    /** N, C, HW. */
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {2, 3, 257}, {4, 7, 64}, {5, 2, 1000}, {2, 33, 9}};

    @Test
    void forwardAndBackwardAreBitIdentical() {
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
            SplittableRandom r = new SplittableRandom(len * 7L + c);
            float[] y = DeviceArrays.gaussian(r, len, 1), b = DeviceArrays.gaussian(r, c, 1), dy = DeviceArrays.gaussian(r, len, 1);
            float[] db = DeviceArrays.gaussian(r, c, 1), yWant = y.clone(), dbWant = db.clone();
            Bias.forward(yWant, b, n, c, hw);
            Bias.backward(dy, dbWant, n, c, hw);
            String tag = "N=" + n + " C=" + c + " HW=" + hw;
            try (DeviceBuffer Y = dev.upload(y); DeviceBuffer B = dev.upload(b); DeviceBuffer DY = dev.upload(dy); DeviceBuffer DB = dev.upload(db)) {
                BiasCuda.forward(Y, B, n, c, hw);
                DeviceArrays.assertBitwise("forward " + tag, yWant, DeviceArrays.download(tag, Y, len));
                BiasCuda.backward(DY, DB, n, c, hw);
                DeviceArrays.assertBitwise("backward " + tag, dbWant, DeviceArrays.download(tag, DB, c));
                Bias.backward(dy, dbWant, n, c, hw);  // a second accumulation on both sides: the same bits again
                BiasCuda.backward(DY, DB, n, c, hw);
                DeviceArrays.assertBitwise("backward twice " + tag, dbWant, DeviceArrays.download(tag, DB, c));
            }
        }
        gpu.synchronize();
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 30); DeviceBuffer b = DeviceBuffer.floats(gpu, 2)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BiasCuda.forward(a, b, 2, 3, 5));
            assertTrue(e.getMessage().startsWith("bias_forward: b is DeviceBuffer(float[2]) but (C) = (3) needs 3"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> BiasCuda.backward(a, b, 2, 0, 5));
        }
    }
}
