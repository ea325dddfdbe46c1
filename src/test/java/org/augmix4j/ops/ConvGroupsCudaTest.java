package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.junit.jupiter.api.Test;

/**
 * Grouped convolution on the GPU against the float64 references GroupedConv.*Ref: kernels/conv.cu's
 * group offsets (through ConvCuda's overloads and ConvBackend.kernels() with a grouped Shape), on
 * ResNeXt's 3x3 with cardinality 4 at stride 1 and 2, odd maps, a 1x1 and a depthwise case; both
 * backward-filter kernels and the automatic choice; every value within 1e-5 of the sum of |terms|
 * (as ConvCudaTest); groups = 1 through the new overloads equals the old methods bit for bit.
 * cuDNN's group count (ConvCudnn) runs only on a real GPU with cuDNN: skipped with the reason under
 * the emulator.
 */
class ConvGroupsCudaTest extends KernelTestBase {
    /** N, C, H, W, K, R, S, stride, pad, groups. */
    private static final int[][] SHAPES = {
        {2, 8, 7, 5, 8, 3, 3, 1, 1, 4},
        {2, 8, 9, 8, 12, 3, 3, 2, 1, 4},
        {3, 6, 5, 6, 9, 3, 3, 1, 1, 3},
        {1, 4, 6, 7, 6, 1, 1, 2, 0, 2},
        {2, 5, 4, 4, 5, 3, 3, 1, 1, 5},
    };
    private static final double TOL = 1e-5;

    private static double[] abs(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = Math.abs(a[i]);
        return d;
    }

    /** The references of one shape: y, dx, dw and their |terms| scales. */
    private record Want(double[] y, double[] yScale, double[] dx, double[] dxScale, double[] dw, double[] dwScale) {
        static Want of(ConvBackend.Shape q, float[] x, float[] w, float[] dy) {
            double[] y = new double[(int) q.outputLength()], ys = new double[y.length], dx = new double[x.length], dxs = new double[x.length];
            double[] dw = new double[w.length], dws = new double[w.length];
            int n = q.n(), c = q.c(), h = q.h(), wd = q.w(), k = q.k(), r = q.r(), s = q.s(), st = q.stride(), p = q.pad(), g = q.groups();
            GroupedConv.forwardRef(DeviceArrays.toDouble(x), DeviceArrays.toDouble(w), y, n, c, h, wd, k, r, s, st, p, g);
            GroupedConv.forwardRef(abs(x), abs(w), ys, n, c, h, wd, k, r, s, st, p, g);
            GroupedConv.backwardDataRef(DeviceArrays.toDouble(dy), DeviceArrays.toDouble(w), dx, n, c, h, wd, k, r, s, st, p, g);
            GroupedConv.backwardDataRef(abs(dy), abs(w), dxs, n, c, h, wd, k, r, s, st, p, g);
            GroupedConv.backwardFilterRef(DeviceArrays.toDouble(x), DeviceArrays.toDouble(dy), dw, n, c, h, wd, k, r, s, st, p, g);
            GroupedConv.backwardFilterRef(abs(x), abs(dy), dws, n, c, h, wd, k, r, s, st, p, g);
            return new Want(y, ys, dx, dxs, dw, dws);
        }
    }

    private static ConvBackend.Shape shape(int[] a) {
        return new ConvBackend.Shape(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    }

    /** Runs the three directions of {@code backend} on random inputs of shape q and checks them against the references. */
    private void checkBackend(String name, ConvBackend backend, ConvBackend.Shape q, double tol) {
        SplittableRandom r = new SplittableRandom(q.hashCode());
        float[] x = DeviceArrays.gaussian(r, (int) q.inputLength(), 1), w = DeviceArrays.gaussian(r, (int) q.weightLength(), 0.3);
        float[] dy = DeviceArrays.gaussian(r, (int) q.outputLength(), 1);
        Want want = Want.of(q, x, w, dy);
        String tag = name + " " + q;
        try (DeviceBuffer X = dev.upload(x); DeviceBuffer W = dev.upload(w); DeviceBuffer DY = dev.upload(dy);
             DeviceBuffer Y = dev.garbage(want.y.length); DeviceBuffer DX = dev.garbage(x.length); DeviceBuffer DW = dev.garbage(w.length)) {
            backend.forward(X, W, Y, q);
            DeviceArrays.assertWithinScale(tag + " forward", want.y, want.yScale, DeviceArrays.download(tag, Y, want.y.length), tol);
            backend.backwardData(DY, W, DX, q);
            DeviceArrays.assertWithinScale(tag + " backward data", want.dx, want.dxScale, DeviceArrays.download(tag, DX, x.length), tol);
            backend.backwardFilter(X, DY, DW, q);
            DeviceArrays.assertWithinScale(tag + " backward filter", want.dw, want.dwScale, DeviceArrays.download(tag, DW, w.length), tol);
        }
    }

    @Test
    void fallbackKernelsMatchTheFloat64Reference() {
        for (int[] a : SHAPES) {
            ConvBackend.Shape q = shape(a);
            checkBackend("kernels", ConvBackend.kernels(), q, TOL);
            // both backward-filter kernels, each repeating its bits
            SplittableRandom r = new SplittableRandom(a[1] * 31L + a[4]);
            float[] x = DeviceArrays.gaussian(r, (int) q.inputLength(), 1), w = DeviceArrays.gaussian(r, (int) q.weightLength(), 0.3);
            float[] dy = DeviceArrays.gaussian(r, (int) q.outputLength(), 1);
            Want want = Want.of(q, x, w, dy);
            try (DeviceBuffer X = dev.upload(x); DeviceBuffer DY = dev.upload(dy); DeviceBuffer DW = dev.garbage(w.length)) {
                for (ConvCuda.FilterAlgo algo : ConvCuda.FilterAlgo.values()) {
                    String tag = q + " backward filter " + algo;
                    ConvCuda.backwardFilter(X, DY, DW, q.n(), q.c(), q.h(), q.w(), q.k(), q.r(), q.s(), q.stride(), q.pad(), q.groups(), algo);
                    float[] first = DeviceArrays.download(tag, DW, w.length);
                    DeviceArrays.assertWithinScale(tag, want.dw, want.dwScale, first, TOL);
                    ConvCuda.backwardFilter(X, DY, DW, q.n(), q.c(), q.h(), q.w(), q.k(), q.r(), q.s(), q.stride(), q.pad(), q.groups(), algo);
                    DeviceArrays.assertBitwise(tag + " run to run", first, DeviceArrays.download(tag, DW, w.length));
                }
            }
        }
        gpu.synchronize();
    }

    @Test
    void oneGroupThroughTheNewOverloadsIsTheOldConvolution() {
        int n = 2, c = 3, h = 7, w = 5, k = 4, r = 3, s = 3, st = 2, pad = 1, ho = 4, wo = 3;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = DeviceArrays.gaussian(rnd, n * c * h * w, 1), wt = DeviceArrays.gaussian(rnd, k * c * r * s, 0.3);
        float[] dy = DeviceArrays.gaussian(rnd, n * k * ho * wo, 1);
        try (DeviceBuffer X = dev.upload(x); DeviceBuffer W = dev.upload(wt); DeviceBuffer DY = dev.upload(dy);
             DeviceBuffer A = dev.garbage(n * k * ho * wo); DeviceBuffer B = dev.garbage(n * k * ho * wo);
             DeviceBuffer DXA = dev.garbage(x.length); DeviceBuffer DXB = dev.garbage(x.length);
             DeviceBuffer DWA = dev.garbage(wt.length); DeviceBuffer DWB = dev.garbage(wt.length)) {
            ConvCuda.forward(X, W, A, n, c, h, w, k, r, s, st, pad);
            ConvCuda.forward(X, W, B, n, c, h, w, k, r, s, st, pad, 1);
            DeviceArrays.assertBitwise("forward", DeviceArrays.download("a", A, n * k * ho * wo), DeviceArrays.download("b", B, n * k * ho * wo));
            ConvCuda.backwardData(DY, W, DXA, n, c, h, w, k, r, s, st, pad);
            ConvCuda.backwardData(DY, W, DXB, n, c, h, w, k, r, s, st, pad, 1);
            DeviceArrays.assertBitwise("backward data", DeviceArrays.download("a", DXA, x.length), DeviceArrays.download("b", DXB, x.length));
            ConvCuda.backwardFilter(X, DY, DWA, n, c, h, w, k, r, s, st, pad);
            ConvCuda.backwardFilter(X, DY, DWB, n, c, h, w, k, r, s, st, pad, 1);
            DeviceArrays.assertBitwise("backward filter", DeviceArrays.download("a", DWA, wt.length), DeviceArrays.download("b", DWB, wt.length));
        }
    }

    @Test
    void cudnnGroupCountMatchesTheFloat64Reference() {
        Gpu real = DeviceTests.requireVendorLibraries("cuDNN (cudnnSetConvolutionGroupCount)");
        try (GpuBackends b = GpuBackends.select(real, GpuBackends.Choice.LIBRARIES, false)) {
            assertNotNull(b.cudnn(), b.notes().toString());
            // cuDNN sums in other orders (FMA math, no TF32): 1e-4 of the sum of |terms|, as loose as its WRN parity
            for (int[] a : SHAPES) checkBackend(b.conv().name(), b.conv(), shape(a), 1e-4);
        }
    }

    @Test
    void groupsThatDoNotDivideTheChannelsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 1000)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConvCuda.forward(a, a, a, 1, 6, 4, 4, 8, 3, 3, 1, 1, 4));
            assertEquals("conv_forward: groups = 4 must divide both the input channels C = 6 and the output channels K = 8;"
                    + " choose widths that are multiples of the cardinality", e.getMessage());
            try (DeviceBuffer w = DeviceBuffer.floats(gpu, 10)) {
                e = assertThrows(IllegalArgumentException.class, () -> ConvCuda.forward(a, w, a, 1, 8, 4, 4, 8, 3, 3, 1, 1, 4));
                assertEquals("conv_forward: w is DeviceBuffer(float[10]) but (K, C/groups, R, S) = (8, 2, 3, 3) needs 144 elements",
                        e.getMessage());
            }
        }
    }
}
