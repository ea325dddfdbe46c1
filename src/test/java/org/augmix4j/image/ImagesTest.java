package org.augmix4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BufferedImage of every kind to RGB and back; PNG files of every kind; the decompression-bomb limit. */
class ImagesTest {
    @TempDir Path dir;

    static RgbImage ramp(int h, int w) {
        byte[] p = new byte[h * w * 3];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 7 + i / 3);
        return new RgbImage(h, w, p);
    }

    @Test
    void rgbTypesRoundTripExactly() {
        RgbImage rgb = ramp(5, 7);
        for (int type : new int[] {BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_BGR}) {
            BufferedImage like = new BufferedImage(7, 5, type);
            BufferedImage img = Images.withRgb(like, rgb);
            assertEquals(type, img.getType());
            assertEquals(rgb, Images.toRgb(img), "type " + type);
            // pixel (y=2, x=3) through the AWT API: the same colour
            int v = img.getRGB(3, 2);
            assertEquals(rgb.get(2, 3, 0), v >>> 16 & 255);
            assertEquals(rgb.get(2, 3, 2), v & 255);
        }
    }

    @Test
    void alphaIsKeptAndNotComposited() {
        BufferedImage argb = new BufferedImage(3, 2, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x40_10_20_30);
        argb.setRGB(2, 1, 0x00_ff_80_01);
        RgbImage rgb = Images.toRgb(argb);
        assertEquals(0x10, rgb.get(0, 0, 0));
        assertEquals(0x30, rgb.get(0, 0, 2));
        assertEquals(0x80, rgb.get(1, 2, 1));
        BufferedImage back = Images.withRgb(argb, rgb);
        assertEquals(BufferedImage.TYPE_INT_ARGB, back.getType());
        assertEquals(0x40_10_20_30, back.getRGB(0, 0));
        assertEquals(0x00_ff_80_01, back.getRGB(2, 1));
        BufferedImage abgr = new BufferedImage(3, 2, BufferedImage.TYPE_4BYTE_ABGR);
        abgr.setRGB(1, 1, 0x7f_01_02_03);
        BufferedImage back2 = Images.withRgb(abgr, Images.toRgb(abgr));
        assertEquals(BufferedImage.TYPE_4BYTE_ABGR, back2.getType());
        assertEquals(0x7f_01_02_03, back2.getRGB(1, 1));
    }

    @Test
    void greyIsReadFromTheRasterNotThroughAGammaCurve() {
        BufferedImage g = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSamples(0, 0, 4, 1, 0, new int[] {0, 10, 128, 255});
        RgbImage rgb = Images.toRgb(g);
        assertArrayEquals(new byte[] {0, 0, 0, 10, 10, 10, (byte) 128, (byte) 128, (byte) 128, -1, -1, -1}, rgb.pixels());
        BufferedImage back = Images.withRgb(g, rgb);
        assertEquals(BufferedImage.TYPE_BYTE_GRAY, back.getType());
        assertArrayEquals(new int[] {0, 10, 128, 255}, back.getRaster().getSamples(0, 0, 4, 1, 0, (int[]) null));
        BufferedImage g16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {65535, 257 * 100});
        assertEquals(255, Images.toRgb(g16).get(0, 0, 1));
        assertEquals(100, Images.toRgb(g16).get(0, 1, 1));
    }

    @Test
    void paletteIsExpandedAndComesBackAsRgb() {
        IndexColorModel cm = new IndexColorModel(8, 2, new byte[] {10, 20}, new byte[] {30, 40}, new byte[] {50, 60});
        BufferedImage p = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, cm);
        p.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {1, 0});
        RgbImage rgb = Images.toRgb(p);
        assertArrayEquals(new byte[] {20, 40, 60, 10, 30, 50}, rgb.pixels());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, Images.withRgb(p, rgb).getType());
    }

    @Test
    void pngFilesOfEveryKindAreRead() {
        RgbImage rgb = ramp(6, 5);
        Path f = dir.resolve("a/rgb.png");
        ImageFiles.writePng(f, rgb);
        assertEquals(rgb, ImageFiles.readRgb(f));
        BufferedImage g = new BufferedImage(5, 6, BufferedImage.TYPE_BYTE_GRAY);
        g.getRaster().setSample(1, 2, 0, 77);
        ImageFiles.writePng(dir.resolve("g.png"), g);
        assertEquals(77, ImageFiles.readRgb(dir.resolve("g.png")).get(2, 1, 2));
        BufferedImage a = new BufferedImage(5, 6, BufferedImage.TYPE_INT_ARGB);
        a.setRGB(4, 5, 0x80_0a_0b_0c);
        ImageFiles.writePng(dir.resolve("a.png"), a);
        BufferedImage ar = ImageFiles.read(dir.resolve("a.png"));
        assertTrue(ar.getColorModel().hasAlpha());
        assertEquals(0x80_0a_0b_0c, Images.withRgb(ar, Images.toRgb(ar)).getRGB(4, 5));
    }

    @Test
    void decompressionBombIsRefusedFromTheHeaderBeforeDecoding() throws IOException {
        // a PNG whose IHDR says 20000x20000 RGB, followed by a truncated IDAT: decoding would fail (or take 1.2 GB);
        // the size check must fire first, from the header alone
        Path bomb = dir.resolve("bomb.png");
        Files.write(bomb, png(20000, 20000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(bomb));
        assertTrue(e.getMessage().contains("bomb.png") && e.getMessage().contains("20000x20000")
                && e.getMessage().contains("400,000,000") && e.getMessage().contains("augmix4j.maxImagePixels"), e.getMessage());
        // a small header with the same truncated data gets past the check to the decoder, which then fails on the data
        Path small = dir.resolve("small.png");
        Files.write(small, png(100, 100));
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(small));
        assertTrue(e2.getMessage().contains("not a readable image") && e2.getMessage().contains("small.png"), e2.getMessage());
        // and the limit is the caller's to move
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(small, 9_999L)).getMessage()
                .contains("more than the limit of 9,999"));
        // the CLI's reader goes through the same check
        IllegalArgumentException e3 = assertThrows(IllegalArgumentException.class, () -> org.augmix4j.cli.PngImages.read(bomb));
        assertTrue(e3.getMessage().contains("refusing to decode"), e3.getMessage());
    }

    @Test
    void missingAndNonImageFilesNameTheFile() throws IOException {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(dir.resolve("nope.png")))
                .getMessage().contains("no such file"));
        Path t = dir.resolve("t.png");
        Files.writeString(t, "hello");
        String m = assertThrows(IllegalArgumentException.class, () -> ImageFiles.read(t)).getMessage();
        assertTrue(m.contains("t.png") && m.contains("not a PNG"), m);
    }

    /** Signature, IHDR (8-bit RGB), an IDAT of a few zlib bytes, IEND. */
    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bo);
        o.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {8, 2, 0, 0, 0});
        chunk(o, "IHDR", ihdr.toByteArray());
        chunk(o, "IDAT", new byte[] {0x78, (byte) 0x9c, 0x63, 0, 0});
        chunk(o, "IEND", new byte[0]);
        return bo.toByteArray();
    }

    static void chunk(DataOutputStream o, String type, byte[] data) throws IOException {
        o.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        o.write(t);
        o.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        o.writeInt((int) crc.getValue());
    }
}
