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
import java.util.Arrays;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Splits;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;

/**
 * The training loop of the official cifar.py on the CPU engine: per epoch a Philox shuffle
 * (keyed by seed and epoch), batches of {@code batchSize} samples with drop_last False, each made
 * by the AugMix pipeline (clean + 2 AugMix views in JSD mode, one forward over all of them so batch
 * norm sees 3B images), loss CE(clean) + 12 JSD (or CE alone), Nesterov SGD with the per-step
 * cosine schedule; then clean evaluation, a log row (CSV and JSONL) and an atomic checkpoint.
 * Everything the run produces lands in its run directory.
 */
public final class Trainer {
    /** Per-epoch figures. */
    public record EpochStats(int epoch, long step, double lr, double trainLoss, double trainAcc, double testLoss,
                             double testError, double seconds, double samplesPerSecond) {}

    private final TrainConfig cfg;
    private final PrintStream out;
    private final boolean interactive;
    private Path runDir;
    private WideResNet net;
    private Splits data;

    public Trainer(TrainConfig cfg, PrintStream out, boolean interactive) {
        this.cfg = cfg;
        this.out = out;
        this.interactive = interactive;
    }

    // GPU path (train --device gpu|auto): GpuTrainer runs the epochs; everything else stays here
    private GpuTrainer.Options gpuOptions = GpuTrainer.Options.defaults();
    private GpuTrainer gpu;

    /** Options of the GPU path (--tf32, --sync-debug). */
    public Trainer withGpuOptions(GpuTrainer.Options options) {
        this.gpuOptions = options;
        return this;
    }

    /** The GPU trainer when this run trains on the GPU (after {@link #run} resolved --device), else null. */
    public GpuTrainer gpu() { return gpu; }

    public Path runDir() { return runDir; }
    public WideResNet net() { return net; }
    public Splits data() { return data; }

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

    /** Uses {@code splits} (already loaded; the limits still apply) instead of loading cfg.dataset(). */
    public Trainer withData(Splits splits) {
        this.preloaded = splits;
        return this;
    }

    private Splits preloaded;

    /**
     * Trains from scratch, or from {@code resume} (a checkpoint written by this trainer), up to
     * {@code stopAfter} epochs (0 = cfg.epochs()), checkpointing after every epoch. A resumed CPU
     * run ends with bit-identical weights to an uninterrupted one (same configuration and thread
     * count): every random draw is keyed by (seed, epoch, sample), and the checkpoint holds the
     * weights, batch-norm buffers, momentum buffers and step count.
     */
    public EpochStats run(Path resume, int stopAfter) throws IOException {
        gpu = GpuTrainer.open(cfg, gpuOptions, out);  // --device: fails here, before any work, when gpu is asked for and absent
        Parallel.setThreads(cfg.threads());
        data = preloaded != null ? limit(preloaded, cfg) : loadData(cfg);
        Dataset train = data.train();
        int classes = train.numClasses();
        net = new WideResNet(new WideResNet.Config(cfg.layers(), cfg.widenFactor(), classes), cfg.seed());
        Sgd sgd = new Sgd(net.parameters(), (float) cfg.momentum(), (float) cfg.decay(), true);
        int n = train.images().count(), b = cfg.batchSize();
        int stepsPerEpoch = (n + b - 1) / b;
        CosineSchedule schedule = new CosineSchedule(cfg.learningRate(), (long) cfg.epochs() * stepsPerEpoch);
        int startEpoch = 0;
        long step = 0;
        JsonObject config = RunInfo.configJson(cfg, net);
        if (resume != null) {
            Checkpoint.Meta meta = Checkpoint.readMeta(resume);
            if (meta == null) {
                throw new IOException(resume + ": no sidecar " + Checkpoint.sidecar(resume).getFileName()
                        + "; --resume needs a checkpoint written by train (plain weights can only be evaluated)");
            }
            if (meta.layers() != cfg.layers() || meta.widenFactor() != cfg.widenFactor() || meta.classes() != classes) {
                throw new IllegalArgumentException(resume + " holds WRN-" + meta.layers() + "-" + meta.widenFactor() + " with " + meta.classes()
                        + " classes, but this run is " + net.config().label() + " on " + train.name() + " (" + classes + " classes)");
            }
            if (meta.seed() != cfg.seed()) {
                throw new IllegalArgumentException(resume + " was trained with --seed " + meta.seed() + ", not " + cfg.seed()
                        + "; resuming with another seed would not continue the same run");
            }
            if (!Files.isRegularFile(Checkpoint.optimFile(resume))) {
                throw new IOException(resume + ": the optimizer state " + Checkpoint.optimFile(resume).getFileName()
                        + " is missing; --resume needs all three checkpoint files");
            }
            Checkpoint.loadWeights(resume, net);
            Checkpoint.loadOptimizer(resume, net, sgd);
            startEpoch = meta.epoch();
            step = meta.step();
            if (step != (long) startEpoch * stepsPerEpoch) {
                throw new IllegalArgumentException(resume + " is at step " + step + " after " + startEpoch + " epochs, but this "
                        + "configuration makes " + stepsPerEpoch + " steps per epoch: --batch-size or --train-limit differ from the checkpoint's");
            }
            runDir = resume.toAbsolutePath().getParent();
            out.printf("Resuming %s from epoch %d (step %d)%n", resume, startEpoch, step);
            RunInfo.writeJson(runDir.resolve("config.json"), RunInfo.resumed(runDir.resolve("config.json"), config, startEpoch));
        } else {
            runDir = cfg.save().resolve(String.format("%s-wrn%d-%d-%s-%s", Datasets.canonical(cfg.dataset()), cfg.layers(),
                    cfg.widenFactor(), cfg.augmix().mode().name().toLowerCase(), LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
            for (int i = 2; Files.exists(runDir); i++) runDir = runDir.resolveSibling(runDir.getFileName().toString().replaceAll("~\\d+$", "") + "~" + i);
            Files.createDirectories(runDir);
            RunInfo.writeJson(runDir.resolve("config.json"), RunInfo.withEnvironment(config));
        }
        out.printf("%s (%,d parameters) on %s: %,d training images, %d classes, %d steps/epoch, %s, CPU with %d threads%nRun directory: %s%n",
                net.config().label(), net.parameterCount(), train.name(), n, classes, stepsPerEpoch, cfg.augmix().mode(),
                Parallel.threads(), runDir);
        RunLog log = new RunLog(runDir, startEpoch);
        int last = stopAfter > 0 ? Math.min(stopAfter, cfg.epochs()) : cfg.epochs();
        if (startEpoch >= cfg.epochs()) out.printf("The checkpoint has already trained all %d epochs: nothing to train.%n", cfg.epochs());
        EpochStats stats = null;
        Evaluator eval = new Evaluator(net, cfg.evalBatchSize());
        Path ckpt = runDir.resolve(CHECKPOINT);
        Thread guard = interruptionNotice(ckpt);
        try {
            for (int epoch = startEpoch; epoch < last; epoch++) {
                stats = trainEpoch(epoch, train, sgd, schedule, step, stepsPerEpoch);
                step = stats.step();
                Evaluator.Result test = eval.evaluate(data.test().images(), data.test().labels(), null);
                stats = new EpochStats(epoch + 1, step, stats.lr(), stats.trainLoss(), stats.trainAcc(), test.loss(),
                        test.errorPercent(), stats.seconds(), stats.samplesPerSecond());
                // log first, then the checkpoint: a crash in between leaves a row that resuming drops and redoes
                log.append(stats);
                Checkpoint.save(ckpt, net, sgd, epoch + 1, step, cfg.seed(), config);
                Charts.trainingCurves(log.rows(), runDir.getFileName().toString(), runDir.resolve(Charts.TRAINING_CURVES));
                out.printf("Epoch %3d | time %6.1fs | %7.1f samples/s | lr %.5f | train loss %.4f acc %.2f%% | test loss %.4f error %.2f%%%n",
                        epoch + 1, stats.seconds(), stats.samplesPerSecond(), stats.lr(), stats.trainLoss(), stats.trainAcc(),
                        stats.testLoss(), stats.testError());
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

    private EpochStats trainEpoch(int epoch, Dataset train, Sgd sgd, CosineSchedule schedule, long step, int stepsPerEpoch) {
        if (gpu != null) return gpu.trainEpoch(epoch, train, net, sgd, schedule, step, stepsPerEpoch);
        AugMixConfig aug = cfg.augmix();
        int n = train.images().count(), b = cfg.batchSize(), views = aug.imagesPerSample();
        int h = train.images().height(), w = train.images().width();
        int[] perm = Philox.shuffle(cfg.seed(), epoch, n);
        float[] input = new float[views * b * 3 * h * w];
        double lossSum = 0;
        long correct = 0, seen = 0;
        double lr = 0;
        long t0 = System.nanoTime(), lastLine = t0;
        try (ProgressBar bar = progressBar("epoch " + (epoch + 1) + "/" + cfg.epochs(), stepsPerEpoch)) {
            for (int s = 0; s < stepsPerEpoch; s++) {
                int from = s * b, count = Math.min(b, n - from);
                int[] idx = Arrays.copyOfRange(perm, from, from + count);
                float[] x = count == b ? input : new float[views * count * 3 * h * w];
                AugMix.sampleBatch(train.images(), idx, cfg.seed(), epoch, aug, x);
                int[] labels = new int[count];
                for (int i = 0; i < count; i++) labels[i] = train.labels()[idx[i]];
                lr = schedule.lr(step);
                Tape tape = new Tape();
                Var logits = net.forward(tape, Tensor.of(x, views * count, 3, h, w), true);
                Var ce = F.crossEntropy(tape, logits, labels, count);
                Var loss = views == 3 ? F.weightedSum(tape, ce, 1f, F.jsd(tape, logits, count), Losses.JSD_WEIGHT) : ce;
                tape.backward(loss);
                sgd.step((float) lr);
                net.zeroGrad();
                step++;
                lossSum += loss.data()[0] * count;
                correct += countCorrect(logits.data(), labels, count, net.config().classes());
                seen += count;
                long now = System.nanoTime();
                double secs = (now - t0) / 1e9, rate = seen / secs;
                bar.step();
                bar.setExtraMessage(String.format(" loss %.3f acc %.1f%% %.1f samples/s", lossSum / seen, 100.0 * correct / seen, rate));
                // off a terminal: a line every --print-freq steps, and at least every 30 s
                if (!interactive && s + 1 < stepsPerEpoch && ((s + 1) % cfg.printFreq() == 0 || now - lastLine > 30e9)) {
                    out.printf("Epoch %d step %d/%d | loss %.4f | train acc %.2f%% | %.1f samples/s | epoch ETA %s%n", epoch + 1, s + 1,
                            stepsPerEpoch, lossSum / seen, 100.0 * correct / seen, rate, duration((n - seen) / rate));
                    lastLine = now;
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(epoch + 1, step, lr, lossSum / seen, 100.0 * correct / seen, 0, 0, secs, seen / secs);
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

    static int countCorrect(float[] logits, int[] labels, int n, int k) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + arg]) arg = j;
            if (arg == labels[i]) c++;
        }
        return c;
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
