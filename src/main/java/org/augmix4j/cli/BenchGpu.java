package org.augmix4j.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.CorruptionsCuda;
import org.augmix4j.corrupt.FrostTiles;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Network;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.CpuEngine;
import org.augmix4j.train.Device;
import org.augmix4j.train.Engines;
import org.augmix4j.train.Evaluator;
import org.augmix4j.train.GpuEngine;
import org.augmix4j.train.StepRunner;
import org.augmix4j.train.Training;

/**
 * The GPU figures of {@code bench} (device "gpu"), kept out of BenchCommand so that a CPU-only run
 * never loads JCuda: the CUDA AugMix kernel (section augment) and the GPU training step
 * (GpuEngine through StepRunner, section train), evaluation (GpuEngine behind Evaluator, section eval) and the built-in
 * corruptions (CorruptionsCuda, section corrupt). Each is checked against the CPU reference before
 * it is timed, and each timed run ends with a device synchronisation.
 */
final class BenchGpu {
    private BenchGpu() {}

    /** Whether this process can use a GPU, and if not why (loads JCuda's driver library). */
    static GpuProbe probe() { return Gpu.probe(); }

    /** The workloads for the selected sections, and the reasons for those this build cannot time. */
    static List<BenchCommand.GpuWorkload> workloads(Set<String> sections, List<Arch> nets, List<AugMixConfig.Mode> modes,
                                                    List<BenchFigures.Skipped> skipped) {
        List<BenchCommand.GpuWorkload> out = new ArrayList<>();
        Gpu gpu = Gpu.get();
        String dev = gpu.isEmulated() ? "gpu (EMULATED: the kernels ran on CPU threads; not a GPU speed)" : gpu.name();
        if (sections.contains("augment")) out.add((b, sz) -> augment(b, sz, gpu, dev));
        if (sections.contains("train")) out.add((b, sz) -> train(b, sz.slow(), nets, modes, dev));
        if (sections.contains("eval")) out.add((b, sz) -> eval(b, sz.slow(), gpu, nets, dev));
        if (sections.contains("corrupt")) out.add((b, sz) -> corrupt(b, sz, gpu, dev));
        return out;
    }

    /** JSD and no-JSD samples/s of the CUDA AugMix kernel, the set uploaded once; checked against the CPU first. */
    static void augment(BenchCommand bench, BenchCommand.Sizes sz, Gpu gpu, String dev) {
        Dataset set = Synthetic.generate("bench", bench.seed, 0, sz.augSet());
        int n = set.size(), b = sz.batch(), batches = sz.gpuSteps() * sz.augBatches();
        for (AugMixConfig cfg : List.of(AugMixConfig.defaults(), AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX))) {
            int[] idx = new EpochSampler(set, bench.seed, b).epoch(0).batch(0).indices();
            try (DeviceBuffer pixels = DeviceBuffer.of(gpu, set.images().pixels());
                 DeviceBuffer ii = DeviceBuffer.of(gpu, idx); DeviceBuffer out = DeviceBuffer.floats(gpu, AugMix.outputSize(cfg, b, 32, 32))) {
                AugmentCuda.Images images = new AugmentCuda.Images(pixels, n, 32, 32);
                // the kernel's batch against the CPU reference before timing
                AugmentCuda.sampleBatch(images, ii, ii, b, bench.seed, 0, cfg, out);
                float[] got = out.toFloats(), want = new float[got.length];
                AugMix.sampleBatch(set.images(), idx, bench.seed, 0, cfg, want);
                for (int k = 0; k < want.length; k++) {
                    if (!(Math.abs(got[k] - want[k]) <= 1e-6f)) {
                        throw new IllegalStateException("CUDA AugMix batch differs from the CPU reference at float " + k + ": " + got[k]
                                + " vs " + want[k] + " - not timing a wrong result");
                    }
                }
                int[] epoch = {1};
                String name = cfg.mode() == AugMixConfig.Mode.JSD ? "augmix_jsd_samples_per_s" : "augmix_nojsd_samples_per_s";
                bench.measureGpu(name, "samples/s", sz, (double) batches * b, () -> {
                    for (int k = 0; k < batches; k++) AugmentCuda.sampleBatch(images, ii, ii, b, bench.seed, epoch[0]++, cfg, out);
                    gpu.synchronize();
                }, String.format("CUDA AugMix kernel, %d batches of %d, set of %d uint8 images on the device; %s", batches, b, n, dev));
            }
        }
    }

    /**
     * The GPU training step per model and mode: {@link GpuEngine#step} as {@code train --device gpu}
     * runs it (the CUDA AugMix kernel on the device-resident set, forward, fused loss, backward, SGD),
     * through {@link StepRunner}; nothing is read back inside a timed run except the final synchronisation.
     */
    static void train(BenchCommand bench, BenchCommand.Sizes sz, List<Arch> nets, List<AugMixConfig.Mode> modes, String dev) {
        int steps = sz.gpuSteps();
        Gpu gpu = Gpu.get();
        Dataset set = Synthetic.generate("bench", bench.seed, 0, StepRunner.wholeBatches(Math.max(sz.batch() * 4, 512), sz.batch()));
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (Arch c : nets) {
            for (AugMixConfig.Mode mode : modes) {
                String key = BenchCommand.modelKey(c) + "_" + BenchCommand.modeKey(mode);
                Training training = new Training(0.9, 5e-4, bench.seed, BenchCommand.mode(mode), sz.batch());
                Network init = c.withClasses(set.numClasses()).build(bench.seed);
                try (GpuEngine engine = Engines.onGpu(gpu, Engines.Options.of(Device.GPU, 1000), init, 32, 32, training, quiet)) {
                    StepRunner runner = new StepRunner(engine, set, bench.seed, sz.batch(), 0.1);
                    // allocations and cuDNN's algorithm choice happen on the first steps
                    for (int i = 0; i < (sz.warmup() > 0 ? 3 : 0); i++) runner.step();
                    gpu.synchronize();
                    BenchFigures.Figure f = bench.measureGpu("train_step_" + key + "_samples_per_s", "samples/s", sz, (double) steps * sz.batch(),
                            () -> {
                                for (int i = 0; i < steps; i++) runner.step();
                                gpu.synchronize();
                            }, String.format("%s %s, batch %d, %d steps per run, GpuEngine.step with the CUDA AugMix kernel on the "
                                    + "device-resident set, default GPU options; %s", c.label(), BenchCommand.modeLabel(mode), sz.batch(), steps, dev));
                    engine.stats("bench " + key);  // a non-finite loss is an error, not a speed
                    bench.derived(f, key, sz.batch(), "gpu");
                }
            }
        }
    }

    /** GPU images per evaluation batch: the CPU's batch (500) times this, so a run is long enough to time. */
    static final int EVAL_BATCHES = 20;

    /**
     * Evaluation throughput on the GPU (GpuEngine behind Evaluator: uint8 batches up, logits back,
     * softmax and top-1 on the host), per model, on fog-corrupted images; logits checked against the
     * CPU engine on a few images first.
     */
    static void eval(BenchCommand bench, BenchCommand.Sizes sz, Gpu gpu, List<Arch> nets, String dev) {
        int n = sz.evalBatch() * (gpu.isEmulated() ? 1 : EVAL_BATCHES), check = Math.min(4, n);
        Dataset test = Synthetic.generate("bench-test", bench.seed, 1, n);
        ImageBatch corrupted = Corruptions.corrupt(test.images(), "fog", 3, bench.seed);
        ImageBatch few = corrupted.slice(0, check);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (Arch c : nets) {
            Network net = c.build(bench.seed);
            float[] want = new Evaluator(CpuEngine.inference(net), sz.evalBatch()).logits(few, null);
            try (GpuEngine g = Engines.onGpu(gpu, Engines.Options.of(Device.GPU, sz.evalBatch()), net, 32, 32, null, quiet)) {
                Evaluator ev = new Evaluator(g, sz.evalBatch());
                float[] got = ev.logits(few, null);
                double err = 0, ref = 0;
                for (int k = 0; k < want.length; k++) {
                    err = Math.max(err, Math.abs(got[k] - want[k]));
                    ref = Math.max(ref, Math.abs(want[k]));
                }
                if (!(err <= 1e-4 * Math.max(1, ref))) {
                    throw new IllegalStateException("GPU evaluation logits differ from the CPU engine's by " + err + " (largest logit " + ref
                            + ") - not timing a wrong result");
                }
                String key = BenchCommand.modelKey(c);
                BenchFigures.Figure f = bench.measureGpu("eval_" + key + "_images_per_s", "images/s", sz, n, () -> {
                    ev.evaluate(corrupted, test.labels(), null);
                    gpu.synchronize();
                }, String.format("%s eval mode, %d fog-corrupted images in batches of %d: uint8 up, normalised and run on the device, "
                        + "logits back; %s; %s", c.label(), n, sz.evalBatch(), g.backends().summary(), dev));
                bench.figs.add(new BenchFigures.Figure("cifar10c_eval_estimate_" + key + "_s", BenchCommand.CIFAR_C_IMAGES / f.value(), "s", "gpu",
                        new double[0], "derived: 750,000 images / median images/s (data already in host memory)"));
            }
        }
    }

    /**
     * The 15 benchmark corruptions at severity 3 as {@code eval --corrupted builtin} and {@code corrupt
     * --device gpu} make them (CorruptionsCuda; snow, frost and jpeg on the CPU), bytes checked against
     * the CPU reference on a few images first.
     */
    static void corrupt(BenchCommand bench, BenchCommand.Sizes sz, Gpu gpu, String dev) {
        int n = sz.corruptImages() * (gpu.isEmulated() ? 1 : 50), check = Math.min(4, n);
        Dataset test = Synthetic.generate("bench-test", bench.seed, 1, n);
        ImageBatch few = test.images().slice(0, check);
        FrostTiles frost = FrostTiles.procedural();
        List<String> onCpu = new ArrayList<>();
        for (String name : Corruptions.BENCHMARK) {
            Corruption c = Corruption.byName(name);
            if (!CorruptionsCuda.supports(c)) onCpu.add(name);
            byte[] got = CorruptionsCuda.corrupt(gpu, few, c, 3, bench.seed, 0L, frost).pixels();
            byte[] want = Corruptions.corrupt(few, c, 3, bench.seed, 0L, frost).pixels();
            if (!java.util.Arrays.equals(got, want)) {
                throw new IllegalStateException("GPU " + name + " differs from the CPU reference - not timing a wrong result");
            }
        }
        bench.measureGpu("corrupt_images_per_s", "images/s", sz, (double) n * Corruptions.BENCHMARK.size(), () -> {
            for (String name : Corruptions.BENCHMARK) CorruptionsCuda.corrupt(gpu, test.images(), Corruption.byName(name), 3, bench.seed, 0L, frost);
            gpu.synchronize();
        }, String.format("15 benchmark corruptions x %d images, severity 3, host to host (upload, kernels, download); %s on the CPU "
                + "with %d threads; %s", n, String.join(", ", onCpu), Parallel.threads(), dev));
    }
}
