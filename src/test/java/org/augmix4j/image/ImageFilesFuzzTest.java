package org.augmix4j.image;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz target (Jazzer) for the image reader ({@link ImageFiles#read} then
 * {@link Images#toRgb}), with a cap of 2^20 pixels: any bytes give an image within the cap, converted
 * to RGB, or an IllegalArgumentException naming the file (not an image, truncated, a header larger
 * than the cap: decompression bombs are refused before decoding); any other exception or Error is a
 * crash. Plain {@code mvn test} replays
 * {@code src/test/resources/org/augmix4j/image/ImageFilesFuzzTestInputs/png/}; see docs/reliability.md.
 */
class ImageFilesFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void png(byte[] data) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "augmix4j-fuzz-png");
        Files.createDirectories(dir);
        Path f = Files.write(dir.resolve("image.png"), data);
        try {
            BufferedImage img = ImageFiles.read(f, 1L << 20);
            assertTrue((long) img.getWidth() * img.getHeight() <= 1L << 20, "a decoded image within the cap");
            RgbImage rgb = Images.toRgb(img);
            assertTrue(rgb.width() == img.getWidth() && rgb.height() == img.getHeight(), "RGB conversion keeps the size");
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("image.png"), "must name the file: " + e.getMessage());
        }
    }
}
