package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;

/**
 * Test helper of the *CudaTest classes: device buffers padded with sentinels (a write past the
 * logical length is caught), downloads that check the sentinels, random inputs, and comparisons
 * (bitwise, or |got - want| <= atol + rtol |want| with the first mismatches in the message).
 */
final class DeviceArrays {
    static final int SLACK = 37;
    static final float SENTINEL = -12345.5f;

    private final Gpu gpu;

    DeviceArrays(Gpu gpu) { this.gpu = gpu; }

    /** A buffer of data.length + SLACK floats: data, then sentinels. */
    DeviceBuffer upload(float[] data) {
        float[] padded = Arrays.copyOf(data, data.length + SLACK);
        Arrays.fill(padded, data.length, padded.length, SENTINEL);
        return DeviceBuffer.of(gpu, padded);
    }

    DeviceBuffer upload(int[] data) {
        int[] padded = Arrays.copyOf(data, data.length + SLACK);
        Arrays.fill(padded, data.length, padded.length, -7);
        return DeviceBuffer.of(gpu, padded);
    }

    /** A buffer of n garbage floats (NaN) plus sentinels: outputs that must be fully overwritten. */
    DeviceBuffer garbage(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return upload(a);
    }

    /** The first n floats of b, after checking that the rest are still sentinels. */
    static float[] download(String what, DeviceBuffer b, int n) {
        float[] all = b.toFloats();
        for (int i = n; i < all.length; i++) {
            final int at = i;
            assertEquals(SENTINEL, all[i], () -> what + ": wrote past its " + n + " elements (at " + at + ")");
        }
        return Arrays.copyOf(all, n);
    }

    /** Floats of N(0, scale^2). */
    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (nextGaussian(r) * scale);
        return a;
    }

    static double nextGaussian(SplittableRandom r) {
        double u1 = r.nextDouble(), u2 = r.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }

    static double[] toDouble(float[] a) { return org.augmix4j.selftest.Compare.toDouble(a); }

    /** Fails unless got equals want bit for bit. */
    static void assertBitwise(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                throw new AssertionError(what + ": first mismatch at " + i + " of " + want.length + ": want " + want[i]
                        + ", got " + got[i]);
            }
        }
    }

    /** Fails unless every |got - want| <= atol + rtol |want| (NaN never passes). */
    static void assertClose(String what, double[] want, float[] got, double atol, double rtol) {
        assertEquals(want.length, got.length, what + ": length");
        StringBuilder bad = new StringBuilder();
        int count = 0;
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (!(d <= atol + rtol * Math.abs(want[i]))) {
                if (count < 8) bad.append(String.format("%n  [%d] got %.9g want %.9g (diff %.3g)", i, got[i], want[i], d));
                count++;
            }
            if (d > worst || Double.isNaN(d)) worst = d;
        }
        if (count > 0) {
            throw new AssertionError(what + ": " + count + " of " + want.length + " values outside atol " + atol + " + rtol "
                    + rtol + " (worst diff " + worst + ")" + bad);
        }
    }

    /** Fails unless every |got - want| <= tol * scale, scale = the sum of |terms| behind each value. */
    static void assertWithinScale(String what, double[] want, double[] scale, float[] got, double tol) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (!(d <= tol * scale[i] + 1e-30)) {
                throw new AssertionError(String.format("%s: [%d] of %d: got %.9g want %.9g, diff %.3g > %.1g * %.3g (sum of |terms|)",
                        what, i, want.length, got[i], want[i], d, tol, scale[i]));
            }
        }
    }
}
