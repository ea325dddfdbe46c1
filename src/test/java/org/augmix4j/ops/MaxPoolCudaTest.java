package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/maxpool.cu (through MaxPoolCuda) against MaxPool, BIT FOR BIT: the forward copies the
 * element the same argmax rule picks, and the backward adds the same floats in the same order (each
 * input element gathers its windows in increasing output order, which is the order the reference's
 * scatter reaches it). Random inputs with ties (values on a coarse grid) and NaNs, sizes that are not
 * multiples of the block (256), overlapping windows (k > s), gaps (k < s) and floor cropping; the
 * backward accumulates onto non-zero values; run twice to catch races.
 */
class MaxPoolCudaTest extends KernelTestBase {
    /** {n, c, h, w, k, s}. */
    static final int[][] SHAPES = {{3, 5, 7, 9, 3, 2}, {2, 3, 32, 32, 2, 2}, {2, 7, 10, 10, 8, 8}, {4, 3, 8, 8, 8, 8},
        {2, 3, 11, 13, 3, 1}, {2, 3, 9, 10, 2, 3}, {1, 1, 1, 1, 1, 1}, {3, 2, 16, 15, 3, 2}};

    /** Gaussian values rounded to a grid of 0.25 (many ties in a window), with a few NaNs and infinities. */
    static float[] withTiesAndNaNs(SplittableRandom r, int len) {
        float[] x = DeviceArrays.gaussian(r, len, 1.5);
        for (int i = 0; i < len; i++) {
            x[i] = Math.round(x[i] * 4) / 4f;
            int u = r.nextInt(200);
            if (u == 0) x[i] = Float.NaN;
            else if (u == 1) x[i] = Float.NEGATIVE_INFINITY;
            else if (u == 2) x[i] = Float.POSITIVE_INFINITY;
        }
        return x;
    }

    @Test
    void forwardAndBackwardMatchTheReferenceBitForBit() {
        for (int run = 0; run < 2; run++) {
            for (int[] sh : SHAPES) {
                int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
                int ny = n * c * ((h - k) / s + 1) * ((w - k) / s + 1), nx = n * c * h * w;
                SplittableRandom r = new SplittableRandom(Arrays.hashCode(sh));
                float[] x = withTiesAndNaNs(r, nx), y = new float[ny];
                float[] dy = DeviceArrays.gaussian(r, ny, 1), dx0 = DeviceArrays.gaussian(r, nx, 1), dx = dx0.clone();
                MaxPool.forward(x, y, n, c, h, w, k, s);
                MaxPool.backward(x, dy, dx, n, c, h, w, k, s);
                String tag = "max_pool2d " + Arrays.toString(sh) + " run " + run;
                try (DeviceBuffer dX = dev.upload(x); DeviceBuffer dY = dev.garbage(ny); DeviceBuffer dDy = dev.upload(dy);
                     DeviceBuffer dDx = dev.upload(dx0)) {
                    MaxPoolCuda.forward(dX, dY, n, c, h, w, k, s);
                    DeviceArrays.assertBitwise(tag + " forward", y, DeviceArrays.download(tag, dY, ny));
                    MaxPoolCuda.backward(dX, dDy, dDx, n, c, h, w, k, s);
                    DeviceArrays.assertBitwise(tag + " backward", dx, DeviceArrays.download(tag, dDx, nx));
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer x = DeviceBuffer.floats(gpu, 99); DeviceBuffer y = DeviceBuffer.floats(gpu, 4)) {
            assertEquals("max_pool2d: x is DeviceBuffer(float[99]) but (N, C, H, W) = (1, 1, 10, 10) needs 100 elements",
                    assertThrows(IllegalArgumentException.class, () -> MaxPoolCuda.forward(x, y, 1, 1, 10, 10, 8, 8)).getMessage());
            assertEquals("max_pool2d_backward: dy is DeviceBuffer(float[4]) but (N, C, Ho, Wo) = (1, 1, 3, 3) needs 9 elements",
                    assertThrows(IllegalArgumentException.class, () -> MaxPoolCuda.backward(x, y, x, 1, 1, 7, 7, 3, 2)).getMessage());
            String m = assertThrows(IllegalArgumentException.class, () -> MaxPoolCuda.forward(x, y, 1, 1, 3, 33, 4, 1)).getMessage();
            assertTrue(m.contains("input side of 3 is smaller than the 4x4 window"), m);
            m = assertThrows(IllegalArgumentException.class, () -> MaxPoolCuda.forward(x, y, 1, 1, 9, 11, 2, 0)).getMessage();
            assertTrue(m.startsWith("max_pool2d: sizes must be positive"), m);
        }
    }
}
