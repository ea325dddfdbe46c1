package org.augmix4j.cli;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.data.Cifar;
import org.augmix4j.data.Datasets;
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
                "With no arguments and no CIFAR-10 in --data: the embedded default (synthetic data, small WRN, CPU, a few minutes)."})
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
    @Option(names = "--corrupted", description = "After training evaluate on: a CIFAR-C directory, builtin, or none (default: ${DEFAULT-VALUE}: the published -C files when found, else builtin)")
    String corrupted = "auto";

    /** The embedded default's settings (see README): fits in under 5 minutes on 2 cores. */
    static final String[] EMBEDDED = {"--dataset", "synthetic", "--layers", "10", "--widen-factor", "2", "--epochs", "3",
            "--batch-size", "64", "--train-limit", "3000", "--eval-batch-size", "500"};

    @Override
    public Integer call() throws Exception {
        if (spec.commandLine().getParseResult().matchedOptions().isEmpty() && !cifarPresent()) {
            System.out.println("No CIFAR-10 under " + data.toAbsolutePath() + " and no arguments: running the embedded default "
                    + "(synthetic data, WRN-10-2, AugMix + JSD, 3 epochs on the CPU). See data/README.md for CIFAR.");
            TrainCommand t = new TrainCommand();
            new picocli.CommandLine(t).parseArgs(EMBEDDED);
            t.spec = spec;
            return t.runWith(true);
        }
        return runWith(false);
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
        AugMixConfig.Mode mode = noAugmix ? AugMixConfig.Mode.NONE : noJsd ? AugMixConfig.Mode.AUGMIX : AugMixConfig.Mode.JSD;
        AugMixConfig aug = new AugMixConfig(mode, mixtureWidth, mixtureDepth, augSeverity, 1.0, allOps, true);
        return new TrainConfig(Datasets.canonical(dataset), data, epochs, learningRate, batchSize, evalBatchSize, momentum, decay,
                layers, widenFactor, aug, save, seed, device, numWorkers, trainLimit, corrupted, printFreq);
    }

    int runWith(boolean embedded) throws Exception {
        TrainConfig cfg = config();
        if (evaluate) {
            if (resume == null) throw new IllegalArgumentException("--evaluate needs --resume CHECKPOINT (the model to evaluate)");
            return EvalCommand.evaluate(resume, cfg.dataset(), data, corrupted, null, 0, 0, evalBatchSize, seed, System.out);
        }
        Trainer trainer = new Trainer(cfg, System.out, System.console() != null)
                .withGpuOptions(new org.augmix4j.train.GpuTrainer.Options(tf32, syncDebug, org.augmix4j.ops.GpuBackends.Choice.fromProperty()));
        trainer.run(resume, 0);
        Report.Source src = Report.resolve(corrupted, cfg.dataset(), data, trainer.data().test(), seed);
        JsonObject report = Report.evaluate(trainer.net(), evalBatchSize, trainer.data().test(), src.source(), src.label(), System.out);
        Path reportFile = trainer.runDir().resolve("report.json");
        Report.write(reportFile, report);
        System.out.println("Wrote " + reportFile + " and " + trainer.runDir().resolve("checkpoint.safetensors"));
        if (embedded) Files.writeString(trainer.runDir().resolve("EMBEDDED_DEFAULT"), String.join(" ", EMBEDDED) + "\n");
        return 0;
    }

}
