package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every GPU corruption (kernels/corrupt.cu, kernels/corrupt_field.cu through CorruptionsCuda and
 * the real device layer) against the CPU reference Corruptions, at all five severities, on the
 * same counter-based draws: procedural test pictures plus black, white and random-noise images
 * (clipping at both ends), with a dataset offset so that the per-image keys are exercised. Required:
 * identical bytes (see CorruptionsCuda's class comment for the libm caveat of four of them, which
 * has never shown on these inputs). The output buffer's tail past the batch must stay untouched.
 * Shapes are small on purpose: the emulator runs the one-block-per-image kernels (contrast, fog,
 * elastic) with one OS thread per CUDA thread. Runs on the emulator in {@code mvn test} and on a
 * real GPU in {@code mvn test -Pgpu}.
 */
@Tag("emulated")
class CorruptionsCudaTest {
    private static final long FIRST = 1_000_003L, SEED = 20240607L;
    private static final int VALUES = 3072, SLACK = 4099;
    private static final byte SENTINEL = (byte) 0xA5;
    private static final ImageBatch IMAGES = images();
    private Gpu gpu;

    @BeforeEach
    void device() { gpu = DeviceTests.requireDevice(); }

    /** 5 procedural pictures, then black, white and uniform random bytes. */
    private static ImageBatch images() {
        int n = 8;
        byte[] px = new byte[n * VALUES];
        System.arraycopy(TestImages.batch(11, 5).pixels(), 0, px, 0, 5 * VALUES);
        Arrays.fill(px, 6 * VALUES, 7 * VALUES, (byte) 255);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 7 * VALUES; i < 8 * VALUES; i++) px[i] = (byte) r.nextInt(256);
        return new ImageBatch(px, n, 32, 32, 3);
    }

    /** Corrupts IMAGES on the device; returns count * 3072 bytes after checking the sentinel tail. */
    private byte[] onDevice(ImageBatch in, Corruption c, int severity, long seed, long first) {
        int n = in.count() * VALUES;
        byte[] tail = new byte[n + SLACK];
        Arrays.fill(tail, SENTINEL);
        try (DeviceBuffer din = DeviceBuffer.of(gpu, Arrays.copyOf(in.pixels(), n + 17)); DeviceBuffer dout = DeviceBuffer.of(gpu, tail)) {
            CorruptionsCuda.corrupt(din, dout, in.count(), c, severity, seed, first);
            byte[] all = new byte[n + SLACK];
            dout.copyTo(all);
            for (int i = n; i < all.length; i++) {
                if (all[i] != SENTINEL) throw new AssertionError(c + " s" + severity + ": wrote past the batch at byte " + i);
            }
            return Arrays.copyOf(all, n);
        }
    }

    private static void assertSame(String what, byte[] want, byte[] got) {
        int diffs = 0, first = -1, maxDiff = 0;
        for (int i = 0; i < want.length; i++) {
            int d = Math.abs((want[i] & 255) - (got[i] & 255));
            if (d != 0) {
                if (first < 0) first = i;
                diffs++;
                maxDiff = Math.max(maxDiff, d);
            }
        }
        if (diffs != 0) {
            int f = first;
            throw new AssertionError(what + ": " + diffs + " of " + want.length + " values differ (max " + maxDiff + " levels); first at image "
                    + f / VALUES + " y " + f % VALUES / 96 + " x " + f % 96 / 3 + " ch " + f % 3 + ": cpu " + (want[f] & 255) + ", gpu "
                    + (got[f] & 255));
        }
    }

    @Test
    void everyGpuCorruptionMatchesTheCpuReferenceAtEverySeverity() {
        StringBuilder failures = new StringBuilder();
        for (Corruption c : CorruptionsCuda.SUPPORTED) {
            for (int s = 1; s <= Corruption.MAX_SEVERITY; s++) {
                byte[] want = Corruptions.corrupt(IMAGES, c, s, SEED, FIRST, null).pixels();
                try {
                    assertSame(c + " severity " + s, want, onDevice(IMAGES, c, s, SEED, FIRST));
                } catch (AssertionError e) {
                    failures.append('\n').append(e.getMessage());
                }
            }
        }
        gpu.synchronize();
        if (failures.length() > 0) throw new AssertionError("GPU != CPU reference:" + failures);
    }

    @Test
    void randomOnesFollowSeedAndDatasetIndexLikeTheReference() {
        ImageBatch two = new ImageBatch(Arrays.copyOf(IMAGES.pixels(), 2 * VALUES), 2, 32, 32, 3);
        for (Corruption c : CorruptionsCuda.SUPPORTED) {
            if (c.deterministic()) continue;
            byte[] a = onDevice(two, c, 3, 5L, 0L), b = onDevice(two, c, 3, 6L, 0L), d = onDevice(two, c, 3, 5L, 1L);
            assertFalse(Arrays.equals(a, b), c + ": the seed must change the draws");
            assertFalse(Arrays.equals(a, d), c + ": the dataset index must change the draws");
            assertSame(c + " seed 6", Corruptions.corrupt(two, c, 3, 6L, 0L, null).pixels(), b);
            // image 1 with index 1 is image 0 of a batch that starts at index 1
            ImageBatch second = new ImageBatch(Arrays.copyOfRange(two.pixels(), VALUES, 2 * VALUES), 1, 32, 32, 3);
            assertArrayEquals(Arrays.copyOfRange(a, VALUES, 2 * VALUES), onDevice(second, c, 3, 5L, 1L), c + ": chunking changed image 1");
        }
    }

    @Test
    void hostConvenienceRunsCpuOnlyCorruptionsOnTheCpu() {
        ImageBatch one = IMAGES.image(0);
        for (Corruption c : new Corruption[] {Corruption.FOG, Corruption.SNOW, Corruption.JPEG_COMPRESSION}) {
            assertArrayEquals(Corruptions.corrupt(one, c, 2, 9L, 4L, null).pixels(),
                    CorruptionsCuda.corrupt(gpu, one, c, 2, 9L, 4L, null).pixels(), c.stem());
        }
    }

    @Test
    void badCallsAreClearErrors() {
        assertEquals(EnumSet.of(Corruption.SNOW, Corruption.FROST, Corruption.SPATTER, Corruption.JPEG_COMPRESSION),
                EnumSet.complementOf(EnumSet.copyOf(CorruptionsCuda.SUPPORTED)));
        try (DeviceBuffer in = DeviceBuffer.bytes(gpu, 2 * VALUES); DeviceBuffer out = DeviceBuffer.bytes(gpu, VALUES);
             DeviceBuffer f = DeviceBuffer.floats(gpu, 2 * VALUES)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CorruptionsCuda.corrupt(in, out, 1, Corruption.SNOW, 1, 0, 0));
            assertTrue(e.getMessage().contains("snow has no GPU kernel"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> CorruptionsCuda.corrupt(in, out, 2, Corruption.FOG, 1, 0, 0));
            assertTrue(e.getMessage().contains("2 images need 6144 bytes"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> CorruptionsCuda.corrupt(in, in, 1, Corruption.FOG, 1, 0, 0));
            assertTrue(e.getMessage().contains("different buffers"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> CorruptionsCuda.corrupt(f, out, 1, Corruption.FOG, 1, 0, 0));
            assertTrue(e.getMessage().contains("not a uint8 buffer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> CorruptionsCuda.corrupt(in, out, 1, Corruption.FOG, 6, 0, 0));
            assertTrue(e.getMessage().contains("severity must be 1..5"), e.getMessage());
            CorruptionsCuda.corrupt(in, out, 0, Corruption.FOG, 1, 0, 0);  // nothing to do
        }
    }
}
