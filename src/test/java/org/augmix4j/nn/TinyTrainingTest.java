package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A fixed-seed end-to-end training run of the whole CPU engine: WRN-10-1 learns a generated
 * 4-class 12x12 colour dataset (the class is which quadrant holds a bright blob, under noise and a
 * random colour) in 300 Nesterov SGD steps with the cosine schedule, and must reach >= 90% accuracy
 * on 256 held-out images (chance: 25%). Uses the same forward/backward/step calls as the trainer.
 */
class TinyTrainingTest {
    static final int S = 12, CLASSES = 4;

    static void sample(SplittableRandom r, float[] x, int off, int[] y, int i) {
        int cls = r.nextInt(CLASSES);
        y[i] = cls;
        int qy = cls / 2, qx = cls % 2;
        double cr = r.nextDouble(), cg = r.nextDouble(), cb = r.nextDouble();
        int cy = qy * 6 + 1 + r.nextInt(4), cx = qx * 6 + 1 + r.nextInt(4);
        for (int yy = 0; yy < S; yy++) {
            for (int xx = 0; xx < S; xx++) {
                double d2 = (yy - cy) * (yy - cy) + (xx - cx) * (xx - cx);
                double blob = Math.exp(-d2 / 3.0);
                double[] c = {cr, cg, cb};
                for (int ch = 0; ch < 3; ch++) {
                    x[off + (ch * S + yy) * S + xx] = (float) (blob * (0.5 + c[ch]) + 0.35 * (r.nextDouble() - 0.5) - 0.3);
                }
            }
        }
    }

    @Test
    void learnsAGeneratedDataset() {
        Parallel.setThreads(2);
        SplittableRandom r = new SplittableRandom(2024);
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, CLASSES), 7);
        int steps = 300, b = 16;
        Sgd sgd = Sgd.official(net.parameters(), 5e-4f);
        CosineSchedule lr = new CosineSchedule(0.05, steps);
        for (int s = 0; s < steps; s++) {
            float[] x = new float[b * 3 * S * S];
            int[] y = new int[b];
            for (int i = 0; i < b; i++) sample(r, x, i * 3 * S * S, y, i);
            Tape t = new Tape();
            Var logits = net.forward(t, Tensor.of(x, b, 3, S, S), true);
            t.backward(F.crossEntropy(t, logits, y, b));
            sgd.step((float) lr.lr(s));
            net.zeroGrad();
        }
        int n = 256, correct = 0;
        float[] x = new float[n * 3 * S * S];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) sample(r, x, i * 3 * S * S, y, i);
        float[] z = net.forward(null, Tensor.of(x, n, 3, S, S), false).data();
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int k = 1; k < CLASSES; k++) if (z[i * CLASSES + k] > z[i * CLASSES + arg]) arg = k;
            if (arg == y[i]) correct++;
        }
        double acc = 100.0 * correct / n;
        System.out.printf("TinyTrainingTest: held-out accuracy %.1f%% after %d steps%n", acc, steps);
        assertTrue(acc >= 90, "WRN-10-1 reached only " + acc + "% (chance 25%) after " + steps + " steps");
    }
}
