package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.augmix4j.augment.Op;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The apply and augment commands: PNG round trips, batch files, errors naming the input and the fix. */
class AugCliTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(Object command, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    byte[] writeRandomPng(Path p, int h, int w, long seed) {
        byte[] px = new byte[h * w * 3];
        new Random(seed).nextBytes(px);
        PngImages.write(p, h, w, px);
        return px;
    }

    @Test
    void applySingleMatchesTheOp() {
        Path a = dir.resolve("a.png");
        byte[] px = writeRandomPng(a, 20, 24, 1);
        PngImages.Rgb back = PngImages.read(a);
        assertArrayEquals(px, back.pixels(), "PNG round trip is lossless");
        Result r = run(new ApplyCommand(), "--op", "rotate", "--param", "-7.5", "--in", a.toString(), "--out",
                dir.resolve("sub/b.png").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Op.ROTATE.apply(px, 20, 24, -7.5), PngImages.read(dir.resolve("sub/b.png")).pixels());
        r = run(new ApplyCommand(), "--op", "equalize", "--in", a.toString(), "--out", dir.resolve("c.png").toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Op.EQUALIZE.apply(px, 20, 24, 0), PngImages.read(dir.resolve("c.png")).pixels());
    }

    @Test
    void applyBatch() throws Exception {
        byte[] a = writeRandomPng(dir.resolve("a.png"), 32, 32, 2);
        byte[] b = writeRandomPng(dir.resolve("b.png"), 7, 5, 3);
        Path tsv = dir.resolve("jobs.tsv");
        Files.writeString(tsv, String.join("\n",
                "# input\top\tparam\toutput",
                "a.png\tshear_x\t0.2\tout/a_shear.png",
                "",
                "b.png\tsolarize\t128\tout/b_sol.png",
                dir.resolve("a.png") + "\tautocontrast\t\tout/a_ac.png",
                "a.png\tsharpness\t1.9\tout/a_sharp.png") + "\n");
        Result r = run(new ApplyCommand(), "--batch", tsv.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Op.SHEAR_X.apply(a, 32, 32, 0.2), PngImages.read(dir.resolve("out/a_shear.png")).pixels());
        assertArrayEquals(Op.SOLARIZE.apply(b, 7, 5, 128), PngImages.read(dir.resolve("out/b_sol.png")).pixels());
        assertArrayEquals(Op.AUTOCONTRAST.apply(a, 32, 32, 0), PngImages.read(dir.resolve("out/a_ac.png")).pixels());
        assertArrayEquals(Op.SHARPNESS.apply(a, 32, 32, 1.9), PngImages.read(dir.resolve("out/a_sharp.png")).pixels());
    }

    @Test
    void malformedBatchLinesAreRejectedWithFileLineAndReason() throws Exception {
        writeRandomPng(dir.resolve("a.png"), 8, 8, 4);
        Path tsv = dir.resolve("bad.tsv");
        Files.writeString(tsv, String.join("\n",
                "a.png\trotate\t5\tok.png",
                "a.png rotate 5 out.png",
                "a.png\tblur\t1\tx.png",
                "a.png\tposterize\t9\tx.png",
                "a.png\tcolor\tabc\tx.png",
                "a.png\trotate\t\tx.png",
                "\tequalize\t\tx.png") + "\n");
        Result r = run(new ApplyCommand(), "--batch", tsv.toString());
        assertEquals(2, r.code());
        String e = r.err();
        assertTrue(e.contains("bad.tsv:2: expected 4 tab-separated fields") && e.contains("spaces instead of tabs"), e);
        assertTrue(e.contains("bad.tsv:3: unknown op 'blur'"), e);
        assertTrue(e.contains("bad.tsv:4: parameter 9.0 is out of range for op posterize"), e);
        assertTrue(e.contains("bad.tsv:5: parameter 'abc' is not a number"), e);
        assertTrue(e.contains("bad.tsv:6: op rotate needs a parameter"), e);
        assertTrue(e.contains("bad.tsv:7: empty input path"), e);
        assertTrue(e.contains("nothing was processed"), e);
        assertFalse(Files.exists(dir.resolve("ok.png")), "no job runs when the file is malformed");
    }

    @Test
    void badImagesAndUsageGiveClearErrors() throws Exception {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(grey, "png", dir.resolve("grey.png").toFile());
        BufferedImage rgba = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        ImageIO.write(rgba, "png", dir.resolve("rgba.png").toFile());
        Files.writeString(dir.resolve("junk.png"), "not an image");
        String out = dir.resolve("o.png").toString();

        Result r = run(new ApplyCommand(), "--op", "rotate", "--param", "3", "--in", dir.resolve("grey.png").toString(), "--out", out);
        assertEquals(1, r.code());
        assertTrue(r.err().contains("grey.png is not an 8-bit RGB image (it is a greyscale image)") && r.err().contains("convert"), r.err());
        r = run(new ApplyCommand(), "--op", "rotate", "--param", "3", "--in", dir.resolve("rgba.png").toString(), "--out", out);
        assertTrue(r.code() == 1 && r.err().contains("alpha channel"), r.err());
        r = run(new ApplyCommand(), "--op", "rotate", "--param", "3", "--in", dir.resolve("junk.png").toString(), "--out", out);
        assertTrue(r.code() == 1 && r.err().contains("junk.png") && r.err().contains("not a PNG"), r.err());
        r = run(new ApplyCommand(), "--op", "rotate", "--param", "3", "--in", dir.resolve("missing.png").toString(), "--out", out);
        assertTrue(r.code() == 1 && r.err().contains("missing.png: no such file"), r.err());

        r = run(new ApplyCommand(), "--op", "twist", "--param", "3", "--in", "a.png", "--out", out);
        assertTrue(r.code() == 2 && r.err().contains("unknown op 'twist'") && r.err().contains("translate_x"), r.err());
        r = run(new ApplyCommand(), "--op", "solarize", "--param", "300", "--in", "a.png", "--out", out);
        assertTrue(r.code() == 2 && r.err().contains("0..256"), r.err());
        r = run(new ApplyCommand(), "--op", "rotate", "--in", "a.png", "--out", out);
        assertTrue(r.code() == 2 && r.err().contains("needs --param"), r.err());
        r = run(new ApplyCommand());
        assertTrue(r.code() == 2 && r.err().contains("--batch"), r.err());
        r = run(new ApplyCommand(), "--batch", "x.tsv", "--op", "rotate");
        assertTrue(r.code() == 2 && r.err().contains("cannot be combined"), r.err());
    }

    @Test
    void augmentGrid() throws Exception {
        Path grid = dir.resolve("grid.png");
        Result r = run(new AugmentCommand(), "--views", "3", "--seed", "7", "--all-ops", "--out", grid.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage g = ImageIO.read(grid.toFile());
        // 4 built-in 32x32 images, zoom 4, 2 px gaps: (3 + 1) cells wide
        assertEquals(4 * 128 + 5 * 2, g.getWidth());
        assertEquals(4 * 128 + 5 * 2, g.getHeight());
        // from files, any size; same seed gives the same grid
        writeRandomPng(dir.resolve("a.png"), 40, 30, 5);
        Path g1 = dir.resolve("g1.png"), g2 = dir.resolve("g2.png");
        assertEquals(0, run(new AugmentCommand(), "--views", "2", "--train-transform", "--out", g1.toString(), dir.resolve("a.png").toString()).code());
        assertEquals(0, run(new AugmentCommand(), "--views", "2", "--train-transform", "--out", g2.toString(), dir.resolve("a.png").toString()).code());
        assertArrayEquals(Files.readAllBytes(g1), Files.readAllBytes(g2));
        r = run(new AugmentCommand(), "--severity", "11");
        assertTrue(r.code() == 2 && r.err().contains("severity"), r.err());
        r = run(new AugmentCommand(), "--out", grid.toString(), dir.resolve("nope.png").toString());
        assertTrue(r.code() == 1 && r.err().contains("nope.png: no such file"), r.err());
    }

    @Test
    void everyOptionHasHelpText() {
        for (Object cmd : new Object[] {new ApplyCommand(), new AugmentCommand()}) {
            CommandLine cl = new CommandLine(cmd);
            for (var o : cl.getCommandSpec().options()) {
                assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), o.longestName() + " has help text");
            }
            StringWriter sw = new StringWriter();
            cl.usage(new PrintWriter(sw));
            assertTrue(sw.toString().contains("Exit codes"), sw.toString());
        }
    }

    @Test
    void augmentTakesGreyAndAlphaImages() throws Exception {
        BufferedImage grey = new BufferedImage(20, 12, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 12; y++) for (int x = 0; x < 20; x++) grey.getRaster().setSample(x, y, 0, x * 12);
        ImageIO.write(grey, "png", dir.resolve("g.png").toFile());
        BufferedImage rgba = new BufferedImage(16, 16, BufferedImage.TYPE_INT_ARGB);
        ImageIO.write(rgba, "png", dir.resolve("a.png").toFile());
        Path grid = dir.resolve("grid.png");
        Result r = run(new AugmentCommand(), "--views", "2", "--out", grid.toString(), dir.resolve("g.png").toString(),
                dir.resolve("a.png").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.size(grid) > 0);
    }
}
