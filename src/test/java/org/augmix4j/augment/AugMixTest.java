package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;

class AugMixTest {

    static ImageBatch randomSet(int n, int h, int w, long seed) {
        byte[] px = new byte[n * h * w * 3];
        new Random(seed).nextBytes(px);
        return new ImageBatch(px, n, h, w, 3);
    }

    @Test
    void normalisation() {
        assertEquals(-1f, AugMix.normalize(0));
        assertEquals(1f, AugMix.normalize(255));
        assertEquals(((float) 77 / 255f - 0.5f) / 0.5f, AugMix.normalize(77));
    }

    @Test
    void trainTransformIsFlipThenPadCrop() {
        int h = 5, w = 7;
        byte[] img = new byte[h * w * 3];
        for (int i = 0; i < img.length; i++) img[i] = (byte) (i + 1);
        for (boolean flip : new boolean[] {false, true})
            for (int top = 0; top <= 8; top += 4)
                for (int left = 0; left <= 8; left += 3) {
                    byte[] out = new byte[img.length];
                    AugMix.trainTransform(img, 0, h, w, new Philox.Crop(flip, top, left), out);
                    // reference: flip, pad 4 with zeros to (h+8) x (w+8), crop at (top, left)
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                            for (int c = 0; c < 3; c++) {
                                int py = y + top - 4, pxx = x + left - 4;
                                int want = 0;
                                if (py >= 0 && py < h && pxx >= 0 && pxx < w) {
                                    int sx = flip ? w - 1 - pxx : pxx;
                                    want = img[(py * w + sx) * 3 + c];
                                }
                                assertEquals(want, out[(y * w + x) * 3 + c]);
                            }
                }
    }

    @Test
    void mixingFollowsTheOfficialOrder() {
        ImageBatch set = randomSet(1, 32, 32, 1);
        AugMixConfig cfg = AugMixConfig.defaults().withAllOps(true);
        AugMix.SampleTrace t = AugMix.trace(set, 0, 9, 5L, 2, cfg);
        assertEquals(3, t.outputs().length);
        assertEquals(2, t.views().size());
        for (int v = 0; v < 2; v++) {
            AugMix.ViewTrace vt = t.views().get(v);
            AugMix.ViewProgram p = vt.program();
            assertEquals(v + 1, p.view());
            // chain images are the ops applied in order to the transformed input
            for (int i = 0; i < 3; i++) {
                byte[] cur = t.input();
                for (AugMix.Step st : p.chains().get(i).steps()) cur = st.op().apply(cur, 32, 32, st.param());
                assertArrayEquals(cur, vt.chainImages().get(i), "chain " + i);
            }
            float[] out = t.outputs()[v + 1];
            for (int c = 0; c < 3; c++)
                for (int q = 0; q < 1024; q++) {
                    float mix = 0f;
                    for (int i = 0; i < 3; i++) mix += p.w()[i] * AugMix.normalize(vt.chainImages().get(i)[q * 3 + c]);
                    float want = (1f - p.m()) * AugMix.normalize(t.input()[q * 3 + c]) + p.m() * mix;
                    assertEquals(want, out[c * 1024 + q]);
                }
            assertArrayEquals(out, AugMix.augmentAndMix(t.input(), 32, 32, p));
        }
        for (int q = 0; q < 3072; q++) {
            int c = q / 1024, p = q % 1024;
            assertEquals(AugMix.normalize(t.input()[p * 3 + c]), t.outputs()[0][q]);
        }
    }

    @Test
    void modesShareTheirDraws() {
        ImageBatch set = randomSet(4, 32, 32, 2);
        int[] idx = {3, 1, 2};
        AugMixConfig jsd = AugMixConfig.defaults();
        float[] a = new float[(int) AugMix.outputSize(jsd, 3, 32, 32)];
        AugMix.sampleBatch(set, idx, 9L, 1, jsd, a);
        float[] b = new float[3 * 3072], c = new float[3 * 3072];
        AugMix.sampleBatch(set, idx, 9L, 1, jsd.withMode(AugMixConfig.Mode.AUGMIX), b);
        AugMix.sampleBatch(set, idx, 9L, 1, jsd.withMode(AugMixConfig.Mode.NONE), c);
        assertArrayEquals(Arrays.copyOfRange(a, 3 * 3072, 6 * 3072), b, "no-JSD view = JSD view 1");
        assertArrayEquals(Arrays.copyOfRange(a, 0, 3 * 3072), c, "no-AugMix = JSD clean view");
        for (float v : a) assertTrue(v >= -1f - 1e-6f && v <= 1f + 1e-6f && !Float.isNaN(v));
    }

    @Test
    void resultIndependentOfThreadCountAndSeededByIndex() {
        ImageBatch set = randomSet(16, 32, 32, 3);
        int[] idx = new int[16];
        for (int i = 0; i < 16; i++) idx[i] = 15 - i;
        AugMixConfig cfg = AugMixConfig.defaults();
        float[] one = new float[(int) AugMix.outputSize(cfg, 16, 32, 32)], many = one.clone();
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            AugMix.sampleBatch(set, idx, 1L, 0, cfg, one);
            Parallel.setThreads(4);
            AugMix.sampleBatch(set, idx, 1L, 0, cfg, many);
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(one, many);
        // randomness follows the sample index, not the batch position
        float[] single = new float[(int) AugMix.outputSize(cfg, 1, 32, 32)];
        AugMix.sampleBatch(set, new int[] {idx[5]}, 1L, 0, cfg, single);
        for (int v = 0; v < 3; v++) {
            float[] got = Arrays.copyOfRange(one, (v * 16 + 5) * 3072, (v * 16 + 6) * 3072);
            assertArrayEquals(Arrays.copyOfRange(single, v * 3072, (v + 1) * 3072), got);
        }
        float[] otherEpoch = one.clone(), otherSeed = one.clone();
        AugMix.sampleBatch(set, idx, 1L, 1, cfg, otherEpoch);
        AugMix.sampleBatch(set, idx, 2L, 0, cfg, otherSeed);
        assertFalse(Arrays.equals(one, otherEpoch));
        assertFalse(Arrays.equals(one, otherSeed));
    }

    @Test
    void worksOn224AndNonSquareImages() {
        for (int[] hw : new int[][] {{224, 224}, {24, 40}, {3, 3}}) {
            ImageBatch set = randomSet(2, hw[0], hw[1], 4);
            AugMixConfig cfg = AugMixConfig.defaults().withAllOps(true).withSeverity(10);
            float[] out = new float[(int) AugMix.outputSize(cfg, 2, hw[0], hw[1])];
            AugMix.sampleBatch(set, new int[] {0, 1}, 3L, 0, cfg, out);
            for (float v : out) assertTrue(Float.isFinite(v) && Math.abs(v) <= 1.0001f);
        }
    }

    @Test
    void fixedDepthAndWidth() {
        AugMixConfig cfg = AugMixConfig.defaults().withWidth(5).withDepth(4);
        AugMix.ViewProgram p = AugMix.program(1L, 0, 0, 1, cfg, 32, 32);
        assertEquals(5, p.w().length);
        assertEquals(5, p.chains().size());
        for (AugMix.Chain c : p.chains()) assertEquals(4, c.depth());
    }

    @Test
    void badInputGivesClearErrors() {
        ImageBatch rgb = randomSet(2, 8, 8, 5);
        AugMixConfig cfg = AugMixConfig.defaults();
        float[] out = new float[(int) AugMix.outputSize(cfg, 2, 8, 8)];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AugMix.sampleBatch(rgb, new int[0], 1L, 0, cfg, out));
        assertTrue(e.getMessage().contains("empty batch"), e.getMessage());
        ImageBatch grey = new ImageBatch(new byte[2 * 64], 2, 8, 8, 1);
        e = assertThrows(IllegalArgumentException.class, () -> AugMix.sampleBatch(grey, new int[] {0}, 1L, 0, cfg, out));
        assertTrue(e.getMessage().contains("RGB") && e.getMessage().contains("replicate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugMix.sampleBatch(rgb, new int[] {0, 2}, 1L, 0, cfg, out));
        assertTrue(e.getMessage().contains("sample index 2 at batch position 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugMix.sampleBatch(rgb, new int[] {0, 1}, 1L, 0, cfg, new float[10]));
        assertTrue(e.getMessage().contains("output buffer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AugMix.trace(new byte[10], 2, 2, 0, 1L, 0, cfg));
        assertTrue(e.getMessage().contains("not RGB"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cfg.withAlpha(0));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cfg.withSeverity(11));
        assertTrue(e.getMessage().contains("severity"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> cfg.withWidth(0));
        assertTrue(e.getMessage().contains("width"), e.getMessage());
    }
}
