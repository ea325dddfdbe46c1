package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Op semantics beyond the goldens: fast paths equal the generic formula, tiny images, parameters, errors. */
class AugOpsTest {

    static byte[] randomImage(Random r, int h, int w) {
        byte[] b = new byte[h * w * 3];
        r.nextBytes(b);
        return b;
    }

    static byte[] generic(byte[] src, int h, int w, double a, double b, double c, double d, double e, double f) {
        byte[] out = new byte[src.length];
        PilOps.affine(src, 0, out, 0, h, w, a, b, c, d, e, f);
        return out;
    }

    @Test
    void fastPathsEqualGenericAffine() {
        Random r = new Random(7);
        int[][] sizes = {{32, 32}, {1, 1}, {1, 5}, {4, 1}, {2, 3}, {7, 13}, {24, 40}};
        for (int[] hw : sizes) {
            int h = hw[0], w = hw[1];
            for (int t = 0; t < 40; t++) {
                byte[] img = randomImage(r, h, w);
                double s = (r.nextDouble() - 0.5) * (t < 20 ? 0.6 : 4);
                assertArrayEquals(generic(img, h, w, 1, s, 0, 0, 1, 0), Op.SHEAR_X.apply(img, h, w, s), "shear_x " + s);
                assertArrayEquals(generic(img, h, w, 1, 0, 0, s, 1, 0), Op.SHEAR_Y.apply(img, h, w, s), "shear_y " + s);
                int tx = r.nextInt(2 * w + 3) - w - 1, ty = r.nextInt(2 * h + 3) - h - 1;
                assertArrayEquals(generic(img, h, w, 1, 0, tx, 0, 1, 0), Op.TRANSLATE_X.apply(img, h, w, tx), "tx " + tx);
                assertArrayEquals(generic(img, h, w, 1, 0, 0, 0, 1, ty), Op.TRANSLATE_Y.apply(img, h, w, ty), "ty " + ty);
                double deg = (r.nextDouble() - 0.5) * 90;
                double[] m = PilOps.rotateMatrix(deg, h, w);
                assertArrayEquals(generic(img, h, w, m[0], m[1], m[2], m[3], m[4], m[5]), Op.ROTATE.apply(img, h, w, deg), "rot " + deg);
            }
        }
    }

    @Test
    void cachedRotationPlansEqualGenericAffine() {
        Random r = new Random(8);
        for (int[] hw : new int[][] {{32, 32}, {24, 40}, {5, 3}}) {
            int h = hw[0], w = hw[1];
            byte[] img = randomImage(r, h, w);
            for (int deg = -45; deg <= 45; deg++) {
                double[] m = PilOps.rotateMatrix(deg, h, w);
                byte[] want = deg % 360 == 0 ? img : generic(img, h, w, m[0], m[1], m[2], m[3], m[4], m[5]);
                assertArrayEquals(want, Op.ROTATE.apply(img, h, w, deg), "rotate " + deg + " on " + h + "x" + w);
            }
        }
    }

    @Test
    void equalizeLutEqualsPillowsFormula() {
        Random r = new Random(9);
        for (int t = 0; t < 300; t++) {
            int[] hist = new int[256];
            int levels = 1 + r.nextInt(t % 3 == 0 ? 4 : 256);
            int scale = t % 5 == 0 ? 1_000_000 : 50;
            for (int k = 0; k < levels; k++) hist[r.nextInt(256)] += 1 + r.nextInt(scale);
            byte[] lut = new byte[256];
            PilOps.equalizeLut(hist, 0, lut, 0);
            // ImageOps.equalize, literally
            long total = 0, last = 0;
            int nz = 0;
            for (int c : hist) if (c != 0) { nz++; total += c; last = c; }
            long step = nz <= 1 ? 0 : (total - last) / 255;
            long n = step / 2;
            for (int i = 0; i < 256; i++) {
                long want = step == 0 ? i : Math.min(255, n / step);
                assertEquals(want, lut[i] & 0xFF, "entry " + i);
                n += hist[i];
            }
        }
    }

    @Test
    void integerShiftMovesContent() {
        Random r = new Random(3);
        byte[] img = randomImage(r, 8, 8);
        byte[] out = Op.TRANSLATE_X.apply(img, 8, 8, 2);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++)
                for (int c = 0; c < 3; c++) {
                    int want = x + 2 < 8 ? img[(y * 8 + x + 2) * 3 + c] : 0;
                    assertEquals(want, out[(y * 8 + x) * 3 + c], "positive t moves content left");
                }
        out = Op.TRANSLATE_Y.apply(img, 8, 8, -3);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++) {
                int want = y - 3 >= 0 ? img[((y - 3) * 8 + x) * 3] : 0;
                assertEquals(want, out[(y * 8 + x) * 3], "negative t moves content down");
            }
    }

    @Test
    void rotateFastPathsAndIdentity() {
        Random r = new Random(5);
        byte[] img = randomImage(r, 6, 6);
        assertArrayEquals(img, Op.ROTATE.apply(img, 6, 6, 0));
        assertArrayEquals(img, Op.ROTATE.apply(img, 6, 6, 360));
        assertArrayEquals(img, Op.ROTATE.apply(img, 6, 6, -720));
        byte[] r90 = Op.ROTATE.apply(img, 6, 6, 90);
        assertArrayEquals(img, Op.ROTATE.apply(Op.ROTATE.apply(r90, 6, 6, -90), 6, 6, 0));
        assertArrayEquals(Op.ROTATE.apply(r90, 6, 6, 90), Op.ROTATE.apply(img, 6, 6, 180));
        // counter-clockwise: the top-right pixel goes to the top-left corner
        for (int c = 0; c < 3; c++) assertEquals(img[(5) * 3 + c], r90[c]);
        assertEquals(0.0, PilOps.pyMod360(-0.0));
        assertEquals(355.0, PilOps.pyMod360(-5));
        assertEquals(0.5, PilOps.pyMod360(360.5));
        assertEquals(0.087155742747658, PilOps.rotateMatrix(5, 32, 32)[3]);
        assertEquals(1.4553767144945926, PilOps.rotateMatrix(5, 32, 32)[2]);
    }

    @Test
    void everyOpHandlesTinyAndOddImages() {
        Random r = new Random(11);
        for (int[] hw : new int[][] {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 3}, {5, 2}, {31, 17}}) {
            byte[] img = randomImage(r, hw[0], hw[1]);
            for (Op op : Op.values()) {
                double p = switch (op) {
                    case POSTERIZE -> 3;
                    case SOLARIZE -> 128;
                    case ROTATE -> 13;
                    case SHEAR_X, SHEAR_Y -> 0.2;
                    case TRANSLATE_X, TRANSLATE_Y -> 1.5;
                    default -> 0.4;
                };
                assertEquals(img.length, op.apply(img, hw[0], hw[1], p).length);
            }
            // sharpness on images with no interior pixel: the SMOOTH image is the image
            if (hw[0] < 3 || hw[1] < 3) assertArrayEquals(img, Op.SHARPNESS.apply(img, hw[0], hw[1], 0.0));
        }
    }

    @Test
    void lutAndEnhanceSemantics() {
        byte[] img = {0, (byte) 127, (byte) 255, 10, 20, 30};
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0}, Op.POSTERIZE.apply(img, 1, 2, 0));
        assertArrayEquals(img, Op.POSTERIZE.apply(img, 1, 2, 8));
        assertArrayEquals(new byte[] {0, 96, (byte) 224, 0, 0, 0}, Op.POSTERIZE.apply(img, 1, 2, 3));
        assertArrayEquals(img, Op.SOLARIZE.apply(img, 1, 2, 256));
        assertArrayEquals(new byte[] {(byte) 255, (byte) 128, 0, (byte) 245, (byte) 235, (byte) 225}, Op.SOLARIZE.apply(img, 1, 2, 0));
        assertArrayEquals(img, Op.COLOR.apply(img, 1, 2, 1.0));
        assertArrayEquals(new byte[6], Op.BRIGHTNESS.apply(img, 1, 2, 0.0));
        // Pillow >= 7 grey: round half up of the 16-bit weighted sum
        assertEquals(76, PilOps.luma(255, 0, 0));
        assertEquals(150, PilOps.luma(0, 255, 0));
        assertEquals(29, PilOps.luma(0, 0, 255));
        // extrapolation clips, interpolation truncates
        assertEquals(255, PilOps.blend(0, 200, 1.5f));
        assertEquals(0, PilOps.blend(200, 0, 1.5f));
        assertEquals(99, PilOps.blend(0, 199, 0.5f));
    }

    @Test
    void paramFromLevelFollowsAugmentationsPy() {
        assertEquals(4, Op.POSTERIZE.paramFromLevel(2.4999, false, 32, 32));
        assertEquals(3, Op.POSTERIZE.paramFromLevel(2.5, false, 32, 32));
        assertEquals(-8, Op.ROTATE.paramFromLevel(2.99, true, 32, 32));
        assertEquals(0, Op.ROTATE.paramFromLevel(0.3, false, 32, 32));
        assertEquals(256 - 76, Op.SOLARIZE.paramFromLevel(2.99, true, 32, 32), "solarize has no sign");
        assertEquals(-0.0897, Op.SHEAR_X.paramFromLevel(2.99, true, 32, 32), 1e-15);
        assertEquals(3, Op.TRANSLATE_X.paramFromLevel(2.99, false, 32, 32));
        assertEquals(2, Op.TRANSLATE_X.paramFromLevel(2.8124, false, 32, 32));
        assertEquals(22, Op.TRANSLATE_Y.paramFromLevel(2.99, false, 224, 32), "translate_y uses the height");
        assertEquals(2.99 * 1.8 / 10 + 0.1, Op.COLOR.paramFromLevel(2.99, true, 32, 32), "enhance has no sign");
        assertEquals(0.0, Op.EQUALIZE.paramFromLevel(2.99, true, 32, 32));
    }

    @Test
    void badInputGivesClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Op.byName("blur"));
        assertTrue(e.getMessage().contains("unknown op 'blur'") && e.getMessage().contains("shear_x"), e.getMessage());
        assertEquals(Op.SHEAR_X, Op.byName("Shear-X"));
        byte[] img = new byte[12];
        e = assertThrows(IllegalArgumentException.class, () -> Op.POSTERIZE.apply(img, 2, 2, 9));
        assertTrue(e.getMessage().contains("posterize") && e.getMessage().contains("0..8"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Op.POSTERIZE.apply(img, 2, 2, 2.5));
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Op.SOLARIZE.apply(img, 2, 2, 300));
        assertTrue(e.getMessage().contains("0..256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Op.ROTATE.apply(img, 2, 2, Double.NaN));
        assertTrue(e.getMessage().contains("rotate"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Op.COLOR.apply(img, 2, 2, -1));
        assertTrue(e.getMessage().contains("enhance factor"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Op.COLOR.apply(new byte[16], 2, 2, 1));
        assertTrue(e.getMessage().contains("h*w*3"), e.getMessage());
        Op.AUTOCONTRAST.apply(img, 2, 2, Double.NaN); // parameter ignored
    }
}
