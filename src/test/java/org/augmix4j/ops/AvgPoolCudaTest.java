package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/avgpool.cu (through AvgPoolCuda) against AvgPool, BIT FOR BIT: the forward sums each
 * window in double in the reference's order and rounds once; the backward computes the same float
 * quotient dy / (k*k) and adds the terms in the order the reference's scatter reaches each element.
 * Sizes that are not multiples of the block (256): DenseNet's avg_pool2d(2) on odd maps, the heads'
 * AvgPool2d(8) on 8x8 and AllConv's 10x10, overlapping windows (k > s) and gaps (k < s); the
 * backward accumulates onto non-zero values; run twice to catch races.
 */
class AvgPoolCudaTest extends KernelTestBase {
    /** {n, c, h, w, k, s}. */
    static final int[][] SHAPES = {{3, 5, 7, 9, 2, 2}, {2, 3, 32, 32, 2, 2}, {2, 7, 10, 10, 8, 8}, {3, 11, 8, 8, 8, 8},
        {2, 3, 11, 13, 3, 1}, {2, 3, 9, 10, 2, 3}, {1, 1, 1, 1, 1, 1}, {3, 2, 16, 15, 3, 2}};

    @Test
    void forwardAndBackwardMatchTheReferenceBitForBit() {
        for (int run = 0; run < 2; run++) {
            for (int[] sh : SHAPES) {
                int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
                int ny = n * c * ((h - k) / s + 1) * ((w - k) / s + 1), nx = n * c * h * w;
                SplittableRandom r = new SplittableRandom(Arrays.hashCode(sh));
                float[] x = DeviceArrays.gaussian(r, nx, 2), y = new float[ny];
                float[] dy = DeviceArrays.gaussian(r, ny, 1), dx0 = DeviceArrays.gaussian(r, nx, 1), dx = dx0.clone();
                AvgPool.forward(x, y, n, c, h, w, k, s);
                AvgPool.backward(dy, dx, n, c, h, w, k, s);
                String tag = "avg_pool2d " + Arrays.toString(sh) + " run " + run;
                try (DeviceBuffer dX = dev.upload(x); DeviceBuffer dY = dev.garbage(ny); DeviceBuffer dDy = dev.upload(dy);
                     DeviceBuffer dDx = dev.upload(dx0)) {
                    AvgPoolCuda.forward(dX, dY, n, c, h, w, k, s);
                    DeviceArrays.assertBitwise(tag + " forward", y, DeviceArrays.download(tag, dY, ny));
                    AvgPoolCuda.backward(dDy, dDx, n, c, h, w, k, s);
                    DeviceArrays.assertBitwise(tag + " backward", dx, DeviceArrays.download(tag, dDx, nx));
                }
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer x = DeviceBuffer.floats(gpu, 100); DeviceBuffer y = DeviceBuffer.floats(gpu, 3)) {
            assertEquals("avg_pool2d: y is DeviceBuffer(float[3]) but (N, C, Ho, Wo) = (1, 4, 1, 1) needs 4 elements",
                    assertThrows(IllegalArgumentException.class, () -> AvgPoolCuda.forward(x, y, 1, 4, 5, 5, 5, 5)).getMessage());
            assertEquals("avg_pool2d_backward: dx is DeviceBuffer(float[100]) but (N, C, H, W) = (1, 1, 11, 10) needs 110 elements",
                    assertThrows(IllegalArgumentException.class, () -> AvgPoolCuda.backward(y, x, 1, 1, 11, 10, 8, 8)).getMessage());
            assertEquals("avg_pool2d: an input side of 7 is smaller than the 8x8 window (no padding); pool a larger map or use a smaller kernel",
                    assertThrows(IllegalArgumentException.class, () -> AvgPoolCuda.forward(x, y, 1, 1, 7, 7, 8, 8)).getMessage());
        }
    }
}
