package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/gelu.cu (through GeluCuda) against the CPU reference Gelu, on random inputs with special
 * values, at sizes that are not multiples of the block, twice each, forward (also in place) and the
 * accumulating backward. Both sides take the same float steps around a double exp rounded to float,
 * so they agree bit for bit except where the two libms' double exp differ in the last bit at a float
 * rounding boundary: every value must lie within 4 ulps (plus the error such an exp difference
 * carries through the backward's 1 - s), and at least 99.9 % of them bit for bit (a changed order
 * of the float steps would break that).
 */
class GeluCudaTest extends KernelTestBase {
    private static final int[] SIZES = {1, 31, 255, 256, 257, 1000, 100_003};

    /** Floats of N(0, 3^2) with signed zeros, infinities, NaN, subnormals and saturating values sprinkled in. */
    private static float[] random(SplittableRandom r, int n) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -1e-40f, 60f, -60f};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(16) == 0 ? special[r.nextInt(special.length)] : (float) (DeviceArrays.nextGaussian(r) * 3);
        return a;
    }

    /** Fails unless every got[i] is within 4 ulps of want[i] plus slack[i], and at most 0.1 % differ at all. */
    private static void assertNear(String what, float[] want, float[] got, double[] slack) {
        int differ = 0;
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) == Float.floatToIntBits(got[i])) continue;
            differ++;
            boolean ok = Float.isNaN(want[i]) ? Float.isNaN(got[i]) : Math.abs((double) got[i] - want[i]) <= 4 * Math.ulp(want[i]) + slack[i];
            if (!ok) throw new AssertionError(what + ": at " + i + " of " + want.length + ": want " + want[i] + ", got " + got[i]);
        }
        assertTrue(differ <= want.length / 1000, what + ": " + differ + " of " + want.length + " values differ in their bits");
    }

    @Test
    void forwardAndBackwardMatchTheCpuReference() {
        for (int round = 0; round < 2; round++) {
            for (int n : SIZES) {
                SplittableRandom r = new SplittableRandom(1000L * round + n);
                float[] x = random(r, n), dy = random(r, n), dx = random(r, n);
                for (int i = 0; i < n; i++) if (!Float.isFinite(dy[i])) dy[i] = 1f;  // keep the backward's slack finite
                float[] y = new float[n], dxWant = dx.clone();
                Gelu.forward(x, y, n);
                Gelu.backward(x, dy, dxWant, n);
                double[] ySlack = new double[n], dxSlack = new double[n];
                for (int i = 0; i < n; i++) {
                    double t = Math.abs(1.702 * x[i]);
                    ySlack[i] = 0x1p-21 * Math.abs(x[i]);
                    dxSlack[i] = 0x1p-21 * Math.abs(dy[i]) * (1 + t) + 4 * Math.ulp(dx[i]);
                }
                String tag = "n=" + n + " round " + round;
                try (DeviceBuffer X = dev.upload(x); DeviceBuffer Y = dev.garbage(n); DeviceBuffer DY = dev.upload(dy);
                     DeviceBuffer DX = dev.upload(dx)) {
                    GeluCuda.forward(X, Y, n);
                    assertNear("gelu forward " + tag, y, DeviceArrays.download(tag, Y, n), ySlack);
                    GeluCuda.backward(X, DY, DX, n);
                    assertNear("gelu backward " + tag, dxWant, DeviceArrays.download(tag, DX, n), dxSlack);
                    GeluCuda.forward(X, X, n);  // in place
                    assertNear("gelu forward in place " + tag, y, DeviceArrays.download(tag, X, n), ySlack);
                }
            }
        }
        gpu.synchronize();
    }

    @Test
    void shortBuffersAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 10); DeviceBuffer b = DeviceBuffer.floats(gpu, 9)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GeluCuda.forward(a, b, 10));
            assertTrue(e.getMessage().startsWith("gelu_forward: y is DeviceBuffer(float[9]) but (n) = (10) needs 10"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> GeluCuda.backward(a, a, a, -1));
        }
    }
}
