package org.augmix4j.cli;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** 8-bit RGB PNG reading and writing through javax.imageio, with errors that name the file and the fix. */
public final class PngImages {
    private PngImages() {}

    /** An RGB image, HWC interleaved uint8 (R, G, B per pixel). */
    public record Rgb(int height, int width, byte[] pixels) {}

    /** Reads an 8-bit RGB image (PNG, or anything ImageIO reads); rejects grey, alpha, palette and 16-bit images. */
    public static Rgb read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("cannot read " + file + ": no such file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot read " + file + ": not a readable PNG image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new IllegalArgumentException("cannot read " + file + ": not a PNG (or other image format javax.imageio knows)");
        }
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
        int h = img.getHeight(), w = img.getWidth();
        Raster r = img.getRaster();
        int[] s = r.getPixels(0, 0, w, h, (int[]) null);
        byte[] px = new byte[h * w * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) s[i];
        return new Rgb(h, w, px);
    }

    /** Writes an RGB HWC image as an 8-bit RGB PNG, creating parent directories. */
    public static void write(Path file, int h, int w, byte[] hwc) {
        if (hwc.length != h * w * 3) throw new IllegalArgumentException("image buffer is not " + h + "x" + w + "x3");
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        int[] s = new int[hwc.length];
        for (int i = 0; i < s.length; i++) s[i] = hwc[i] & 0xFF;
        img.getRaster().setPixels(0, 0, w, h, s);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
