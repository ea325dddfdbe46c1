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

    /** contrast, gaussian_blur and zoom_blur (48x48 and 40x56) against NumPy/SciPy (tools/cifarc/golden_anysize.py). */
    @Test
    void imageNetCParametersMatchTheNumPyReference() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden/anysize");
        for (int[] hw : new int[][] {{48, 48}, {40, 56}}) {
            int h = hw[0], w = hw[1];
            byte[] in = java.nio.file.Files.readAllBytes(dir.resolve(h == w ? "in48.u8" : "in40x56.u8"));
            for (Corruption c : new Corruption[] {Corruption.CONTRAST, Corruption.GAUSSIAN_BLUR, Corruption.ZOOM_BLUR}) {
                for (int s : new int[] {1, 3, 5}) {
                    byte[] want = java.nio.file.Files.readAllBytes(dir.resolve(c.stem() + "_" + h + "x" + w + "_s" + s + ".u8"));
                    assertArrayEquals(want, ImageCorruptions.corrupt(in, h, w, c, s, 0L, 0), c + " " + h + "x" + w + " severity " + s);
                }
            }
        }
        assertTrue(ImageCorruptions.available(40, 56).contains(Corruption.ZOOM_BLUR), "zoom_blur works on non-square images too");
        assertTrue(ImageCorruptions.available(48, 48).contains(Corruption.ZOOM_BLUR));
    }

    /**
     * defocus_blur (48x48 and 40x56, severities 1..5) against OpenCV (tools/cifarc/golden_defocus.py): the
     * disk kernels to float32 rounding, the images within 1 (OpenCV's filter2D sums kernels this large by DFT,
     * whose last-bit differences can move a value across an integer before the truncation) and almost all exact.
     */
    @Test
    void defocusBlurMatchesOpenCv() throws java.io.IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden/anysize");
        for (int s = 1; s <= 5; s++) {
            java.nio.FloatBuffer want = java.nio.ByteBuffer.wrap(java.nio.file.Files.readAllBytes(dir.resolve("defocus_disk_s" + s + ".f32")))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] got = AnySize.disk(AnySize.DEFOCUS[s - 1][0], AnySize.DEFOCUS[s - 1][1]);
            assertEquals(want.remaining(), got.length, "disk size, severity " + s);
            for (int i = 0; i < got.length; i++) assertEquals(want.get(i), got[i], 2e-8, "disk severity " + s + " tap " + i);
        }
        int total = 0, off = 0;
        for (int[] hw : new int[][] {{48, 48}, {40, 56}}) {
            int h = hw[0], w = hw[1];
            byte[] in = java.nio.file.Files.readAllBytes(dir.resolve(h == w ? "in48.u8" : "in40x56.u8"));
            for (int s = 1; s <= 5; s++) {
                byte[] want = java.nio.file.Files.readAllBytes(dir.resolve("defocus_blur_" + h + "x" + w + "_s" + s + ".u8"));
                byte[] got = ImageCorruptions.corrupt(in, h, w, Corruption.DEFOCUS_BLUR, s, 0L, 0);
                assertEquals(want.length, got.length);
                for (int i = 0; i < got.length; i++) {
                    int d = Math.abs((want[i] & 255) - (got[i] & 255));
                    assertTrue(d <= 1, "defocus_blur " + h + "x" + w + " severity " + s + " value " + i + " differs by " + d);
                    if (d != 0) off++;
                }
                total += got.length;
            }
        }
        assertTrue(off <= total / 1000, off + " of " + total + " values off by one");
    }

    /** The corruptions ported to any size after the first 14 (zoom_blur: its non-square case), now all 19. */
    static final Corruption[] PORTED = {Corruption.DEFOCUS_BLUR, Corruption.ELASTIC_TRANSFORM, Corruption.ZOOM_BLUR,
            Corruption.SNOW, Corruption.SPATTER, Corruption.FROST};

    /** Smooth gradients plus fine pseudo-random texture (no period a blur could fall into step with). */
    static byte[] textured(int h, int w) { return textured(h, w, true); }

    static byte[] textured(int h, int w, boolean noisy) {
        byte[] p = new byte[h * w * 3];
        for (int i = 0; i < p.length; i++) {
            int y = i / 3 / w, x = i / 3 % w, c = i % 3;
            long z = (i + 1) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            int noise = noisy ? (int) ((z ^ (z >>> 31)) >>> 40) % 120 : 0;
            p[i] = (byte) (30 + (c == 0 ? x * 80 / w : c == 1 ? y * 80 / h : (x + y) * 40 / (h + w)) + noise);
        }
        return p;
    }

    /** Mean absolute change from the input over all values. */
    static double meanAbsChange(byte[] a, byte[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((a[i] & 255) - (b[i] & 255));
        return s / a.length;
    }

    /**
     * Each ported corruption on square, wide and tall images: a pure function of (seed, index), the input's
     * size, and stronger with each severity: the mean absolute change from the input, averaged over four seeds
     * for the random ones, grows. zoom_blur and elastic_transform move pixels, so they are measured on a smooth
     * picture, where the change follows the displacement: on fine texture the change saturates once pixels move
     * by more than one (elastic_transform), and zoom_blur's severity 3, which averages 11 zooms against severity
     * 2's 16, keeps more of the input. snow's severities 2 and 3 are equally strong in the ImageNet-C table
     * (thinner layer, higher threshold, larger flakes: within a few percent either way), so snow is checked as
     * 1 &lt; 2, 3 &lt; 4 &lt; 5. spatter draws few drops on a small image, so it is measured from 96 pixels up.
     * frost trades the image's weight for the frost's, whose change from the input depends on the input's
     * brightness: {@link #frostBlendsInTheFrostWithTheImageNetCWeights} checks its weights instead.
     */
    @Test
    void portedCorruptionsAtAnySize() {
        for (Corruption c : PORTED) {
            int[][] sizes = c == Corruption.SPATTER ? new int[][] {{128, 128}, {96, 160}, {150, 100}}
                    : new int[][] {{64, 64}, {40, 56}, {71, 45}};
            for (int[] hw : sizes) {
                int h = hw[0], w = hw[1];
                byte[] in = textured(h, w, c != Corruption.ZOOM_BLUR && c != Corruption.ELASTIC_TRANSFORM);
                assertTrue(ImageCorruptions.available(h, w).contains(c), c + " at " + h + "x" + w);
                int seeds = c.deterministic() ? 1 : 4;
                double[] m = new double[6];
                for (int s = 1; s <= 5; s++) {
                    for (long seed = 11; seed < 11 + seeds; seed++) {
                        byte[] a = ImageCorruptions.corrupt(in, h, w, c, s, seed, 3);
                        assertEquals(in.length, a.length);
                        assertArrayEquals(a, ImageCorruptions.corrupt(in, h, w, c, s, seed, 3), c + " is deterministic for a seed");
                        m[s] += meanAbsChange(in, a) / seeds;
                    }
                    RgbImage back = ImageCorruptions.corrupt(new RgbImage(h, w, in), c, s, 11L, 3);
                    assertEquals(h, back.height());
                    assertEquals(w, back.width());
                }
                String at = c + " " + h + "x" + w + " mean changes " + Arrays.toString(m);
                assertTrue(m[1] > 0, at);
                for (int s = 2; s <= 5 && c != Corruption.FROST; s++) {
                    if (c == Corruption.SNOW && s == 3) assertTrue(m[3] > m[1], at);
                    else if (c == Corruption.SNOW && s == 4) assertTrue(m[4] > m[3] && m[4] > m[2], at);
                    else assertTrue(m[s] > m[s - 1], at + ": severity " + s);
                }
                if (!c.deterministic()) {
                    assertFalse(Arrays.equals(ImageCorruptions.corrupt(in, h, w, c, 3, 11L, 3), ImageCorruptions.corrupt(in, h, w, c, 3, 12L, 3)),
                            c + ": another seed draws other noise");
                }
            }
        }
    }

    /**
     * frost is {@code clip(a x + b frost)}, (a, b) = (1,.4) (.8,.6) (.7,.7) (.65,.7) (.6,.75): the image's share a
     * falls with severity (two inputs 60 apart, same draws, differ by 60 a where nothing clips), the frost's share
     * b does not (on a black image the output is b frost: at most 255 b, and a frost of plausible brightness).
     */
    @Test
    void frostBlendsInTheFrostWithTheImageNetCWeights() {
        double[] a = {1, .8, .7, .65, .6}, b = {.4, .6, .7, .7, .75};
        for (int[] hw : new int[][] {{64, 64}, {40, 56}, {71, 45}, {3, 200}}) {
            int h = hw[0], w = hw[1], n = h * w * 3;
            byte[] lo = new byte[n], hi = new byte[n], black = new byte[n];
            byte[] t = textured(h, w, false);
            for (int i = 0; i < n; i++) {
                lo[i] = (byte) ((t[i] & 255) % 61);
                hi[i] = (byte) ((lo[i] & 255) + 60);
            }
            for (int s = 1; s <= 5; s++) {
                byte[] ol = ImageCorruptions.corrupt(lo, h, w, Corruption.FROST, s, 4L, 2);
                byte[] oh = ImageCorruptions.corrupt(hi, h, w, Corruption.FROST, s, 4L, 2);
                double diff = 0;
                int used = 0;
                for (int i = 0; i < n; i++) {
                    if ((oh[i] & 255) == 255) continue;
                    diff += (oh[i] & 255) - (ol[i] & 255);
                    used++;
                }
                assertTrue(used > n / 2, "frost " + h + "x" + w + " severity " + s + " clips most values");
                assertEquals(a[s - 1], diff / used / 60, 0.02, "frost " + h + "x" + w + " severity " + s + ": the image's weight");
                byte[] ob = ImageCorruptions.corrupt(black, h, w, Corruption.FROST, s, 4L, 2);
                double mean = 0;
                for (byte v : ob) {
                    assertTrue((v & 255) <= 255 * b[s - 1], "frost on black stays within b * 255");
                    mean += (v & 255) / (double) n;
                }
                assertTrue(mean / b[s - 1] > 50 && mean / b[s - 1] < 235, "frost " + h + "x" + w + " severity " + s + " frost mean " + mean / b[s - 1]);
            }
        }
    }

    /** Every corruption on images smaller than its kernels (1x1, a row, a column, 5x2): same size back, no NaN garbage. */
    @Test
    void tinyImages() {
        for (int[] hw : new int[][] {{1, 1}, {1, 7}, {9, 1}, {5, 2}}) {
            int h = hw[0], w = hw[1];
            byte[] in = textured(h, w);
            for (Corruption c : ImageCorruptions.available(h, w)) {
                for (int s = 1; s <= 5; s++) {
                    byte[] a = ImageCorruptions.corrupt(in, h, w, c, s, 2L, 0);
                    assertEquals(in.length, a.length, c + " " + h + "x" + w);
                    assertArrayEquals(a, ImageCorruptions.corrupt(in, h, w, c, s, 2L, 0), c + " " + h + "x" + w);
                }
            }
            // a 1-pixel frost field has no texture, only the style's colour and offset (not 0 from a 0/0)
            if (h * w == 1) assertTrue((ImageCorruptions.corrupt(new byte[3], 1, 1, Corruption.FROST, 5, 2L, 0)[1] & 255) > 0);
        }
    }

    @Test
    void bufferedImagesAndNamesAndErrors() {
        BufferedImage big = Images.toBgr(picture(40, 36));
        BufferedImage fog = ImageCorruptions.corrupt(big, "fog", 2, 3L);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, fog.getType());
        assertEquals(ImageCorruptions.corrupt(picture(40, 36), Corruption.FOG, 2, 3L, 0), Images.toRgb(fog));
        assertEquals(19, ImageCorruptions.available(40, 36).size(), "all 19 at any size");
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> ImageCorruptions.corrupt(new byte[10], 40, 36, Corruption.FROST, 1, 0L, 0)).getMessage().contains("bytes"));
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
