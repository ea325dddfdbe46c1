package org.augmix4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.testing.Check;
import org.augmix4j.train.Evaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnnxClassifier} on the tiny committed model (src/test/resources/onnx/tiny-classifier.onnx,
 * made by tools/onnx/make_tiny_classifier.py: global average pool, then logits = pooled W + b with
 * W[c][k] = (c+1)(k-4.5)/10, b[k] = k/10): ONNX Runtime's logits equal the same arithmetic done here
 * in double, with the user's mean/std applied, through {@link Evaluator} in uneven batches; a model
 * of the wrong signature and a damaged file are refused naming the file.
 */
class OnnxClassifierTest {
    @TempDir
    Path dir;

    static Path model() throws Exception {
        return Path.of(OnnxClassifierTest.class.getResource("/onnx/tiny-classifier.onnx").toURI());
    }

    /** The model's logits computed by hand. */
    static float[] reference(Dataset d, float[] mean, float[] std) {
        int n = d.size(), hw = 32 * 32;
        float[] out = new float[n * 10];
        byte[] px = d.images().pixels();
        for (int i = 0; i < n; i++) {
            double[] pooled = new double[3];
            for (int c = 0; c < 3; c++) {
                double s = 0;
                for (int q = 0; q < hw; q++) s += ((px[(i * hw + q) * 3 + c] & 0xFF) / 255.0 - mean[c]) / std[c];
                pooled[c] = s / hw;
            }
            for (int k = 0; k < 10; k++) {
                double z = k / 10.0;
                for (int c = 0; c < 3; c++) z += pooled[c] * (c + 1) * (k - 4.5) / 10;
                out[i * 10 + k] = (float) z;
            }
        }
        return out;
    }

    @Test
    void logitsEqualTheModelsArithmetic() throws Exception {
        Dataset test = Synthetic.generate("synthetic-test", 3, 1, 7);
        float[] mean = {0.485f, 0.456f, 0.406f}, std = {0.229f, 0.224f, 0.225f};
        try (OnnxClassifier m = OnnxClassifier.open(model(), mean, std)) {
            assertEquals(10, m.classes());
            assertEquals(32, m.height());
            float[] got = new Evaluator(m, 3).logits(test.images(), null);  // batches of 3, 3 and 1
            Check.allClose("ONNX Runtime logits vs the hand computation", got, reference(test, mean, std), 1e-5, 1e-5);
        }
    }

    @Test
    void badModelsAreRefusedNamingTheFile() throws Exception {
        float[] half = {0.5f, 0.5f, 0.5f};
        Path junk = Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.open(junk, half, half));
        assertTrue(e.getMessage().contains("junk.onnx") && e.getMessage().contains("cannot load"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.open(dir.resolve("missing.onnx"), half, half));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.open(model(), new float[] {0.5f}, half));
        assertTrue(e.getMessage().contains("3 values each"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OnnxClassifier.open(model(), half, new float[] {0.5f, 0, 0.5f}));
        assertTrue(e.getMessage().contains("positive"), e.getMessage());
    }
}
