package org.augmix4j.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image as the library's pixel operations take it: {@code pixels} is HWC interleaved
 * uint8, {@code height * width * 3} bytes, R, G, B per pixel, rows top to bottom (NumPy
 * {@code np.asarray(pil_image.convert("RGB"))} layout, shape (h, w, 3)).
 *
 * <p>The array is not copied: the record is a view of the caller's bytes.
 *
 * @param height rows, &ge; 1
 * @param width  columns, &ge; 1
 * @param pixels {@code height * width * 3} bytes
 */
public record RgbImage(int height, int width, byte[] pixels) {
    public RgbImage {
        if (height < 1 || width < 1) throw new IllegalArgumentException("image size must be at least 1x1; got " + height + "x" + width);
        long n = 3L * height * width;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image of " + height + "x" + width + " does not fit one Java byte array (3 bytes per pixel)");
        }
        if (pixels == null || pixels.length != n) {
            throw new IllegalArgumentException("expected " + height + "x" + width + "x3 = " + n + " bytes of HWC RGB; got "
                    + (pixels == null ? "null" : pixels.length + " bytes") + " (not RGB, or wrong size)");
        }
    }

    /** A new all-black image. */
    public static RgbImage blank(int height, int width) {
        return new RgbImage(height, width, new byte[Math.multiplyExact(Math.multiplyExact(height, width), 3)]);
    }

    /** Value of channel {@code c} (0 = R) at row y, column x, 0..255. */
    public int get(int y, int x, int c) { return pixels[(y * width + x) * 3 + c] & 0xFF; }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage r && r.height == height && r.width == width && Arrays.equals(r.pixels, pixels);
    }

    @Override
    public int hashCode() { return 31 * (31 * height + width) + Arrays.hashCode(pixels); }

    @Override
    public String toString() { return "RgbImage[" + height + "x" + width + "]"; }
}
