package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * kernels/sgd.cu (through SgdCuda) against optim.Sgd: several steps with a changing learning rate,
 * first step included, Nesterov and plain momentum, with and without weight decay, over a flat
 * buffer whose size is not a multiple of the block: parameters and momentum buffers bit for bit
 * after every step. The sum of squares against a double loop (1e-6 relative), run-to-run bitwise,
 * NaN/Inf propagation.
 */
class SgdCudaTest extends KernelTestBase {

    private void steps(int n, float momentum, float wd, boolean nesterov) {
        SplittableRandom r = new SplittableRandom(n + (nesterov ? 1 : 0));
        float[] p0 = DeviceArrays.gaussian(r, n, 0.5);
        Var v = Var.param("w", Tensor.of(p0.clone(), n));
        Sgd cpu = new Sgd(List.of(v), momentum, wd, nesterov);
        String tag = "sgd n=" + n + " momentum=" + momentum + " wd=" + wd + " nesterov=" + nesterov;
        try (DeviceBuffer p = dev.upload(p0); DeviceBuffer g = dev.upload(new float[n]); DeviceBuffer buf = dev.garbage(n)) {
            float[] lrs = {0.1f, 0.0999f, 0.05f};
            for (int s = 0; s < lrs.length; s++) {
                float[] grad = DeviceArrays.gaussian(r, n, 1e-2);
                v.setGrad(grad.clone());
                cpu.step(lrs[s]);
                g.copyFrom(grad);
                SgdCuda.step(p, g, buf, n, lrs[s], momentum, wd, nesterov, s == 0);
                DeviceArrays.assertBitwise(tag + " step " + s + " params", v.data(), DeviceArrays.download(tag, p, n));
                DeviceArrays.assertBitwise(tag + " step " + s + " momentum", cpu.buffer(0), DeviceArrays.download(tag, buf, n));
            }
        }
    }

    @Test
    void stepsEqualTheCpuOptimiserBitForBit() {
        for (int n : new int[] {1, 255, 257, 10_007}) steps(n, 0.9f, 5e-4f, true);
        steps(1000, 0.9f, 0f, true);
        steps(1001, 0.8f, 1e-3f, false);
    }

    @Test
    void sumOfSquaresIsDeterministicAndCatchesNonFinite() {
        for (int n : new int[] {1, 255, 33_333, 100_003}) {
            float[] x = DeviceArrays.gaussian(new SplittableRandom(n), n, 3);
            double want = 0;
            for (float f : x) want += (double) f * f;
            try (DeviceBuffer dx = dev.upload(x); DeviceBuffer partial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
                 DeviceBuffer out = dev.garbage(1)) {
                SgdCuda.sumSquares(dx, n, partial, out);
                float[] first = DeviceArrays.download("sumSquares", out, 1);
                assertEquals(want, first[0], 1e-6 * want, "sum of squares n=" + n);
                SgdCuda.sumSquares(dx, n, partial, out);
                DeviceArrays.assertBitwise("sumSquares run to run", first, DeviceArrays.download("sumSquares", out, 1));
                x[n / 2] = n % 2 == 0 ? Float.NaN : Float.NEGATIVE_INFINITY;
                dx.copyFrom(x);
                SgdCuda.sumSquares(dx, n, partial, out);
                float got = DeviceArrays.download("sumSquares", out, 1)[0];
                assertTrue(!Float.isFinite(got), "NaN/Inf must propagate, got " + got);
            }
        }
        try (DeviceBuffer x = DeviceBuffer.floats(gpu, 0); DeviceBuffer partial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
             DeviceBuffer out = dev.garbage(1)) {
            SgdCuda.sumSquares(x, 0, partial, out);
            assertEquals(0f, DeviceArrays.download("empty", out, 1)[0]);
        }
    }

    @Test
    void shortBuffersAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 10); DeviceBuffer b = DeviceBuffer.floats(gpu, 9)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SgdCuda.step(a, a, b, 10, 0.1f, 0.9f, 0f, true, true));
            assertEquals("sgd: momentum buffer is DeviceBuffer(float[9]) but (10) needs 10 elements", e.getMessage());
        }
    }
}
