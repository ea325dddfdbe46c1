package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewRendererTest {
    @Test
    void gridHoldsTheCleanImageAndEverySeverity(@TempDir Path dir) throws Exception {
        ImageBatch pic = TestImages.preview();
        List<Corruption> rows = List.of(Corruption.CONTRAST, Corruption.FOG);
        Path f = dir.resolve("sub/p.png");
        PreviewRenderer.writePng(f, pic, 0, rows, 3, null, 2);
        BufferedImage im = ImageIO.read(f.toFile());
        assertTrue(Files.size(f) > 1000);
        BufferedImage direct = PreviewRenderer.render(pic, 0, rows, 3, null, 2);
        assertEquals(direct.getWidth(), im.getWidth());
        assertEquals(direct.getHeight(), im.getHeight());
        // find the clean cell of row 0 by locating the first pixel equal to the picture's (0,0)
        int want = (pic.get(0, 0, 0, 0) << 16) | (pic.get(0, 0, 0, 1) << 8) | pic.get(0, 0, 0, 2);
        int x0 = -1, y0 = -1;
        outer:
        for (int y = 0; y < im.getHeight(); y++)
            for (int x = 0; x < im.getWidth(); x++)
                if ((im.getRGB(x, y) & 0xFFFFFF) == want) { x0 = x; y0 = y; break outer; }
        assertTrue(x0 >= 0, "clean image not found");
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++) {
                int p = ((y / 2) * 32 + x / 2);
                int rgb = (pic.get(0, y / 2, x / 2, 0) << 16) | (pic.get(0, y / 2, x / 2, 1) << 8) | pic.get(0, y / 2, x / 2, 2);
                assertEquals(rgb, im.getRGB(x0 + x, y0 + y) & 0xFFFFFF, "pixel " + p);
            }
        // the severity-3 contrast cell is the corruption of the picture
        byte[] c3 = Corruptions.corrupt(pic, Corruption.CONTRAST, 3, 3, 0, null).pixels();
        int cell = 64 + 4;
        int rgb = ((c3[0] & 255) << 16) | ((c3[1] & 255) << 8) | (c3[2] & 255);
        assertEquals(rgb, im.getRGB(x0 + 3 * cell, y0) & 0xFFFFFF);
        assertThrows(IllegalArgumentException.class, () -> PreviewRenderer.render(pic, 0, rows, 0, null, 0));
    }
}
