package org.augmix4j.augment;

/**
 * A few procedurally drawn RGB images (HWC uint8) for demos, benchmarks and smoke tests when no
 * dataset is at hand: a landscape with a sun, a house, a coloured checkerboard, concentric rings.
 */
public final class SampleImages {
    private SampleImages() {}

    /** Names of the built-in images, in index order. */
    public static final String[] NAMES = {"landscape", "house", "checkerboard", "rings"};

    /** Built-in image {@code index mod 4}, {@code size x size}. */
    public static byte[] draw(int index, int size) {
        if (size < 1) throw new IllegalArgumentException("image size must be >= 1; got " + size);
        byte[] px = new byte[size * size * 3];
        int k = Math.floorMod(index, NAMES.length);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++) {
                double u = (x + 0.5) / size, v = (y + 0.5) / size; // 0..1, v downwards
                int[] c = switch (k) {
                    case 0 -> landscape(u, v);
                    case 1 -> house(u, v);
                    case 2 -> checker(u, v);
                    default -> rings(u, v);
                };
                int o = (y * size + x) * 3;
                for (int ch = 0; ch < 3; ch++) px[o + ch] = (byte) Math.max(0, Math.min(255, c[ch]));
            }
        return px;
    }

    private static int[] landscape(double u, double v) {
        double sun = Math.hypot(u - 0.72, v - 0.28);
        if (sun < 0.14) return new int[] {255, 214, 60};
        double hill = 0.62 + 0.08 * Math.sin(u * 7.0);
        if (v > hill) return new int[] {(int) (40 + 60 * v), (int) (150 - 60 * (v - hill)), 50};
        return new int[] {(int) (90 + 100 * v), (int) (150 + 80 * v), 235};
    }

    private static int[] house(double u, double v) {
        if (v > 0.85) return new int[] {70, 140, 60};
        boolean wall = u > 0.25 && u < 0.75 && v > 0.45 && v <= 0.85;
        boolean roof = v > 0.15 && v <= 0.45 && Math.abs(u - 0.5) < (v - 0.15) / 0.3 * 0.3;
        boolean door = u > 0.45 && u < 0.56 && v > 0.62 && v <= 0.85;
        boolean window = u > 0.31 && u < 0.41 && v > 0.52 && v < 0.64;
        if (door) return new int[] {100, 60, 30};
        if (window) return new int[] {250, 240, 150};
        if (wall) return new int[] {230, 220, 200};
        if (roof) return new int[] {180, 40, 40};
        return new int[] {200, 225, 245};
    }

    private static int[] checker(double u, double v) {
        int cx = (int) (u * 4), cy = (int) (v * 4);
        boolean dark = ((cx + cy) & 1) == 0;
        int r = (int) (255 * u), b = (int) (255 * (1 - v));
        return dark ? new int[] {r / 3, 40, b / 3} : new int[] {r, 220, b};
    }

    private static int[] rings(double u, double v) {
        double d = Math.hypot(u - 0.5, v - 0.5);
        double s = 0.5 + 0.5 * Math.cos(d * 40);
        return new int[] {(int) (255 * s), (int) (128 + 100 * Math.sin(u * 6)), (int) (255 * (1 - s) * (1 - d))};
    }
}
