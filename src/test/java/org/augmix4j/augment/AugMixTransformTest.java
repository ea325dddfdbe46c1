package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.augmix4j.image.Images;
import org.augmix4j.image.RgbImage;
import org.junit.jupiter.api.Test;

/** The per-image transform against the batch/trace implementation, and its image kinds and threads. */
class AugMixTransformTest {
    static final int H = 20, W = 27;

    static RgbImage picture(int h, int w, int salt) {
        byte[] p = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                p[i] = (byte) (x * 9 + salt);
                p[i + 1] = (byte) (y * 11 + x * x);
                p[i + 2] = (byte) ((x ^ y) * 17 + salt * 3);
            }
        }
        return new RgbImage(h, w, p);
    }

    @Test
    void tensorFormIsBitForBitTheAugMixSampleView() {
        AugMixTransform t = AugMixTransform.builder().seed(42).severity(5).width(3).depth(-1).allOps(true).build();
        AugMixConfig cfg = AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX).withTrainTransform(false)
                .withSeverity(5).withAllOps(true);
        RgbImage img = picture(H, W, 1);
        for (int sample = 0; sample < 6; sample++) {
            for (int epoch : new int[] {0, 3}) {
                long i = (long) epoch << 32 | sample;
                float[] want = AugMix.sample(img.pixels(), H, W, sample, 42, epoch, cfg)[0];
                assertArrayEquals(want, t.toTensor(img, i), "sample " + sample + " epoch " + epoch);
            }
        }
        // the same written into a caller's buffer at an offset
        float[] buf = new float[3 * H * W + 5];
        t.toTensor(img.pixels(), H, W, 2, buf, 5);
        assertArrayEquals(t.toTensor(img, 2), Arrays.copyOfRange(buf, 5, buf.length));
        assertThrows(IllegalArgumentException.class, () -> t.toTensor(img.pixels(), H, W, 2, buf, 6));
        // and the three JSD views are the JSD sample's images
        float[][] jsd = AugMix.sample(img.pixels(), H, W, 7, 42, 0, cfg.withMode(AugMixConfig.Mode.JSD));
        float[][] got = t.jsdViews(img, 7);
        for (int v = 0; v < 3; v++) assertArrayEquals(jsd[v], got[v], "view " + v);
        assertFalse(Arrays.equals(got[1], got[2]), "the two AugMix views are independent draws");
    }

    @Test
    void sampleEqualsTheTraceOutputs() {
        AugMixConfig cfg = AugMixConfig.defaults();
        RgbImage img = picture(32, 32, 5);
        float[][] a = AugMix.sample(img.pixels(), 32, 32, 3, 9, 1, cfg);
        float[][] b = AugMix.trace(img.pixels(), 32, 32, 3, 9, 1, cfg).outputs();
        for (int v = 0; v < 3; v++) assertArrayEquals(b[v], a[v]);
    }

    @Test
    void uint8FormIsTheTensorFormRounded() {
        AugMixTransform t = AugMixTransform.builder().seed(3).build();
        RgbImage img = picture(H, W, 2);
        int changed = 0;
        for (long i = 0; i < 5; i++) {
            RgbImage out = t.apply(img, i);
            float[] f = t.toTensor(img, i);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    for (int c = 0; c < 3; c++) {
                        float unit = f[c * H * W + y * W + x] * 0.5f + 0.5f; // back to 0..1
                        assertEquals(unit * 255f, out.get(y, x, c), 0.5f + 1e-3f);
                        if (out.get(y, x, c) != img.get(y, x, c)) changed++;
                    }
                }
            }
        }
        assertTrue(changed > 1000, "AugMix changed only " + changed + " values");
    }

    @Test
    void customMeanAndStdNormaliseTheSameMix() {
        float[] mean = {0.485f, 0.456f, 0.406f}, std = {0.229f, 0.224f, 0.225f};
        AugMixTransform half = AugMixTransform.builder().seed(8).build();
        AugMixTransform inet = AugMixTransform.builder().seed(8).normalize(mean, std).build();
        RgbImage img = picture(H, W, 4);
        float[] a = half.toTensor(img, 11), b = inet.toTensor(img, 11);
        for (int c = 0, hw = H * W; c < 3; c++) {
            for (int q = 0; q < hw; q++) {
                float unit = a[c * hw + q] * 0.5f + 0.5f;
                assertEquals((unit - mean[c]) / std[c], b[c * hw + q], 1e-4f);
            }
        }
        float[] clean = inet.normalize(img.pixels(), H, W);
        assertEquals((img.get(2, 3, 1) / 255f - mean[1]) / std[1], clean[H * W + 2 * W + 3], 1e-6f);
    }

    @Test
    void bufferedImagesComeBackAsTheSameKind() {
        AugMixTransform t = AugMixTransform.builder().seed(1).severity(6).build();
        RgbImage rgb = picture(H, W, 9);
        // grey: stays grey (the ops and the mix keep R = G = B)
        BufferedImage grey = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) grey.getRaster().setSample(x, y, 0, rgb.get(y, x, 1));
        for (long i = 0; i < 4; i++) {
            BufferedImage g = t.apply(grey, i);
            assertEquals(BufferedImage.TYPE_BYTE_GRAY, g.getType());
            RgbImage viaRgb = t.apply(Images.toRgb(grey), i);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    assertEquals(viaRgb.get(y, x, 0), viaRgb.get(y, x, 2), "grey stays grey");
                    assertEquals(viaRgb.get(y, x, 0), g.getRaster().getSample(x, y, 0));
                }
            }
        }
        // ARGB: alpha untouched, colours augmented
        BufferedImage argb = new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) argb.setRGB(x, y, 0xFF << 24 | rgb.get(y, x, 0) << 16 | rgb.get(y, x, 1) << 8 | rgb.get(y, x, 2));
        }
        argb.setRGB(5, 6, 0x33_00_00_00 | (argb.getRGB(5, 6) & 0xFFFFFF));
        BufferedImage a = t.apply(argb, 2);
        assertEquals(BufferedImage.TYPE_INT_ARGB, a.getType());
        assertEquals(0x33, a.getRGB(5, 6) >>> 24);
        assertEquals(0xFF, a.getRGB(0, 0) >>> 24);
        assertEquals(t.apply(rgb, 2), Images.toRgb(a));
        // palette: comes back as 8-bit RGB
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int k = 0; k < 256; k++) { r[k] = (byte) k; g[k] = (byte) (255 - k); b[k] = (byte) (k * 3); }
        BufferedImage pal = new BufferedImage(W, H, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, b));
        for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) pal.getRaster().setSample(x, y, 0, (x * 7 + y * 3) & 255);
        BufferedImage pOut = t.apply(pal, 0);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, pOut.getType());
        assertEquals(t.apply(Images.toRgb(pal), 0), Images.toRgb(pOut));
    }

    @Test
    void resultsDependOnlyOnTheDrawIndexWhateverThreadRunsThem() throws Exception {
        AugMixTransform t = AugMixTransform.builder().seed(77).build();
        List<RgbImage> imgs = new ArrayList<>();
        for (int k = 0; k < 24; k++) imgs.add(picture(k % 2 == 0 ? 32 : 24, 32, k));
        List<RgbImage> seq = new ArrayList<>();
        for (int k = 0; k < imgs.size(); k++) seq.add(t.apply(imgs.get(k), k));
        ExecutorService ex = Executors.newFixedThreadPool(4);
        try {
            List<Future<RgbImage>> fs = new ArrayList<>();
            for (int k = imgs.size() - 1; k >= 0; k--) {
                final int kk = k;
                fs.add(ex.submit(() -> t.apply(imgs.get(kk), kk)));
            }
            for (int k = 0; k < imgs.size(); k++) assertEquals(seq.get(imgs.size() - 1 - k), fs.get(k).get());
        } finally {
            ex.shutdown();
        }
        // the counter form: consecutive indices from 0
        AugMixTransform c = AugMixTransform.builder().seed(77).build();
        assertEquals(seq.get(0), c.apply(imgs.get(0)));
        assertEquals(seq.get(1), c.apply(imgs.get(1)));
    }

    @Test
    void badParametersAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AugMixTransform.builder().severity(11).build())
                .getMessage().contains("severity"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AugMixTransform.builder().alpha(0).build())
                .getMessage().contains("alpha"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> AugMixTransform.builder().normalize(new float[] {0, 0, 0}, new float[] {1, 0, 1}))
                .getMessage().contains("std"));
        AugMixTransform t = AugMixTransform.builder().build();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> t.apply(new byte[10], 2, 2, 0))
                .getMessage().contains("2x2x3"));
    }
}
