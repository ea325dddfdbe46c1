package org.augmix4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Map;
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
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Splits;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;
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

    /** Loads the data (honouring --train-limit) for this configuration. */
    public static Splits loadData(TrainConfig cfg) {
        Splits s = Datasets.load(cfg.dataset(), cfg.dataDir());
        if (cfg.trainLimit() > 0 && cfg.trainLimit() < s.train().images().count()) {
            Dataset t = s.train();
            int n = cfg.trainLimit();
            ImageBatch img = t.images();
            byte[] px = Arrays.copyOf(img.pixels(), n * img.imageBytes());
            s = new Splits(new Dataset(t.name(), new ImageBatch(px, n, img.height(), img.width(), img.channels()),
                    Arrays.copyOf(t.labels(), n), t.numClasses(), t.classNames()), s.test());
        }
        return s;
    }

    /**
     * Trains from scratch, or from {@code resume} (a checkpoint written by this trainer), up to
     * {@code stopAfter} epochs (0 = cfg.epochs()), checkpointing after every epoch.
     */
    public EpochStats run(Path resume, int stopAfter) throws IOException {
        gpu = GpuTrainer.open(cfg, gpuOptions, out);  // --device: fails here, before any work, when gpu is asked for and absent
        Parallel.setThreads(cfg.threads());
        data = loadData(cfg);
        Dataset train = data.train();
        int classes = train.numClasses();
        net = new WideResNet(new WideResNet.Config(cfg.layers(), cfg.widenFactor(), classes), cfg.seed());
        Sgd sgd = new Sgd(net.parameters(), (float) cfg.momentum(), (float) cfg.decay(), true);
        int n = train.images().count(), b = cfg.batchSize();
        int stepsPerEpoch = (n + b - 1) / b;
        CosineSchedule schedule = new CosineSchedule(cfg.learningRate(), (long) cfg.epochs() * stepsPerEpoch);
        int startEpoch = 0;
        long step = 0;
        if (resume != null) {
            Checkpoint.Meta meta = Checkpoint.readMeta(resume);
            if (meta == null) throw new IOException(resume + ": no sidecar " + Checkpoint.sidecar(resume) + "; --resume needs a checkpoint written by train");
            Checkpoint.loadWeights(resume, net);
            Checkpoint.loadOptimizer(resume, net, sgd);
            startEpoch = meta.epoch();
            step = meta.step();
            runDir = resume.toAbsolutePath().getParent();
            out.printf("Resuming %s from epoch %d (step %d)%n", resume, startEpoch, step);
        } else {
            runDir = cfg.save().resolve(String.format("%s-wrn%d-%d-%s-%s", Datasets.canonical(cfg.dataset()), cfg.layers(),
                    cfg.widenFactor(), cfg.augmix().mode().name().toLowerCase(), LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
            Files.createDirectories(runDir);
        }
        JsonObject config = RunInfo.configJson(cfg, net);
        RunInfo.writeJson(runDir.resolve("config.json"), RunInfo.withEnvironment(config));
        out.printf("%s (%,d parameters) on %s: %,d training images, %d classes, %d steps/epoch, %s, CPU with %d threads%nRun directory: %s%n",
                net.config().label(), net.parameterCount(), train.name(), n, classes, stepsPerEpoch, cfg.augmix().mode(),
                Parallel.threads(), runDir);
        RunLog log = new RunLog(runDir);
        int last = stopAfter > 0 ? Math.min(stopAfter, cfg.epochs()) : cfg.epochs();
        EpochStats stats = null;
        Evaluator eval = new Evaluator(net, cfg.evalBatchSize());
        for (int epoch = startEpoch; epoch < last; epoch++) {
            stats = trainEpoch(epoch, train, sgd, schedule, step, stepsPerEpoch);
            step = stats.step();
            Evaluator.Result test = eval.evaluate(data.test().images(), data.test().labels(), null);
            stats = new EpochStats(epoch + 1, step, stats.lr(), stats.trainLoss(), stats.trainAcc(), test.loss(),
                    test.errorPercent(), stats.seconds(), stats.samplesPerSecond());
            log.append(stats);
            Checkpoint.save(runDir.resolve("checkpoint.safetensors"), net, sgd, epoch + 1, step, cfg.seed(), config);
            out.printf("Epoch %3d | time %6.1fs | %7.1f samples/s | lr %.5f | train loss %.4f acc %.2f%% | test loss %.4f error %.2f%%%n",
                    epoch + 1, stats.seconds(), stats.samplesPerSecond(), stats.lr(), stats.trainLoss(), stats.trainAcc(),
                    stats.testLoss(), stats.testError());
        }
        return stats;
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
        long t0 = System.nanoTime();
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
                double secs = (System.nanoTime() - t0) / 1e9;
                bar.step();
                bar.setExtraMessage(String.format("loss %.3f acc %.1f%% %.0f samples/s", lossSum / seen, 100.0 * correct / seen, seen / secs));
                if (!interactive && (s + 1) % cfg.printFreq() == 0) {
                    out.printf("Train Loss %.3f | step %d/%d | %.0f samples/s%n", lossSum / seen, s + 1, stepsPerEpoch, seen / secs);
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new EpochStats(epoch + 1, step, lr, lossSum / seen, 100.0 * correct / seen, 0, 0, secs, seen / secs);
    }

    private ProgressBar progressBar(String task, int max) {
        ProgressBarBuilder pb = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(interactive ? 250 : 60_000).showSpeed().setUnit(" steps", 1);
        if (!interactive) pb.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(line -> { }));
        return pb.build();
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

    /** The per-epoch CSV (official column names first) and JSONL logs, appended and flushed per epoch. */
    static final class RunLog {
        private final Path csv, jsonl;

        RunLog(Path dir) throws IOException {
            csv = dir.resolve("training_log.csv");
            jsonl = dir.resolve("training_log.jsonl");
            if (!Files.exists(csv)) Files.writeString(csv, "epoch,time(s),train_loss,test_loss,test_error(%),train_acc(%),lr,step,samples_per_s\n");
        }

        void append(EpochStats s) {
            try {
                Files.writeString(csv, String.format("%d,%.3f,%.6f,%.6f,%.4f,%.4f,%.8f,%d,%.2f%n", s.epoch(), s.seconds(), s.trainLoss(),
                        s.testLoss(), s.testError(), s.trainAcc(), s.lr(), s.step(), s.samplesPerSecond()), java.nio.file.StandardOpenOption.APPEND);
                Files.writeString(jsonl, new Gson().toJson(s) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the training log in " + csv.getParent(), e);
            }
        }
    }

    static String json(Object o) { return new GsonBuilder().setPrettyPrinting().create().toJson(o); }

    static Map<String, Object> unused() { return Map.of(); }
}
