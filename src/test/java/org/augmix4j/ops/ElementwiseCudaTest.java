package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every kernel of kernels/elementwise.cu (through ElementwiseCuda, the real device layer) against
 * the CPU reference Elementwise, bit for bit, on random inputs with special values (signed zeros,
 * infinities, NaN, subnormals), at sizes that are not multiples of the block size, twice each.
 * Each device buffer is longer than n and its tail is checked untouched. Runs on the emulator in
 * {@code mvn test} and on a real GPU in {@code mvn test -Pgpu}.
 */
@Tag("emulated")
class ElementwiseCudaTest {
    private static final int[] SIZES = {1, 31, 255, 256, 257, 1000, 100_003};
    private static final int ROUNDS = 2, SLACK = 37;
    private static final float SENTINEL = -12345.5f;
    private static Gpu gpu;

    @BeforeEach
    void device() { gpu = DeviceTests.requireDevice(); }

    /** n random floats in [-4, 4) with special values sprinkled in. */
    private static float[] random(SplittableRandom r, int n) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE,
                -Float.MIN_VALUE, 1e-40f, Float.MAX_VALUE};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(16) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextDouble() * 8 - 4);
        return a;
    }

    /** A device buffer of n + SLACK floats: data, then sentinels. */
    private static DeviceBuffer upload(float[] data) {
        float[] padded = Arrays.copyOf(data, data.length + SLACK);
        Arrays.fill(padded, data.length, padded.length, SENTINEL);
        return DeviceBuffer.of(gpu, padded);
    }

    /** Downloads and checks the first n elements bit for bit against want, and the tail untouched. */
    private static void assertDevice(String what, float[] want, DeviceBuffer got) {
        float[] all = got.toFloats();
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(all[i])) {
                throw new AssertionError(what + " n=" + want.length + ": first mismatch at " + i + ": want " + want[i]
                        + ", got " + all[i]);
            }
        }
        for (int i = want.length; i < all.length; i++) {
            assertEquals(SENTINEL, all[i], () -> what + " n=" + want.length + ": wrote past n");
        }
    }

    private interface Case {
        void run(SplittableRandom r, int n);
    }

    private static void forAll(Case c) {
        for (int round = 0; round < ROUNDS; round++) {
            for (int n : SIZES) c.run(new SplittableRandom(1000L * round + n), n);
        }
        gpu.synchronize();
    }

    @Test
    void reluForward() {
        forAll((r, n) -> {
            float[] x = random(r, n), want = new float[n];
            Elementwise.reluForward(x, want, n);
            try (DeviceBuffer dx = upload(x); DeviceBuffer dy = upload(new float[n])) {
                ElementwiseCuda.reluForward(dx, dy, n);
                assertDevice("reluForward", want, dy);
                ElementwiseCuda.reluForward(dx, dx, n);  // in place (x and y alias)
                assertDevice("reluForward in place", want, dx);
            }
        });
    }

    @Test
    void reluBackward() {
        forAll((r, n) -> {
            float[] y = random(r, n), dy = random(r, n), dx = random(r, n), want = dx.clone();
            Elementwise.reluBackward(y, dy, want, n);
            try (DeviceBuffer a = upload(y); DeviceBuffer b = upload(dy); DeviceBuffer c = upload(dx)) {
                ElementwiseCuda.reluBackward(a, b, c, n);
                assertDevice("reluBackward", want, c);
            }
        });
    }

    @Test
    void reluMask() {
        forAll((r, n) -> {
            float[] y = random(r, n), dy = random(r, n), want = dy.clone();
            Elementwise.reluMask(y, want, n);
            try (DeviceBuffer a = upload(y); DeviceBuffer b = upload(dy)) {
                ElementwiseCuda.reluMask(a, b, n);
                assertDevice("reluMask", want, b);
            }
        });
    }

    @Test
    void add() {
        forAll((r, n) -> {
            float[] a = random(r, n), b = random(r, n), want = new float[n];
            Elementwise.add(a, b, want, n);
            try (DeviceBuffer da = upload(a); DeviceBuffer db = upload(b); DeviceBuffer out = upload(new float[n])) {
                ElementwiseCuda.add(da, db, out, n);
                assertDevice("add", want, out);
            }
        });
    }

    @Test
    void accumulate() {
        forAll((r, n) -> {
            float[] x = random(r, n), acc = random(r, n), want = acc.clone();
            Elementwise.accumulate(x, want, n);
            try (DeviceBuffer dx = upload(x); DeviceBuffer dacc = upload(acc)) {
                ElementwiseCuda.accumulate(dx, dacc, n);
                assertDevice("accumulate", want, dacc);
            }
        });
    }

    @Test
    void fill() {
        forAll((r, n) -> {
            float v = (float) r.nextGaussian();
            float[] want = random(r, n);
            Elementwise.fill(want, v, n);
            try (DeviceBuffer x = upload(random(r, n))) {
                ElementwiseCuda.fill(x, v, n);
                assertDevice("fill", want, x);
            }
        });
    }

    @Test
    void scale() {
        forAll((r, n) -> {
            float a = (float) r.nextGaussian();
            float[] x = random(r, n), want = x.clone();
            Elementwise.scale(want, a, n);
            try (DeviceBuffer dx = upload(x)) {
                ElementwiseCuda.scale(dx, a, n);
                assertDevice("scale", want, dx);
            }
        });
    }

    @Test
    void zeroLengthLaunchesNothingAndShortBuffersAreRejected() {
        try (DeviceBuffer x = DeviceBuffer.of(gpu, new float[] {1f, -2f}); DeviceBuffer y = DeviceBuffer.floats(gpu, 1)) {
            ElementwiseCuda.reluForward(x, x, 0);
            assertDevice("n=0", new float[] {1f, -2f}, x);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ElementwiseCuda.reluForward(x, y, 2));
            assertEquals("reluForward: n = 2 but DeviceBuffer(float[1]) is shorter", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ElementwiseCuda.scale(x, 2f, -1));
        }
    }
}
