package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import org.augmix4j.image.Images;
import org.augmix4j.image.RgbImage;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;

/** The per-image corruption API: CIFAR-exact at 32x32, ImageNet-C parameters at other sizes. */
class ImageCorruptionsTest {
    static RgbImage picture(int h, int w) {
        byte[] p = new byte[h * w * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = 3 * (y * w + x);
                p[i] = (byte) (40 + x * 150 / w);
                p[i + 1] = (byte) (60 + y * 120 / h);
                p[i + 2] = (byte) ((x / 4 + y / 4) % 2 == 0 ? 200 : 30);
            }
        }
        return new RgbImage(h, w, p);
    }

    @Test
    void at32x32ItIsTheCifarBatchPathImageByImage() {
        int count = 3;
        byte[] all = new byte[count * 3072];
        for (int k = 0; k < count; k++) {
            byte[] p = picture(32, 32).pixels();
            for (int i = 0; i < p.length; i++) all[k * 3072 + i] = (byte) (p[i] + 13 * k);
        }
        ImageBatch batch = new ImageBatch(all, count, 32, 32, 3);
        for (Corruption c : Corruption.values()) {
            ImageBatch want = Corruptions.corrupt(batch, c.stem(), 3, 99L);
            for (int k = 0; k < count; k++) {
                byte[] img = Arrays.copyOfRange(all, k * 3072, (k + 1) * 3072);
                byte[] got = ImageCorruptions.corrupt(img, 32, 32, c, 3, 99L, k);
                assertArrayEquals(Arrays.copyOfRange(want.pixels(), k * 3072, (k + 1) * 3072), got, c.stem() + " image " + k);
            }
        }
        assertEquals(19, ImageCorruptions.available(32, 32).size());
    }

    @Test
    void otherSizesUseTheImageNetCParameters() {
        RgbImage img = picture(45, 61);
        assertFalse(ImageCorruptions.cifarParameters(45, 61));
        for (Corruption c : ImageCorruptions.available(45, 61)) {
            int changedAtMost = -1;
            for (int s = 1; s <= 5; s++) {
                RgbImage a = ImageCorruptions.corrupt(img, c, s, 5L, 7);
                assertEquals(a, ImageCorruptions.corrupt(img, c, s, 5L, 7), c + " is a pure function of (seed, index)");
                int changed = 0;
                for (int i = 0; i < a.pixels().length; i++) if (a.pixels()[i] != img.pixels()[i]) changed++;
                assertTrue(changed > 0, c + " severity " + s + " changed nothing");
                changedAtMost = Math.max(changedAtMost, changed);
            }
            if (!c.deterministic()) {
                assertFalse(ImageCorruptions.corrupt(img, c, 3, 5L, 7).equals(ImageCorruptions.corrupt(img, c, 3, 5L, 8)),
                        c + ": another image index draws other noise");
            }
        }
        // contrast by its formula, ImageNet-C c = 0.2 at severity 3: (x - mean) * 0.2 + mean, truncated
        RgbImage k = ImageCorruptions.corrupt(img, Corruption.CONTRAST, 3, 0L, 0);
        double sum = 0;
        for (int p = 0; p < 45 * 61; p++) sum += img.get(p / 61, p % 61, 0) / 255.0;
        double mean = sum / (45 * 61), x = img.get(10, 20, 0) / 255.0;
        assertEquals((int) (((x - mean) * 0.2 + mean) * 255), k.get(10, 20, 0));
        // gaussian noise at ImageNet-C strength (sigma 0.18 at severity 3) is visibly stronger than CIFAR's (0.08)
        RgbImage flat = new RgbImage(64, 64, filled(64 * 64 * 3, 128));
        assertEquals(0.18 * 255, std(ImageCorruptions.corrupt(flat, Corruption.GAUSSIAN_NOISE, 3, 1L, 0)), 0.18 * 255 * 0.05);
        RgbImage flat32 = new RgbImage(32, 32, filled(32 * 32 * 3, 128));
        assertEquals(0.08 * 255, std(ImageCorruptions.corrupt(flat32, Corruption.GAUSSIAN_NOISE, 3, 1L, 0)), 0.08 * 255 * 0.1);
    }

    /** contrast, gaussian_blur (48x48 and 40x56) and zoom_blur (48x48) against NumPy/SciPy (tools/cifarc/golden_anysize.py). */
    @Test
    void imageNetCParametersMatchTheNumPyReference() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden/anysize");
        for (int[] hw : new int[][] {{48, 48}, {40, 56}}) {
            int h = hw[0], w = hw[1];
            byte[] in = java.nio.file.Files.readAllBytes(dir.resolve(h == w ? "in48.u8" : "in40x56.u8"));
            for (Corruption c : h == w ? new Corruption[] {Corruption.CONTRAST, Corruption.GAUSSIAN_BLUR, Corruption.ZOOM_BLUR}
                    : new Corruption[] {Corruption.CONTRAST, Corruption.GAUSSIAN_BLUR}) {
                for (int s : new int[] {1, 3, 5}) {
                    byte[] want = java.nio.file.Files.readAllBytes(dir.resolve(c.stem() + "_" + h + "x" + w + "_s" + s + ".u8"));
                    assertArrayEquals(want, ImageCorruptions.corrupt(in, h, w, c, s, 0L, 0), c + " " + h + "x" + w + " severity " + s);
                }
            }
        }
        assertFalse(ImageCorruptions.available(40, 56).contains(Corruption.ZOOM_BLUR), "zoom_blur needs a square image");
        assertTrue(ImageCorruptions.available(48, 48).contains(Corruption.ZOOM_BLUR));
    }

    @Test
    void bufferedImagesAndNamesAndErrors() {
        BufferedImage big = Images.toBgr(picture(40, 36));
        BufferedImage fog = ImageCorruptions.corrupt(big, "fog", 2, 3L);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, fog.getType());
        assertEquals(ImageCorruptions.corrupt(picture(40, 36), Corruption.FOG, 2, 3L, 0), Images.toRgb(fog));
        String m = assertThrows(IllegalArgumentException.class,
                () -> ImageCorruptions.corrupt(picture(40, 36), Corruption.FROST, 1, 0L, 0)).getMessage();
        assertTrue(m.contains("frost") && m.contains("40x36") && m.contains("gaussian_noise"), m);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageCorruptions.corrupt(big, "fgo", 1, 0L))
                .getMessage().contains("valid names"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ImageCorruptions.corrupt(picture(32, 32), Corruption.FOG, 6, 0L, 0)).getMessage().contains("1..5"));
    }

    static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    static double std(RgbImage img) {
        double s = 0, s2 = 0;
        int n = img.pixels().length;
        for (byte b : img.pixels()) {
            s += b & 255;
            s2 += (b & 255) * (double) (b & 255);
        }
        double mu = s / n;
        return Math.sqrt(s2 / n - mu * mu);
    }
}
