package org.augmix4j.train;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Splits;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Network;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.CosineSchedule;

/**
 * The training loop of the official cifar.py, the only one in AugMix4J: per epoch the batches of
 * {@link EpochSampler} (Philox shuffle keyed by seed and epoch, drop_last False), one
 * {@link Engine#step} per batch with the per-step cosine learning rate, then clean evaluation, a
 * log row (CSV and JSONL) and an atomic checkpoint of the engine's state; after the last epoch
 * the final report (clean and corrupted). The engine ({@link CpuEngine} or {@link GpuEngine},
 * chosen by --device) is opened and closed here. Everything the run produces lands in its run
 * directory.
 */
public final class Trainer {
    /** Per-epoch figures. */
    public record EpochStats(int epoch, long step, double lr, double trainLoss, double trainAcc, double testLoss,
                             double testError, double seconds, double samplesPerSecond) {}

    private final TrainConfig cfg;
    private final PrintStream out;
    private final boolean interactive;
    private Engines.Options engineOptions;
    private Splits preloaded;
    private Path runDir;
    private Splits data;
    private Map<String, Object> finalState;
    private JsonObject report;
    private String engineKind;

    public Trainer(TrainConfig cfg, PrintStream out, boolean interactive) {
        this.cfg = cfg;
        this.out = out;
        this.interactive = interactive;
        this.engineOptions = Engines.Options.of(cfg.device(), cfg.evalBatchSize());
    }

    /** GPU options (--tf32, --sync-debug, backends); the device and evaluation batch stay the configuration's. */
    public Trainer withEngineOptions(Engines.Options options) {
        this.engineOptions = new Engines.Options(cfg.device(), options.tf32(), options.syncDebug(), options.backends(),
                options.augmentOnGpu(), cfg.evalBatchSize());
        return this;
    }

    /** Uses {@code splits} (already loaded; the limits still apply) instead of loading cfg.dataset(). */
    public Trainer withData(Splits splits) {
        this.preloaded = splits;
        return this;
    }

    public Path runDir() { return runDir; }

    public Splits data() { return data; }

    /** The engine's state after the run (for tests comparing runs). */
    public Map<String, Object> finalState() { return finalState; }

    /** The final report (after a run that trained every epoch with a corrupted source; null otherwise). */
    public JsonObject report() { return report; }

    /** "cpu" or "gpu": the engine the run used. */
    public String engineKind() { return engineKind; }

    /** Loads the data for this configuration, honouring --train-limit and --test-limit. */
    public static Splits loadData(TrainConfig cfg) {
        return limit(Datasets.load(cfg.dataset(), cfg.dataDir()), cfg);
    }

    /** The first --train-limit training and --test-limit test images of {@code s} (0 = all). */
    public static Splits limit(Splits s, TrainConfig cfg) {
        Dataset train = s.train(), test = s.test();
        if (cfg.trainLimit() > 0 && cfg.trainLimit() < train.size()) train = train.slice(0, cfg.trainLimit());
        if (cfg.testLimit() > 0 && cfg.testLimit() < test.size()) test = test.slice(0, cfg.testLimit());
        return train == s.train() && test == s.test() ? s : new Splits(train, test);
    }

    /**
     * Trains from scratch, or from {@code resume} (a checkpoint written by this trainer), up to
     * {@code stopAfter} epochs (0 = cfg.epochs()), checkpointing after every epoch; when the run
     * reaches cfg.epochs() and {@code finalReport} is set, evaluates clean and corrupted accuracy
     * and writes report.json and its chart. A resumed CPU run ends with bit-identical weights to
     * an uninterrupted one (same configuration and thread count): every random draw is keyed by
     * (seed, epoch, sample), and the checkpoint holds the weights, batch-norm buffers, momentum
     * buffers and step count.
     */
    public EpochStats run(Path resume, int stopAfter, boolean finalReport) throws IOException {
        Parallel.setThreads(cfg.threads());
        checkParameterMemory(cfg.arch(10));
        data = preloaded != null ? limit(preloaded, cfg) : loadData(cfg);
        Dataset train = data.train();
        int classes = train.numClasses();
        // --corrupted is validated whole now, not after the last epoch
        if (finalReport) Report.resolve(cfg.corrupted(), cfg.dataset(), cfg.dataDir(), data.test(), cfg.seed(), cfg.corruptedLimit(), null);
        Arch arch = cfg.arch(classes);
        int h = train.images().height(), w = train.images().width();
        arch.trainingFloatsPerImage(h, w); // an image size the model cannot take is refused here, before anything is built
        Network init = arch.build(cfg.seed());
        EpochSampler sampler = new EpochSampler(train, cfg.seed(), cfg.batchSize());
        int stepsPerEpoch = sampler.steps();
        CosineSchedule schedule = new CosineSchedule(cfg.learningRate(), (long) cfg.epochs() * stepsPerEpoch);
        Checkpoint.Meta meta = resume == null ? null : checkResume(resume, arch, train.name(), stepsPerEpoch);
        int last = stopAfter > 0 ? Math.min(stopAfter, cfg.epochs()) : cfg.epochs();
        EpochStats stats = null;
        try (Engine engine = Engines.training(engineOptions, init, h, w, Training.of(cfg), out)) {
            if (engine instanceof CpuEngine) checkActivationMemory(arch, Math.min(cfg.batchSize(), train.size()), h, w);
            engineKind = engine.kind();
            JsonObject config = RunInfo.configJson(cfg, init, engine);
            int startEpoch = meta == null ? 0 : meta.epoch();
            long step = meta == null ? 0 : meta.step();
            runDir = meta != null ? resume.toAbsolutePath().getParent() : newRunDir();
            try (RunLock lock = RunLock.acquire(runDir)) {
                if (meta != null) {
                    engine.load(Checkpoint.readState(resume, arch), Checkpoint.readOptimizer(resume));
                    out.printf("Resuming %s from epoch %d (step %d)%n", resume, startEpoch, step);
                    RunInfo.writeJson(runDir.resolve("config.json"), RunInfo.resumed(runDir.resolve("config.json"), config, startEpoch));
                } else {
                    RunInfo.writeJson(runDir.resolve("config.json"), RunInfo.withEnvironment(config));
                }
                stats = epochs(engine, sampler, schedule, config, startEpoch, step, last);
                if (finalReport && last == cfg.epochs()) report = finalReport(engine);
                finalState = engine.stateDict();
            }
        }
        return stats;
    }

    /** Epochs [startEpoch, last): train, evaluate, log, checkpoint, chart. */
    private EpochStats epochs(Engine engine, EpochSampler sampler, CosineSchedule schedule, JsonObject config, int startEpoch, long step,
                              int last) throws IOException {
        Dataset train = sampler.set();
        out.printf("%s (%,d parameters) on %s: %,d training images, %d classes, %d steps/epoch, %s%nRun directory: %s%n",
                engine.label(), engine.config().parameterCount(), train.name(), train.size(), engine.classes(), sampler.steps(),
                cfg.augmix().mode(), runDir);
        RunLog log = new RunLog(runDir, startEpoch);
        if (startEpoch >= cfg.epochs()) out.printf("The checkpoint has already trained all %d epochs: nothing to train.%n", cfg.epochs());
        Evaluator eval = new Evaluator(engine, cfg.evalBatchSize());
        Path ckpt = runDir.resolve(CHECKPOINT);
        Thread guard = interruptionNotice(ckpt);
        EpochStats stats = null;
        try {
            for (int epoch = startEpoch; epoch < last; epoch++) {
                stats = trainEpoch(engine, sampler.epoch(epoch), schedule, step);
                step = stats.step();
                Evaluator.Result test = eval.evaluate(data.test().images(), data.test().labels(), null);
                stats = new EpochStats(epoch + 1, step, stats.lr(), stats.trainLoss(), stats.trainAcc(), test.loss(),
                        test.errorPercent(), stats.seconds(), stats.samplesPerSecond());
                // log first, then the checkpoint: a crash in between leaves a row that resuming drops and redoes
                log.append(stats);
                Checkpoint.save(ckpt, engine, epoch + 1, step, cfg.seed(), config);
                Charts.trainingCurves(log.rows(), runDir.getFileName().toString(), runDir.resolve(Charts.TRAINING_CURVES));
                out.printf("Epoch %3d | time %6.1fs | %7.1f samples/s | lr %.5f | train loss %.4f acc %.2f%% | test loss %.4f error %.2f%%%n",
                        epoch + 1, stats.seconds(), stats.samplesPerSecond(), stats.lr(), stats.trainLoss(), stats.trainAcc(),
                        stats.testLoss(), stats.testError());
            }
            if (engine instanceof GpuEngine g && !g.algorithmNotes().isEmpty()) {
                out.println("  cuDNN's choices (once per shape):");
                for (String line : g.algorithmNotes()) out.println("    " + line);
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(guard);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting: the notice runs
            }
        }
        return stats;
    }

    /** The weights, gradients and momentum of the planned network must fit the heap: refused before it is built. */
    private static void checkParameterMemory(Arch c) {
        long params = c.parameterCount(), bytes = params * 4 * 4, max = Runtime.getRuntime().maxMemory();
        if (params > Integer.MAX_VALUE || bytes > max) {
            throw new IllegalArgumentException(String.format("%s: %s has %,d parameters, about %.1f GiB with "
                    + "their gradients and momentum, more than the %.1f GiB heap. Use a smaller model (for wrn --layers/--widen-factor; the "
                    + "official model is --layers 40 --widen-factor 2), or raise the heap (MAVEN_OPTS=-Xmx...).", c.flags(), c.label(),
                    params, bytes / 1073741824.0, max / 1073741824.0));
        }
    }

    /** One CPU training step's activations must fit the heap: refused before the first step, with the batch that would fit. */
    private void checkActivationMemory(Arch c, int batch, int h, int w) {
        int views = cfg.augmix().imagesPerSample();
        long perSample = c.trainingFloatsPerImage(h, w) * 4 * views;
        long max = Runtime.getRuntime().maxMemory(), room = max - c.parameterCount() * 16;
        if (perSample * batch > room) {
            long fits = Math.max(1, room / perSample);
            throw new IllegalArgumentException(String.format("--batch-size %d: one %s training step of %d images (%d samples x %d views) "
                    + "needs about %.1f GiB for activations on the CPU engine, more than the %.1f GiB heap allows. Use --batch-size %d "
                    + "or less, or raise the heap (MAVEN_OPTS=-Xmx...).", cfg.batchSize(), c.label(), batch * views, batch, views,
                    perSample * (double) batch / 1073741824.0, max / 1073741824.0, fits));
        }
    }

    /** {@link #run(Path, int, boolean)} without the final report. */
    public EpochStats run(Path resume, int stopAfter) throws IOException { return run(resume, stopAfter, false); }

    /** Validates a checkpoint against this run before the engine opens; returns its sidecar. */
    private Checkpoint.Meta checkResume(Path resume, Arch arch, String dataset, int stepsPerEpoch) throws IOException {
        Checkpoint.Meta meta = Checkpoint.readMeta(resume);
        if (meta == null) {
            throw new IOException(resume + ": no sidecar " + Checkpoint.sidecar(resume).getFileName()
                    + "; --resume needs a checkpoint written by train (plain weights can only be evaluated)");
        }
        if (!meta.arch().equals(arch)) {
            throw new IllegalArgumentException(resume + " holds " + meta.arch().label() + " with " + meta.classes()
                    + " classes, but this run is " + arch.label() + " on " + dataset + " (" + arch.classes() + " classes)");
        }
        if (meta.seed() != cfg.seed()) {
            throw new IllegalArgumentException(resume + " was trained with --seed " + meta.seed() + ", not " + cfg.seed()
                    + "; resuming with another seed would not continue the same run");
        }
        if (!Files.isRegularFile(Checkpoint.optimFile(resume))) {
            throw new IOException(resume + ": the optimizer state " + Checkpoint.optimFile(resume).getFileName()
                    + " is missing; --resume needs all three checkpoint files");
        }
        if (meta.step() != (long) meta.epoch() * stepsPerEpoch) {
            throw new IllegalArgumentException(resume + " is at step " + meta.step() + " after " + meta.epoch() + " epochs, but this "
                    + "configuration makes " + stepsPerEpoch + " steps per epoch: --batch-size or --train-limit differ from the checkpoint's");
        }
        return meta;
    }

    /** A new run directory, created atomically: two runs started in the same second get "~2", "~3"... */
    private Path newRunDir() throws IOException {
        String model = cfg.model().equals("wrn") ? String.format("wrn%d-%d", cfg.layers(), cfg.widenFactor()) : cfg.model();
        String base = String.format("%s-%s-%s-%s", Datasets.canonical(cfg.dataset()), model,
                cfg.augmix().mode().name().toLowerCase(), LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        try {
            Files.createDirectories(cfg.save());
        } catch (IOException e) {
            throw new IOException("--save " + cfg.save() + ": cannot create the snapshot directory (" + e.getMessage() + ")", e);
        }
        for (int i = 1; ; i++) {
            Path dir = cfg.save().resolve(i == 1 ? base : base + "~" + i);
            try {
                return Files.createDirectory(dir);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // another run has this name: try the next
            }
        }
    }

    /** The final clean + corrupted evaluation of the trained engine: report.json and its chart in the run directory. */
    private JsonObject finalReport(Engine engine) {
        // the built-in corruptions are generated on the training GPU when there is one (the same bytes as on the CPU)
        Report.Source src = Report.resolve(cfg.corrupted(), cfg.dataset(), cfg.dataDir(), data.test(), cfg.seed(), cfg.corruptedLimit(),
                engine instanceof GpuEngine g ? g.gpu() : null);
        JsonObject r = Report.evaluate(engine, cfg.evalBatchSize(), data.test(), src.source(), src.label(), out);
        r.addProperty("checkpoint", runDir.resolve(CHECKPOINT).toString());
        r.addProperty("device", engine.kind());
        Report.write(runDir.resolve("report.json"), r);
        if (r.has("corruptions")) Charts.corruptionErrors(r, runDir.resolve(Charts.CORRUPTION_ERRORS));
        return r;
    }

    /**
     * A mean training loss above this is divergence (an exploding loss, not yet NaN): CE starts
     * near ln(K) and the JS term is at most 12 ln 3, so a sane run stays far below it.
     */
    static final double DIVERGED_LOSS = 1000;

    /** The checkpoint's file name inside the run directory. */
    public static final String CHECKPOINT = "checkpoint.safetensors";

    /** On Ctrl-C: waits for a checkpoint being written, then says which epoch it holds and how to resume. */
    private Thread interruptionNotice(Path ckpt) {
        Thread t = new Thread(() -> {
            Checkpoint.awaitPendingSave();
            int epoch = Checkpoint.savedEpoch(ckpt);
            out.println();
            if (epoch < 0) out.println("Interrupted before the first checkpoint: nothing to resume.");
            else out.printf("Interrupted. The last complete checkpoint (epoch %d of %d) is %s; continue with: train --resume %s%n",
                    epoch, cfg.epochs(), ckpt, ckpt);
            out.flush();
        }, "augmix4j-interrupt-notice");
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    /** One epoch: a step per batch; progress every step where the engine's figures are free, else every --print-freq steps. */
    private EpochStats trainEpoch(Engine engine, EpochSampler.Epoch epoch, CosineSchedule schedule, long step) {
        int steps = epoch.steps(), n = epoch.set().size(), e = epoch.index() + 1;
        engine.resetStats();
        Engine.Stats seen = new Engine.Stats(0, 0, 0);
        double lr = 0;
        long t0 = System.nanoTime(), lastLine = t0;
        try (ProgressBar bar = progressBar("epoch " + e + "/" + cfg.epochs(), steps)) {
            for (int s = 0; s < steps; s++) {
                lr = schedule.lr(step);
                engine.step(epoch.batch(s), lr);
                step++;
                bar.step();
                boolean lastStep = s + 1 == steps, printPoint = (s + 1) % cfg.printFreq() == 0;
                if (!engine.statsAreFree() && !printPoint && !lastStep) continue;
                String where = "epoch " + e + ", step " + (s + 1) + "/" + steps;
                seen = engine.stats(where);
                if (seen.meanLoss() > DIVERGED_LOSS) {
                    throw new Losses.NonFiniteException(String.format("training diverged at %s: the mean loss is %.3g (above %.0f; it starts "
                            + "near ln(classes) + 12 ln 3 at most). Nothing of this epoch was saved; the checkpoint of epoch %d in %s is "
                            + "intact. Lower --learning-rate (now %s) and --resume from it, or start again.", where, seen.meanLoss(),
                            DIVERGED_LOSS, e - 1, runDir, cfg.learningRate()));
                }
                long now = System.nanoTime();
                double rate = seen.samples() / ((now - t0) / 1e9);
                bar.setExtraMessage(String.format(" loss %.3f acc %.1f%% %.1f samples/s", seen.meanLoss(), seen.accuracyPercent(), rate));
                // off a terminal: a line every --print-freq steps, and at least every 30 s
                if (!interactive && !lastStep && (printPoint || now - lastLine > 30e9)) {
                    out.printf("Epoch %d step %d/%d | loss %.4f | train acc %.2f%% | %.1f samples/s | epoch ETA %s%n", e, s + 1, steps,
                            seen.meanLoss(), seen.accuracyPercent(), rate, duration((n - seen.samples()) / rate));
                    lastLine = now;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(e, step, lr, seen.meanLoss(), seen.accuracyPercent(), 0, 0, secs, seen.samples() / secs);
    }

    private ProgressBar progressBar(String task, int max) {
        // on a terminal: steps, percentage, elapsed and ETA, then loss, accuracy and samples/s
        ProgressBarBuilder pb = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(interactive ? 250 : 600_000).setMaxRenderedLength(150).setUnit(" steps", 1);
        if (!interactive) pb.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(line -> { }));
        return pb.build();
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds)) return "?";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60) : String.format("%dm%02ds", s / 60, s % 60);
    }

    // ---------------------------------------------------------------- logs

    /**
     * The per-epoch CSV (official column names first) and JSONL logs. Both are rewritten whole and
     * atomically after every epoch (they are small), so they never hold a half-written row; on
     * resume, rows after the checkpoint's epoch (written before an interruption cut the
     * checkpoint short) are dropped, so no epoch appears twice.
     */
    static final class RunLog {
        static final String CSV = "training_log.csv", JSONL = "training_log.jsonl";
        static final String HEADER = "epoch,time(s),train_loss,test_loss,test_error(%),train_acc(%),lr,step,samples_per_s";
        private final Path dir;
        private final List<EpochStats> rows = new ArrayList<>();

        RunLog(Path dir, int keepUpTo) {
            this.dir = dir;
            if (Files.isRegularFile(dir.resolve(JSONL))) {
                for (EpochStats s : Charts.readLog(dir)) if (s.epoch() <= keepUpTo) rows.add(s);
            }
            rewrite();
        }

        List<EpochStats> rows() { return List.copyOf(rows); }

        void append(EpochStats s) {
            rows.add(s);
            rewrite();
        }

        private void rewrite() {
            StringBuilder csv = new StringBuilder(HEADER).append('\n'), jsonl = new StringBuilder();
            Gson gson = new Gson();
            for (EpochStats s : rows) {
                csv.append(String.format(java.util.Locale.ROOT, "%d,%.3f,%.6f,%.6f,%.4f,%.4f,%.8f,%d,%.2f%n", s.epoch(), s.seconds(),
                        s.trainLoss(), s.testLoss(), s.testError(), s.trainAcc(), s.lr(), s.step(), s.samplesPerSecond()));
                jsonl.append(gson.toJson(s)).append('\n');
            }
            write(dir.resolve(CSV), csv.toString());
            write(dir.resolve(JSONL), jsonl.toString());
        }

        private static void write(Path file, String text) {
            try (AtomicFile f = AtomicFile.create(file)) {
                f.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                f.commit();
            }
        }
    }

}
