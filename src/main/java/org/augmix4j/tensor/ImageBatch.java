package org.augmix4j.tensor;

/**
 * A batch of uint8 RGB images, NHWC (each image HWC with R,G,B interleaved, as PIL, numpy and the
 * CIFAR-C .npy files store them). Pixel (n, y, x, c) is {@code pixels[((n*H + y)*W + x)*C + c] & 0xFF}.
 */
public final class ImageBatch {
    private final byte[] pixels;
    private final int n, h, w, c;

    public ImageBatch(byte[] pixels, int n, int h, int w, int c) {
        if ((long) n * h * w * c != pixels.length) {
            throw new ShapeException("ImageBatch: " + pixels.length + " bytes cannot hold " + n + " images of "
                    + h + "x" + w + "x" + c);
        }
        this.pixels = pixels;
        this.n = n;
        this.h = h;
        this.w = w;
        this.c = c;
    }

    public static ImageBatch zeros(int n, int h, int w, int c) {
        return new ImageBatch(new byte[n * h * w * c], n, h, w, c);
    }

    public byte[] pixels() { return pixels; }
    public int count() { return n; }
    public int height() { return h; }
    public int width() { return w; }
    public int channels() { return c; }
    public int imageBytes() { return h * w * c; }

    /** Unsigned value of pixel (i, y, x, ch). */
    public int get(int i, int y, int x, int ch) { return pixels[((i * h + y) * w + x) * c + ch] & 0xFF; }

    /** A copy of images [from, to) as their own batch. */
    public ImageBatch slice(int from, int to) {
        if (from < 0 || to > n || from > to) throw new IndexOutOfBoundsException("slice [" + from + ", " + to + ") of " + n + " images");
        return new ImageBatch(java.util.Arrays.copyOfRange(pixels, from * imageBytes(), to * imageBytes()), to - from, h, w, c);
    }

    /** A copy of image {@code i} as its own batch of one. */
    public ImageBatch image(int i) {
        byte[] one = new byte[imageBytes()];
        System.arraycopy(pixels, i * imageBytes(), one, 0, one.length);
        return new ImageBatch(one, 1, h, w, c);
    }
}
