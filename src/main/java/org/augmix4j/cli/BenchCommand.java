package org.augmix4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cli.BenchFigures.Figure;
import org.augmix4j.cli.BenchFigures.Skipped;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Models;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.CpuEngine;
import org.augmix4j.train.Device;
import org.augmix4j.train.Evaluator;
import org.augmix4j.train.StepRunner;
import org.augmix4j.train.Training;
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
    @Option(names = "--models", split = ",", paramLabel = "MODEL",
            description = "Models for train and eval: WideResNets as depth-widen (16-2, 40-2), or allconv, densenet, resnext (the official "
                    + "sizes) (default: 16-2,40-2)")
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
    @Option(names = "--device", description = "cpu | gpu | auto: CPU figures, GPU figures, or both where this build has them (default: ${DEFAULT-VALUE})",
            converter = DeviceConverter.class, defaultValue = "auto")
    Device device;
    @Option(names = "--seed", description = "Seed of the synthetic data, the initialisation and every augmentation draw (default: ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as a JSON list of {name, value, unit, device}")
    Path json;
    @Option(names = "--runs-json", paramLabel = "FILE", description = "Write the figures with runs, min, max and every run's value, and the machine, load and command (for bench/results)")
    Path runsJson;

    /** Sizes of one bench run (the defaults, or --quick's). */
    record Sizes(int batch, int augBatches, int augSet, int evalBatch, int corruptImages, int trainSteps,
                 int runs, int slowRuns, int warmup, int gpuSteps) {
        /** The sizes for the runs of slow figures (training steps, evaluation). */
        Sizes slow() { return new Sizes(batch, augBatches, augSet, evalBatch, corruptImages, trainSteps, slowRuns, slowRuns, warmup, gpuSteps); }
    }

    private PrintWriter out = new PrintWriter(System.out, true);
    /** This run's figures, skipped rows, timing and output. */
    BenchFigures figs = new BenchFigures(out);

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
        figs = new BenchFigures(out);
        Set<String> sections = new LinkedHashSet<>();
        for (String s : only) {
            String n = s.trim().toLowerCase(Locale.ROOT);
            if (!SECTIONS.contains(n)) throw new IllegalArgumentException("--only: unknown section '" + s + "'; use " + String.join(", ", SECTIONS));
            sections.add(n);
        }
        List<Arch> nets = new ArrayList<>();
        for (String m : models) nets.add(parseModel(m));
        List<AugMixConfig.Mode> trainModes = new ArrayList<>();
        for (String m : modes) trainModes.add(parseMode(m));
        Sizes sz = sizes();
        if (sz.runs() < 1 || sz.warmup() < 0 || sz.batch() < 1 || sz.evalBatch() < 1) {
            throw new IllegalArgumentException("need --runs >= 1, --warmup >= 0, --batch-size >= 2 and --eval-batch-size >= 1");
        }
        if (full && epochSize < sz.batch()) throw new IllegalArgumentException("--epoch-size must be at least the batch size " + sz.batch());
        boolean cpu = device != Device.GPU;
        boolean gpu = device != Device.CPU;
        Parallel.setThreads(threads);
        int all = Parallel.threads();
        String loadBefore = BenchFigures.loadAverage();
        OffsetDateTime started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        out.printf("AugMix4J bench%s: %s, %d CPU threads of %d cores, %s; load average %s%n", quick ? " (--quick: plumbing check, not for quoting)" : "",
                BenchFigures.cpuModel(), all, Runtime.getRuntime().availableProcessors(), BenchFigures.javaVersion(), loadBefore);
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
                for (String s : sections) figs.skipped().add(new Skipped(s + " [gpu]", why));
                if (device == Device.GPU) {
                    figs.printTable();
                    out.flush();
                    throw new IllegalArgumentException("--device gpu: " + why + "; use --device cpu");
                }
            } else {
                for (GpuWorkload w : work) w.run(this, sz);
            }
        }
        String loadAfter = BenchFigures.loadAverage();
        figs.printTable();
        out.printf("%nload average before %s, after %s%n", loadBefore, loadAfter);
        if (json != null) {
            BenchFigures.writeJson(json, figs.entries(false));
            out.println("Wrote " + json);
        }
        if (runsJson != null) {
            JsonObject doc = new JsonObject();
            doc.addProperty("tool", "augmix4j bench");
            doc.addProperty("date", started.toString());
            doc.addProperty("cpu", BenchFigures.cpuModel());
            doc.addProperty("cores", Runtime.getRuntime().availableProcessors());
            doc.addProperty("threads", all);
            doc.addProperty("jdk", BenchFigures.javaVersion());
            doc.addProperty("load_before", loadBefore);
            doc.addProperty("load_after", loadAfter);
            doc.addProperty("quick", quick);
            doc.addProperty("batch", sz.batch());
            doc.addProperty("eval_batch", sz.evalBatch());
            doc.add("figures", figs.entries(true));
            JsonArray sk = new JsonArray();
            for (Skipped s : figs.skipped()) sk.add(s.what() + ": " + s.why());
            doc.add("skipped", sk);
            BenchFigures.writeJson(runsJson, doc);
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
        figs.measure("augmix_jsd_samples_per_s_1thread", "samples/s", "cpu", sz, samples, augRunner(set, jsd, sz), "1 thread, " + what);
        Parallel.setThreads(threads);
        figs.measure("augmix_jsd_samples_per_s", "samples/s", "cpu", sz, samples, augRunner(set, jsd, sz), all + " threads, " + what);
        figs.measure("augmix_nojsd_samples_per_s", "samples/s", "cpu", sz, samples,
                augRunner(set, jsd.withMode(AugMixConfig.Mode.AUGMIX), sz), all + " threads, one AugMix view per sample");
    }

    /** A runner producing {@code augBatches} AugMix batches through the shuffled set, as training does. */
    private Runnable augRunner(Dataset set, AugMixConfig cfg, Sizes sz) {
        float[] buf = new float[(int) AugMix.outputSize(cfg, sz.batch(), 32, 32)];
        java.util.Iterator<EpochSampler.Batch> batches = new EpochSampler(set, seed, sz.batch()).endless();
        return () -> {
            for (int k = 0; k < sz.augBatches(); k++) {
                EpochSampler.Batch b = batches.next();
                AugMix.sampleBatch(set.images(), b.indices(), seed, b.epoch().index(), cfg, buf);
            }
        };
    }

    /** One training step per model and mode ({@link CpuEngine} through {@link StepRunner}); epoch estimates; optionally a real epoch. */
    private void train(Sizes sz, List<Arch> nets, List<AugMixConfig.Mode> trainModes) {
        Dataset set = Synthetic.generate("bench", seed, 0, StepRunner.wholeBatches(Math.max(sz.batch() * 4, 512), sz.batch()));
        for (Arch c : nets) {
            for (AugMixConfig.Mode mode : trainModes) {
                String key = modelKey(c) + "_" + modeKey(mode);
                Training training = new Training(0.9, 5e-4, seed, mode(mode), sz.batch());
                Arch arch = c.withClasses(set.numClasses());
                try (CpuEngine engine = new CpuEngine(arch.build(seed), training)) {
                    StepRunner step = new StepRunner(engine, set, seed, sz.batch(), 0.1);
                    Figure f = figs.measure("train_step_" + key + "_samples_per_s", "samples/s", "cpu", sz, (double) sz.batch() * sz.trainSteps(),
                            () -> {
                                for (int i = 0; i < sz.trainSteps(); i++) step.step();
                            }, "");
                    engine.stats("bench " + key);  // a non-finite loss is an error, not a speed
                    f = figs.replaceLast(new Figure(f.name(), f.value(), f.unit(), f.device(), f.values(), String.format(
                            "%s %s, batch %d (%d images per forward), augment %.1f%% of the step", c.label(), modeLabel(mode),
                            sz.batch(), sz.batch() * training.views(), 100 * engine.augmentShare()), f.cpuShare()));
                    derived(f, key, sz.batch(), "cpu");
                }
                if (full) {
                    Dataset big = Synthetic.generate("bench-epoch", seed, 0, epochSize);
                    try (CpuEngine engine = new CpuEngine(arch.build(seed), training)) {
                        long t0 = System.nanoTime();
                        new StepRunner(engine, set, seed, sz.batch(), 0.1).epoch(big, 0);
                        double secs = (System.nanoTime() - t0) / 1e9;
                        engine.stats("bench epoch " + key);
                        figs.add(new Figure("epoch_" + key + "_s", secs, "s", "cpu", new double[] {secs},
                                String.format("one real epoch of %,d synthetic samples, batch %d, drop_last false", epochSize, sz.batch())));
                    }
                }
            }
        }
    }

    /** The ms-per-step and epoch-estimate figures of a train_step samples/s figure. */
    void derived(Figure f, String key, int batch, String dev) {
        double[] ms = new double[f.values().length];
        for (int i = 0; i < ms.length; i++) ms[i] = 1000.0 * batch / f.values()[i];
        figs.add(new Figure("train_step_" + key + "_ms", 1000.0 * batch / f.value(), "ms", dev, ms, "per step of " + batch + " samples",
                f.cpuShare()));
        figs.add(new Figure("epoch_estimate_" + key + "_s", CIFAR_TRAIN / f.value(), "s", dev, new double[0],
                "derived: 50,000 samples / median samples/s"));
    }

    /** Eval-mode throughput on corrupted images, per model. */
    private void eval(Sizes sz, List<Arch> nets) {
        Dataset test = Synthetic.generate("bench-test", seed, 1, sz.evalBatch());
        ImageBatch corrupted = Corruptions.corrupt(test.images(), "fog", 3, seed);
        for (Arch c : nets) {
            Evaluator ev = new Evaluator(CpuEngine.inference(c.build(seed)), sz.evalBatch());
            String key = modelKey(c);
            Figure f = figs.measure("eval_" + key + "_images_per_s", "images/s", "cpu", sz, sz.evalBatch(),
                    () -> ev.evaluate(corrupted, test.labels(), null), String.format("%s eval mode, one batch of %d fog-corrupted images",
                            c.label(), sz.evalBatch()));
            figs.add(new Figure("cifar10c_eval_estimate_" + key + "_s", CIFAR_C_IMAGES / f.value(), "s", "cpu", new double[0],
                    "derived: 750,000 images / median images/s (data already in memory)"));
        }
    }

    /** Generation of the 15 benchmark corruptions at severity 3. */
    private void corrupt(Sizes sz) {
        Dataset test = Synthetic.generate("bench-test", seed, 1, sz.corruptImages());
        int n = sz.corruptImages() * Corruptions.BENCHMARK.size();
        figs.measure("corrupt_images_per_s", "images/s", "cpu", sz, n, () -> {
            for (String c : Corruptions.BENCHMARK) Corruptions.corrupt(test.images(), c, 3, seed);
        }, String.format("15 benchmark corruptions x %d images, severity 3, %d threads", sz.corruptImages(), Parallel.threads()));
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
     * "augment", GpuEngine steps for "train", GpuEngine evaluation for "eval", CorruptionsCuda for "corrupt"), under the same names as the CPU figures with
     * device "gpu"; null, with {@link #gpuProblem} set, when this process has no usable GPU. Only
     * called for --device gpu or auto, so --device cpu never loads JCuda.
     */
    List<GpuWorkload> gpuWorkloads(Set<String> sections, List<Arch> nets, List<AugMixConfig.Mode> trainModes) {
        org.augmix4j.cuda.GpuProbe p = BenchGpu.probe();
        if (!p.available()) {
            gpuProblem = "no usable GPU: " + p.problem() + " (fix: " + p.fix() + ")";
            return null;
        }
        return BenchGpu.workloads(sections, nets, trainModes, figs.skipped());
    }

    /** Timing helper for GPU workloads: {@code body} must synchronise before returning. */
    Figure measureGpu(String name, String unit, Sizes sz, double workPerRun, Runnable body, String note) {
        return figs.measure(name, unit, "gpu", sz, workPerRun, body, note);
    }

    /** The figures so far (tests). */
    List<Figure> figures() { return figs.figures(); }

    List<Skipped> skipped() { return figs.skipped(); }

    // ---------------------------------------------------------------- parsing and machine facts

    /** The figure-name key of a model: wrn40_2, allconv, densenet, resnext. */
    static String modelKey(Arch a) {
        return a instanceof WideResNet.Config w ? "wrn" + w.depth() + "_" + w.widen() : a.model();
    }

    static Arch parseModel(String s) {
        String name = s.trim().toLowerCase(Locale.ROOT);
        if (Models.NAMES.contains(name) && !name.equals("wrn")) return Models.of(name, 40, 2, Synthetic.CLASSES.size());
        String t = name.replace("wrn", "").replaceFirst("^[-_]", "");
        String[] p = t.split("[-_x]");
        try {
            if (p.length == 2) return new WideResNet.Config(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Synthetic.CLASSES.size());
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--models: '" + s + "' is not a WRN depth-widen (e.g. 40-2 or WRN-16-2) nor one of allconv, densenet, resnext");
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

}
