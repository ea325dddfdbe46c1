package org.augmix4j.cli;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.nio.file.Path;
import org.augmix4j.image.ImageFiles;
import org.augmix4j.image.Images;
import org.augmix4j.image.RgbImage;

/**
 * The CLI's PNG reading and writing: a thin layer over the library's {@link ImageFiles} (which reads
 * any image type, with the decompression-bomb limit) that keeps the {@code apply}/{@code augment}
 * contract of 8-bit RGB input: grey, alpha, palette and 16-bit images are refused with the fix,
 * because {@code apply} promises Pillow's result for an RGB image and would silently convert others.
 * Library users who want any type converted call {@link ImageFiles#readRgb} instead.
 */
public final class PngImages {
    private PngImages() {}

    /** An RGB image, HWC interleaved uint8 (R, G, B per pixel). */
    public record Rgb(int height, int width, byte[] pixels) {}

    /** Reads an 8-bit RGB image (PNG, or anything ImageIO reads); rejects grey, alpha, palette and 16-bit images. */
    public static Rgb read(Path file) {
        BufferedImage img = ImageFiles.read(file);
        ColorModel cm = img.getColorModel();
        String why = null;
        if (cm instanceof IndexColorModel) why = "it is a palette image";
        else if (cm.hasAlpha()) why = "it has an alpha channel";
        else if (cm.getColorSpace().getType() != ColorSpace.TYPE_RGB || cm.getNumComponents() != 3) why = "it is a greyscale image";
        else {
            for (int b : cm.getComponentSize()) if (b != 8) why = "it has " + b + "-bit samples";
        }
        if (why != null) {
            throw new IllegalArgumentException(file + " is not an 8-bit RGB image (" + why
                    + "); convert it to 8-bit RGB without alpha first, e.g. with PIL: Image.open(f).convert('RGB').save(f)");
        }
        RgbImage rgb = Images.toRgb(img);
        return new Rgb(rgb.height(), rgb.width(), rgb.pixels());
    }

    /** Writes an RGB HWC image as an 8-bit RGB PNG, creating parent directories. */
    public static void write(Path file, int h, int w, byte[] hwc) {
        if (hwc.length != h * w * 3) throw new IllegalArgumentException("image buffer is not " + h + "x" + w + "x3");
        ImageFiles.writePng(file, new RgbImage(h, w, hwc));
    }
}
