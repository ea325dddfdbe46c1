package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU trainer's epoch (GpuTrainer, our kernels) against the CPU trainer's epoch on the same
 * configuration: WRN-10-1, 3 synthetic 32x32 images, batch 2 with AugMix + JSD (so the last batch
 * has 1 sample: drop_last False), cosine learning rate, Nesterov SGD, a read-back every step
 * (--print-freq 1). After the epoch the CPU network and optimiser the GPU trainer hands back hold
 * the same parameters, running statistics, num_batches_tracked and momentum buffers as the CPU
 * epoch's (norm-wise relative 1e-5), and the epoch's loss agrees to 1e-5 and its top-1 count
 * exactly; then evaluation routed to the GPU gives the CPU's logits (1e-5). On the emulator in
 * {@code mvn test} (about 20 s on 2 loaded cores), on a GPU with {@code -Pgpu}.
 */
@Tag("emulated")
class GpuTrainerTest {
    private Gpu gpu;

    @BeforeEach
    void device() {
        gpu = DeviceTests.requireDevice();
        Parallel.setThreads(2);
    }

    static TrainConfig config(String device) {
        AugMixConfig aug = new AugMixConfig(AugMixConfig.Mode.JSD, 3, -1, 3, 1.0, false, true);
        return new TrainConfig("synthetic", Path.of("."), 1, 0.1, 2, 4, 0.9, 5e-4, 10, 1, aug, Path.of("."), 5, device, 2, 0, "none", 1, 0, 0);
    }

    /** The CPU trainer's epoch (Trainer.trainEpoch's operations), returning {loss sum, correct}. */
    static double[] cpuEpoch(TrainConfig cfg, Dataset train, WideResNet net, Sgd sgd, CosineSchedule schedule, int epoch, long step) {
        AugMixConfig aug = cfg.augmix();
        int n = train.size(), b = cfg.batchSize(), views = aug.imagesPerSample(), h = 32, w = 32;
        int[] perm = Philox.shuffle(cfg.seed(), epoch, n);
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < n; from += b) {
            int count = Math.min(b, n - from);
            int[] idx = Arrays.copyOfRange(perm, from, from + count);
            float[] x = new float[views * count * 3 * h * w];
            AugMix.sampleBatch(train.images(), idx, cfg.seed(), epoch, aug, x);
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) labels[i] = train.labels()[idx[i]];
            Tape tape = new Tape();
            Var logits = net.forward(tape, Tensor.of(x, views * count, 3, h, w), true);
            Var ce = F.crossEntropy(tape, logits, labels, count);
            Var loss = views == 3 ? F.weightedSum(tape, ce, 1f, F.jsd(tape, logits, count), Losses.JSD_WEIGHT) : ce;
            tape.backward(loss);
            sgd.step((float) schedule.lr(step++));
            net.zeroGrad();
            lossSum += loss.data()[0] * count;
            correct += Trainer.countCorrect(logits.data(), labels, count, net.config().classes());
        }
        return new double[] {lossSum, correct};
    }

    @Test
    void aGpuEpochMatchesTheCpuEpochAndEvaluationRunsOnTheGpu() {
        TrainConfig cfg = config("gpu");
        Dataset train = Synthetic.generate("t", 3, 0, 3), test = Synthetic.generate("e", 3, 1, 7);
        WideResNet cpuNet = new WideResNet(new WideResNet.Config(10, 1, 10), cfg.seed()), gpuNet = new WideResNet(cpuNet.config(), cfg.seed());
        Sgd cpuSgd = Sgd.official(cpuNet.parameters(), (float) cfg.decay()), gpuSgd = Sgd.official(gpuNet.parameters(), (float) cfg.decay());
        int steps = 2;
        CosineSchedule schedule = new CosineSchedule(cfg.learningRate(), steps);
        double[] want = cpuEpoch(cfg, train, cpuNet, cpuSgd, schedule, 0, 0);

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try (GpuTrainer t = GpuTrainer.open(cfg, new GpuTrainer.Options(false, false, GpuBackends.Choice.AUTO, true), out)) {
            assertNotNull(t, log.toString(StandardCharsets.UTF_8));
            Trainer.EpochStats s = t.trainEpoch(0, train, gpuNet, gpuSgd, schedule, 0, steps);
            String text = log.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("Device: GPU") && text.contains("Epoch 1 step 1/2 | loss") && text.contains("CUDA AugMix kernel"), text);
            assertEquals(steps, s.step());
            assertEquals(want[0] / 3, s.trainLoss(), 1e-5 * want[0] / 3, "epoch loss");
            assertEquals(100.0 * want[1] / 3, s.trainAcc(), 1e-9, "epoch top-1");
            Map<String, Object> c = cpuNet.stateDict(), g = gpuNet.stateDict();
            for (String k : c.keySet()) {
                if (c.get(k) instanceof long[] count) assertEquals(count[0], ((long[]) g.get(k))[0], k);
                else Check.normClose(k, (float[]) g.get(k), (float[]) c.get(k), 1e-5);
            }
            assertEquals(cpuSgd.steps(), gpuSgd.steps());
            for (int i = 0; i < cpuNet.parameters().size(); i++) {
                Check.normClose("momentum " + i, gpuSgd.buffer(i), cpuSgd.buffer(i), 1e-5);
            }
            // evaluation of the trained network goes through the GPU (batches of 4: a full and a partial one)
            float[] z = new Evaluator(gpuNet, 4).logits(test.images(), null);
            Evaluator.setEngine(gpuNet, null);
            float[] zc = new Evaluator(gpuNet, 4).logits(test.images(), null);
            Check.normClose("evaluation logits on the GPU", z, zc, 1e-5);
        }
    }

    @Test
    void autoLeavesTheEmulatorAloneAndCpuNeverProbes() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        if (gpu.isEmulated()) {
            assertNull(GpuTrainer.open(config("auto"), GpuTrainer.Options.defaults(), out));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("found only the CUDA emulator"), log.toString(StandardCharsets.UTF_8));
        }
        assertNull(GpuTrainer.open(config("cpu"), GpuTrainer.Options.defaults(), out));
    }
}
