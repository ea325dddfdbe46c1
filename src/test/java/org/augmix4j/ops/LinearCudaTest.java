package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/linear.cu (through LinearCuda) against Linear, bit for bit (both sides accumulate in double
 * in the same order, no contraction), on random inputs at sizes that are not multiples of the block
 * (128 -> 10/100 of the WRN head included); dW and db accumulate onto non-zero values, twice.
 */
class LinearCudaTest extends KernelTestBase {

    @Test
    void linearForwardAndBackward() {
        int[][] shapes = {{1, 1, 1}, {5, 128, 10}, {37, 128, 100}, {300, 17, 3}};
        for (int[] s : shapes) {
            int n = s[0], c = s[1], k = s[2];
            SplittableRandom r = new SplittableRandom(n * 1000L + c * 10L + k);
            float[] x = DeviceArrays.gaussian(r, n * c, 1), w = DeviceArrays.gaussian(r, k * c, 0.1), b = DeviceArrays.gaussian(r, k, 0.1);
            float[] dy = DeviceArrays.gaussian(r, n * k, 1), dw0 = DeviceArrays.gaussian(r, k * c, 0.01), db0 = DeviceArrays.gaussian(r, k, 0.01);
            float[] y = new float[n * k], dx = new float[n * c], dw = dw0.clone(), db = db0.clone();
            Linear.forward(x, w, b, y, n, c, k);
            Linear.backward(x, w, dy, dx, dw, db, n, c, k);
            String tag = "linear N=" + n + " C=" + c + " K=" + k;
            try (DeviceBuffer dX = dev.upload(x); DeviceBuffer dW = dev.upload(w); DeviceBuffer dB = dev.upload(b);
                 DeviceBuffer dYb = dev.garbage(n * k); DeviceBuffer dDy = dev.upload(dy); DeviceBuffer dDx = dev.garbage(n * c);
                 DeviceBuffer dDw = dev.upload(dw0); DeviceBuffer dDb = dev.upload(db0)) {
                LinearCuda.forward(dX, dW, dB, dYb, n, c, k);
                DeviceArrays.assertBitwise(tag + " y", y, DeviceArrays.download(tag, dYb, n * k));
                LinearCuda.backward(dX, dW, dDy, dDx, dDw, dDb, n, c, k);
                DeviceArrays.assertBitwise(tag + " dx", dx, DeviceArrays.download(tag, dDx, n * c));
                DeviceArrays.assertBitwise(tag + " dW", dw, DeviceArrays.download(tag, dDw, k * c));
                DeviceArrays.assertBitwise(tag + " db", db, DeviceArrays.download(tag, dDb, k));
                LinearCuda.backward(dX, dW, dDy, null, dDw, dDb, n, c, k);  // no dx: weights accumulate again
                Linear.backward(x, w, dy, dx, dw, db, n, c, k);
                DeviceArrays.assertBitwise(tag + " dW twice", dw, DeviceArrays.download(tag, dDw, k * c));
            }
        }
    }

    @Test
    void shortBuffersAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 63); DeviceBuffer b = DeviceBuffer.floats(gpu, 1)) {
            assertEquals("linear: W is DeviceBuffer(float[1]) but (K, C) = (2, 3) needs 6 elements",
                    assertThrows(IllegalArgumentException.class, () -> LinearCuda.forward(a, b, b, a, 1, 3, 2)).getMessage());
        }
    }
}
