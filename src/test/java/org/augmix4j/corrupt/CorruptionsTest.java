package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorruptionsTest {
    static final ImageBatch IMGS = TestImages.batch(99, 12);

    @Test
    void registryHasTheOfficialOrder() {
        assertEquals(List.of("gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur",
                "zoom_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform", "pixelate",
                "jpeg_compression"), Corruptions.BENCHMARK);
        assertEquals(List.of("speckle_noise", "gaussian_blur", "spatter", "saturate"), Corruptions.EXTRAS);
        assertEquals(19, Corruptions.ALL.size());
        assertEquals(Corruption.FOG, Corruption.byName("fog"));
        assertEquals(Corruption.JPEG_COMPRESSION, Corruption.byName(" JPEG-Compression "));
        long det = Arrays.stream(Corruption.values()).filter(Corruption::deterministic).count();
        assertEquals(8, det);
    }

    @Test
    void unknownNamesAndBadSeveritiesAreClearErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Corruptions.corrupt(IMGS, "gaussian", 1, 0));
        assertTrue(e.getMessage().contains("unknown corruption 'gaussian'"), e.getMessage());
        for (String n : Corruptions.ALL) assertTrue(e.getMessage().contains(n), "message lacks " + n);
        assertThrows(IllegalArgumentException.class, () -> Corruption.byName(null));
        for (int bad : new int[] {0, 6, -1}) {
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class,
                    () -> Corruptions.corrupt(IMGS, "fog", bad, 0));
            assertTrue(b.getMessage().contains("severity must be 1..5"), b.getMessage());
        }
        assertThrows(ShapeException.class, () -> Corruptions.corrupt(ImageBatch.zeros(2, 28, 28, 3), "fog", 1, 0));
        assertThrows(ShapeException.class, () -> Corruptions.corrupt(ImageBatch.zeros(2, 32, 32, 1), "fog", 1, 0));
    }

    @Test
    void parseListExpandsGroups() {
        assertEquals(19, Corruption.parseList("all").size());
        assertEquals(15, Corruption.parseList("benchmark").size());
        assertEquals(List.of(Corruption.FOG, Corruption.SNOW), Corruption.parseList("fog, snow,fog"));
        assertEquals(4, Corruption.parseList("extra").size());
        assertThrows(IllegalArgumentException.class, () -> Corruption.parseList("fog,nope"));
        assertThrows(IllegalArgumentException.class, () -> Corruption.parseList(" , "));
    }

    @Test
    void parseSeveritiesAcceptsRangesAndLists() {
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, Corruption.parseSeverities("1-5"));
        assertArrayEquals(new int[] {3}, Corruption.parseSeverities(" 3 "));
        assertArrayEquals(new int[] {1, 2, 3, 5}, Corruption.parseSeverities("5,2-3,1,3"));
        for (String bad : new String[] {"0-5", "6", "3-1", "x", "", "1-"}) {
            assertThrows(IllegalArgumentException.class, () -> Corruption.parseSeverities(bad), bad);
        }
    }

    @Test
    void everyCorruptionRunsAtEverySeverityAndChangesTheImages() {
        for (Corruption c : Corruption.values()) {
            for (int s = 1; s <= 5; s++) {
                ImageBatch out = Corruptions.corrupt(IMGS, c, s, 3, 0, null);
                assertEquals(IMGS.count(), out.count());
                assertFalse(Arrays.equals(IMGS.pixels(), out.pixels()), c + " s" + s + " changed nothing");
            }
        }
    }

    @Test
    void seededAndIndependentOfThreadsAndBatching() {
        int saved = Parallel.threads();
        try {
            for (Corruption c : Corruption.values()) {
                Parallel.setThreads(1);
                ImageBatch one = Corruptions.corrupt(IMGS, c, 4, 77, 1000, null);
                Parallel.setThreads(3);
                ImageBatch three = Corruptions.corrupt(IMGS, c, 4, 77, 1000, null);
                assertArrayEquals(one.pixels(), three.pixels(), c + " depends on the thread count");
                // the tail of the batch alone, given its dataset index, gives the same images
                byte[] tail = Arrays.copyOfRange(IMGS.pixels(), 5 * 3072, IMGS.pixels().length);
                ImageBatch part = Corruptions.corrupt(new ImageBatch(tail, IMGS.count() - 5, 32, 32, 3), c, 4, 77, 1005, null);
                assertArrayEquals(Arrays.copyOfRange(one.pixels(), 5 * 3072, one.pixels().length), part.pixels(),
                        c + " depends on the batch");
                if (!c.deterministic()) {
                    ImageBatch other = Corruptions.corrupt(IMGS, c, 4, 78, 1000, null);
                    assertFalse(Arrays.equals(one.pixels(), other.pixels()), c + " ignores the seed");
                }
            }
        } finally {
            Parallel.setThreads(saved);
        }
    }

    @Test
    void corruptIntoWritesASeveritySlice() {
        byte[] big = new byte[3 * IMGS.pixels().length];
        Corruptions.corruptInto(IMGS, Corruption.CONTRAST, 2, 0, 0, null, big, IMGS.pixels().length);
        assertArrayEquals(Corruptions.corrupt(IMGS, "contrast", 2, 0).pixels(),
                Arrays.copyOfRange(big, IMGS.pixels().length, 2 * IMGS.pixels().length));
        assertThrows(ShapeException.class, () -> Corruptions.corruptInto(IMGS, Corruption.CONTRAST, 2, 0, 0, null, big, 2 * IMGS.pixels().length + 1));
        byte[] one = new byte[3072];
        Corruptions.corruptImage(Corruption.FOG, 3, IMGS.pixels(), 3072, one, 0, 5, 7, null);
        assertArrayEquals(Arrays.copyOfRange(Corruptions.corrupt(IMGS, Corruption.FOG, 3, 5, 6, null).pixels(), 3072, 6144), one);
    }

    @Test
    void severityMakesThingsWorseOnAverage() {
        // mean |change| grows with severity for these; not for saturate (1-2 desaturate), elastic
        // (severity 1 has the largest affine jitter), frost, glass, spatter (water 1-3, mud 4-5),
        // as in the reference statistics
        List<Corruption> monotone = Corruption.parseList("gaussian_noise,shot_noise,impulse_noise,speckle_noise,"
                + "defocus_blur,zoom_blur,gaussian_blur,snow,fog,brightness,contrast,pixelate,jpeg_compression");
        for (Corruption c : monotone) {
            double prev = -1;
            for (int s = 1; s <= 5; s += 2) {
                double m = ReferenceStatsTest.measure(IMGS.pixels(), Corruptions.corrupt(IMGS, c, s, 1, 0, null).pixels())[0];
                assertTrue(m > prev, c + " severity " + s + ": " + m + " after " + prev);
                prev = m;
            }
        }
    }

    @Test
    void frostDefaultsToProceduralAndLoadsOriginalImagesFromADirectory(@TempDir Path dir) throws IOException {
        assertEquals("procedural", FrostTiles.procedural().source());
        IOException missing = assertThrows(IOException.class, () -> FrostTiles.fromDirectory(dir));
        assertTrue(missing.getMessage().contains("frost1.png"), missing.getMessage());
        // stand-in frost pictures: a constant colour per file, so the crop's value is known
        int[][] colours = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}, {100, 110, 120}, {130, 140, 150}};
        for (int k = 0; k < 5; k++) {
            BufferedImage im = new BufferedImage(200 + 10 * k, 190, BufferedImage.TYPE_INT_RGB);
            int rgb = (colours[k][0] << 16) | (colours[k][1] << 8) | colours[k][2];
            for (int y = 0; y < im.getHeight(); y++) for (int x = 0; x < im.getWidth(); x++) im.setRGB(x, y, rgb);
            String f = FrostTiles.FILES[k];
            ImageIO.write(im, f.endsWith(".png") ? "png" : "bmp", dir.resolve(f).toFile()); // lossless stand-in
        }
        FrostTiles t = FrostTiles.fromDirectory(dir);
        assertTrue(t.source().startsWith("images:"));
        ImageBatch black = ImageBatch.zeros(40, 32, 32, 3);
        ImageBatch out = Corruptions.corrupt(black, Corruption.FROST, 5, 1, 0, t);
        boolean[] seen = new boolean[5];
        for (int i = 0; i < 40; i++) {
            int r = out.get(i, 0, 0, 0);
            int k = -1;
            for (int j = 0; j < 5; j++) if (r == (int) (0.45 * colours[j][0])) k = j;
            assertTrue(k >= 0, "unexpected frost value " + r);
            seen[k] = true;
            for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) assertEquals(r, out.get(i, y, x, 0));
        }
        for (boolean b : seen) assertTrue(b, "frost picks all five images");
    }

    @Test
    void proceduralFrostHasTheOriginalTilesBrightness() {
        ImageBatch black = ImageBatch.zeros(400, 32, 32, 3);
        ImageBatch out = Corruptions.corrupt(black, Corruption.FROST, 1, 5, 0, null); // 0.2 * frost
        double[] mean = new double[3];
        for (int i = 0; i < out.pixels().length; i++) mean[i % 3] += (out.pixels()[i] & 255) / 0.2;
        // originals' mean over the five picks: R 146.0, G 167.3, B 179.0
        double[] want = {146.0, 167.3, 179.0};
        for (int c = 0; c < 3; c++) assertEquals(want[c], mean[c] / (400 * 1024), 8.0, "channel " + c);
    }
}
