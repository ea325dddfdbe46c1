package org.augmix4j.corrupt;

import org.augmix4j.tensor.ImageBatch;

/**
 * Procedurally drawn 32x32 RGB test images (gradient background, a few rectangles, discs and
 * striped patches, mild pixel noise), made with integer arithmetic only so that
 * tools/cifarc/golden_corrupt.py draws exactly the same pixels. Used for the statistical tests
 * against the reference generator, the preview grid and the benchmark.
 *
 * <p>Image {@code i} of {@code seed} uses the stream {@code CounterRng.key(seed, "test_image", 0, i)}:
 * draws 1, 2, ... for the layout (each as {@code (draw >>> 33) % n}), draws 1001..4072 for the
 * per-value noise.
 */
public final class TestImages {
    private TestImages() {}

    private static int pick(long key, long[] k, int n) {
        long v = CounterRng.at(key, ++k[0]) >>> 33;
        return (int) (v % n);
    }

    /** Draws image {@code index} into {@code out[off .. off+3072)}. */
    public static void draw(long seed, long index, byte[] out, int off) {
        long key = CounterRng.key(seed, "test_image", 0, index);
        long[] k = {0};
        int[] img = new int[3072];
        int[] c0 = new int[3], c1 = new int[3];
        for (int ch = 0; ch < 3; ch++) c0[ch] = pick(key, k, 256);
        for (int ch = 0; ch < 3; ch++) c1[ch] = pick(key, k, 256);
        int dir = pick(key, k, 3);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int t = dir == 0 ? x : dir == 1 ? y : (x + y) / 2;
                for (int ch = 0; ch < 3; ch++) img[(y * 32 + x) * 3 + ch] = (c0[ch] * (31 - t) + c1[ch] * t) / 31;
            }
        }
        int shapes = 1 + pick(key, k, 4);
        for (int sh = 0; sh < shapes; sh++) {
            int type = pick(key, k, 3);
            int[] col = new int[3];
            for (int ch = 0; ch < 3; ch++) col[ch] = pick(key, k, 256);
            int cx = pick(key, k, 32), cy = pick(key, k, 32), a = 3 + pick(key, k, 12), b = 3 + pick(key, k, 12);
            int period = 2 + pick(key, k, 4);
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    boolean in;
                    if (type == 0) in = Math.abs(x - cx) <= a / 2 && Math.abs(y - cy) <= b / 2;
                    else if (type == 1) in = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= a * a / 2;
                    else in = Math.abs(x - cx) <= a && Math.abs(y - cy) <= b && ((x + y) / period) % 2 == 0;
                    if (in) for (int ch = 0; ch < 3; ch++) img[(y * 32 + x) * 3 + ch] = col[ch];
                }
            }
        }
        for (int j = 0; j < 3072; j++) {
            long v = CounterRng.at(key, 1001 + j) >>> 33;
            int noise = (int) (v % 9) - 4;
            out[off + j] = (byte) Math.max(0, Math.min(255, img[j] + noise));
        }
    }

    /** {@code n} test images, indices {@code 0..n-1} of {@code seed}. */
    public static ImageBatch batch(long seed, int n) {
        byte[] px = new byte[n * 3072];
        for (int i = 0; i < n; i++) draw(seed, i, px, i * 3072);
        return new ImageBatch(px, n, 32, 32, 3);
    }

    /**
     * The preview picture: a small scene (sky gradient, sun, house with a red roof, grass, a striped
     * flag) that shows every corruption clearly; no randomness.
     */
    public static ImageBatch preview() {
        byte[] px = new byte[3072];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int r, g, b;
                if (y < 20) { r = 90 + y * 4; g = 150 + y * 3; b = 235 - y; }       // sky
                else { r = 60 + (x * 7 % 13); g = 150 - (y - 20) * 4; b = 50; }      // grass
                int dx = x - 24, dy = y - 6;
                if (dx * dx + dy * dy <= 16) { r = 255; g = 220; b = 40; }             // sun
                if (x >= 5 && x <= 17 && y >= 13 && y <= 24) { r = 235; g = 225; b = 200; } // wall
                if (y >= 7 && y <= 12 && Math.abs(x - 11) <= y - 6) { r = 200; g = 40; b = 35; } // roof
                if (x >= 9 && x <= 12 && y >= 18 && y <= 24) { r = 110; g = 70; b = 30; }  // door
                if (x >= 14 && x <= 16 && y >= 15 && y <= 17) { r = 60; g = 110; b = 200; } // window
                if (x == 26 && y >= 12 && y <= 26) { r = 40; g = 40; b = 40; }              // pole
                if (x >= 27 && x <= 31 && y >= 12 && y <= 17) {                               // flag
                    boolean stripe = ((y - 12) / 2) % 2 == 0;
                    r = stripe ? 250 : 20; g = stripe ? 250 : 60; b = stripe ? 250 : 160;
                }
                px[(y * 32 + x) * 3] = (byte) r;
                px[(y * 32 + x) * 3 + 1] = (byte) g;
                px[(y * 32 + x) * 3 + 2] = (byte) b;
            }
        }
        return new ImageBatch(px, 1, 32, 32, 3);
    }
}
