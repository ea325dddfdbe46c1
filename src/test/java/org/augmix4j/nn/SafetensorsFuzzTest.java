package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz target (Jazzer) for {@link Safetensors#read}: a well-formed result (every
 * tensor's value count equals its shape's product) or an IOException whose message names the file;
 * anything else is a crash. Plain {@code mvn test} replays
 * {@code src/test/resources/org/augmix4j/nn/SafetensorsFuzzTestInputs/safetensors/}; see docs/reliability.md.
 */
class SafetensorsFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void safetensors(byte[] data) throws IOException {
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "augmix4j-fuzz");
        Files.createDirectories(dir);
        Path f = Files.write(dir.resolve("model.safetensors"), data);
        try {
            Safetensors.Contents c = Safetensors.read(f);
            for (Safetensors.Entry e : c.tensors().values()) {
                long n = e.values() instanceof float[] v ? v.length : ((long[]) e.values()).length;
                assertEquals(e.numel(), n);
            }
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains("model.safetensors"), "must name the file: " + e.getMessage());
        }
    }
}
