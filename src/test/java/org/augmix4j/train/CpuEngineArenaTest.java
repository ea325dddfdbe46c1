package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.AllConvNet;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.AugMixLoss;
import org.augmix4j.nn.DenseNet;
import org.augmix4j.nn.Network;
import org.augmix4j.nn.ResNeXt;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CPU engine's buffer reuse (an Arena for the training tape, chunked inference on a second
 * one) changes no bit: steps through {@link CpuEngine#step} (full batches, an epoch's partial last
 * batch, then full ones again, so the arena is emptied and refilled) give the same weights, buffers
 * and statistics as the same steps on a plain tape, and {@link CpuEngine#logits} over more than
 * one chunk gives the logits of one plain forward over the whole batch. For a WRN and the small
 * zoo models (pooling, concatenation, grouped convolutions, dropout draws per step).
 */
class CpuEngineArenaTest {
    @Test
    void arenaStepsAndChunkedEvalMatchPlainTapes() {
        for (AugMixConfig.Mode mode : new AugMixConfig.Mode[] {AugMixConfig.Mode.JSD, AugMixConfig.Mode.NONE})
            check(new WideResNet.Config(10, 1, 10), mode);
    }

    @Test
    void zooModelsToo() {
        for (Arch arch : new Arch[] {new AllConvNet.Config(10, 12, 24), new DenseNet.Config(10, 4, 10, 1.0, false),
                new DenseNet.Config(10, 4, 16, 0.5, true), new ResNeXt.Config(10, 11, 4, 32, 8)})
            check(arch, AugMixConfig.Mode.JSD);
    }

    private static void check(Arch arch, AugMixConfig.Mode mode) {
        {
            Dataset set = Synthetic.generate("arena", 3, 0, 20);
            int batch = 8;
            Training training = new Training(0.9, 5e-4, 7, AugMixConfig.defaults().withMode(mode), batch);
            Network engineNet = arch.build(5), plainNet = arch.build(5);
            CpuEngine engine = new CpuEngine(engineNet, training);
            Sgd sgd = new Sgd(plainNet.parameters(), 0.9f, 5e-4f, true);
            EpochSampler sampler = new EpochSampler(set, 1, batch);
            double plainLoss = 0;
            int plainCorrect = 0, steps = 0;
            for (int e = 0; e < 2; e++) {
                EpochSampler.Epoch ep = sampler.epoch(e);
                for (int s = 0; s < ep.steps(); s++, steps++) {
                    EpochSampler.Batch b = ep.batch(s);
                    engine.step(b, 0.05);
                    // the same step on a plain tape
                    int views = training.views(), count = b.count();
                    float[] x = new float[views * count * 3 * 32 * 32];
                    AugMix.sampleBatch(set.images(), b.indices(), training.seed(), e, training.augmix(), x);
                    plainNet.beginStep(training.seed(), (long) e * ep.steps() + s);
                    Tape tape = new Tape();
                    Var logits = plainNet.forward(tape, Tensor.of(x, views * count, 3, 32, 32), true);
                    Var loss = AugMixLoss.of(tape, logits, b.labels(), count, views);
                    tape.backward(loss);
                    sgd.step(0.05f);
                    plainNet.zeroGrad();
                    plainLoss += loss.data()[0] * count;
                    plainCorrect += CpuEngine.countCorrect(logits.data(), b.labels(), count, arch.classes());
                }
            }
            assertEquals(6, steps);
            Engine.Stats st = engine.stats("test");
            String what = arch.label() + " " + mode;
            assertEquals(plainLoss, st.lossSum(), 0.0, what + ": loss sum");
            assertEquals(plainCorrect, st.correct(), what + ": correct");
            assertStatesEqual(plainNet.stateDict(), engineNet.stateDict(), what);

            // eval: more images than one chunk, plus a remainder
            Dataset test = Synthetic.generate("arena-test", 3, 1, CpuEngine.EVAL_CHUNK * 2 + 5);
            int n = test.size(), k = arch.classes();
            float[] chunked = new float[n * k];
            engine.logits(test.images(), 0, n, chunked);
            engine.logits(test.images(), 0, n, chunked); // twice: the second runs on reused arrays
            Var whole = engineNet.forward(null, Tensor.of(Evaluator.preprocess(test.images(), 0, n), n, 3, 32, 32), false);
            assertArrayEquals(whole.data(), chunked, what + ": chunked eval logits");
        }
    }

    static void assertStatesEqual(Map<String, Object> want, Map<String, Object> got, String what) {
        assertEquals(want.keySet(), got.keySet());
        for (String key : want.keySet()) {
            Object a = want.get(key), b = got.get(key);
            if (a instanceof float[] fa) assertArrayEquals(fa, (float[]) b, what + ": " + key);
            else assertArrayEquals((long[]) a, (long[]) b, what + ": " + key);
        }
    }
}
