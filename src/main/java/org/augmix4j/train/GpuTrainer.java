package org.augmix4j.train;

import java.io.PrintStream;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Event;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.cuda.Launch;
import org.augmix4j.data.Dataset;
import org.augmix4j.nn.GpuWideResNet;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.LossesCuda;
import org.augmix4j.ops.NormalizeCuda;
import org.augmix4j.ops.SgdCuda;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.GpuSgd;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;

/**
 * The GPU side of {@link Trainer} ({@code train --device gpu|auto}): the epoch loop of the CPU path
 * (same Philox shuffle, same batches with drop_last False, same AugMix inputs, same loss, Nesterov
 * SGD and per-step cosine learning rate) on {@link GpuWideResNet} + {@link GpuSgd}. The Trainer keeps
 * everything else (run directory, logs, checkpoints, evaluation calls): at the end of every epoch
 * the device state is copied into the Trainer's CPU network and optimiser, so checkpoints are written
 * by the CPU path's code, and evaluation of that network is routed to the GPU
 * ({@link Evaluator#setEngine}: clean test set and CIFAR-C streamed in batches as uint8, normalised
 * on the device).
 *
 * <p>No step reads anything back: the loss, the top-1 count and the sticky NaN/Inf flag accumulate
 * on the device and are read every {@code --print-freq} steps (and at the end of the epoch), where
 * the parameters' sum of squares is checked too; {@code --sync-debug} synchronises after every launch.
 */
public final class GpuTrainer implements AutoCloseable {
    /**
     * GPU options of the train command.
     *
     * @param tf32      cuDNN / cuBLAS may use TF32 tensor cores (--tf32; off for parity)
     * @param syncDebug synchronise and check after every launch and library call (--sync-debug)
     * @param backends  auto (libraries where they load) | kernels | libraries
     * @param augmentOnGpu batches from the CUDA AugMix kernel (training set on the device); false: the
     *                  CPU AugMix pipeline with pinned uploads ({@code -Daugmix4j.gpu.augment=cpu})
     */
    public record Options(boolean tf32, boolean syncDebug, GpuBackends.Choice backends, boolean augmentOnGpu) {
        /** With the batches from the CUDA AugMix kernel unless {@code -Daugmix4j.gpu.augment=cpu}. */
        public Options(boolean tf32, boolean syncDebug, GpuBackends.Choice backends) {
            this(tf32, syncDebug, backends, !"cpu".equalsIgnoreCase(System.getProperty("augmix4j.gpu.augment", "gpu")));
        }

        public static Options defaults() { return new Options(false, false, GpuBackends.Choice.fromProperty()); }
    }

    /**
     * What the GPU epoch needs from the run's configuration (a subset of {@link TrainConfig}).
     *
     * @param printFreq steps between read-backs (loss, top-1, NaN checks) and log lines
     */
    public record Settings(double momentum, double decay, long seed, AugMixConfig augmix, int batchSize, int evalBatchSize, int printFreq) {
        public static Settings of(TrainConfig c) {
            return new Settings(c.momentum(), c.decay(), c.seed(), c.augmix(), c.batchSize(), c.evalBatchSize(), c.printFreq());
        }
    }

    private final Settings cfg;
    private final Options options;
    private final PrintStream out;
    private final Gpu gpu;
    private final GpuBackends backends;
    private GpuWideResNet engine;
    private GpuSgd sgd;
    private GpuBatches batches;
    private DeviceBuffer labels, stats, sumPartial, sumOut;
    private GpuEvaluator evaluation;

    private GpuTrainer(Settings cfg, Options options, PrintStream out, Gpu gpu) {
        this.cfg = cfg;
        this.options = options;
        this.out = out;
        this.gpu = gpu;
        if (options.syncDebug()) Launch.syncDebug = true;
        this.backends = GpuBackends.select(gpu, options.backends(), options.tf32());
    }

    /**
     * Resolves {@code --device}: null for the CPU (never touching JCuda for "cpu"); for "auto" without
     * a usable GPU (or with only the CUDA emulator) a message naming what is missing, then null; for
     * "gpu" without one an {@link IllegalStateException} with that message; else the GPU trainer.
     * The system property {@code augmix4j.autoDevice=cpu} makes "auto" mean the CPU without probing
     * (the CPU test JVM sets it, so CPU tests stay CPU tests on GPU machines).
     */
    public static GpuTrainer open(TrainConfig cfg, Options options, PrintStream out) {
        Gpu gpu = device(cfg.device(), out);
        if (gpu == null) return null;
        GpuTrainer t = new GpuTrainer(Settings.of(cfg), options, out, gpu);
        out.println("Device: " + t.describe());
        for (String n : t.backends.notes()) out.println("  " + n);
        return t;
    }

    /**
     * Resolves a {@code --device} flag (train and eval): null for the CPU, after printing why when
     * "auto" found no usable GPU (or only the CUDA emulator); throws for "gpu" without one.
     */
    static Gpu device(String device, PrintStream out) {
        if (device.equals("auto") && "cpu".equals(System.getProperty("augmix4j.autoDevice"))) {
            out.println("Device: CPU engine (--device auto with -Daugmix4j.autoDevice=cpu)");
            return null;
        }
        if (device.equals("cpu")) return null;
        GpuProbe p = device.equals("gpu") || device.equals("auto") ? Gpu.probe() : null;
        String emulator = p != null && p.available() && Gpu.get().isEmulated() ? Gpu.get().name() : null;
        String message = decide(device, p, emulator);
        if (message != null) {
            out.println(message);
            return null;
        }
        return Gpu.get();
    }

    /**
     * The device decision as a pure function: null = train on the GPU; otherwise the message saying
     * why the CPU engine runs (auto); throws for "gpu" without a usable GPU and for unknown devices.
     *
     * @param probe    the GPU probe (null for "cpu")
     * @param emulator the device name when the only GPU is the CUDA emulator, else null
     */
    static String decide(String device, GpuProbe probe, String emulator) {
        switch (device) {
            case "cpu":
                return "Device: CPU engine (--device cpu)";
            case "gpu":
                if (!probe.available()) {
                    throw new IllegalStateException("--device gpu: no usable GPU: " + probe.problem() + ". Fix: " + probe.fix()
                            + (probe.fix().contains("--device cpu") ? "" : " (or run on the CPU with --device cpu)"));
                }
                return null;
            case "auto":
                if (!probe.available()) {
                    return "Device: CPU engine; --device auto found no usable GPU: " + probe.problem() + ". Fix: " + probe.fix();
                }
                if (emulator != null) {
                    return "Device: CPU engine; --device auto found only the CUDA emulator (" + emulator + "); --device gpu would use it";
                }
                return null;
            default:
                throw new IllegalArgumentException("--device must be cpu, gpu or auto, got " + device);
        }
    }

    /** "GPU NVIDIA H100 ... (cuDNN 9.24.0 conv + BN, cuBLAS linear, no TF32)". */
    public String describe() {
        return "GPU " + gpu + "; " + backends.summary() + (Launch.syncDebug ? "; --sync-debug: synchronising after every launch" : "");
    }

    public GpuBackends backends() { return backends; }

    /** The device it trains on. */
    public Gpu gpu() { return gpu; }

    /** The engine (after the first epoch started), for tests. */
    GpuWideResNet engine() { return engine; }

    private void ensure(Dataset train, WideResNet net, Sgd cpuSgd) {
        if (engine != null) return;
        ImageBatch img = train.images();
        engine = new GpuWideResNet(gpu, backends, net, img.height(), img.width());
        sgd = new GpuSgd(engine, (float) cfg.momentum(), (float) cfg.decay(), true);
        sgd.load(cpuSgd);
        AugMixConfig aug = cfg.augmix();
        engine.reserveTraining(cfg.batchSize(), aug.imagesPerSample());
        batches = options.augmentOnGpu() ? GpuBatches.gpu(gpu, cfg.seed(), aug)
                : GpuBatches.cpu(gpu, img.height(), img.width(), cfg.seed(), aug, cfg.batchSize());
        stats = DeviceBuffer.floats(gpu, 3);
        sumPartial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
        sumOut = DeviceBuffer.floats(gpu, 1);
        evaluation = new GpuEvaluator(engine, cfg.evalBatchSize());
        Evaluator.setEngine(net, evaluation);
        out.println("  batches: " + batches.describe() + "; activations " + engine.arenaBytes() / (1 << 20) + " MiB");
    }

    /**
     * One epoch on the GPU, as {@link Trainer}'s CPU epoch: returns its figures (test fields 0) and
     * leaves the trained state in {@code net} and {@code cpuSgd}.
     */
    Trainer.EpochStats trainEpoch(int epoch, Dataset train, WideResNet net, Sgd cpuSgd, CosineSchedule schedule, long step,
                                  int stepsPerEpoch) {
        ensure(train, net, cpuSgd);
        AugMixConfig aug = cfg.augmix();
        int n = train.size(), b = cfg.batchSize(), views = aug.imagesPerSample(), k = net.config().classes();
        int[] perm = Philox.shuffle(cfg.seed(), epoch, n);
        int[] permLabels = new int[n];
        for (int i = 0; i < n; i++) permLabels[i] = train.labels()[perm[i]];
        if (labels == null || labels.length() < n) {
            if (labels != null) labels.close();
            labels = DeviceBuffer.ints(gpu, Math.max(1, n));
        }
        labels.copyFrom(permLabels);
        stats.zero(gpu.stream());
        LossesCuda.Workspace ws = null;
        double lr = 0;
        double[] seen = {0, 0, 0};
        long t0 = System.nanoTime();
        for (int s = 0; s < stepsPerEpoch; s++) {
            int from = s * b, count = Math.min(b, n - from);
            DeviceBuffer input = inputBuffer(b * views);
            batches.fill(train.images(), epoch, perm, from, count, input);
            lr = schedule.lr(step);
            DeviceBuffer y = labels.view(from, count);
            engine.forwardBackward(input, y, count, views);
            ws = engine.lossWorkspace();
            LossesCuda.trainStats(engine.trainLogits(count * views), y, ws.loss, stats, count, k);
            sgd.step((float) lr);
            step++;
            boolean last = s + 1 == stepsPerEpoch;
            if ((s + 1) % cfg.printFreq() == 0 || last) {
                String where = "epoch " + (epoch + 1) + ", step " + (s + 1) + "/" + stepsPerEpoch;
                seen = readStats();
                ws.checkFinite(where);
                checkParameters(where);
                double secs = (System.nanoTime() - t0) / 1e9, rate = seen[2] / secs;
                if (!last) {
                    out.printf("Epoch %d step %d/%d | loss %.4f | train acc %.2f%% | %.1f samples/s | epoch ETA %s%n", epoch + 1, s + 1,
                            stepsPerEpoch, seen[0] / seen[2], 100.0 * seen[1] / seen[2], rate, eta((n - seen[2]) / rate));
                }
            }
        }
        gpu.synchronize();
        double secs = (System.nanoTime() - t0) / 1e9;
        engine.store(net);
        sgd.store(cpuSgd);
        if (!reportedAlgorithms && backends.cudnn() != null) {
            reportedAlgorithms = true;
            out.println("  cuDNN's choices (once per shape):");
            for (String line : backends.cudnn().notes()) out.println("    " + line);
        }
        return new Trainer.EpochStats(epoch + 1, step, lr, seen[0] / seen[2], 100.0 * seen[1] / seen[2], 0, 0, secs, seen[2] / secs);
    }

    private DeviceBuffer input;
    private boolean reportedAlgorithms;

    static String eta(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long t = Math.round(seconds);
        return t >= 3600 ? String.format("%dh%02dm%02ds", t / 3600, t / 60 % 60, t % 60) : String.format("%dm%02ds", t / 60, t % 60);
    }

    private DeviceBuffer inputBuffer(int images) {
        long need = (long) images * 3 * engine.height() * engine.width();
        if (input == null || input.length() < need) {
            if (input != null) input.close();
            input = DeviceBuffer.floats(gpu, need);
        }
        return input;
    }

    /** {loss sum, correct, samples} of this epoch so far (synchronises). */
    private double[] readStats() {
        float[] s = stats.toFloats();
        return new double[] {s[0], s[1], s[2]};
    }

    /** The weight NaN/Inf check: the parameters' sum of squares must be finite (synchronises). */
    private void checkParameters(String where) {
        SgdCuda.sumSquares(engine.params(), engine.flatLength(), sumPartial, sumOut);
        float ss = sumOut.toFloats()[0];
        if (!Float.isFinite(ss)) {
            throw new Losses.NonFiniteException("GPU parameters at " + where + " hold NaN/Inf (sum of squares " + ss
                    + "): training diverged; lower --learning-rate or resume from the last good checkpoint");
        }
    }

    @Override
    public void close() {
        if (engine != null) {
            gpu.synchronize();
            batches.close();
            if (input != null) input.close();
            if (labels != null) labels.close();
            stats.close();
            sumPartial.close();
            sumOut.close();
            evaluation.close();
            sgd.close();
            engine.close();
        }
        backends.close();
    }


    // ---------------------------------------------------------------- benchmarks (the bench command's GPU hook)

    /**
     * A timing from {@link #benchStep} or {@link #benchEpoch}.
     *
     * @param samplesPerSecond training samples (not images) per second
     * @param millisPerStep    mean milliseconds per step
     * @param device           the GPU, and the backends
     */
    public record BenchResult(String name, double samplesPerSecond, double millisPerStep, int steps, String device) {
        /** The estimated seconds of a CIFAR epoch (50,000 samples) at this rate. */
        public double cifarEpochSeconds() { return 50_000 / samplesPerSecond; }
    }

    /**
     * Times {@code steps} training steps (forward, fused loss, backward, SGD) of a WRN-{@code layers}-{@code widen}
     * on 32x32 inputs already on the device, batch {@code batch} samples ({@code mode} JSD: 3 views), after
     * three untimed warm-up steps (which also choose cuDNN's algorithms), with CUDA events; nothing is read
     * back inside the timed region. Uses the default GPU options (libraries where they load, no TF32).
     */
    public static BenchResult benchStep(int layers, int widen, int batch, AugMixConfig.Mode mode, int steps) {
        return benchStep(layers, widen, batch, mode, steps, Options.defaults());
    }

    public static BenchResult benchStep(int layers, int widen, int batch, AugMixConfig.Mode mode, int steps, Options options) {
        try (StepBench b = new StepBench(layers, widen, batch, mode, 32, options)) {
            b.run(3);
            return b.time(steps);
        }
    }

    /**
     * A prepared training step for repeated timing (the bench command's GPU hook: {@link #run} queues
     * steps and synchronises, so any wall-clock harness can time it; {@link #time} uses CUDA events).
     * Random weights, inputs and labels are on the device once.
     */
    public static final class StepBench implements AutoCloseable {
        private final Gpu gpu;
        private final GpuBackends backends;
        private final GpuWideResNet net;
        private final GpuSgd sgd;
        private final DeviceBuffer x, y;
        private final int batch, views;
        private final String name;

        public StepBench(int layers, int widen, int batch, AugMixConfig.Mode mode, int imageSize, Options options) {
            this.gpu = Gpu.get();
            this.batch = batch;
            this.views = mode == AugMixConfig.Mode.JSD ? 3 : 1;
            int classes = 10;
            if (options.syncDebug()) Launch.syncDebug = true;
            WideResNet cpu = new WideResNet(new WideResNet.Config(layers, widen, classes), 1);
            backends = GpuBackends.select(gpu, options.backends(), options.tf32());
            net = new GpuWideResNet(gpu, backends, cpu, imageSize, imageSize);
            sgd = new GpuSgd(net, 0.9f, 5e-4f, true);
            x = DeviceBuffer.floats(gpu, (long) batch * views * 3 * imageSize * imageSize);
            y = DeviceBuffer.ints(gpu, batch);
            SplittableRandom r = new SplittableRandom(7);
            float[] hx = new float[(int) x.length()];
            for (int i = 0; i < hx.length; i++) hx[i] = (float) (r.nextDouble() * 2 - 1);
            int[] hy = new int[batch];
            for (int i = 0; i < batch; i++) hy[i] = r.nextInt(classes);
            x.copyFrom(hx);
            y.copyFrom(hy);
            name = "gpu_train_step_wrn" + layers + "_" + widen + "_" + mode.name().toLowerCase() + "_b" + batch;
        }

        /** Queues {@code steps} steps and waits for them. */
        public void run(int steps) {
            for (int i = 0; i < steps; i++) {
                net.forwardBackward(x, y, batch, views);
                sgd.step(0.01f);
            }
            gpu.synchronize();
        }

        /** Times {@code steps} steps between two CUDA events; checks the loss flag afterwards. */
        public BenchResult time(int steps) {
            try (Event start = Event.create(gpu, true); Event end = Event.create(gpu, true)) {
                start.record(gpu.stream());
                for (int i = 0; i < steps; i++) {
                    net.forwardBackward(x, y, batch, views);
                    sgd.step(0.01f);
                }
                end.record(gpu.stream());
                double ms = end.millisSince(start);
                net.lossWorkspace().checkFinite("bench " + name);
                return new BenchResult(name, batch * steps / (ms / 1000), ms / steps, steps, gpu.name() + "; " + backends.summary());
            }
        }

        /** Samples (not images) per step. */
        public int batch() { return batch; }

        @Override
        public void close() {
            gpu.synchronize();
            x.close();
            y.close();
            sgd.close();
            net.close();
            backends.close();
        }
    }

    /**
     * Times one whole epoch of {@code samples} synthetic 32x32 training images (random uint8; drop_last
     * False) through the real pipeline of {@code train --device gpu}: AugMix batches ({@link GpuBatches}),
     * steps with the cosine schedule, the print-freq read-backs every 50 steps, and the state copied back
     * at the end. Wall-clock time, after one untimed warm-up step.
     */
    public static BenchResult benchEpoch(int layers, int widen, int batch, AugMixConfig.Mode mode, int samples, Options options) {
        SplittableRandom r = new SplittableRandom(11);
        byte[] px = new byte[samples * 32 * 32 * 3];
        for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
        int[] lab = new int[samples];
        for (int i = 0; i < samples; i++) lab[i] = r.nextInt(10);
        java.util.List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) names.add("c" + i);
        Dataset train = new Dataset("bench-synthetic", new ImageBatch(px, samples, 32, 32, 3), lab, 10, names);
        AugMixConfig aug = new AugMixConfig(mode, 3, -1, 3, 1.0, false, true);
        Settings cfg = new Settings(0.9, 5e-4, 1, aug, batch, 1000, 50);
        WideResNet net = new WideResNet(new WideResNet.Config(layers, widen, 10), 1);
        Sgd cpuSgd = Sgd.official(net.parameters(), 5e-4f);
        int steps = (samples + batch - 1) / batch;
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        Gpu gpu = Gpu.get();
        try (GpuTrainer t = new GpuTrainer(cfg, options, quiet, gpu)) {
            // warm-up: one step on the first batch (allocations, cuDNN algorithm choice)
            Dataset warm = train.slice(0, Math.min(batch, samples));
            t.trainEpoch(0, warm, net, cpuSgd, new CosineSchedule(0.1, 1), 0, 1);
            CosineSchedule schedule = new CosineSchedule(0.1, steps);
            long t0 = System.nanoTime();
            Trainer.EpochStats s = t.trainEpoch(0, train, net, cpuSgd, schedule, 0, steps);
            double secs = (System.nanoTime() - t0) / 1e9;
            String name = "gpu_train_epoch_wrn" + layers + "_" + widen + "_" + mode.name().toLowerCase() + "_b" + batch;
            return new BenchResult(name, samples / secs, 1000 * secs / steps, steps, gpu.name() + "; " + t.backends.summary() + "; "
                    + t.batches.describe() + (Double.isFinite(s.trainLoss()) ? "" : "; NON-FINITE LOSS"));
        }
    }
}
