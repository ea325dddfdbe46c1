package org.augmix4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Splits;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.train.Charts;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.Device;
import org.augmix4j.train.Engine;
import org.augmix4j.train.Engines;
import org.augmix4j.train.GpuEngine;
import org.augmix4j.train.TrainConfig;
import org.augmix4j.train.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: clean error, corrupted error per corruption and severity, the official mean
 * corruption error and the RMS calibration error of a checkpoint (ours, or weights exported from
 * PyTorch with the official state_dict keys); a console table, a JSON report and a PNG chart.
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Evaluate a checkpoint: clean error, CIFAR-C / built-in corruption errors, mean corruption error, RMS calibration error.",
                "The architecture comes from the checkpoint's sidecar (NAME.json), or is inferred from the tensors' names and shapes."})
public final class EvalCommand implements Callable<Integer> {
    private static final TrainConfig D = TrainConfig.DEFAULTS;
    @Option(names = "--checkpoint", required = true, description = "Weights: a .safetensors file with the official PyTorch WideResNet "
            + "state_dict keys (ours, or exported from PyTorch; a 'module.' prefix and missing num_batches_tracked are fine)")
    Path checkpoint;
    @Mixin EvalOptions eval = new EvalOptions();
    @Option(names = "--json", description = "Write the report as JSON to this file, and the chart of error per corruption and severity "
            + "beside it (NAME-corruption_errors.png)")
    Path json;
    @Option(names = "--allow-partial", description = "With a --corrupted folder that lacks some of the 15 benchmark files: evaluate "
            + "the files present and label the mean corruption error as partial, listing what is missing (default: refuse)")
    boolean allowPartial;
    @Option(names = "--layers", description = "Override the WRN depth (default: from the sidecar, else inferred from the tensors)")
    int layers;
    @Option(names = "--widen-factor", description = "Override the WRN widen factor (default: from the sidecar, else inferred)")
    int widenFactor;
    @Option(names = "--seed", description = "Seed of the built-in corruptions (default: ${DEFAULT-VALUE})")
    long seed = D.seed();

    /** The evaluation's settings as the shared configuration object (training fields keep their defaults). */
    TrainConfig config() {
        return new TrainConfig(Datasets.canonical(eval.dataset), eval.data, D.epochs(), D.learningRate(), D.batchSize(), eval.evalBatchSize, D.momentum(),
                D.decay(), D.layers(), D.widenFactor(), D.augmix(), D.save(), seed, eval.device, eval.numWorkers, D.trainLimit(), eval.corrupted,
                D.printFreq(), eval.corruptedLimit, eval.testLimit);
    }

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = config();
        if (json != null) OutputFiles.checkWritable("--json", json);  // fail now, not after the evaluation
        Parallel.setThreads(cfg.threads());
        JsonObject report = evaluate(checkpoint, cfg, Engines.Options.of(eval.device, eval.evalBatchSize).withTf32(eval.tf32), layers, widenFactor,
                allowPartial, System.out);
        if (json != null) {
            Report.write(json, report);
            System.out.println("Wrote " + json);
            if (report.has("corruptions")) {
                Path png = chartBeside(json);
                Charts.corruptionErrors(report, png);
                System.out.println("Wrote " + png);
            }
        }
        return 0;
    }

    /** {@code dir/NAME.json} becomes {@code dir/NAME-corruption_errors.png}. */
    static Path chartBeside(Path json) {
        String n = json.getFileName().toString();
        String stem = n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
        return json.resolveSibling(stem + "-" + Charts.CORRUPTION_ERRORS);
    }

    /**
     * Loads the checkpoint and the test set of {@code cfg.dataset()}, evaluates on the engine
     * {@code engine} asks for, prints the table and returns the report. {@code layers} and
     * {@code widen} (0 = from the sidecar, else inferred from the tensors) override the architecture.
     */
    static JsonObject evaluate(Path checkpoint, TrainConfig cfg, Engines.Options engine, int layers, int widen, boolean allowPartial,
                               PrintStream out) throws Exception {
        if (!Files.isRegularFile(checkpoint)) {
            throw new IllegalArgumentException("--checkpoint " + checkpoint + ": no such file (a .safetensors written by train, e.g. "
                    + "snapshots/RUN/" + org.augmix4j.train.Trainer.CHECKPOINT + ", or converted with tools/pytorch/convert_pth.py)");
        }
        Checkpoint.Meta meta = Checkpoint.readMeta(checkpoint); // verifies the checksums when there is a sidecar
        Map<String, Object> state = Checkpoint.readState(checkpoint);
        WideResNet.Config inferred = Checkpoint.inferConfig(state, checkpoint);
        int d = layers > 0 ? layers : meta != null ? meta.layers() : inferred.depth();
        int k = widen > 0 ? widen : meta != null ? meta.widenFactor() : inferred.widen();
        String name = cfg.dataset();
        // eval needs the test split only: the synthetic test split does not depend on the train size
        Splits s = name.equals("synthetic")
                ? Datasets.load(name, Datasets.Options.defaults(cfg.dataDir()).withSynthetic(Synthetic.DEFAULT_SEED, 0, Synthetic.DEFAULT_TEST))
                : Datasets.forEvaluation(name, Datasets.Options.defaults(cfg.dataDir()));  // test_batch.bin / test only, any whole number of records
        if (inferred.classes() != s.numClasses()) {
            throw new IllegalArgumentException(checkpoint + " has " + inferred.classes() + " output classes (fc.bias) but " + name + " has "
                    + s.numClasses() + "; pass the --dataset the model was trained on");
        }
        int testLimit = cfg.testLimit();
        if (testLimit > 0 && testLimit < s.test().size()) s = new Splits(s.train(), s.test().slice(0, testLimit));
        WideResNet net = new WideResNet(new WideResNet.Config(d, k, inferred.classes()), 0);
        net.loadStateDict(Checkpoint.readState(checkpoint, net.config()));  // every tensor's dtype, shape and values checked
        // the corrupted folder is validated whole before any evaluation (the GPU, when used, regenerates built-in sources below)
        Report.resolve(cfg.corrupted(), name, cfg.dataDir(), s.test(), cfg.seed(), cfg.corruptedLimit(), null, allowPartial);
        String how = meta != null ? "from its sidecar" : "inferred from the tensors";
        if (layers > 0 || widen > 0) how = "as given";
        out.printf("Evaluating %s (%s %s, %d classes) on %s%n", checkpoint, net.config().label(), how, inferred.classes(), s.test().name());
        JsonObject report;
        // on the GPU every batch goes up as uint8 and only its logits come back; the built-in corruptions are generated there too
        try (Engine model = Engines.inference(engine, net, s.test().images().height(), s.test().images().width(), out)) {
            Report.Source src = Report.resolve(cfg.corrupted(), name, cfg.dataDir(), s.test(), cfg.seed(), cfg.corruptedLimit(),
                    model instanceof GpuEngine g ? g.gpu() : null, allowPartial);
            report = Report.evaluate(model, cfg.evalBatchSize(), s.test(), src.source(), src.label(), out);
            report.addProperty("device", model.kind());
        }
        report.addProperty("checkpoint", checkpoint.toString());
        report.addProperty("architecture_source", how);
        return report;
    }
}
