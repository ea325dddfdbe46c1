package org.augmix4j.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.ConvEngine;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.AugMixLoss;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.train.CpuEngine;
import org.augmix4j.train.StepRunner;
import org.augmix4j.train.Training;
import org.openjdk.jmh.annotations.*;

/**
 * One full WideResNet training step, {@link CpuEngine#step} as {@code train} runs it: the AugMix batch
 * (AugMix.sampleBatch: flip + crop, clean + 2 AugMix views in JSD mode), one forward over all views
 * (3 x batch images in JSD mode), CE(clean) + 12 JSD (or CE alone), backward through the tape,
 * Nesterov SGD step, zero_grad. WRN-16-2 and WRN-40-2, batch 128, mode jsd (-p mode=nojsd|noaugmix
 * for the others). Score: ops/s = steps/s; {@code samples} gives samples/s, {@code images} images
 * through the network per second. A step moves about 2 GB (WRN-40-2 JSD) of activations and their
 * gradients; the figure is compute-bound, so no GB/s. Forward cost: 0.655 GFLOP per 32x32 image for
 * WRN-40-2 (training ~3x that), from a layer-by-layer count of the official wideresnet.py.
 * Setup first runs the same step code on the PyTorch 2.14 fixture (WRN-10-2, batch 4 x 3 views,
 * src/test/resources/fixtures/pytorch): loss to 1e-5, every gradient to 1e-4 norm-wise, the
 * parameters after the SGD step to 1e-5 (the fixture README's tolerances).
 * One step takes seconds to minutes on 2 cores: each iteration is one call. {@code -p conv=im2col}
 * turns the Winograd convolutions off (ConvEngine.setWinograd(false)) for an A/B of the whole step.
 * Run: bench/run.sh TrainStepBench   (-p model=16-2 for the small one)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xss4m", "-Xmx10g"})
public class TrainStepBench {
    @Param({"16-2", "40-2"})
    String model;
    @Param({"128"})
    int batch;
    @Param({"jsd"})
    String mode;
    @Param({"0"})
    int threads;
    /** "auto" (the engine as shipped: Winograd for the 3x3 stride-1 convs) or "im2col" (the GEMM path everywhere). */
    @Param({"auto"})
    String conv;

    CpuEngine engine;
    StepRunner runner;
    int views;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        if (!conv.equals("auto") && !conv.equals("im2col")) throw new IllegalArgumentException("conv must be auto or im2col, got " + conv);
        ConvEngine.setWinograd(conv.equals("auto"));
        validateOnFixture();
        String[] p = model.split("-");
        AugMixConfig aug = AugMixConfig.defaults().withMode(switch (mode) {
            case "jsd" -> AugMixConfig.Mode.JSD;
            case "nojsd" -> AugMixConfig.Mode.AUGMIX;
            case "noaugmix" -> AugMixConfig.Mode.NONE;
            default -> throw new IllegalArgumentException("mode must be jsd, nojsd or noaugmix, got " + mode);
        });
        Training training = new Training(0.9, 5e-4, 1, aug, batch);
        engine = new CpuEngine(new WideResNet(new WideResNet.Config(Integer.parseInt(p[0]), Integer.parseInt(p[1]), 10), 1), training);
        runner = new StepRunner(engine, Synthetic.generate("bench", 1, 0, 4 * batch), 1, batch, 0.1);
        views = training.views();
    }

    /** The official loss on the fixture's batch (forward, {@link AugMixLoss}, backward), as CpuEngine.step computes it. */
    static float loss(WideResNet net, float[] x, int[] y, int count, int views) {
        Tape tape = new Tape();
        Var logits = net.forward(tape, Tensor.of(x, views * count, 3, 32, 32), true);
        Var loss = AugMixLoss.of(tape, logits, y, count, views);
        tape.backward(loss);
        return loss.data()[0];
    }

    private static void validateOnFixture() {
        Path dir = BenchSupport.repoFile("src/test/resources/fixtures/pytorch/wrn10-2/model.safetensors").getParent();
        Map<String, Safetensors.Entry> model, exp;
        try {
            model = Safetensors.read(dir.resolve("model.safetensors")).tensors();
            exp = Safetensors.read(dir.resolve("expected.safetensors")).tensors();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        WideResNet net = new WideResNet(new WideResNet.Config(10, 2, 10), 0);
        Map<String, Object> state = new LinkedHashMap<>();
        model.forEach((k, e) -> state.put(k, e.dtype().equals("F32") ? e.floats() : e.longs()));
        net.loadStateDict(state);
        long[] yl = exp.get("y_train").longs();
        int[] y = new int[yl.length];
        for (int i = 0; i < y.length; i++) y[i] = (int) yl[i];
        float[] x = exp.get("x_train").floats().clone();
        float loss = loss(net, x, y, y.length, 3);
        double want = exp.get("loss").floats()[0];
        BenchSupport.require("training loss vs PyTorch", Math.abs(loss - want) / Math.abs(want), 1e-5);
        for (Var p : net.parameters()) {
            BenchSupport.require("gradient of " + p.name() + " vs PyTorch",
                    BenchSupport.normRel(p.grad(), BenchSupport.toDouble(exp.get("grad." + p.name()).floats())), 1e-4);
        }
        Sgd.official(net.parameters(), 5e-4f).step(0.1f);
        for (Var p : net.parameters()) {
            BenchSupport.require("parameters after one SGD step of " + p.name() + " vs PyTorch",
                    BenchSupport.normRel(p.data(), BenchSupport.toDouble(exp.get("sgd1." + p.name()).floats())), 1e-5);
        }
        System.out.printf("%n[TrainStepBench] the step matches PyTorch on the WRN-10-2 fixture (loss %.6f vs %.6f)%n", loss, want);
    }

    @Benchmark
    public CpuEngine trainStep(BenchSupport.Samples work, BenchSupport.Images images) {
        runner.step();
        work.samples += batch;
        images.images += (long) batch * views;
        return engine;
    }

    @TearDown(Level.Trial)
    public void checkFinite() {
        engine.stats("TrainStepBench");  // a diverged (non-finite) loss is an error, not a speed
    }
}
