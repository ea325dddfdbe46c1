package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval --onnx}: any ONNX classifier gets the same report as our checkpoints (clean error,
 * the 15 built-in corruptions x 5 severities, mean corruption error, calibration), here on the tiny
 * committed model and the synthetic test set; one model is required.
 */
class EvalOnnxCommandTest {
    @TempDir
    Path dir;

    @Test
    void anOnnxModelGetsTheFullReport() throws Exception {
        Path model = Path.of(EvalOnnxCommandTest.class.getResource("/onnx/tiny-classifier.onnx").toURI());
        Path json = dir.resolve("onnx.json");
        CliRun r = CliRun.of("eval", "--onnx", model.toString(), "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25", "--dataset", "synthetic",
                "--corrupted", "builtin", "--test-limit", "20", "--corrupted-limit", "4", "--json", json.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("ONNX Runtime") && r.out().contains("Mean corruption error"), r.out());
        JsonObject o = EvalCommandTest.json(json);
        assertEquals("tiny-classifier.onnx", o.get("model").getAsString());
        assertEquals(20, o.get("test_images").getAsInt());
        assertEquals(15, o.getAsJsonArray("corruptions").size());
        assertTrue(o.get("clean_error").getAsDouble() >= 0 && o.get("clean_error").getAsDouble() <= 100);
        assertTrue(o.has("mean_corruption_error") && o.has("rms_calibration_error"));

        CliRun both = CliRun.of("eval", "--dataset", "synthetic");
        assertNotEquals(0, both.code());
        assertTrue(both.err().contains("give exactly one model: --checkpoint") , both.toString());
    }
}
