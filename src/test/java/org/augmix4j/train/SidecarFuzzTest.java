package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz target (Jazzer) for the checkpoint sidecar ({@link Checkpoint#readMeta}):
 * any bytes as {@code checkpoint.json} beside a valid weights file give a sidecar's figures or an
 * IOException naming the sidecar (damaged JSON, a missing or non-numeric field, a checksum that
 * does not match); anything else is a crash. Plain {@code mvn test} replays
 * {@code src/test/resources/org/augmix4j/train/SidecarFuzzTestInputs/sidecar/}; see docs/reliability.md.
 */
class SidecarFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void sidecar(byte[] data) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "augmix4j-fuzz-sidecar");
        Files.createDirectories(dir);
        Path weights = dir.resolve("checkpoint.safetensors");
        if (!Files.exists(weights)) Files.write(weights, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '});
        Files.write(Checkpoint.sidecar(weights), data);
        try {
            Checkpoint.Meta m = Checkpoint.readMeta(weights);
            assertTrue(m == null || (m.epoch() >= 0 && m.layers() >= 10 && m.classes() >= 2), "a sidecar's figures are in range: " + m);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("checkpoint"), "must name the file: " + e.getMessage());
        }
    }
}
