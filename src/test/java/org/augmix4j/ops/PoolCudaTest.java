package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/pool.cu (through PoolCuda) against Pool, bit for bit (the same double sums in the same
 * order), on random inputs at sizes that are not multiples of the block (the WRN head's 8x8 map of a
 * 3 x 128 batch included); the backward accumulates onto non-zero values.
 */
class PoolCudaTest extends KernelTestBase {

    @Test
    void globalAvgPoolForwardAndBackward() {
        int[][] shapes = {{1, 1}, {7, 64}, {3 * 128, 64}, {259, 5}, {10, 49}};
        for (int[] s : shapes) {
            int nc = s[0], hw = s[1];
            SplittableRandom r = new SplittableRandom(nc * 7L + hw);
            float[] x = DeviceArrays.gaussian(r, nc * hw, 2), y = new float[nc];
            Pool.globalAvgForward(x, y, nc, hw);
            float[] dy = DeviceArrays.gaussian(r, nc, 1), dx = DeviceArrays.gaussian(r, nc * hw, 1), dx0 = dx.clone();
            Pool.globalAvgBackward(dy, dx, nc, hw);
            String tag = "pool nc=" + nc + " hw=" + hw;
            try (DeviceBuffer dX = dev.upload(x); DeviceBuffer dY = dev.garbage(nc); DeviceBuffer dDy = dev.upload(dy);
                 DeviceBuffer dDx = dev.upload(dx0)) {
                PoolCuda.globalAvgForward(dX, dY, nc, hw);
                DeviceArrays.assertBitwise(tag + " forward", y, DeviceArrays.download(tag, dY, nc));
                PoolCuda.globalAvgBackward(dDy, dDx, nc, hw);
                DeviceArrays.assertBitwise(tag + " backward", dx, DeviceArrays.download(tag, dDx, nc * hw));
            }
        }
    }

    @Test
    void shortBuffersAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 63); DeviceBuffer b = DeviceBuffer.floats(gpu, 1)) {
            assertEquals("global_avg_pool: x is DeviceBuffer(float[63]) but (N*C, HW) = (1, 64) needs 64 elements",
                    assertThrows(IllegalArgumentException.class, () -> PoolCuda.globalAvgForward(a, b, 1, 64)).getMessage());
        }
    }
}
