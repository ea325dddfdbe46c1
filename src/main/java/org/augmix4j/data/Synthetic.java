package org.augmix4j.data;

import java.util.List;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * The built-in dataset: 10 classes of procedurally drawn 32x32 colour images that need no
 * download. The class is the structure of the foreground (a shape or a texture), never its
 * colour: foreground and background colours, position, size, rotation, stripe period, a weak
 * background ramp, small distractor specks and pixel noise are all random. Edges are
 * anti-aliased, so AugMix's geometric ops and the corruptions (blur, noise, pixelate, JPEG...)
 * act on it as on natural images.
 *
 * <p>Deterministic: image {@code i} of a split depends only on (seed, split, i) through a SplitMix64
 * stream and {@link StrictMath}, so the bytes are the same on every JVM and for every thread
 * count. Labels are exactly balanced (when the size is a multiple of 10) and shuffled.
 */
public final class Synthetic {
    public static final List<String> CLASSES = List.of("disc", "ring", "square", "triangle", "cross", "horizontal_stripes",
            "vertical_stripes", "checker", "gradient", "blob");
    public static final long DEFAULT_SEED = 20191202L;
    public static final int DEFAULT_TRAIN = 10_000, DEFAULT_TEST = 2_000;
    private static final int S = 32;

    private Synthetic() {}

    /** Train and test splits of the given sizes (independent streams of one seed). */
    public static Splits generate(long seed, int trainSize, int testSize) {
        return new Splits(generate("synthetic-train", seed, 0, trainSize), generate("synthetic-test", seed, 1, testSize));
    }

    /** The default splits: 10,000 train and 2,000 test images from {@link #DEFAULT_SEED}. */
    public static Splits generate() { return generate(DEFAULT_SEED, DEFAULT_TRAIN, DEFAULT_TEST); }

    /** {@code n} images of split number {@code split} (0 train, 1 test; other values give further splits). */
    public static Dataset generate(String name, long seed, int split, int n) {
        if (n < 0) throw new IllegalArgumentException("negative dataset size " + n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % CLASSES.size();
        Rng order = new Rng(mix(seed, split, -1));
        for (int i = n - 1; i > 0; i--) {
            int j = order.below(i + 1);
            int t = labels[i];
            labels[i] = labels[j];
            labels[j] = t;
        }
        byte[] px = new byte[n * S * S * 3];
        Parallel.range(n, 64, (s, e) -> {
            float[] rgb = new float[S * S * 3];
            for (int i = s; i < e; i++) {
                render(labels[i], new Rng(mix(seed, split, i)), rgb);
                for (int k = 0; k < rgb.length; k++) px[i * rgb.length + k] = (byte) Math.max(0, Math.min(255, (int) Math.floor(rgb[k] + 0.5f)));
            }
        });
        return new Dataset(name, new ImageBatch(px, n, S, S, 3), labels, CLASSES.size(), CLASSES);
    }

    /** Draws one image of class {@code cls} into {@code rgb} (HWC floats on a 0..255 scale). */
    static void render(int cls, Rng r, float[] rgb) {
        // background: a colour with a weak linear ramp
        double[] bg = r.colour();
        double[] bg2 = new double[3];
        for (int c = 0; c < 3; c++) bg2[c] = clamp255(bg[c] + r.range(-40, 40));
        double ga = r.range(0, 2 * Math.PI);
        double gx = StrictMath.cos(ga) / S, gy = StrictMath.sin(ga) / S;
        // foreground: a colour that differs clearly from the background, with its own slight shading
        double[] fg = r.colour();
        for (int tries = 0; tries < 20 && distance(fg, bg) < 110; tries++) fg = r.colour();
        double[] fg2 = new double[3];
        for (int c = 0; c < 3; c++) fg2[c] = clamp255(fg[c] + r.range(-25, 25));
        double fa = r.range(0, 2 * Math.PI);
        double fx = StrictMath.cos(fa) / S, fy = StrictMath.sin(fa) / S;

        Shape shape = shape(cls, r);
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                double px = x + 0.5, py = y + 0.5;
                double tb = clamp01(0.5 + (px - 16) * gx + (py - 16) * gy);
                double tf = clamp01(0.5 + (px - 16) * fx + (py - 16) * fy);
                double a = shape.coverage(px, py);
                int o = (y * S + x) * 3;
                for (int c = 0; c < 3; c++) {
                    double b = bg[c] + (bg2[c] - bg[c]) * tb, f = fg[c] + (fg2[c] - fg[c]) * tf;
                    rgb[o + c] = (float) (b + (f - b) * a);
                }
            }
        }
        // distractors: up to 3 specks of 1-1.5 px radius (smaller than any disc) in random colours
        int specks = r.below(4);
        for (int k = 0; k < specks; k++) {
            double sx = r.range(1, 31), sy = r.range(1, 31), sr = r.range(0.6, 1.5);
            double[] sc = r.colour();
            for (int y = Math.max(0, (int) (sy - 3)); y < Math.min(S, (int) (sy + 3)); y++) {
                for (int x = Math.max(0, (int) (sx - 3)); x < Math.min(S, (int) (sx + 3)); x++) {
                    double a = edge(dist(x + 0.5 - sx, y + 0.5 - sy) - sr);
                    int o = (y * S + x) * 3;
                    for (int c = 0; c < 3; c++) rgb[o + c] = (float) (rgb[o + c] + (sc[c] - rgb[o + c]) * a);
                }
            }
        }
        // sensor noise
        double sigma = r.range(0, 10);
        for (int k = 0; k < rgb.length; k++) rgb[k] = (float) (rgb[k] + sigma * r.noise());
    }

    /** Foreground coverage in [0, 1] at a pixel centre. */
    @FunctionalInterface
    private interface Shape {
        double coverage(double x, double y);
    }

    private static Shape shape(int cls, Rng r) {
        double cx = r.range(10, 22), cy = r.range(10, 22);
        double rad = r.range(6, 11);
        double th = r.range(0, 2 * Math.PI);
        double c = StrictMath.cos(th), s = StrictMath.sin(th);
        switch (cls) {
            case 0: // disc
                return (x, y) -> edge(dist(x - cx, y - cy) - rad);
            case 1: { // ring
                double t = r.range(1.2, 2.5);
                return (x, y) -> edge(Math.abs(dist(x - cx, y - cy) - rad) - t);
            }
            case 2: { // square, rotated
                double h = rad * 0.8;
                return (x, y) -> {
                    double u = (x - cx) * c + (y - cy) * s, v = -(x - cx) * s + (y - cy) * c;
                    return edge(Math.max(Math.abs(u), Math.abs(v)) - h);
                };
            }
            case 3: { // equilateral triangle, rotated: inside all three half-planes
                double in = rad * 0.5;
                double[] nx = new double[3], ny = new double[3];
                for (int k = 0; k < 3; k++) {
                    nx[k] = StrictMath.cos(th + k * 2 * Math.PI / 3);
                    ny[k] = StrictMath.sin(th + k * 2 * Math.PI / 3);
                }
                return (x, y) -> {
                    double d = -1e9;
                    for (int k = 0; k < 3; k++) d = Math.max(d, (x - cx) * nx[k] + (y - cy) * ny[k] - in);
                    return edge(d);
                };
            }
            case 4: { // cross (plus sign), rotated
                double w = Math.max(1.5, rad * 0.28);
                return (x, y) -> {
                    double u = Math.abs((x - cx) * c + (y - cy) * s), v = Math.abs(-(x - cx) * s + (y - cy) * c);
                    return edge(Math.min(Math.max(u - rad, v - w), Math.max(u - w, v - rad)));
                };
            }
            case 5: // horizontal stripes (the intensity varies along y), tilted by at most 12 degrees
            case 6: { // vertical stripes
                double a = (cls == 5 ? Math.PI / 2 : 0) + r.range(-0.21, 0.21);
                double period = r.range(4, 8);
                double kx = StrictMath.cos(a) / period, ky = StrictMath.sin(a) / period, ph = r.uniform();
                Shape region = region(r, cx, cy);
                return (x, y) -> region.coverage(x, y) * clamp01(0.5 + triangle(kx * x + ky * y + ph) * period / 4);
            }
            case 7: { // checkerboard, any rotation
                double period = r.range(8, 12);
                Shape region = region(r, cx, cy);
                return (x, y) -> {
                    double tu = triangle(((x - cx) * c + (y - cy) * s) / period), tv = triangle((-(x - cx) * s + (y - cy) * c) / period);
                    double inside = Math.min(Math.abs(tu), Math.abs(tv)) * period / 4; // distance to the nearest cell edge, px
                    return region.coverage(x, y) * clamp01(0.5 + (tu * tv < 0 ? -inside : inside));
                };
            }
            case 8: { // gradient: a full-strength ramp from background to foreground across the image
                double span = r.range(14, 30);
                return (x, y) -> clamp01(0.5 + ((x - 16) * c + (y - 16) * s) / span);
            }
            default: { // blob: a smooth irregular union of 3 to 5 round bumps (metaballs)
                int m = 3 + r.below(3);
                double[] bx = new double[m], by = new double[m], inv = new double[m];
                for (int k = 0; k < m; k++) {
                    double ang = r.range(0, 2 * Math.PI), d = r.range(0.3, 0.8) * rad, reach = r.range(0.6, 1.0) * rad;
                    bx[k] = cx + d * StrictMath.cos(ang);
                    by[k] = cy + d * StrictMath.sin(ang);
                    inv[k] = 1 / (reach * reach);
                }
                return (x, y) -> {
                    double f = 0;
                    for (int k = 0; k < m; k++) {
                        double q = 1 - ((x - bx[k]) * (x - bx[k]) + (y - by[k]) * (y - by[k])) * inv[k];
                        if (q > 0) f += q * q; // (1 - d^2/R^2)^2: smooth, compact, no exp()
                    }
                    return clamp01((f - 0.25) * 8);
                };
            }
        }
    }

    /** The area a texture fills: a disc or an axis-aligned square patch of radius 9..16 px. */
    private static Shape region(Rng r, double cx, double cy) {
        double h = r.range(9, 16);
        if (r.below(2) == 0) return (x, y) -> edge(dist(x - cx, y - cy) - h);
        return (x, y) -> edge(Math.max(Math.abs(x - cx), Math.abs(y - cy)) - h);
    }

    /** Anti-aliased inside test from a signed distance in pixels (negative inside). */
    private static double edge(double d) { return clamp01(0.5 - d); }

    /** Euclidean length (Math.sqrt is correctly rounded, so this is the same on every JVM). */
    private static double dist(double dx, double dy) { return Math.sqrt(dx * dx + dy * dy); }

    /** Period-1 triangle wave in [-1, 1]: -1 at integers, +1 half-way, slope 4 per period. */
    private static double triangle(double t) { return 1 - 4 * Math.abs(t - Math.floor(t) - 0.5); }

    private static double clamp01(double v) { return v < 0 ? 0 : v > 1 ? 1 : v; }

    private static double clamp255(double v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

    private static double distance(double[] a, double[] b) {
        double dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** SplitMix64's finaliser over (seed, split, index): independent, well-mixed per-image seeds. */
    static long mix(long seed, int split, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + split * 0xD1B54A32D192ED03L + index * 0xAEF17502108EF2D9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** SplitMix64: a fully specified generator, so the dataset never depends on the JDK's choices. */
    static final class Rng {
        private long state;

        Rng(long seed) { this.state = seed; }

        long next() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        /** Uniform in [0, 1). */
        double uniform() { return (next() >>> 11) * 0x1.0p-53; }

        double range(double lo, double hi) { return lo + (hi - lo) * uniform(); }

        /** Uniform in [0, n) (multiply-shift; the bias is below 2^-32 for the small n used here). */
        int below(int n) { return (int) (((next() >>> 32) * n) >>> 32); }

        /**
         * Zero mean, unit variance, roughly normal: the sum of four 16-bit uniforms from one draw
         * (Irwin-Hall), scaled. Sensor noise needs the spread, not exact tails, and this is cheap.
         */
        double noise() {
            long b = next();
            double sum = (b & 0xFFFF) + (b >>> 16 & 0xFFFF) + (b >>> 32 & 0xFFFF) + (b >>> 48) + 2.0;
            return (sum / 65536 - 2) * 1.7320508075688772;
        }

        double[] colour() { return new double[] {range(0, 255), range(0, 255), range(0, 255)}; }
    }
}
