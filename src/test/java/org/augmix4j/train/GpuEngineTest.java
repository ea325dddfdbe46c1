package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.SgdState;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU engine against the CPU engine through the {@link Engine} seam, stepped the way
 * {@link Trainer} steps them: WRN-10-1, 3 synthetic 32x32 images, batch 2 with AugMix + JSD (so
 * the last batch has 1 sample: drop_last False), cosine learning rate, Nesterov SGD, figures read
 * after every step. After the epoch both engines hold the same parameters, running statistics,
 * num_batches_tracked and momentum buffers (norm-wise relative 1e-5), the epoch's loss agrees to
 * 1e-5 and its top-1 count exactly; evaluation on the GPU engine gives the CPU engine's logits
 * (1e-5). On the emulator in {@code mvn test}, on a GPU with {@code -Pgpu}.
 */
@Tag("emulated")
class GpuEngineTest {
    private Gpu gpu;

    @BeforeEach
    void device() {
        gpu = DeviceTests.requireDevice();
        Parallel.setThreads(2);
    }

    private static final Training TRAINING = new Training(0.9, 5e-4, 5, new AugMixConfig(AugMixConfig.Mode.JSD, 3, -1, 3, 1.0, false, true), 2);

    /** One epoch on {@code engine} as the trainer runs it, reading the figures after every step. */
    static Engine.Stats epoch(Engine engine, EpochSampler.Epoch epoch, CosineSchedule schedule) {
        engine.resetStats();
        Engine.Stats s = null;
        for (int i = 0; i < epoch.steps(); i++) {
            engine.step(epoch.batch(i), schedule.lr(i));
            s = engine.stats("step " + (i + 1));
        }
        return s;
    }

    @Test
    void aGpuEpochMatchesTheCpuEpochAndEvaluationRunsOnTheGpu() {
        Dataset train = Synthetic.generate("t", 3, 0, 3), test = Synthetic.generate("e", 3, 1, 7);
        WideResNet.Config arch = new WideResNet.Config(10, 1, 10);
        EpochSampler.Epoch e0 = new EpochSampler(train, TRAINING.seed(), TRAINING.batchSize()).epoch(0);
        CosineSchedule schedule = new CosineSchedule(0.1, e0.steps());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        Engines.Options opts = Engines.Options.of(Device.GPU, 4).withBackends(GpuBackends.Choice.AUTO);
        try (CpuEngine cpu = new CpuEngine(new WideResNet(arch, TRAINING.seed()), TRAINING);
             Engine gpuEngine = Engines.training(opts, new WideResNet(arch, TRAINING.seed()), 32, 32, TRAINING, out)) {
            assertInstanceOf(GpuEngine.class, gpuEngine, log.toString(StandardCharsets.UTF_8));
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("Engine: GPU") && text.contains("CUDA AugMix kernel"), text);
            Engine.Stats want = epoch(cpu, e0, schedule), got = epoch(gpuEngine, e0, schedule);
            assertEquals(3, got.samples());
            assertEquals(want.lossSum(), got.lossSum(), 1e-5 * Math.abs(want.lossSum()), "epoch loss");
            assertEquals(want.correct(), got.correct(), "epoch top-1");
            Map<String, Object> c = cpu.stateDict(), g = gpuEngine.stateDict();
            assertEquals(c.keySet(), g.keySet());
            for (String k : c.keySet()) {
                if (c.get(k) instanceof long[] count) assertEquals(count[0], ((long[]) g.get(k))[0], k);
                else Check.normClose(k, (float[]) g.get(k), (float[]) c.get(k), 1e-5);
            }
            SgdState sc = cpu.optimizerState(), sg = gpuEngine.optimizerState();
            assertEquals(sc.steps(), sg.steps());
            assertEquals(sc.momentum().keySet(), sg.momentum().keySet());
            for (String k : sc.momentum().keySet()) Check.normClose("momentum " + k, sg.momentum().get(k), sc.momentum().get(k), 1e-5);
            // evaluation of the trained network on the GPU engine (batches of 4: a full and a partial one)
            float[] z = new Evaluator(gpuEngine, 4).logits(test.images(), null);
            float[] zc = new Evaluator(cpu, 4).logits(test.images(), null);
            Check.normClose("evaluation logits on the GPU", z, zc, 1e-5);
            // a state loaded into a fresh GPU engine gives the same logits (resume and eval load this way)
            try (Engine again = Engines.inference(opts, new WideResNet(arch, 99), 32, 32, out)) {
                again.load(g, null);
                Check.normClose("logits after load", new Evaluator(again, 4).logits(test.images(), null), zc, 1e-5);
            }
        }
    }

    @Test
    void autoLeavesTheEmulatorAloneAndCpuNeverProbes() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 1);
        if (gpu.isEmulated()) {
            try (Engine e = Engines.inference(Engines.Options.of(Device.AUTO, 4), net, 32, 32, out)) {
                assertInstanceOf(CpuEngine.class, e);
            }
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("found only the CUDA emulator"), log.toString(StandardCharsets.UTF_8));
        }
        try (Engine e = Engines.inference(Engines.Options.of(Device.CPU, 4), net, 32, 32, out)) {
            assertInstanceOf(CpuEngine.class, e);
        }
    }
}
