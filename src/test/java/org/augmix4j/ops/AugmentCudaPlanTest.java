package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.PilOps;
import org.junit.jupiter.api.Test;

/** AugmentCuda's launch plans and rotation table, without a device (CPU-only test). */
class AugmentCudaPlanTest {
    private static final AugMixConfig CIFAR = AugMixConfig.defaults();

    @Test
    void cifarBatchesKeepTheirImagesInSharedMemory() {
        AugmentCuda.Plan p = AugmentCuda.plan(132, CIFAR, 128, 32, 32, 0, false);
        // 3 groups x 3,872 B of statistics + (X + 3 ping-pong + 3 chain images) x 3,072 B
        assertEquals(new AugmentCuda.Plan(3, 64, true, 3 * 3872 + 7 * 3072, 256, 0), p);
        assertEquals(192, p.blockThreads());
        assertTrue(p.sharedBytes() + AugmentCuda.STATIC_SHARED <= 48 * 1024);
        assertEquals(new AugmentCuda.Plan(3, 32, true, 3 * 3872 + 7 * 3072, 128, 0),
                AugmentCuda.plan(132, CIFAR.withMode(AugMixConfig.Mode.AUGMIX), 128, 32, 32, 32, false));
        assertEquals(new AugmentCuda.Plan(1, 64, true, 3872 + 3072, 128, 0),
                AugmentCuda.plan(132, CIFAR.withMode(AugMixConfig.Mode.NONE), 128, 32, 32, 0, false));
        assertEquals(new AugmentCuda.Plan(1, 64, true, 3872 + 3 * 3072, 256, 0),
                AugmentCuda.plan(132, CIFAR.withWidth(1), 128, 32, 32, 0, false));
        // odd sizes: slots rounded up to 16 bytes
        assertEquals(new AugmentCuda.Plan(3, 64, true, 3 * 3872 + 7 * 112, 2, 0),
                AugmentCuda.plan(132, CIFAR, 1, 7, 5, 0, false));
    }

    @Test
    void largeImagesOrWideMixturesGoToGlobalScratch() {
        AugMixConfig inet = CIFAR.withMode(AugMixConfig.Mode.AUGMIX).withSeverity(1);
        long slot = 224L * 224 * 3;
        AugmentCuda.Plan p = AugmentCuda.plan(132, inet, 300, 224, 224, 0, false);
        assertEquals(new AugmentCuda.Plan(3, 256, false, 3 * 3872, 264, 264 * 7 * slot), p);
        assertEquals(new AugmentCuda.Plan(3, 256, false, 3 * 3872, 2, 2 * 7 * slot),
                AugmentCuda.plan(132, inet, 2, 224, 224, 0, false));
        // width 12 at 32x32: 16 slots of 3 KiB no longer fit
        AugmentCuda.Plan wide = AugmentCuda.plan(132, CIFAR.withWidth(12), 10, 32, 32, 0, false);
        assertEquals(false, wide.imagesInShared());
        assertEquals(20L * 16 * 3072, wide.scratchBytes());
        AugmentCuda.Plan forced = AugmentCuda.plan(132, CIFAR, 10, 32, 32, 0, true);
        assertEquals(new AugmentCuda.Plan(3, 64, false, 3 * 3872, 20, 20L * 7 * 3072), forced);
    }

    @Test
    void groupSizesAreCheckedAndBlocksBounded() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AugmentCuda.plan(132, CIFAR, 1, 32, 32, 48, false));
        assertTrue(e.getMessage().contains("multiple of 32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AugmentCuda.plan(132, CIFAR, 1, 32, 32, 1024, false));
        assertEquals(1, AugmentCuda.plan(132, CIFAR, 1, 32, 32, 512, false).groups());
        assertEquals(768, AugmentCuda.plan(132, CIFAR, 1, 32, 32, 256, false).blockThreads());
    }

    @Test
    void rotationTableHoldsPillowsCosSinForEveryRandomAngle() {
        int[] bits = AugmentCuda.rotationTableBits();
        assertEquals(4 * 61, bits.length);
        for (int deg = -30; deg <= 30; deg++) {
            for (int[] hw : new int[][] {{32, 32}, {224, 224}, {7, 5}}) {
                double[] m = PilOps.rotateMatrix(deg, hw[0], hw[1]);
                int o = 4 * (deg + 30);
                assertEquals(Double.doubleToRawLongBits(m[0]), (bits[o] & 0xFFFFFFFFL) | (long) bits[o + 1] << 32, "cos of " + deg);
                assertEquals(Double.doubleToRawLongBits(m[1]), (bits[o + 2] & 0xFFFFFFFFL) | (long) bits[o + 3] << 32, "sin of " + deg);
                assertEquals(-m[1], m[3], "d = -b");
                assertEquals(m[0], m[4], "e = a");
            }
        }
    }
}
