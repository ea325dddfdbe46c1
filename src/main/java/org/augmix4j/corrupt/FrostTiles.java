package org.augmix4j.corrupt;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Where the frost corruption's 32x32 frost crops come from.
 *
 * <p>{@link #procedural()} (the default) synthesises a frost-like texture per image; the original
 * frost photographs are not shipped. Its five styles reproduce, per RGB channel, the mean, the
 * within-crop standard deviation and the crop-to-crop spread of the mean of the five frost images
 * the original generator used (frost1..frost5 after its x0.2 resize), and their pixel-to-pixel
 * correlation (about 0.6 at lag 1), so the corruption has the original's strength; it does not
 * reproduce the photographs themselves.
 *
 * <p>{@link #fromDirectory(Path)} uses the original images ({@code frost1.png frost2.png frost3.png
 * frost4.jpg frost5.jpg}) exactly as the generator did: decimated to pixels [5i+2, 5j+2] (what
 * OpenCV's x0.2 area-less resize picks), one of the five chosen uniformly, a 32x32 crop at a
 * uniform position, the PNGs' alpha dropped.
 */
public abstract class FrostTiles {
    /** Describes the source for reports: "procedural" or "images:DIR". */
    public abstract String source();

    /** Writes one 32x32 RGB crop (3072 values 0..255) for an image, drawing from {@code rng}. */
    abstract void tile(CounterRng rng, int[] out);

    private static final FrostTiles PROCEDURAL = new Procedural();

    public static FrostTiles procedural() { return PROCEDURAL; }

    /** File names of the five frost images the CIFAR generator picks from (frost6 is never used). */
    public static final String[] FILES = {"frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg"};

    /**
     * Loads the original frost images from {@code dir}.
     *
     * @throws IOException when a file is missing or unreadable (the message names it)
     */
    public static FrostTiles fromDirectory(Path dir) throws IOException {
        int[][] px = new int[5][];
        int[] hs = new int[5], ws = new int[5];
        for (int k = 0; k < 5; k++) {
            Path f = dir.resolve(FILES[k]);
            if (!Files.isRegularFile(f)) throw new IOException("frost image missing: " + f + " (need " + String.join(", ", FILES) + ")");
            BufferedImage im = ImageIO.read(f.toFile());
            if (im == null) throw new IOException("cannot decode frost image " + f);
            int H = im.getHeight(), W = im.getWidth();
            int h = (int) Math.rint(H * 0.2), w = (int) Math.rint(W * 0.2);
            if (h < 33 || w < 33) throw new IOException("frost image too small: " + f + " (" + W + "x" + H + ")");
            int[] p = new int[h * w * 3];
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    int argb = im.getRGB(Math.min(5 * j + 2, W - 1), Math.min(5 * i + 2, H - 1));
                    p[(i * w + j) * 3] = (argb >> 16) & 255;
                    p[(i * w + j) * 3 + 1] = (argb >> 8) & 255;
                    p[(i * w + j) * 3 + 2] = argb & 255;
                }
            }
            px[k] = p;
            hs[k] = h;
            ws[k] = w;
        }
        return new Images(dir.toString(), px, hs, ws);
    }

    private static final class Images extends FrostTiles {
        private final String dir;
        private final int[][] px;
        private final int[] hs, ws;

        Images(String dir, int[][] px, int[] hs, int[] ws) {
            this.dir = dir;
            this.px = px;
            this.hs = hs;
            this.ws = ws;
        }

        @Override
        public String source() { return "images:" + dir; }

        @Override
        void tile(CounterRng rng, int[] out) {
            int k = rng.nextInt(0, 5);
            int r0 = rng.nextInt(0, hs[k] - 32), c0 = rng.nextInt(0, ws[k] - 32);
            int w = ws[k];
            for (int i = 0; i < 32; i++)
                System.arraycopy(px[k], ((r0 + i) * w + c0) * 3, out, i * 96, 96);
        }
    }

    /**
     * Statistics of the original frost tiles (after the x0.2 decimation), per style and RGB channel:
     * mean, within-32x32-crop standard deviation, standard deviation of the crop means, and the
     * correlation of each channel with the common texture. frost2 and frost3 are the same picture.
     */
    private static final double[][] MEAN = {
            {77.54, 149.05, 165.68}, {200.80, 205.40, 214.50}, {200.80, 205.40, 214.50},
            {138.05, 153.22, 165.61}, {112.30, 123.29, 134.67}};
    private static final double[][] WITHIN = {
            {21.59, 13.23, 12.65}, {17.92, 18.31, 18.91}, {17.92, 18.31, 18.91},
            {25.93, 26.01, 27.02}, {35.39, 34.96, 34.23}};
    private static final double[][] SPREAD = {
            {16.72, 9.57, 7.97}, {8.93, 9.79, 10.20}, {8.93, 9.79, 10.20},
            {10.36, 10.28, 11.06}, {18.65, 17.80, 16.62}};
    private static final double[][] RHO = {
            {0.87, 1.0, 0.91}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}};

    private static final class Procedural extends FrostTiles {
        @Override
        public String source() { return "procedural"; }

        @Override
        void tile(CounterRng rng, int[] out) { procedural(rng, 32, 32, out); }
    }

    /**
     * A procedural h x w RGB frost crop (values 0..255, row-major HWC) for the corruption at any size: the
     * 32x32 tile's recipe on an h x w field (at 32x32 exactly {@link #procedural()}'s tile, draw for draw).
     * It keeps the tiles' per-pixel statistics (mean, spread, within-crop deviation, lag-1 correlation ~0.6)
     * and their needle density (needles scale with the area), not the full-resolution photographs' larger
     * structure. Draws: the style, the texture(s), one normal for the crop's offset.
     */
    static void procedural(CounterRng rng, int h, int w, int[] out) {
        int k = rng.nextInt(0, 5);
        double[] t = texture(rng, h, w), t2 = RHO[k][0] < 1 || RHO[k][2] < 1 ? texture(rng, h, w) : null;
        double g = rng.nextGaussian();
        for (int p = 0; p < h * w; p++) {
            for (int ch = 0; ch < 3; ch++) {
                double rho = RHO[k][ch];
                double tv = rho >= 1 ? t[p] : rho * t[p] + Math.sqrt(1 - rho * rho) * t2[p];
                double v = MEAN[k][ch] + SPREAD[k][ch] * g + WITHIN[k][ch] * tv;
                out[p * 3 + ch] = (int) Math.max(0, Math.min(255, Math.rint(v)));
            }
        }
    }

    /**
     * An h x w field with mean 0 and variance 1: Gaussian-smoothed noise (sigma 0.7: lag-1
     * correlation ~0.6) plus thin bright "needles" (ice crystals) at random angles, 6..11 per 32x32 area.
     */
    private static double[] texture(CounterRng rng, int h, int w) {
        final int n = h * w;
        double[] f = new double[n];
        for (int i = 0; i < n; i++) f[i] = rng.nextGaussian();
        Kernels.gaussian(f, h, w, 1, Kernels.gaussianWeights(0.7, 4.0), Kernels.REFLECT, false);
        int needles = (6 + rng.nextInt(0, 6)) * (int) Math.max(1, Math.round(n / 1024.0));
        for (int m = 0; m < needles; m++) {
            double x = rng.uniform(0, w), y = rng.uniform(0, h);
            double ang = rng.uniform(0, Math.PI), len = rng.uniform(3, 10), amp = rng.uniform(0.6, 1.4);
            double cx = Math.cos(ang), cy = Math.sin(ang);
            for (int s = 0; s <= (int) (2 * len); s++) {
                int xi = (int) Math.floor(x + cx * s * 0.5), yi = (int) Math.floor(y + cy * s * 0.5);
                if (xi >= 0 && xi < w && yi >= 0 && yi < h) f[yi * w + xi] += amp;
            }
        }
        double mean = 0;
        for (double v : f) mean += v;
        mean /= n;
        double var = 0;
        for (double v : f) var += (v - mean) * (v - mean);
        double sd = Math.sqrt(var / n);
        for (int i = 0; i < n; i++) f[i] = sd > 0 ? (f[i] - mean) / sd : 0.0; // a 1-pixel field has no spread
        return f;
    }
}
