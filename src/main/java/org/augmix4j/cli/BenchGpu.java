package org.augmix4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.train.GpuTrainer;

/**
 * The GPU figures of {@code bench} (device "gpu"), kept out of BenchCommand so that a CPU-only run
 * never loads JCuda: the CUDA AugMix kernel (section augment) and the GPU training step
 * (GpuTrainer.StepBench, section train). Each timed run ends with a device synchronisation.
 */
final class BenchGpu {
    private BenchGpu() {}

    /** Whether this process can use a GPU, and if not why (loads JCuda's driver library). */
    static GpuProbe probe() { return Gpu.probe(); }

    /** The workloads for the selected sections, and the reasons for those this build cannot time. */
    static List<BenchCommand.GpuWorkload> workloads(Set<String> sections, List<WideResNet.Config> nets, List<AugMixConfig.Mode> modes,
                                                    List<BenchCommand.Skipped> skipped) {
        List<BenchCommand.GpuWorkload> out = new ArrayList<>();
        Gpu gpu = Gpu.get();
        String dev = gpu.isEmulated() ? "gpu (EMULATED: the kernels ran on CPU threads; not a GPU speed)" : gpu.name();
        if (sections.contains("augment")) out.add((b, sz) -> augment(b, sz, gpu, dev));
        if (sections.contains("train")) out.add((b, sz) -> train(b, sz.slow(), nets, modes, dev));
        for (String s : List.of("eval", "corrupt")) {
            if (sections.contains(s)) skipped.add(new BenchCommand.Skipped(s + " [gpu]", "no GPU figure for this section in bench yet"));
        }
        return out;
    }

    /** JSD and no-JSD samples/s of the CUDA AugMix kernel, the set uploaded once; checked against the CPU first. */
    static void augment(BenchCommand bench, BenchCommand.Sizes sz, Gpu gpu, String dev) {
        Dataset set = Synthetic.generate("bench", bench.seed, 0, sz.augSet());
        int n = set.size(), b = sz.batch(), batches = sz.gpuSteps() * sz.augBatches();
        for (AugMixConfig cfg : List.of(AugMixConfig.defaults(), AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX))) {
            int[] perm = Philox.shuffle(bench.seed, 0, n);
            int[] idx = java.util.Arrays.copyOf(perm, b);
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

    /** The GPU training step (inputs already on the device: augmentation excluded) per model and mode. */
    static void train(BenchCommand bench, BenchCommand.Sizes sz, List<WideResNet.Config> nets, List<AugMixConfig.Mode> modes, String dev) {
        int steps = sz.gpuSteps();
        for (WideResNet.Config c : nets) {
            for (AugMixConfig.Mode mode : modes) {
                String key = "wrn" + c.depth() + "_" + c.widen() + "_" + BenchCommand.modeKey(mode);
                try (GpuTrainer.StepBench sb = new GpuTrainer.StepBench(c.depth(), c.widen(), sz.batch(), mode, 32, GpuTrainer.Options.defaults())) {
                    sb.run(sz.warmup() > 0 ? 3 : 0); // allocations and cuDNN's algorithm choice happen on the first steps
                    BenchCommand.Figure f = bench.measureGpu("train_step_" + key + "_samples_per_s", "samples/s", sz, (double) steps * sz.batch(),
                            () -> sb.run(steps), String.format("%s %s, batch %d, %d steps per run, inputs on the device (augmentation "
                                    + "excluded), default GPU options; %s", c.label(), BenchCommand.modeLabel(mode), sz.batch(), steps, dev));
                    bench.derived(f, key, sz.batch(), "gpu");
                }
            }
        }
    }
}
