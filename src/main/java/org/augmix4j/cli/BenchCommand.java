package org.augmix4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.train.Evaluator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: end-to-end throughput of the real code paths, without JMH. Each figure is the
 * median over {@code --runs} timed runs after {@code --warmup} untimed ones, with min, max and
 * spread ((max - min) / median). Sections (docs/benchmarks.md says what each figure means):
 * <ul>
 * <li>{@code augment}: AugMix training samples per second through {@link AugMix#sampleBatch}
 *     (official CIFAR defaults, flip + crop included), JSD on 1 thread and on all threads, no-JSD
 *     on all threads;</li>
 * <li>{@code train}: one training step as {@code train} runs it (AugMix batch, forward over all
 *     views, CE (+ 12 JSD), backward, Nesterov SGD) per model and mode, in samples/s and ms, and
 *     the CIFAR-10 epoch (50,000 samples) it implies; {@code --full} times a real epoch;</li>
 * <li>{@code eval}: CIFAR-C-style evaluation: eval-mode forward, softmax and scoring of
 *     corrupted 32x32 images, images/s, and the full CIFAR-10-C (750,000 images) it implies;</li>
 * <li>{@code corrupt}: generation of the 15 benchmark corruptions at severity 3, images/s.</li>
 * </ul>
 * {@code --json FILE} writes the list of {name, value, unit, device} entries (names stable across
 * versions); {@code --runs-json FILE} adds runs, min, max and every run's value, plus the
 * machine and the load, for bench/results.
 *
 * <p>GPU ({@code --device gpu}, or {@code auto} where a GPU is usable): the same names with device
 * "gpu" from {@link BenchGpu}: the CUDA AugMix kernel's samples/s and the GPU training step
 * (inputs on the device). Without a usable GPU the GPU rows are listed as skipped with the reason;
 * {@code --device cpu} never loads JCuda.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"End-to-end throughput: AugMix samples/s, WRN training steps per mode, CIFAR-C evaluation and corruption images/s.",
                "Prints a table (median of --runs after --warmup, with min, max and spread); --json FILE writes {name, value, unit, device} entries."})
public final class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    /** Sections in the order they run. */
    static final List<String> SECTIONS = List.of("augment", "train", "eval", "corrupt");
    /** CIFAR-10 training set size, for the epoch estimate. */
    static final int CIFAR_TRAIN = 50_000;
    /** CIFAR-10-C: 15 corruptions x 5 severities x 10,000 images, for the evaluation estimate. */
    static final int CIFAR_C_IMAGES = 15 * 5 * 10_000;

    @Option(names = "--only", split = ",", paramLabel = "SECTION",
            description = "Sections to run, comma-separated: augment, train, eval, corrupt (default: all)")
    List<String> only = new ArrayList<>(SECTIONS);
    @Option(names = "--models", split = ",", paramLabel = "D-K",
            description = "WideResNets for train and eval, as depth-widen (default: 16-2,40-2)")
    List<String> models = new ArrayList<>(List.of("16-2", "40-2"));
    @Option(names = "--modes", split = ",", paramLabel = "MODE",
            description = "Training modes: jsd (AugMix + JSD), nojsd (--no-jsd), noaugmix (--no-augmix) (default: all three)")
    List<String> modes = new ArrayList<>(List.of("jsd", "nojsd", "noaugmix"));
    @Option(names = "--quick", description = "CI-sized runs: tiny batches and sets, 2 runs after 1 warm-up (figures are for checking the plumbing, not for quoting)")
    boolean quick;
    @Option(names = "--full", description = "Also time one real training epoch per model and mode over --epoch-size synthetic images (slow: WRN-40-2 JSD is tens of minutes on 2 cores)")
    boolean full;
    @Option(names = "--epoch-size", description = "Samples in the --full epoch (default: ${DEFAULT-VALUE}, CIFAR-10's training set)")
    int epochSize = CIFAR_TRAIN;
    @Option(names = {"-b", "--batch-size"}, description = "Training batch (samples; JSD feeds 3x as many images) (default: 128; --quick: 4)")
    Integer batchSize;
    @Option(names = "--eval-batch-size", description = "Images per evaluation forward; one batch per run (default: 500; --quick: 8)")
    Integer evalBatchSize;
    @Option(names = "--runs", description = "Timed runs per figure (default: 5, and 3 for training steps and evaluation; --quick: 2)")
    Integer runs;
    @Option(names = "--warmup", description = "Untimed runs before them (default: 1; --quick: 0)")
    Integer warmup;
    @Option(names = {"--num-workers", "--threads"}, description = "CPU threads for the all-threads figures; 0 = all cores (default: ${DEFAULT-VALUE})")
    int threads = 0;
    @Option(names = "--device", description = "cpu | gpu | auto: CPU figures, GPU figures, or both where this build has them (default: ${DEFAULT-VALUE})")
    String device = "auto";
    @Option(names = "--seed", description = "Seed of the synthetic data, the initialisation and every augmentation draw (default: ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as a JSON list of {name, value, unit, device}")
    Path json;
    @Option(names = "--runs-json", paramLabel = "FILE", description = "Write the figures with runs, min, max and every run's value, and the machine, load and command (for bench/results)")
    Path runsJson;

    /**
     * One reported figure. {@code values} are the per-run values (empty for derived figures);
     * {@code cpuShare} is the median over runs of process CPU time / (wall time x threads): near
     * 1 on a quiet machine, well below when other processes took the cores (NaN if unknown).
     */
    record Figure(String name, double value, String unit, String device, double[] values, String note, double cpuShare) {
        Figure(String name, double value, String unit, String device, double[] values, String note) {
            this(name, value, unit, device, values, note, Double.NaN);
        }

        int runs() { return values.length; }

        double min() { return values.length == 0 ? value : Arrays.stream(values).min().orElse(value); }

        double max() { return values.length == 0 ? value : Arrays.stream(values).max().orElse(value); }

        /** (max - min) / median in percent; 0 for derived figures. */
        double spreadPercent() { return values.length < 2 || value == 0 ? 0 : 100 * (max() - min()) / Math.abs(value); }
    }

    /** A figure this run could not produce, and why. */
    record Skipped(String what, String why) {}

    /** Sizes of one bench run (the defaults, or --quick's). */
    record Sizes(int batch, int augBatches, int augSet, int evalBatch, int corruptImages, int trainSteps,
                 int runs, int slowRuns, int warmup, int gpuSteps) {
        /** The sizes for the runs of slow figures (training steps, evaluation). */
        Sizes slow() { return new Sizes(batch, augBatches, augSet, evalBatch, corruptImages, trainSteps, slowRuns, slowRuns, warmup, gpuSteps); }
    }

    private final List<Figure> figures = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();
    private PrintWriter out = new PrintWriter(System.out, true);

    @Override
    public Integer call() throws Exception {
        return run(spec != null ? spec.commandLine().getOut() : new PrintWriter(System.out, true));
    }

    Sizes sizes() {
        Sizes s = quick ? new Sizes(2, 2, 32, 8, 4, 1, 2, 2, 0, 1) : new Sizes(128, 8, 2048, 500, 200, 1, 5, 3, 1, 20);
        return new Sizes(batchSize != null ? batchSize : s.batch(), s.augBatches(), s.augSet(),
                evalBatchSize != null ? evalBatchSize : s.evalBatch(), s.corruptImages(), s.trainSteps(),
                runs != null ? runs : s.runs(), runs != null ? runs : s.slowRuns(), warmup != null ? warmup : s.warmup(), s.gpuSteps());
    }

    int run(PrintWriter printTo) throws IOException {
        out = printTo;
        Set<String> sections = new LinkedHashSet<>();
        for (String s : only) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            if (!SECTIONS.contains(n)) throw new IllegalArgumentException("--only: unknown section '" + s + "'; use " + String.join(", ", SECTIONS));
            sections.add(n);
        }
        List<WideResNet.Config> nets = new ArrayList<>();
        for (String m : models) nets.add(parseModel(m));
        List<AugMixConfig.Mode> trainModes = new ArrayList<>();
        for (String m : modes) trainModes.add(parseMode(m));
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) {
            throw new IllegalArgumentException("--device must be cpu, gpu or auto, got " + device);
        }
        Sizes sz = sizes();
        if (sz.runs() < 1 || sz.warmup() < 0 || sz.batch() < 1 || sz.evalBatch() < 1) {
            throw new IllegalArgumentException("need --runs >= 1, --warmup >= 0, --batch-size >= 2 and --eval-batch-size >= 1");
        }
        if (full && epochSize < sz.batch()) throw new IllegalArgumentException("--epoch-size must be at least the batch size " + sz.batch());
        boolean cpu = !device.equals("gpu");
        boolean gpu = !device.equals("cpu");
        Parallel.setThreads(threads);
        int all = Parallel.threads();
        String loadBefore = loadAverage();
        OffsetDateTime started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        out.printf("AugMix4J bench%s: %s, %d CPU threads of %d cores, %s; load average %s%n", quick ? " (--quick: plumbing check, not for quoting)" : "",
                cpuModel(), all, Runtime.getRuntime().availableProcessors(), javaVersion(), loadBefore);
        out.printf("sizes: batch %d, eval batch %d; %d timed run(s) per figure (%d for training steps and evaluation) after %d warm-up(s)%n%n",
                sz.batch(), sz.evalBatch(), sz.runs(), sz.slowRuns(), sz.warmup());

        if (cpu) {
            if (sections.contains("augment")) augment(sz, all);
            if (sections.contains("train")) train(sz.slow(), nets, trainModes);
            if (sections.contains("eval")) eval(sz.slow(), nets);
            if (sections.contains("corrupt")) corrupt(sz);
        }
        if (gpu) {
            String why = null;
            List<GpuWorkload> work = List.of();
            try {
                work = gpuWorkloads(sections, nets, trainModes);
                if (work == null) why = gpuProblem;
            } catch (LinkageError | RuntimeException e) {
                why = "the GPU could not be set up: " + e.getMessage();
            }
            if (why != null) {
                for (String s : sections) skipped.add(new Skipped(s + " [gpu]", why));
                if (device.equals("gpu")) {
                    printTable();
                    out.flush();
                    throw new IllegalArgumentException("--device gpu: " + why + "; use --device cpu");
                }
            } else {
                for (GpuWorkload w : work) w.run(this, sz);
            }
        }
        String loadAfter = loadAverage();
        printTable();
        out.printf("%nload average before %s, after %s%n", loadBefore, loadAfter);
        if (json != null) {
            writeJson(json, entries(false));
            out.println("Wrote " + json);
        }
        if (runsJson != null) {
            JsonObject doc = new JsonObject();
            doc.addProperty("tool", "augmix4j bench");
            doc.addProperty("date", started.toString());
            doc.addProperty("cpu", cpuModel());
            doc.addProperty("cores", Runtime.getRuntime().availableProcessors());
            doc.addProperty("threads", all);
            doc.addProperty("jdk", javaVersion());
            doc.addProperty("load_before", loadBefore);
            doc.addProperty("load_after", loadAfter);
            doc.addProperty("quick", quick);
            doc.addProperty("batch", sz.batch());
            doc.addProperty("eval_batch", sz.evalBatch());
            doc.add("figures", entries(true));
            JsonArray sk = new JsonArray();
            for (Skipped s : skipped) sk.add(s.what() + ": " + s.why());
            doc.add("skipped", sk);
            writeJson(runsJson, doc);
            out.println("Wrote " + runsJson);
        }
        out.flush();
        return 0;
    }

    // ---------------------------------------------------------------- sections

    /** AugMix samples/s: JSD on 1 thread and on all threads, no-JSD on all threads. */
    private void augment(Sizes sz, int all) {
        Dataset set = Synthetic.generate("bench", seed, 0, sz.augSet());
        AugMixConfig jsd = AugMixConfig.defaults();
        int samples = sz.augBatches() * sz.batch();
        String what = sz.augBatches() + " batches of " + sz.batch();
        Parallel.setThreads(1);
        measure("augmix_jsd_samples_per_s_1thread", "samples/s", "cpu", sz, samples, augRunner(set, jsd, sz), "1 thread, " + what);
        Parallel.setThreads(threads);
        measure("augmix_jsd_samples_per_s", "samples/s", "cpu", sz, samples, augRunner(set, jsd, sz), all + " threads, " + what);
        measure("augmix_nojsd_samples_per_s", "samples/s", "cpu", sz, samples,
                augRunner(set, jsd.withMode(AugMixConfig.Mode.AUGMIX), sz), all + " threads, one AugMix view per sample");
    }

    /** A runner producing {@code augBatches} AugMix batches through the shuffled set, as training does. */
    private Runnable augRunner(Dataset set, AugMixConfig cfg, Sizes sz) {
        int n = set.size(), b = sz.batch();
        float[] buf = new float[(int) AugMix.outputSize(cfg, b, 32, 32)];
        int[] idx = new int[b];
        int[] state = {0, 0}; // epoch, position
        int[][] perm = {Philox.shuffle(seed, 0, n)};
        return () -> {
            for (int k = 0; k < sz.augBatches(); k++) {
                if (state[1] + b > n) {
                    state[0]++;
                    state[1] = 0;
                    perm[0] = Philox.shuffle(seed, state[0], n);
                }
                System.arraycopy(perm[0], state[1], idx, 0, b);
                state[1] += b;
                AugMix.sampleBatch(set.images(), idx, seed, state[0], cfg, buf);
            }
        };
    }

    /** One training step per model and mode; epoch estimates; optionally a real epoch. */
    private void train(Sizes sz, List<WideResNet.Config> nets, List<AugMixConfig.Mode> trainModes) {
        int setSize = Math.max(sz.batch() * 4, 512);
        Dataset set = Synthetic.generate("bench", seed, 0, setSize);
        for (WideResNet.Config c : nets) {
            for (AugMixConfig.Mode mode : trainModes) {
                String key = "wrn" + c.depth() + "_" + c.widen() + "_" + modeKey(mode);
                StepRunner step = new StepRunner(c, mode, set, sz.batch(), seed);
                Figure f = measure("train_step_" + key + "_samples_per_s", "samples/s", "cpu", sz, (double) sz.batch() * sz.trainSteps(),
                        () -> {
                            for (int i = 0; i < sz.trainSteps(); i++) step.step();
                        }, "");
                f = new Figure(f.name(), f.value(), f.unit(), f.device(), f.values(), String.format(
                        "%s %s, batch %d (%d images per forward), augment %.1f%% of the step", c.label(), modeLabel(mode),
                        sz.batch(), sz.batch() * mode(mode).imagesPerSample(), 100 * step.augmentShare()), f.cpuShare());
                figures.set(figures.size() - 1, f);
                derived(f, key, sz.batch(), "cpu");
                if (full) {
                    StepRunner ep = new StepRunner(c, mode, null, sz.batch(), seed);
                    Dataset big = Synthetic.generate("bench-epoch", seed, 0, epochSize);
                    long t0 = System.nanoTime();
                    ep.epoch(big);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    add(new Figure("epoch_" + key + "_s", secs, "s", "cpu", new double[] {secs},
                            String.format("one real epoch of %,d synthetic samples, batch %d, drop_last false", epochSize, sz.batch())));
                }
            }
        }
    }

    /** The ms-per-step and epoch-estimate figures of a train_step samples/s figure. */
    void derived(Figure f, String key, int batch, String dev) {
        double[] ms = new double[f.values().length];
        for (int i = 0; i < ms.length; i++) ms[i] = 1000.0 * batch / f.values()[i];
        add(new Figure("train_step_" + key + "_ms", 1000.0 * batch / f.value(), "ms", dev, ms, "per step of " + batch + " samples",
                f.cpuShare()));
        add(new Figure("epoch_estimate_" + key + "_s", CIFAR_TRAIN / f.value(), "s", dev, new double[0],
                "derived: 50,000 samples / median samples/s"));
    }

    /** Eval-mode throughput on corrupted images, per model. */
    private void eval(Sizes sz, List<WideResNet.Config> nets) {
        Dataset test = Synthetic.generate("bench-test", seed, 1, sz.evalBatch());
        ImageBatch corrupted = Corruptions.corrupt(test.images(), "fog", 3, seed);
        for (WideResNet.Config c : nets) {
            WideResNet net = new WideResNet(c, seed);
            Evaluator ev = new Evaluator(net, sz.evalBatch());
            String key = "wrn" + c.depth() + "_" + c.widen();
            Figure f = measure("eval_" + key + "_images_per_s", "images/s", "cpu", sz, sz.evalBatch(),
                    () -> ev.evaluate(corrupted, test.labels(), null), String.format("%s eval mode, one batch of %d fog-corrupted images",
                            c.label(), sz.evalBatch()));
            add(new Figure("cifar10c_eval_estimate_" + key + "_s", CIFAR_C_IMAGES / f.value(), "s", "cpu", new double[0],
                    "derived: 750,000 images / median images/s (data already in memory)"));
        }
    }

    /** Generation of the 15 benchmark corruptions at severity 3. */
    private void corrupt(Sizes sz) {
        Dataset test = Synthetic.generate("bench-test", seed, 1, sz.corruptImages());
        int n = sz.corruptImages() * Corruptions.BENCHMARK.size();
        measure("corrupt_images_per_s", "images/s", "cpu", sz, n, () -> {
            for (String c : Corruptions.BENCHMARK) Corruptions.corrupt(test.images(), c, 3, seed);
        }, String.format("15 benchmark corruptions x %d images, severity 3, %d threads", sz.corruptImages(), Parallel.threads()));
    }

    // ---------------------------------------------------------------- training step

    /** The training step of {@code train} (Trainer.trainEpoch) on the CPU engine, for timing. */
    static final class StepRunner {
        final WideResNet net;
        final Sgd sgd;
        final AugMixConfig aug;
        final Dataset set;
        final int batch, classes;
        final long seed;
        final float[] input;
        final int[] idx, labels;
        int[] perm;
        int epoch, pos;
        long augNanos, totalNanos;
        float lastLoss = Float.NaN;

        StepRunner(WideResNet.Config c, AugMixConfig.Mode mode, Dataset set, int batch, long seed) {
            this.net = new WideResNet(new WideResNet.Config(c.depth(), c.widen(), set == null ? Synthetic.CLASSES.size() : set.numClasses()), seed);
            this.sgd = Sgd.official(net.parameters(), 5e-4f);
            this.aug = mode(mode);
            this.set = set;
            this.batch = batch;
            this.seed = seed;
            this.classes = net.config().classes();
            this.input = new float[(int) AugMix.outputSize(aug, batch, 32, 32)];
            this.idx = new int[batch];
            this.labels = new int[batch];
            if (set != null) perm = Philox.shuffle(seed, 0, set.size());
        }

        /** One step on the next batch of the shuffled set. */
        void step() {
            if (pos + batch > set.size()) {
                epoch++;
                pos = 0;
                perm = Philox.shuffle(seed, epoch, set.size());
            }
            System.arraycopy(perm, pos, idx, 0, batch);
            pos += batch;
            for (int i = 0; i < batch; i++) labels[i] = set.labels()[idx[i]];
            run(set.images(), idx, labels, input, batch, epoch);
        }

        /** The fraction of step time spent making the AugMix batch, so far. */
        double augmentShare() { return totalNanos == 0 ? 0 : (double) augNanos / totalNanos; }

        void run(ImageBatch images, int[] ids, int[] y, float[] x, int count, int ep) {
            long t0 = System.nanoTime();
            AugMix.sampleBatch(images, ids, seed, ep, aug, x);
            long t1 = System.nanoTime();
            int views = aug.imagesPerSample();
            Tape tape = new Tape();
            Var logits = net.forward(tape, Tensor.of(x, views * count, 3, 32, 32), true);
            Var ce = F.crossEntropy(tape, logits, y, count);
            Var loss = views == 3 ? F.weightedSum(tape, ce, 1f, F.jsd(tape, logits, count), Losses.JSD_WEIGHT) : ce;
            tape.backward(loss);
            sgd.step(0.1f);
            net.zeroGrad();
            lastLoss = loss.data()[0];
            if (!Float.isFinite(lastLoss)) throw new IllegalStateException("bench training step produced a non-finite loss " + lastLoss);
            augNanos += t1 - t0;
            totalNanos += System.nanoTime() - t0;
        }

        /** One epoch over {@code data} with drop_last false, as Trainer does it. */
        void epoch(Dataset data) {
            int n = data.size();
            int[] order = Philox.shuffle(seed, 0, n);
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                int[] ids = Arrays.copyOfRange(order, from, from + count);
                int[] y = new int[count];
                for (int i = 0; i < count; i++) y[i] = data.labels()[ids[i]];
                float[] x = count == batch ? input : new float[(int) AugMix.outputSize(aug, count, 32, 32)];
                run(data.images(), ids, y, x, count, 0);
            }
        }
    }

    // ---------------------------------------------------------------- GPU hook

    /** A GPU figure producer: uploads what it needs, synchronises inside each timed run. */
    interface GpuWorkload {
        void run(BenchCommand bench, Sizes sizes);
    }

    /** Why there are no GPU figures (set when {@link #gpuWorkloads} returns null). */
    private String gpuProblem;

    /**
     * The GPU figures of this build for the selected sections (BenchGpu: the CUDA AugMix kernel for
     * "augment", GpuTrainer.StepBench for "train", GpuEvaluator for "eval", CorruptionsCuda for "corrupt"), under the same names as the CPU figures with
     * device "gpu"; null, with {@link #gpuProblem} set, when this process has no usable GPU. Only
     * called for --device gpu or auto, so --device cpu never loads JCuda.
     */
    List<GpuWorkload> gpuWorkloads(Set<String> sections, List<WideResNet.Config> nets, List<AugMixConfig.Mode> trainModes) {
        org.augmix4j.cuda.GpuProbe p = BenchGpu.probe();
        if (!p.available()) {
            gpuProblem = "no usable GPU: " + p.problem() + " (fix: " + p.fix() + ")";
            return null;
        }
        return BenchGpu.workloads(sections, nets, trainModes, skipped);
    }

    /** Timing helper for GPU workloads: {@code body} must synchronise before returning. */
    Figure measureGpu(String name, String unit, Sizes sz, double workPerRun, Runnable body, String note) {
        return measure(name, unit, "gpu", sz, workPerRun, body, note);
    }

    // ---------------------------------------------------------------- measurement

    /** Runs body warmup + runs times; the figure is the median of work / seconds over the timed runs. */
    Figure measure(String name, String unit, String dev, Sizes sz, double workPerRun, Runnable body, String note) {
        for (int i = 0; i < sz.warmup(); i++) body.run();
        double[] rates = new double[sz.runs()], share = new double[sz.runs()];
        for (int i = 0; i < sz.runs(); i++) {
            long c0 = processCpuNanos(), t0 = System.nanoTime();
            body.run();
            long dt = Math.max(1, System.nanoTime() - t0), dc = processCpuNanos() - c0;
            rates[i] = workPerRun / (dt / 1e9);
            share[i] = c0 < 0 ? Double.NaN : (double) dc / dt / Parallel.threads();
        }
        Figure f = new Figure(name, median(rates), unit, dev, rates, note, median(share));
        add(f);
        return f;
    }

    void add(Figure f) {
        figures.add(f);
        out.printf("  %-44s %12s %-9s (%d runs, spread %.0f%%%s)%n", f.name(), fmt(f.value()), f.unit(), f.runs(), f.spreadPercent(),
                Double.isNaN(f.cpuShare()) ? "" : String.format(", cpu %.0f%%", 100 * f.cpuShare()));
        out.flush();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    List<Figure> figures() { return figures; }

    List<Skipped> skipped() { return skipped; }

    // ---------------------------------------------------------------- output

    private void printTable() {
        out.printf("%n%-44s %-6s %12s %-9s %12s %12s %7s %5s %5s  %s%n", "figure", "device", "median", "unit", "min", "max", "spread",
                "runs", "cpu", "what");
        for (Figure f : figures) {
            out.printf("%-44s %-6s %12s %-9s %12s %12s %6.1f%% %5d %5s  %s%n", f.name(), f.device(), fmt(f.value()), f.unit(),
                    f.runs() == 0 ? "-" : fmt(f.min()), f.runs() == 0 ? "-" : fmt(f.max()), f.spreadPercent(), f.runs(),
                    Double.isNaN(f.cpuShare()) ? "-" : String.format("%.0f%%", 100 * f.cpuShare()), f.note());
        }
        out.println("cpu = process CPU time / (wall time x threads), median over runs: well below 100% means other processes had the cores");
        for (Skipped s : skipped) out.printf("%-44s skipped: %s%n", s.what(), s.why());
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    private JsonArray entries(boolean withRuns) {
        JsonArray arr = new JsonArray();
        for (Figure f : figures) {
            JsonObject o = new JsonObject();
            o.addProperty("name", f.name());
            o.addProperty("value", round(f.value()));
            o.addProperty("unit", f.unit());
            o.addProperty("device", f.device());
            if (withRuns) {
                o.addProperty("runs", f.runs());
                o.addProperty("min", round(f.min()));
                o.addProperty("max", round(f.max()));
                JsonArray vals = new JsonArray();
                for (double v : f.values()) vals.add(round(v));
                o.add("values", vals);
                o.addProperty("note", f.note());
                if (!Double.isNaN(f.cpuShare())) o.addProperty("cpu_share", round(f.cpuShare()));
            }
            arr.add(o);
        }
        return arr;
    }

    /** Four significant digits are more than the spread justifies. */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) return v;
        double scale = Math.pow(10, 4 - Math.ceil(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }

    private static void writeJson(Path file, Object doc) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(doc) + "\n", StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- parsing and machine facts

    static WideResNet.Config parseModel(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace("wrn", "").replaceFirst("^[-_]", "");
        String[] p = t.split("[-_x]");
        try {
            if (p.length == 2) return new WideResNet.Config(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Synthetic.CLASSES.size());
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--models: '" + s + "' is not depth-widen, e.g. 40-2 or WRN-16-2");
    }

    static AugMixConfig.Mode parseMode(String s) {
        return switch (s.trim().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "")) {
            case "jsd" -> AugMixConfig.Mode.JSD;
            case "nojsd", "augmix" -> AugMixConfig.Mode.AUGMIX;
            case "noaugmix", "none" -> AugMixConfig.Mode.NONE;
            default -> throw new IllegalArgumentException("--modes: unknown mode '" + s + "'; use jsd, nojsd or noaugmix");
        };
    }

    static AugMixConfig mode(AugMixConfig.Mode m) { return AugMixConfig.defaults().withMode(m); }

    static String modeKey(AugMixConfig.Mode m) {
        return switch (m) {
            case JSD -> "jsd";
            case AUGMIX -> "nojsd";
            case NONE -> "noaugmix";
        };
    }

    static String modeLabel(AugMixConfig.Mode m) {
        return switch (m) {
            case JSD -> "AugMix + JSD";
            case AUGMIX -> "AugMix, no JSD";
            case NONE -> "no AugMix";
        };
    }

    /** CPU time of the whole process (all threads), or -1 where the JVM does not expose it. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
        return -1;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch") + " CPU";
    }

    static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
        }
    }

    static String javaVersion() {
        return "JDK " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " (" + System.getProperty("java.vm.name") + ")";
    }
}
