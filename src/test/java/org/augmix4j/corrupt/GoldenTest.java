package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The corruptions that the original generator computed without random numbers against the
 * reference outputs of tools/cifarc/golden_corrupt.py (SciPy / scikit-image / OpenCV / Pillow /
 * ImageMagick): bit for bit, or within one grey level where the reference's libraries round
 * differently; plus motion blur at fixed angles against ImageMagick itself.
 */
class GoldenTest {
    static final int IMG = 3072;

    static byte[] resource(String name) throws IOException {
        try (InputStream in = GoldenTest.class.getResourceAsStream("/golden/corrupt/" + name)) {
            assertNotNull(in, "missing test resource golden/corrupt/" + name + " (run tools/cifarc/golden_corrupt.py)");
            return in.readAllBytes();
        }
    }

    static ImageBatch inputs() throws IOException {
        byte[] px = resource("inputs.u8");
        return new ImageBatch(px, px.length / IMG, 32, 32, 3);
    }

    /** Per-severity [exact-mismatch count, max |diff|]. */
    static int[] compare(byte[] got, byte[] want, int off, int len) {
        int mism = 0, max = 0;
        for (int i = 0; i < len; i++) {
            int d = Math.abs((got[i] & 255) - (want[off + i] & 255));
            if (d != 0) mism++;
            max = Math.max(max, d);
        }
        return new int[] {mism, max};
    }

    @ParameterizedTest
    @ValueSource(strings = {"brightness", "contrast", "saturate", "pixelate", "jpeg_compression", "defocus_blur",
            "gaussian_blur", "zoom_blur"})
    void deterministicCorruptionsMatchReference(String name) throws IOException {
        ImageBatch in = inputs();
        byte[] want = resource(name + ".u8");
        int n = in.count();
        assertEquals(5L * n * IMG, want.length);
        StringBuilder report = new StringBuilder(name + ":");
        int worst = 0;
        for (int s = 1; s <= 5; s++) {
            // the seed must not matter for a deterministic corruption
            ImageBatch a = Corruptions.corrupt(in, name, s, 1L), b = Corruptions.corrupt(in, name, s, 99L);
            assertTrue(java.util.Arrays.equals(a.pixels(), b.pixels()), name + " depends on the seed");
            int[] r = compare(a.pixels(), want, (s - 1) * n * IMG, n * IMG);
            report.append(String.format(" s%d %d/%d off (max %d)", s, r[0], n * IMG, r[1]));
            worst = Math.max(worst, r[1]);
        }
        System.out.println(report);
        assertTrue(worst <= 1, report.toString());
    }

    @Test
    void motionBlurMatchesImageMagickAtFixedAngles() throws Exception {
        ImageBatch in = inputs();
        byte[] want = resource("motion_fixed.u8");
        int n = in.count();
        double[] angles = new double[n];
        for (int i = 0; i < n; i++) angles[i] = -45 + 90.0 * i / (n - 1);
        byte[] got = new byte[IMG];
        int worst = 0, mism = 0;
        for (int s = 1; s <= 5; s++) {
            for (int i = 0; i < n; i++) {
                Corruptions.motionBlurFixed(s, angles[i], in.pixels(), i * IMG, got, 0);
                int[] r = compare(got, want, ((s - 1) * n + i) * IMG, IMG);
                mism += r[0];
                worst = Math.max(worst, r[1]);
            }
        }
        System.out.println("motion_blur fixed angles: " + mism + "/" + (5 * n * IMG) + " off, max " + worst);
        assertTrue(worst <= 1, "max diff " + worst);
    }

    @Test
    void greyLayerMotionBlurMatchesImageMagick() throws Exception {
        ImageBatch in = inputs();
        byte[] want = resource("motion_grey.u8");
        int n = in.count();
        double[][] params = {{8, 3, -50}, {10, 4, -80}, {10, 4, -95}, {12, 6, -120}, {14, 12, -134}};
        int worst = 0, mism = 0;
        for (int s = 0; s < 5; s++) {
            for (int i = 0; i < n; i++) {
                int[] layer = new int[1024], out = new int[1024];
                for (int p = 0; p < 1024; p++) {
                    int g = in.pixels()[i * IMG + 3 * p + 1] & 255;
                    layer[p] = g < 150 ? 0 : g;
                }
                Kernels.motionBlur(layer, out, 32, 32, 1, params[s][0], params[s][1], params[s][2]);
                for (int p = 0; p < 1024; p++) {
                    int d = Math.abs(out[p] - (want[(s * n + i) * 1024 + p] & 255));
                    if (d != 0) mism++;
                    worst = Math.max(worst, d);
                }
            }
        }
        System.out.println("grey motion blur: " + mism + "/" + (5 * n * 1024) + " off, max " + worst);
        assertTrue(worst <= 1, "max diff " + worst);
    }
}
