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
import org.augmix4j.train.Report;
import org.augmix4j.train.TrainConfig;
import org.augmix4j.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code train}: the official cifar.py flags with their names and defaults, plus AugMix4J's
 * additions. With no arguments and no CIFAR-10 under --data, it runs the embedded default: a
 * small WRN on the built-in synthetic dataset on the CPU, then evaluates clean and corrupted
 * accuracy, all in a few minutes on 2 cores.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a WideResNet with AugMix (+ Jensen-Shannon consistency loss) as the official cifar.py does.",
                "With no arguments and no CIFAR-10 in --data: the embedded default (WRN-10-1 on the built-in synthetic set, CPU, about 2 minutes on 2 idle cores; docs/training.md)."})
public final class TrainCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dataset", description = "cifar10 | cifar100 | fashion-mnist | mnist | synthetic (default: ${DEFAULT-VALUE})")
    String dataset = "cifar10";
    @Option(names = "--data", description = "Dataset directory; layouts in data/README.md (default: ${DEFAULT-VALUE})")
    Path data = Datasets.DEFAULT_DIR;
    @Option(names = {"-m", "--model"}, description = "Architecture; only wrn (WideResNet) (default: ${DEFAULT-VALUE})")
    String model = "wrn";
    @Option(names = {"-e", "--epochs"}, description = "Epochs (default: ${DEFAULT-VALUE})")
    int epochs = 100;
    @Option(names = {"-lr", "--learning-rate"}, description = "Initial learning rate, cosine-decayed per step to 1e-6 (default: ${DEFAULT-VALUE})")
    double learningRate = 0.1;
    @Option(names = {"-b", "--batch-size"}, description = "Samples per step; JSD mode feeds 3x as many images (default: ${DEFAULT-VALUE})")
    int batchSize = 128;
    @Option(names = "--eval-batch-size", description = "Images per evaluation forward (default: ${DEFAULT-VALUE})")
    int evalBatchSize = 1000;
    @Option(names = "--momentum", description = "SGD momentum, Nesterov (default: ${DEFAULT-VALUE})")
    double momentum = 0.9;
    @Option(names = {"-wd", "--decay"}, description = "Weight decay on every parameter (default: ${DEFAULT-VALUE})")
    double decay = 0.0005;
    @Option(names = "--layers", description = "WRN depth, 6n+4 (default: ${DEFAULT-VALUE})")
    int layers = 40;
    @Option(names = "--widen-factor", description = "WRN widen factor (default: ${DEFAULT-VALUE})")
    int widenFactor = 2;
    @Option(names = "--droprate", description = "Dropout in the blocks; only 0 is supported (default: ${DEFAULT-VALUE})")
    double droprate = 0.0;
    @Option(names = "--mixture-width", description = "AugMix chains per view (default: ${DEFAULT-VALUE})")
    int mixtureWidth = 3;
    @Option(names = "--mixture-depth", description = "Ops per chain; -1 = uniform in 1..3 (default: ${DEFAULT-VALUE})")
    int mixtureDepth = -1;
    @Option(names = "--aug-severity", description = "Severity of the AugMix ops, 1..10 (default: ${DEFAULT-VALUE})")
    int augSeverity = 3;
    @Option(names = {"-nj", "--no-jsd"}, description = "One AugMix view per sample and cross-entropy only (no JSD term)")
    boolean noJsd;
    @Option(names = {"-all", "--all-ops"}, description = "Use all 13 ops (adds color, contrast, brightness, sharpness)")
    boolean allOps;
    @Option(names = "--no-augmix", description = "Baseline: flip + crop only, cross-entropy only (AugMix4J addition)")
    boolean noAugmix;
    @Option(names = {"-s", "--save"}, description = "Directory for run directories and checkpoints (default: ${DEFAULT-VALUE})")
    Path save = Path.of("snapshots");
    @Option(names = {"-r", "--resume"}, description = "Checkpoint (.safetensors written by train) to resume from")
    Path resume;
    @Option(names = "--evaluate", description = "Only evaluate the --resume checkpoint (clean + corrupted)")
    boolean evaluate;
    @Option(names = "--print-freq", description = "Steps between log lines when not on a terminal (default: ${DEFAULT-VALUE})")
    int printFreq = 50;
    @Option(names = "--num-workers", description = "CPU threads; 0 = all cores (default: ${DEFAULT-VALUE})")
    int numWorkers = 0;
    @Option(names = "--seed", description = "Run seed: init, shuffling and every augmentation draw (default: ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--device", description = "cpu | gpu | auto: auto trains on the GPU when a usable one is found, else on the CPU"
            + " saying what is missing; gpu fails with that message (default: ${DEFAULT-VALUE})")
    String device = "auto";
    @Option(names = "--tf32", description = "GPU: let cuDNN and cuBLAS use TF32 tensor cores (faster on Ampere and newer; 10-bit"
            + " mantissa products). Off by default and in every parity check (docs/gpu-training.md)")
    boolean tf32;
    @Option(names = "--sync-debug", description = "GPU: synchronise and check after every kernel launch and library call, so a"
            + " fault names its launch (slow; for debugging)")
    boolean syncDebug;
    @Option(names = "--train-limit", description = "Use only the first N training images, 0 = all (default: ${DEFAULT-VALUE})")
    int trainLimit = 0;
    @Option(names = "--test-limit", description = "Evaluate on the first N test images only (per epoch and at the end), 0 = all (default: ${DEFAULT-VALUE})")
    int testLimit = 0;
    @Option(names = "--corrupted", description = "After training evaluate on: a CIFAR-C directory, builtin, none, or auto: the published -C files under --data when found, else builtin (default: ${DEFAULT-VALUE})")
    String corrupted = "auto";
    @Option(names = "--corrupted-limit", description = "Evaluate each corruption and severity on its first N test images only, 0 = all (default: ${DEFAULT-VALUE})")
    int corruptedLimit = 0;

    /**
     * The embedded default's settings (docs/training.md has its measured numbers): sized to finish,
     * clean and built-in corrupted evaluation included, in under 5 minutes on 2 cores.
     */
    static final String[] EMBEDDED = {"--dataset", "synthetic", "--layers", "10", "--widen-factor", "1", "--epochs", "2",
            "--batch-size", "32", "--train-limit", "2000", "--eval-batch-size", "500", "--corrupted", "builtin",
            "--corrupted-limit", "100"};

    @Override
    public Integer call() throws Exception {
        if (isEmbeddedDefault()) {
            System.out.println("No CIFAR-10 under " + data.toAbsolutePath() + " and no arguments: running the embedded default "
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
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(EMBEDDED), java.util.Arrays.stream(overrides)).toArray(String[]::new);
        cl.parseArgs(args);
        t.embeddedArgs = String.join(" ", args);
        return t.runWith(true);
    }

    private boolean cifarPresent() {
        try {
            Cifar.locate(Cifar.Variant.CIFAR10, data);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    TrainConfig config() {
        if (!model.equals("wrn")) throw new IllegalArgumentException("--model " + model + " is not available: only wrn (WideResNet)");
        if (droprate != 0) throw new IllegalArgumentException("--droprate " + droprate + " is not supported yet (the official default is 0.0)");
        if (noJsd && noAugmix) throw new IllegalArgumentException("--no-jsd and --no-augmix together: pick one (--no-augmix already has no JSD)");
        if (!device.equals("cpu") && !device.equals("gpu") && !device.equals("auto")) throw new IllegalArgumentException("--device must be cpu, gpu or auto, got " + device);
        new org.augmix4j.nn.WideResNet.Config(layers, widenFactor, 2); // validates depth and width before any data is loaded
        AugMixConfig.Mode mode = noAugmix ? AugMixConfig.Mode.NONE : noJsd ? AugMixConfig.Mode.AUGMIX : AugMixConfig.Mode.JSD;
        AugMixConfig aug = new AugMixConfig(mode, mixtureWidth, mixtureDepth, augSeverity, 1.0, allOps, true);
        return new TrainConfig(Datasets.canonical(dataset), data, epochs, learningRate, batchSize, evalBatchSize, momentum, decay,
                layers, widenFactor, aug, save, seed, device, numWorkers, trainLimit, corrupted, printFreq, corruptedLimit, testLimit);
    }

    int runWith(boolean embedded) throws Exception {
        if (resume != null) continueCheckpointConfig();
        TrainConfig cfg = config();
        if (evaluate) {
            if (resume == null) throw new IllegalArgumentException("--evaluate needs --resume CHECKPOINT (the model to evaluate)");
            org.augmix4j.cpu.Parallel.setThreads(numWorkers);
            EvalCommand.evaluate(resume, cfg.dataset(), data, corrupted, testLimit, corruptedLimit, 0, 0, evalBatchSize, seed, device, tf32, System.out);
            return 0;
        }
        Trainer trainer = new Trainer(cfg, System.out, System.console() != null)
                .withGpuOptions(new org.augmix4j.train.GpuTrainer.Options(tf32, syncDebug, org.augmix4j.ops.GpuBackends.Choice.fromProperty()));
        trainer.run(resume, 0);
        // the built-in corruptions are generated on the training GPU when there is one (the same bytes as on the CPU)
        Report.Source src = Report.resolve(corrupted, cfg.dataset(), data, trainer.data().test(), seed, corruptedLimit,
                trainer.gpu() == null ? null : trainer.gpu().gpu());
        JsonObject report = Report.evaluate(trainer.net(), evalBatchSize, trainer.data().test(), src.source(), src.label(), System.out);
        Path dir = trainer.runDir();
        report.addProperty("checkpoint", dir.resolve(Trainer.CHECKPOINT).toString());
        Report.write(dir.resolve("report.json"), report);
        if (report.has("corruptions")) Charts.corruptionErrors(report, dir.resolve(Charts.CORRUPTION_ERRORS));
        if (embedded) Files.writeString(dir.resolve("EMBEDDED_DEFAULT"), "train " + embeddedArgs + "\n");
        System.out.printf("Wrote %s: %s, report.json, %s%s, training_log.csv/.jsonl, config.json%n", dir, Trainer.CHECKPOINT,
                Charts.TRAINING_CURVES, report.has("corruptions") ? ", " + Charts.CORRUPTION_ERRORS : "");
        return 0;
    }

    /**
     * {@code --resume}: the run continues with the configuration saved in the checkpoint's sidecar;
     * options given on the command line override it (with a warning for those that change the
     * training itself, since the continuation then differs from an uninterrupted run).
     */
    private void continueCheckpointConfig() throws java.io.IOException {
        Checkpoint.Meta meta = Checkpoint.readMeta(resume);
        if (meta == null && evaluate) return; // plain weights: evaluated with the options given
        if (meta == null) {
            throw new IllegalArgumentException(resume + ": no sidecar " + Checkpoint.sidecar(resume).getFileName()
                    + "; --resume needs a checkpoint written by train (plain weights can only be evaluated with eval)");
        }
        JsonObject c = meta.config();
        picocli.CommandLine.ParseResult pr = spec.commandLine().getParseResult();
        java.util.List<String> changed = new java.util.ArrayList<>();
        java.util.function.BiFunction<String, String, Boolean> take = (opt, key) -> {
            if (!c.has(key)) return false;
            if (pr.hasMatchedOption(opt)) {
                Object given = spec.findOption(opt).getValue();
                String saved = c.get(key).getAsString();
                if (!String.valueOf(given).equals(saved) && !(given instanceof Number n && Double.parseDouble(saved) == n.doubleValue())) {
                    changed.add(opt + " " + given + " (checkpoint: " + saved + ")");
                }
                return false;
            }
            return true;
        };
        if (take.apply("--dataset", "dataset")) dataset = c.get("dataset").getAsString();
        if (!pr.hasMatchedOption("--data") && c.has("data")) data = Path.of(c.get("data").getAsString());
        if (take.apply("--epochs", "epochs")) epochs = c.get("epochs").getAsInt();
        if (take.apply("--learning-rate", "learning_rate")) learningRate = c.get("learning_rate").getAsDouble();
        if (take.apply("--batch-size", "batch_size")) batchSize = c.get("batch_size").getAsInt();
        if (!pr.hasMatchedOption("--eval-batch-size") && c.has("eval_batch_size")) evalBatchSize = c.get("eval_batch_size").getAsInt();
        if (take.apply("--momentum", "momentum")) momentum = c.get("momentum").getAsDouble();
        if (take.apply("--decay", "decay")) decay = c.get("decay").getAsDouble();
        if (take.apply("--layers", "layers")) layers = c.get("layers").getAsInt();
        if (take.apply("--widen-factor", "widen_factor")) widenFactor = c.get("widen_factor").getAsInt();
        if (take.apply("--mixture-width", "mixture_width")) mixtureWidth = c.get("mixture_width").getAsInt();
        if (take.apply("--mixture-depth", "mixture_depth")) mixtureDepth = c.get("mixture_depth").getAsInt();
        if (take.apply("--aug-severity", "aug_severity")) augSeverity = c.get("aug_severity").getAsInt();
        if (take.apply("--all-ops", "all_ops")) allOps = c.get("all_ops").getAsBoolean();
        if (c.has("mode") && !pr.hasMatchedOption("--no-jsd") && !pr.hasMatchedOption("--no-augmix")) {
            String mode = c.get("mode").getAsString();
            noJsd = mode.equals("AUGMIX");
            noAugmix = mode.equals("NONE");
        }
        if (take.apply("--seed", "seed")) seed = c.get("seed").getAsLong();
        if (take.apply("--train-limit", "train_limit")) trainLimit = c.get("train_limit").getAsInt();
        if (!pr.hasMatchedOption("--corrupted") && c.has("corrupted")) corrupted = c.get("corrupted").getAsString();
        if (!pr.hasMatchedOption("--test-limit") && c.has("test_limit")) testLimit = c.get("test_limit").getAsInt();
        if (!pr.hasMatchedOption("--corrupted-limit") && c.has("corrupted_limit")) corruptedLimit = c.get("corrupted_limit").getAsInt();
        if (!pr.hasMatchedOption("--num-workers") && c.has("threads")) numWorkers = c.get("threads").getAsInt();
        if (!pr.hasMatchedOption("--print-freq") && c.has("print_freq")) printFreq = c.get("print_freq").getAsInt();
        if (!changed.isEmpty() && !evaluate) {
            System.out.println("Warning: resuming with settings that differ from the checkpoint's: " + String.join(", ", changed)
                    + ". The continued run will not match an uninterrupted one.");
        }
    }
}
