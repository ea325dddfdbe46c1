package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/conv.cu (through ConvCuda) against the float64 references Conv.forwardRef,
 * backwardDataRef and backwardFilterRef, on the WRN's shapes in miniature: 3x3 pad 1 and 1x1 pad 0,
 * stride 1 and 2, odd and non-square maps, channel counts that are not powers of two. Each value must
 * lie within 1e-5 of the sum of the absolute values of its terms (the float32 rounding bound, computed
 * by running the reference on |x|, |w|, |dy|); outputs start as NaN (fully overwritten); both
 * backward-filter kernels (REDUCE and SERIAL) and the automatic choice, each giving the same bits twice.
 */
class ConvCudaTest extends KernelTestBase {
    /** N, C, H, W, K, R, S, stride, pad. */
    private static final int[][] SHAPES = {
        {2, 3, 7, 5, 4, 3, 3, 1, 1},
        {2, 3, 8, 7, 5, 3, 3, 2, 1},
        {2, 6, 8, 9, 3, 1, 1, 2, 0},
        {1, 5, 4, 4, 7, 1, 1, 1, 0},
        {3, 2, 5, 6, 2, 3, 3, 1, 1},
    };
    private static final double TOL = 1e-5;


    private static double[] abs(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = Math.abs(a[i]);
        return d;
    }

    @Test
    void forwardBackwardDataAndBackwardFilterMatchTheFloat64Reference() {
        for (int[] s : SHAPES) {
            int N = s[0], C = s[1], H = s[2], W = s[3], K = s[4], R = s[5], S = s[6], st = s[7], pad = s[8];
            int ho = Conv.outSize(H, R, st, pad), wo = Conv.outSize(W, S, st, pad);
            int nx = N * C * H * W, nw = K * C * R * S, ny = N * K * ho * wo;
            SplittableRandom r = new SplittableRandom(nx * 31L + nw);
            float[] x = DeviceArrays.gaussian(r, nx, 1), w = DeviceArrays.gaussian(r, nw, 0.3), dy = DeviceArrays.gaussian(r, ny, 1);
            double[] y = new double[ny], yScale = new double[ny], dx = new double[nx], dxScale = new double[nx];
            double[] dw = new double[nw], dwScale = new double[nw];
            Conv.forwardRef(DeviceArrays.toDouble(x), DeviceArrays.toDouble(w), y, N, C, H, W, K, R, S, st, pad);
            Conv.forwardRef(abs(x), abs(w), yScale, N, C, H, W, K, R, S, st, pad);
            Conv.backwardDataRef(DeviceArrays.toDouble(dy), DeviceArrays.toDouble(w), dx, N, C, H, W, K, R, S, st, pad);
            Conv.backwardDataRef(abs(dy), abs(w), dxScale, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(DeviceArrays.toDouble(x), DeviceArrays.toDouble(dy), dw, N, C, H, W, K, R, S, st, pad);
            Conv.backwardFilterRef(abs(x), abs(dy), dwScale, N, C, H, W, K, R, S, st, pad);
            String tag = "conv N=" + N + " C=" + C + " " + H + "x" + W + " K=" + K + " " + R + "x" + S + " stride " + st + " pad " + pad;
            try (DeviceBuffer X = dev.upload(x); DeviceBuffer Wt = dev.upload(w); DeviceBuffer DY = dev.upload(dy);
                 DeviceBuffer Y = dev.garbage(ny); DeviceBuffer DX = dev.garbage(nx); DeviceBuffer DW = dev.garbage(nw)) {
                ConvCuda.forward(X, Wt, Y, N, C, H, W, K, R, S, st, pad);
                DeviceArrays.assertWithinScale(tag + " forward", y, yScale, DeviceArrays.download(tag, Y, ny), TOL);
                ConvCuda.backwardData(DY, Wt, DX, N, C, H, W, K, R, S, st, pad);
                DeviceArrays.assertWithinScale(tag + " backward data", dx, dxScale, DeviceArrays.download(tag, DX, nx), TOL);
                for (ConvCuda.FilterAlgo algo : ConvCuda.FilterAlgo.values()) {
                    ConvCuda.backwardFilter(X, DY, DW, N, C, H, W, K, R, S, st, pad, algo);
                    float[] first = DeviceArrays.download(tag, DW, nw);
                    DeviceArrays.assertWithinScale(tag + " backward filter " + algo, dw, dwScale, first, TOL);
                    ConvCuda.backwardFilter(X, DY, DW, N, C, H, W, K, R, S, st, pad, algo);
                    DeviceArrays.assertBitwise(tag + " backward filter " + algo + " run to run", first, DeviceArrays.download(tag, DW, nw));
                }
                ConvCuda.backwardFilter(X, DY, DW, N, C, H, W, K, R, S, st, pad);  // the automatic choice
                DeviceArrays.assertWithinScale(tag + " backward filter (auto)", dw, dwScale, DeviceArrays.download(tag, DW, nw), TOL);
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 1000); DeviceBuffer b = DeviceBuffer.floats(gpu, 10)) {
            assertEquals("conv_forward: w is DeviceBuffer(float[10]) but (K, C, R, S) = (2, 3, 3, 3) needs 54 elements",
                    assertThrows(IllegalArgumentException.class, () -> ConvCuda.forward(a, b, a, 1, 3, 4, 4, 2, 3, 3, 1, 1)).getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> ConvCuda.backwardFilter(a, a, a, 1, 1, 8, 8, 1, 5, 5, 1, 2, ConvCuda.FilterAlgo.REDUCE));
        }
    }
}
