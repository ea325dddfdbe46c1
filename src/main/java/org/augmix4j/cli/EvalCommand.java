package org.augmix4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Models;
import org.augmix4j.nn.Network;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.onnx.OnnxClassifier;
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
    @Option(names = "--checkpoint", description = "Weights: a .safetensors file with the official PyTorch "
            + "state_dict keys of wrn, allconv, densenet or resnext (ours, or exported from PyTorch; the model is read from the sidecar "
            + "or recognised from the tensors; a 'module.' prefix and missing num_batches_tracked are fine)")
    Path checkpoint;
    @Option(names = "--onnx", paramLabel = "MODEL.onnx", description = "Instead of --checkpoint: any classifier exported to ONNX, input "
            + "(N, 3, H, W) float, output (N, K) logits, run by ONNX Runtime on the CPU (needs com.microsoft.onnxruntime:onnxruntime)")
    Path onnx;
    @Option(names = "--mean", split = ",", paramLabel = "R,G,B", description = "With --onnx: the model's input normalisation "
            + "x = (pixel/255 - mean) / std (default: 0.5,0.5,0.5; torchvision's ImageNet one is 0.485,0.456,0.406)")
    float[] mean = {0.5f, 0.5f, 0.5f};
    @Option(names = "--std", split = ",", paramLabel = "R,G,B", description = "With --onnx: see --mean (default: 0.5,0.5,0.5; "
            + "ImageNet: 0.229,0.224,0.225)")
    float[] std = {0.5f, 0.5f, 0.5f};
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
                D.decay(), D.model(), D.layers(), D.widenFactor(), D.augmix(), D.save(), seed, eval.device, eval.numWorkers, D.trainLimit(), eval.corrupted,
                D.printFreq(), eval.corruptedLimit, eval.testLimit);
    }

    @Override
    public Integer call() throws Exception {
        TrainConfig cfg = config();
        if (json != null) OutputFiles.checkWritable("--json", json);  // fail now, not after the evaluation
        if ((checkpoint == null) == (onnx == null)) {
            throw new IllegalArgumentException("give exactly one model: --checkpoint FILE.safetensors (a model of the zoo) or --onnx MODEL.onnx (any model)");
        }
        Parallel.setThreads(cfg.threads());
        JsonObject report = onnx != null ? evaluateOnnx(onnx, cfg, mean, std, allowPartial, System.out)
                : evaluate(checkpoint, cfg, Engines.Options.of(eval.device, eval.evalBatchSize).withTf32(eval.tf32), layers, widenFactor,
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
        Arch inferred = Models.infer(state, checkpoint);
        Arch arch = meta != null ? meta.arch().withClasses(inferred.classes()) : inferred;
        if (layers > 0 || widen > 0) {
            if (!(arch instanceof WideResNet.Config w)) {
                throw new IllegalArgumentException("--layers/--widen-factor size a WideResNet, but " + checkpoint + " holds " + arch.label()
                        + "; drop them (the other models have fixed official sizes)");
            }
            arch = new WideResNet.Config(layers > 0 ? layers : w.depth(), widen > 0 ? widen : w.widen(), w.classes());
        }
        String name = cfg.dataset();
        String classifier = List.copyOf(arch.stateShapes().keySet()).get(arch.stateShapes().size() - 1); // the last entry: the classifier's bias
        Dataset test = testSplit(cfg, checkpoint + " has " + inferred.classes() + " output classes (" + classifier + ")", inferred.classes());
        Network net = arch.build(0);
        net.loadStateDict(Checkpoint.readState(checkpoint, arch));  // every tensor's dtype, shape and values checked
        // the corrupted folder is validated whole before any evaluation (the GPU, when used, regenerates built-in sources below)
        Report.resolve(cfg.corrupted(), name, cfg.dataDir(), test, cfg.seed(), cfg.corruptedLimit(), null, allowPartial);
        String how = meta != null ? "from its sidecar" : "inferred from the tensors";
        if (layers > 0 || widen > 0) how = "as given";
        out.printf("Evaluating %s (%s %s, %d classes) on %s%n", checkpoint, arch.label(), how, inferred.classes(), test.name());
        JsonObject report;
        // on the GPU every batch goes up as uint8 and only its logits come back; the built-in corruptions are generated there too
        try (Engine model = Engines.inference(engine, net, test.images().height(), test.images().width(), out)) {
            Report.Source src = Report.resolve(cfg.corrupted(), name, cfg.dataDir(), test, cfg.seed(), cfg.corruptedLimit(),
                    model instanceof GpuEngine g ? g.gpu() : null, allowPartial);
            report = Report.evaluate(model, cfg.evalBatchSize(), test, src.source(), src.label(), out);
            report.addProperty("device", model.kind());
        }
        report.addProperty("checkpoint", checkpoint.toString());
        report.addProperty("architecture_source", how);
        return report;
    }

    /**
     * The test split of {@code cfg.dataset()} (only the test file is read: test_batch.bin / test, any
     * whole number of records), cut to --test-limit; its class count must be {@code classes}.
     */
    private static Dataset testSplit(TrainConfig cfg, String model, int classes) {
        String name = cfg.dataset();
        // the synthetic test split does not depend on the train size
        Dataset test = name.equals("synthetic")
                ? Datasets.load(name, Datasets.Options.defaults(cfg.dataDir()).withSynthetic(Synthetic.DEFAULT_SEED, 0, Synthetic.DEFAULT_TEST)).test()
                : Datasets.forEvaluation(name, Datasets.Options.defaults(cfg.dataDir())).test();
        if (classes != test.numClasses()) {
            throw new IllegalArgumentException(model + " but " + name + " has " + test.numClasses() + "; pass the --dataset the model was "
                    + "trained on");
        }
        int limit = cfg.testLimit();
        return limit > 0 && limit < test.size() ? test.slice(0, limit) : test;
    }

    /** {@code eval --onnx}: the same report for any ONNX classifier, on ONNX Runtime's CPU provider. */
    static JsonObject evaluateOnnx(Path model, TrainConfig cfg, float[] mean, float[] std, boolean allowPartial, PrintStream out) {
        if (cfg.device() == org.augmix4j.train.Device.GPU) {
            throw new IllegalArgumentException("--onnx runs on ONNX Runtime's CPU provider in this build; drop --device gpu");
        }
        try (OnnxClassifier m = OnnxClassifier.open(model, mean, std)) {
            Dataset test = testSplit(cfg, model + " has " + m.classes() + " outputs", m.classes());
            Report.Source src = Report.resolve(cfg.corrupted(), cfg.dataset(), cfg.dataDir(), test, cfg.seed(), cfg.corruptedLimit(), null,
                    allowPartial);
            out.printf("Evaluating %s (%d classes; input (x/255 - %s) / %s) on %s with %s%n", model, m.classes(),
                    java.util.Arrays.toString(mean), java.util.Arrays.toString(std), test.name(), m.describe());
            JsonObject report = Report.evaluate(m, cfg.evalBatchSize(), test, src.source(), src.label(), out);
            report.addProperty("device", "cpu");
            report.addProperty("onnx", model.toString());
            return report;
        } catch (NoClassDefFoundError e) {
            throw new IllegalArgumentException("--onnx needs ONNX Runtime on the class path (Maven: com.microsoft.onnxruntime:onnxruntime, "
                    + "an optional dependency of augmix4j; the mvn exec:java and test class paths have it)", e);
        }
    }
}
