package org.augmix4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;

/**
 * {@link BufferedImage} of any type to and from the library's 8-bit RGB ({@link RgbImage}, HWC uint8),
 * with the same rules as Pillow's {@code Image.convert("RGB")}:
 * <ul>
 * <li>RGB types: the 8-bit samples as stored (no colour management);</li>
 * <li>grey (TYPE_BYTE_GRAY, 1- or 2-band grey PNGs, 16-bit grey): R = G = B = the grey sample (16-bit
 *     scaled by {@code (v * 255 + 32767) / 65535}); the raster is read directly, because
 *     {@code BufferedImage.getRGB} would pass a linear-grey image through a gamma curve;</li>
 * <li>palette (IndexColorModel): the palette colour;</li>
 * <li>alpha: dropped from the RGB (not composited, as Pillow), but kept by {@link #withRgb} so the
 *     result has the input's alpha;</li>
 * <li>anything else (16-bit RGB, custom colour spaces): {@code getRGB}, i.e. sRGB 8-bit.</li>
 * </ul>
 * {@link #withRgb} builds the result image of the same kind: grey in, TYPE_BYTE_GRAY out (the AugMix
 * ops and the mixing keep R = G = B, so the R channel is the grey image); alpha in, the same alpha
 * out (TYPE_INT_ARGB or TYPE_4BYTE_ABGR, whichever the input was, else TYPE_4BYTE_ABGR); RGB types
 * TYPE_3BYTE_BGR, TYPE_INT_RGB, TYPE_INT_BGR keep their type; palette and other types come back as
 * TYPE_3BYTE_BGR, because mixed colours are not in the palette.
 */
public final class Images {
    private Images() {}

    /** The image's pixels as 8-bit RGB, HWC (rules in the class doc). Never returns a view of the image's buffer. */
    public static RgbImage toRgb(BufferedImage img) {
        if (img == null) throw new IllegalArgumentException("image is null");
        final int h = img.getHeight(), w = img.getWidth(), n = h * w;
        byte[] out = new byte[Math.multiplyExact(n, 3)];
        switch (img.getType()) {
            case BufferedImage.TYPE_3BYTE_BGR -> {
                byte[] d = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
                if (d.length == out.length && isPacked(img.getRaster(), 3)) {
                    for (int i = 0; i < out.length; i += 3) {
                        out[i] = d[i + 2];
                        out[i + 1] = d[i + 1];
                        out[i + 2] = d[i];
                    }
                    return new RgbImage(h, w, out);
                }
            }
            case BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB -> {
                int[] d = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
                if (d.length == n && isPacked(img.getRaster(), 1)) {
                    for (int p = 0, i = 0; p < n; p++, i += 3) {
                        int v = d[p];
                        out[i] = (byte) (v >>> 16);
                        out[i + 1] = (byte) (v >>> 8);
                        out[i + 2] = (byte) v;
                    }
                    return new RgbImage(h, w, out);
                }
            }
            default -> { }
        }
        ColorModel cm = img.getColorModel();
        if (isGrey(cm)) {
            Raster r = img.getRaster();
            int bits = cm.getComponentSize(0);
            int[] row = new int[w];
            for (int y = 0, i = 0; y < h; y++) {
                r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++, i += 3) {
                    int v = row[x];
                    byte b = (byte) (bits == 8 ? v : bits == 16 ? (v * 255 + 32767) / 65535 : scale(v, bits));
                    out[i] = b;
                    out[i + 1] = b;
                    out[i + 2] = b;
                }
            }
            return new RgbImage(h, w, out);
        }
        int[] row = new int[w];
        for (int y = 0, i = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++, i += 3) {
                int v = row[x];
                out[i] = (byte) (v >>> 16);
                out[i + 1] = (byte) (v >>> 8);
                out[i + 2] = (byte) v;
            }
        }
        return new RgbImage(h, w, out);
    }

    /**
     * A new image of the same kind as {@code like} (rules in the class doc) holding {@code rgb}'s pixels
     * and {@code like}'s alpha, if it has one. {@code rgb} must have {@code like}'s size.
     */
    public static BufferedImage withRgb(BufferedImage like, RgbImage rgb) {
        if (like == null || rgb == null) throw new IllegalArgumentException("image is null");
        final int h = rgb.height(), w = rgb.width(), n = h * w;
        if (like.getHeight() != h || like.getWidth() != w) {
            throw new IllegalArgumentException("RGB pixels are " + h + "x" + w + " but the image is "
                    + like.getHeight() + "x" + like.getWidth());
        }
        final byte[] px = rgb.pixels();
        ColorModel cm = like.getColorModel();
        if (isGrey(cm) && !cm.hasAlpha()) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] d = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
            for (int p = 0; p < n; p++) d[p] = px[3 * p];
            return out;
        }
        if (cm.hasAlpha()) {
            int[] alpha = alpha(like);
            if (like.getType() == BufferedImage.TYPE_INT_ARGB) {
                BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
                int[] d = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
                for (int p = 0, i = 0; p < n; p++, i += 3) {
                    d[p] = alpha[p] << 24 | (px[i] & 0xFF) << 16 | (px[i + 1] & 0xFF) << 8 | (px[i + 2] & 0xFF);
                }
                return out;
            }
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
            byte[] d = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
            for (int p = 0, i = 0; p < n; p++, i += 3) {
                d[4 * p] = (byte) alpha[p];
                d[4 * p + 1] = px[i + 2];
                d[4 * p + 2] = px[i + 1];
                d[4 * p + 3] = px[i];
            }
            return out;
        }
        int type = like.getType();
        if (type == BufferedImage.TYPE_INT_RGB || type == BufferedImage.TYPE_INT_BGR) {
            BufferedImage out = new BufferedImage(w, h, type);
            int[] d = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
            boolean bgr = type == BufferedImage.TYPE_INT_BGR;
            for (int p = 0, i = 0; p < n; p++, i += 3) {
                int r = px[i] & 0xFF, g = px[i + 1] & 0xFF, b = px[i + 2] & 0xFF;
                d[p] = bgr ? b << 16 | g << 8 | r : r << 16 | g << 8 | b;
            }
            return out;
        }
        return toBgr(rgb);
    }

    /** A TYPE_3BYTE_BGR image of {@code rgb} (what ImageIO writes as an 8-bit RGB PNG). */
    public static BufferedImage toBgr(RgbImage rgb) {
        final int h = rgb.height(), w = rgb.width();
        final byte[] px = rgb.pixels();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i += 3) {
            d[i] = px[i + 2];
            d[i + 1] = px[i + 1];
            d[i + 2] = px[i];
        }
        return out;
    }

    /** The alpha of every pixel (0..255, row-major), 255 everywhere for an opaque image. */
    public static int[] alpha(BufferedImage img) {
        final int h = img.getHeight(), w = img.getWidth();
        int[] a = new int[h * w];
        ColorModel cm = img.getColorModel();
        if (!cm.hasAlpha()) {
            java.util.Arrays.fill(a, 255);
            return a;
        }
        WritableRaster ar = img.getAlphaRaster();
        if (ar != null && !(cm instanceof IndexColorModel)) {
            int bits = cm.getComponentSize(cm.getNumComponents() - 1);
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                ar.getSamples(0, y, w, 1, 0, row);
                for (int x = 0; x < w; x++) a[y * w + x] = bits == 8 ? row[x] : scale(row[x], bits);
            }
            return a;
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) a[y * w + x] = row[x] >>> 24;
        }
        return a;
    }

    /** True for a grey colour model (one colour component in a grey colour space, palette excluded). */
    static boolean isGrey(ColorModel cm) {
        return !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1;
    }

    private static int scale(int v, int bits) {
        long max = (1L << bits) - 1;
        return (int) ((v * 255L + max / 2) / max);
    }

    /** True when the raster's buffer holds exactly this image, row after row without padding or offset. */
    private static boolean isPacked(Raster r, int elementsPerPixel) {
        if (r.getParent() != null || r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0
                || r.getDataBuffer().getNumBanks() != 1 || r.getDataBuffer().getOffset() != 0) return false;
        if (r.getSampleModel() instanceof ComponentSampleModel c) {
            return c.getScanlineStride() == r.getWidth() * elementsPerPixel && c.getPixelStride() == elementsPerPixel;
        }
        return r.getSampleModel() instanceof SinglePixelPackedSampleModel sp && sp.getScanlineStride() == r.getWidth();
    }
}
