package org.augmix4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.data.Cifar;
import org.augmix4j.data.Datasets;
import org.augmix4j.train.Charts;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.Device;
import org.augmix4j.train.Engines;
import org.augmix4j.train.TrainConfig;
import org.augmix4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: the official cifar.py flags with their names and defaults, plus AugMix4J's
 * additions. With no arguments and no CIFAR-10 under --data, it runs the embedded default: a
 * small WRN on the shipped Fashion-MNIST sample (real images) on the CPU, then evaluates clean and corrupted
 * accuracy, all in a few minutes on 2 cores.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a WideResNet with AugMix (+ Jensen-Shannon consistency loss) as the official cifar.py does.",
                "With no arguments and no CIFAR-10 in --data: the embedded default (WRN-10-1 on the shipped Fashion-MNIST sample, CPU, about a minute on 2 cores; docs/training.md)."})
public final class TrainCommand implements Callable<Integer> {
    private static final TrainConfig D = TrainConfig.DEFAULTS;
    @Spec CommandSpec spec;
    @Mixin EvalOptions eval = new EvalOptions();

    @Option(names = {"-m", "--model"}, description = {"Architecture, as the official cifar.py: wrn (WideResNet, sized by --layers and "
            + "--widen-factor), allconv (AllConvNet), densenet (DenseNet-40-12), resnext (ResNeXt-29 4x32d) (default: ${DEFAULT-VALUE})"})
    String model = "wrn";
    @Option(names = {"-e", "--epochs"}, description = "Epochs (default: the official per model: 100; 200 for resnext and densenet)")
    Integer epochs;
    @Option(names = {"-lr", "--learning-rate"}, description = "Initial learning rate, cosine-decayed per step to 1e-6 (default: ${DEFAULT-VALUE})")
    double learningRate = D.learningRate();
    @Option(names = {"-b", "--batch-size"}, description = "Samples per step; JSD mode feeds 3x as many images (default: ${DEFAULT-VALUE})")
    int batchSize = D.batchSize();
    @Option(names = "--momentum", description = "SGD momentum, Nesterov (default: ${DEFAULT-VALUE})")
    double momentum = D.momentum();
    @Option(names = {"-wd", "--decay"}, description = "Weight decay on every parameter (default: the official per model: 0.0005; "
            + "0.0001 for densenet)")
    Double decay;
    @Option(names = "--layers", description = "WRN depth, 6n+4 (default: ${DEFAULT-VALUE})")
    int layers = D.layers();
    @Option(names = "--widen-factor", description = "WRN widen factor (default: ${DEFAULT-VALUE})")
    int widenFactor = D.widenFactor();
    @Option(names = "--droprate", description = "Dropout in the blocks; only 0 is supported (default: ${DEFAULT-VALUE})")
    double droprate = 0.0;
    @Option(names = "--mixture-width", description = "AugMix chains per view (default: ${DEFAULT-VALUE})")
    int mixtureWidth = D.augmix().width();
    @Option(names = "--mixture-depth", description = "Ops per chain; -1 = uniform in 1..3 (default: ${DEFAULT-VALUE})")
    int mixtureDepth = D.augmix().depth();
    @Option(names = "--aug-severity", description = "Severity of the AugMix ops, 1..10 (default: ${DEFAULT-VALUE})")
    int augSeverity = D.augmix().severity();
    @Option(names = {"-nj", "--no-jsd"}, description = "One AugMix view per sample and cross-entropy only (no JSD term)")
    boolean noJsd;
    @Option(names = {"-all", "--all-ops"}, description = "Use all 13 ops (adds color, contrast, brightness, sharpness)")
    boolean allOps;
    @Option(names = "--no-augmix", description = "Baseline: flip + crop only, cross-entropy only (AugMix4J addition)")
    boolean noAugmix;
    @Option(names = {"-s", "--save"}, description = "Directory for run directories and checkpoints (default: ${DEFAULT-VALUE})")
    Path save = D.save();
    @Option(names = {"-r", "--resume"}, description = "Checkpoint (.safetensors written by train) to resume from")
    Path resume;
    @Option(names = "--evaluate", description = "Only evaluate the --resume checkpoint (clean + corrupted)")
    boolean evaluate;
    @Option(names = "--print-freq", description = "Steps between log lines when not on a terminal (default: ${DEFAULT-VALUE})")
    int printFreq = D.printFreq();
    @Option(names = "--seed", description = "Run seed: init, shuffling and every augmentation draw (default: ${DEFAULT-VALUE})")
    long seed = D.seed();
    @Option(names = "--sync-debug", description = "GPU: synchronise and check after every kernel launch and library call, so a"
            + " fault names its launch (slow; for debugging)")
    boolean syncDebug;
    @Option(names = "--train-limit", description = "Use only the first N training images, 0 = all (default: ${DEFAULT-VALUE})")
    int trainLimit = D.trainLimit();

    /**
     * The embedded default's settings (docs/status.md has its measured numbers): WRN-10-1 trained
     * with AugMix + JSD for 2 epochs on the real Fashion-MNIST sample shipped in
     * data/fashion-mnist-sample (3,000 training and 1,000 test images), then evaluated clean and on
     * the 15 built-in corruptions; about a minute on 2 cores.
     */
    static final String[] EMBEDDED = {"--dataset", "fashion-mnist", "--data", "data/fashion-mnist-sample", "--layers", "10",
            "--widen-factor", "1", "--epochs", "2", "--batch-size", "32", "--eval-batch-size", "500", "--corrupted", "builtin",
            "--corrupted-limit", "100"};

    /** Where the sample lives is not there (e.g. run outside the repository): the built-in synthetic set instead. */
    static final String[] EMBEDDED_SYNTHETIC = {"--dataset", "synthetic", "--data", "data", "--train-limit", "2000"};

    @Override
    public Integer call() throws Exception {
        if (isEmbeddedDefault()) {
            System.out.println("No CIFAR-10 under " + eval.data.toAbsolutePath() + " and no arguments: running the embedded default "
                    + "(train " + String.join(" ", EMBEDDED) + "). See data/README.md for CIFAR.");
            return runEmbedded();
        }
        return runWith(false);
    }

    /** No option given and no CIFAR-10 under --data: the embedded default runs. */
    boolean isEmbeddedDefault() {
        return spec.commandLine().getParseResult().matchedOptions().isEmpty() && !cifarPresent();
    }

    /**
     * Runs the embedded default; {@code overrides} (tests only) are parsed after {@link #EMBEDDED}
     * and replace its values, so a smaller configuration takes the same code path.
     */
    private String embeddedArgs;

    static int runEmbedded(String... overrides) throws Exception {
        TrainCommand t = new TrainCommand();
        picocli.CommandLine cl = new picocli.CommandLine(t);
        cl.setOverwrittenOptionsAllowed(true);
        java.util.stream.Stream<String> base = java.util.Arrays.stream(EMBEDDED);
        if (!java.nio.file.Files.isDirectory(Path.of("data/fashion-mnist-sample"))) {
            System.out.println("The Fashion-MNIST sample (data/fashion-mnist-sample) is not under " + Path.of("").toAbsolutePath()
                    + ": the embedded default trains on the built-in synthetic set instead (run from the repository root for real images).");
            base = java.util.stream.Stream.concat(base, java.util.Arrays.stream(EMBEDDED_SYNTHETIC));
        }
        String[] args = java.util.stream.Stream.concat(base, java.util.Arrays.stream(overrides)).toArray(String[]::new);
        cl.parseArgs(args);
        t.embeddedArgs = String.join(" ", args);
        return t.runWith(true);
    }

    private boolean cifarPresent() {
        try {
            Cifar.locate(Cifar.Variant.CIFAR10, eval.data);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    TrainConfig config() {
        String m = org.augmix4j.nn.Models.check(model);
        org.augmix4j.nn.Models.Defaults official = org.augmix4j.nn.Models.defaults(m);
        if (droprate != 0) throw new IllegalArgumentException("--droprate " + droprate + " is not supported yet (the official default is 0.0)");
        if (noJsd && noAugmix) throw new IllegalArgumentException("--no-jsd and --no-augmix together: pick one (--no-augmix already has no JSD)");
        org.augmix4j.nn.Models.of(m, layers, widenFactor, 2); // validates the architecture before any data is loaded
        AugMixConfig.Mode mode = noAugmix ? AugMixConfig.Mode.NONE : noJsd ? AugMixConfig.Mode.AUGMIX : AugMixConfig.Mode.JSD;
        AugMixConfig aug = new AugMixConfig(mode, mixtureWidth, mixtureDepth, augSeverity, 1.0, allOps, true);
        return new TrainConfig(Datasets.canonical(eval.dataset), eval.data, epochs != null ? epochs : official.epochs(), learningRate, batchSize, eval.evalBatchSize, momentum,
                decay != null ? decay : official.decay(), m, layers, widenFactor, aug, save, seed, eval.device, eval.numWorkers, trainLimit, eval.corrupted, printFreq, eval.corruptedLimit, eval.testLimit);
    }

    int runWith(boolean embedded) throws Exception {
        TrainConfig cfg = config();
        Engines.Options engine = Engines.Options.of(cfg.device(), cfg.evalBatchSize()).withTf32(eval.tf32).withSyncDebug(syncDebug);
        if (evaluate) {
            if (resume == null) throw new IllegalArgumentException("--evaluate needs --resume CHECKPOINT (the model to evaluate)");
            Checkpoint.Meta meta = Checkpoint.readMeta(resume);
            if (meta != null) cfg = resumedConfig(cfg, meta);
            org.augmix4j.cpu.Parallel.setThreads(cfg.threads());
            EvalCommand.evaluate(resume, cfg, engine, 0, 0, false, System.out);
            return 0;
        }
        if (resume != null) {
            Checkpoint.Meta meta = Checkpoint.readMeta(resume);
            if (meta == null) {
                throw new IllegalArgumentException(resume + ": no sidecar " + Checkpoint.sidecar(resume).getFileName()
                        + "; --resume needs a checkpoint written by train (plain weights can only be evaluated with eval)");
            }
            cfg = resumedConfig(cfg, meta);
        }
        Trainer trainer = new Trainer(cfg, System.out, System.console() != null).withEngineOptions(engine);
        trainer.run(resume, 0, true);
        Path dir = trainer.runDir();
        if (embedded) Files.writeString(dir.resolve("EMBEDDED_DEFAULT"), "train " + embeddedArgs + "\n");
        JsonObject report = trainer.report();
        System.out.printf("Wrote %s: %s, report.json, %s%s, training_log.csv/.jsonl, config.json%n", dir, Trainer.CHECKPOINT,
                Charts.TRAINING_CURVES, report != null && report.has("corruptions") ? ", " + Charts.CORRUPTION_ERRORS : "");
        return 0;
    }

    /** Keys a resumed run does not take from the checkpoint: where it runs and where new runs would go. */
    private static final java.util.Set<String> NOT_RESTORED = java.util.Set.of("device", "save");
    /** Keys that change the evaluation or the log only: giving them again needs no warning. */
    private static final java.util.Set<String> HARMLESS = java.util.Set.of("data", "eval_batch_size", "corrupted", "test_limit",
            "corrupted_limit", "threads", "print_freq");

    /**
     * {@code --resume}: the run continues with the configuration saved in the checkpoint's sidecar;
     * options given on the command line override it (with a warning for those that change the
     * training itself, since the continuation then differs from an uninterrupted run).
     */
    private TrainConfig resumedConfig(TrainConfig given, Checkpoint.Meta meta) {
        JsonObject saved = meta.config(), cli = given.toJson(), merged = saved.deepCopy();
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        java.util.List<String> changed = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, String> e : TrainConfig.OPTIONS.entrySet()) {
            String key = e.getKey();
            boolean onCommandLine = java.util.Arrays.stream(e.getValue().split("/")).anyMatch(pr::hasMatchedOption);
            if (!onCommandLine && saved.has(key) && !NOT_RESTORED.contains(key)) continue;
            if (onCommandLine && saved.has(key) && !HARMLESS.contains(key) && !NOT_RESTORED.contains(key) && !same(saved.get(key), cli.get(key))) {
                changed.add(e.getValue() + " " + cli.get(key).getAsString() + " (checkpoint: " + saved.get(key).getAsString() + ")");
            }
            merged.add(key, cli.get(key));
        }
        if (!changed.isEmpty() && !evaluate) {
            System.out.println("Warning: resuming with settings that differ from the checkpoint's: " + String.join(", ", changed)
                    + ". The continued run will not match an uninterrupted one.");
        }
        return TrainConfig.fromJson(merged, given);
    }

    private static boolean same(com.google.gson.JsonElement a, com.google.gson.JsonElement b) {
        if (a.equals(b)) return true;
        try {
            return a.isJsonPrimitive() && b.isJsonPrimitive() && a.getAsJsonPrimitive().isNumber() && b.getAsJsonPrimitive().isNumber()
                    && a.getAsDouble() == b.getAsDouble();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
