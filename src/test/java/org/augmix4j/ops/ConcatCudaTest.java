package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/concat.cu (through ConcatCuda) against Concat, BIT FOR BIT (copies, and one float addition
 * per element backward): DenseNet-like 24 + 12 channels on 8x8 and 32x32, odd sizes that are not
 * multiples of the block (256); the backward accumulates onto non-zero values with either gradient
 * absent; the channel-range copy into a preallocated buffer leaves the other channels untouched.
 */
class ConcatCudaTest extends KernelTestBase {
    /** {n, ca, cb, hw}. */
    static final int[][] SHAPES = {{3, 24, 12, 64}, {2, 5, 3, 63}, {1, 1, 1, 1}, {4, 1, 7, 9}, {2, 16, 12, 1024}};

    @Test
    void forwardAndBackwardMatchTheReferenceBitForBit() {
        for (int run = 0; run < 2; run++) {
            for (int[] sh : SHAPES) {
                int n = sh[0], ca = sh[1], cb = sh[2], hw = sh[3], ny = n * (ca + cb) * hw;
                SplittableRandom r = new SplittableRandom(Arrays.hashCode(sh));
                float[] a = DeviceArrays.gaussian(r, n * ca * hw, 1), b = DeviceArrays.gaussian(r, n * cb * hw, 1), y = new float[ny];
                float[] dy = DeviceArrays.gaussian(r, ny, 1), da0 = DeviceArrays.gaussian(r, a.length, 1), db0 = DeviceArrays.gaussian(r, b.length, 1);
                float[] da = da0.clone(), db = db0.clone();
                Concat.forward(a, ca, b, cb, y, n, hw);
                Concat.backward(dy, da, db, n, ca, cb, hw);
                String tag = "concat " + Arrays.toString(sh) + " run " + run;
                try (DeviceBuffer dA = dev.upload(a); DeviceBuffer dB = dev.upload(b); DeviceBuffer dY = dev.garbage(ny);
                     DeviceBuffer dDy = dev.upload(dy); DeviceBuffer dDa = dev.upload(da0); DeviceBuffer dDb = dev.upload(db0);
                     DeviceBuffer dDbOnly = dev.upload(db0)) {
                    ConcatCuda.forward(dA, ca, dB, cb, dY, n, hw);
                    DeviceArrays.assertBitwise(tag + " forward", y, DeviceArrays.download(tag, dY, ny));
                    ConcatCuda.backward(dDy, dDa, dDb, n, ca, cb, hw);
                    DeviceArrays.assertBitwise(tag + " da", da, DeviceArrays.download(tag, dDa, a.length));
                    DeviceArrays.assertBitwise(tag + " db", db, DeviceArrays.download(tag, dDb, b.length));
                    ConcatCuda.backward(dDy, null, dDbOnly, n, ca, cb, hw);
                    DeviceArrays.assertBitwise(tag + " db alone", db, DeviceArrays.download(tag, dDbOnly, b.length));
                }
            }
        }
    }

    @Test
    void channelRangeCopyWritesOnlyItsSlice() {
        // a DenseNet block's preallocated (N, 10, HW) features: write 3 new channels at offset 4
        int n = 3, cs = 3, cd = 10, off = 4, hw = 37;
        SplittableRandom r = new SplittableRandom(9);
        float[] src = DeviceArrays.gaussian(r, n * cs * hw, 1), dst = DeviceArrays.gaussian(r, n * cd * hw, 1), want = dst.clone();
        for (int i = 0; i < n; i++) System.arraycopy(src, i * cs * hw, want, (i * cd + off) * hw, cs * hw);
        float[] dsrc0 = DeviceArrays.gaussian(r, src.length, 1), wantDsrc = dsrc0.clone();
        for (int i = 0; i < n; i++) for (int j = 0; j < cs * hw; j++) wantDsrc[i * cs * hw + j] += want[(i * cd + off) * hw + j];
        try (DeviceBuffer dSrc = dev.upload(src); DeviceBuffer dDst = dev.upload(dst); DeviceBuffer dDsrc = dev.upload(dsrc0)) {
            ConcatCuda.copyChannels(dSrc, dDst, n, cs, cd, off, hw);
            DeviceArrays.assertBitwise("copyChannels", want, DeviceArrays.download("copyChannels", dDst, want.length));
            ConcatCuda.accumulateChannels(dDst, dDsrc, n, cs, cd, off, hw);
            DeviceArrays.assertBitwise("accumulateChannels", wantDsrc, DeviceArrays.download("accumulateChannels", dDsrc, src.length));
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 24); DeviceBuffer y = DeviceBuffer.floats(gpu, 40)) {
            assertEquals("concat: dst is DeviceBuffer(float[40]) but (N, Cd, HW) = (2, 6, 4) needs 48 elements",
                    assertThrows(IllegalArgumentException.class, () -> ConcatCuda.forward(a, 3, a, 3, y, 2, 4)).getMessage());
            assertEquals("concat: channels [3, 6) do not fit in the 5 channels of dst; the offset must be >= 0 and offset + Cs <= Cd",
                    assertThrows(IllegalArgumentException.class, () -> ConcatCuda.copyChannels(a, y, 2, 3, 5, 3, 4)).getMessage());
            assertEquals("concat_backward: dsrc is DeviceBuffer(float[24]) but (N, Cs, HW) = (2, 4, 4) needs 32 elements",
                    assertThrows(IllegalArgumentException.class, () -> ConcatCuda.backward(y, a, null, 2, 4, 1, 4)).getMessage());
        }
    }
}
