package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The metrics against hand-computed values. */
class EvaluatorTest {
    /**
     * 250 samples, bins of 100: the 100 least confident (confidence 0.3, 20 correct: accuracy 0.2)
     * and the last bin, extended to the end, of 150 (confidence 0.9, 90 correct: accuracy 0.6).
     * Over all bins: sqrt(100/250 * 0.1^2 + 150/250 * 0.3^2) = sqrt(0.004 + 0.054) = 0.240832...
     * Hendrycks' calib_err skips the last bin: sqrt(0.004) = 0.0632..., which we do not reproduce.
     */
    @Test
    void rmsCalibrationOverAllBinsHandComputed() {
        int n = 250;
        double[] conf = new double[n];
        boolean[] right = new boolean[n];
        for (int i = 0; i < 100; i++) {
            conf[i] = 0.3;
            right[i] = i < 20;
        }
        for (int i = 100; i < n; i++) {
            conf[i] = 0.9;
            right[i] = i < 190;
        }
        shuffle(conf, right, 7); // the metric sorts by confidence itself
        assertEquals(100 * Math.sqrt(0.058), Evaluator.rmsCalibrationError(conf, right, 100), 1e-9);
        assertEquals(24.0832, Evaluator.rmsCalibrationError(conf, right, 100), 1e-4);
    }

    @Test
    void rmsCalibrationEdgeCases() {
        // fewer samples than a bin: one bin of all; perfectly calibrated: 0
        double[] conf = {0.5, 0.5, 0.5, 0.5};
        boolean[] right = {true, false, true, false};
        assertEquals(0, Evaluator.rmsCalibrationError(conf, right, 100), 1e-12);
        // always confident and always wrong: 100%
        assertEquals(100, Evaluator.rmsCalibrationError(new double[] {1, 1, 1}, new boolean[3], 100), 1e-12);
        // 200 samples: two full bins, |0.8 - 0.5| and |0.6 - 0.6|: sqrt(0.5 * 0.09) = 0.2121...
        double[] c = new double[200];
        boolean[] r = new boolean[200];
        for (int i = 0; i < 100; i++) {
            c[i] = 0.6;
            r[i] = i < 60;
            c[100 + i] = 0.8;
            r[100 + i] = i < 50;
        }
        assertEquals(100 * Math.sqrt(0.045), Evaluator.rmsCalibrationError(c, r, 100), 1e-9);
    }

    /**
     * The official cifar.py: acc_c = correct / 50000 (all severities pooled), mCE = 100 - 100 *
     * mean(acc_c). Three corruptions with 5 severities of 10 images each.
     */
    @Test
    void meanCorruptionErrorAsOfficial() {
        Map<String, Evaluator.CorruptionResult> res = new LinkedHashMap<>();
        res.put("a", new Evaluator.CorruptionResult("a", new int[] {10, 9, 8, 7, 6}, new int[] {10, 10, 10, 10, 10})); // 40/50
        res.put("b", new Evaluator.CorruptionResult("b", new int[] {5, 5, 5, 5, 5}, new int[] {10, 10, 10, 10, 10}));  // 25/50
        res.put("c", new Evaluator.CorruptionResult("c", new int[] {10, 10, 10, 10, 1}, new int[] {10, 10, 10, 10, 10})); // 41/50
        double expected = 100 - 100 * ((0.8 + 0.5 + 0.82) / 3); // 29.333...
        assertEquals(expected, Evaluator.meanCorruptionError(res), 1e-12);
        assertEquals(20.0, res.get("a").errorPercent(), 1e-12);
        assertEquals(40.0, res.get("a").errorPercent(5), 1e-12);
        assertEquals(90.0, res.get("c").errorPercent(5), 1e-12);
    }

    private static void shuffle(double[] c, boolean[] r, long seed) {
        Random rnd = new Random(seed);
        for (int i = c.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            double t = c[i];
            c[i] = c[j];
            c[j] = t;
            boolean u = r[i];
            r[i] = r[j];
            r[j] = u;
        }
    }
}
