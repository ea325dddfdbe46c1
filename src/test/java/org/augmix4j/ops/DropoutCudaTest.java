package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/dropout.cu (through DropoutCuda) against the CPU reference Dropout, bit for bit: the
 * Philox mask for several seeds (negative ones too), counters (past 2^32 and negative) and drop
 * probabilities, at sizes that are neither multiples of the block nor of the 4 elements a thread
 * draws; then y = x * mask (also in place) and dx += dy * mask. Outputs start as NaN and the
 * buffers' tails are checked untouched; everything runs twice.
 */
class DropoutCudaTest extends KernelTestBase {
    private static final int[] SIZES = {1, 2, 3, 4, 5, 255, 257, 1021, 1024, 100_003};
    private static final long[][] STREAMS = {{42, 0}, {-7, 5}, {0x1234_5678_9ABCL, 0x1_0000_0001L}, {1, -1}};
    private static final float[] PROBABILITIES = {0.5f, 0.1f, 0f, 1f};

    @Test
    void maskIsBitIdenticalToTheCpuMask() {
        for (int round = 0; round < 2; round++) {
            for (int s = 0; s < STREAMS.length; s++) {
                long seed = STREAMS[s][0], counter = STREAMS[s][1];
                float p = PROBABILITIES[s];
                for (int n : SIZES) {
                    float[] want = new float[n];
                    Dropout.mask(seed, counter, p, want, n);
                    String tag = "seed " + seed + " counter " + counter + " p " + p + " n=" + n;
                    try (DeviceBuffer m = dev.garbage(n)) {
                        DropoutCuda.mask(m, seed, counter, p, n);
                        DeviceArrays.assertBitwise("mask " + tag, want, DeviceArrays.download(tag, m, n));
                    }
                }
            }
        }
    }

    @Test
    void forwardAndBackwardAreBitIdentical() {
        for (int round = 0; round < 2; round++) {
            for (int n : SIZES) {
                SplittableRandom r = new SplittableRandom(100L * round + n);
                float[] x = DeviceArrays.gaussian(r, n, 2), dy = DeviceArrays.gaussian(r, n, 1), dx = DeviceArrays.gaussian(r, n, 1);
                float[] mask = new float[n], y = new float[n], dxWant = dx.clone();
                Dropout.mask(round, n, 0.5f, mask, n);
                Dropout.forward(x, mask, y, n);
                Dropout.backward(mask, dy, dxWant, n);
                String tag = "n=" + n;
                try (DeviceBuffer X = dev.upload(x); DeviceBuffer M = dev.upload(mask); DeviceBuffer Y = dev.garbage(n);
                     DeviceBuffer DY = dev.upload(dy); DeviceBuffer DX = dev.upload(dx)) {
                    DropoutCuda.forward(X, M, Y, n);
                    DeviceArrays.assertBitwise("forward " + tag, y, DeviceArrays.download(tag, Y, n));
                    DropoutCuda.backward(M, DY, DX, n);
                    DeviceArrays.assertBitwise("backward " + tag, dxWant, DeviceArrays.download(tag, DX, n));
                    DropoutCuda.forward(X, M, X, n);
                    DeviceArrays.assertBitwise("forward in place " + tag, y, DeviceArrays.download(tag, X, n));
                }
            }
        }
        gpu.synchronize();
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 10)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DropoutCuda.mask(a, 1, 2, -0.5f, 10));
            assertTrue(e.getMessage().startsWith("dropout_mask: drop probability p = -0.5 is outside [0, 1]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> DropoutCuda.mask(a, 1, 2, 0.5f, 11));
            assertTrue(e.getMessage().startsWith("dropout_mask: mask is DeviceBuffer(float[10]) but (n) = (11) needs 11"), e.getMessage());
        }
    }
}
