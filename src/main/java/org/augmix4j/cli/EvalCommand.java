package org.augmix4j.cli;

import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Splits;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code eval}: clean error, corrupted error per corruption and severity, the official mean
 * corruption error and the RMS calibration error of a checkpoint (ours, or weights exported from
 * PyTorch with the official state_dict keys).
 */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint: clean error, CIFAR-C / built-in corruption errors, mean corruption error, calibration.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Weights (.safetensors with the official PyTorch WideResNet keys)")
    Path checkpoint;
    @Option(names = "--dataset", description = "cifar10 | cifar100 | fashion-mnist | mnist | synthetic (default: ${DEFAULT-VALUE})")
    String dataset = "cifar10";
    @Option(names = "--data", description = "Dataset directory (default: ${DEFAULT-VALUE})")
    Path data = Datasets.DEFAULT_DIR;
    @Option(names = "--corrupted", description = "A CIFAR-10-C/100-C directory, builtin (generated on the fly), none, or auto: "
            + "the published files under --data when present, else builtin (default: ${DEFAULT-VALUE})")
    String corrupted = "auto";
    @Option(names = "--json", description = "Write the report as JSON to this file")
    Path json;
    @Option(names = "--layers", description = "Override the WRN depth (default: from the sidecar, else inferred from the tensors)")
    int layers;
    @Option(names = "--widen-factor", description = "Override the WRN widen factor (default: from the sidecar, else inferred)")
    int widenFactor;
    @Option(names = "--eval-batch-size", description = "Images per forward (default: ${DEFAULT-VALUE})")
    int evalBatchSize = 1000;
    @Option(names = "--seed", description = "Seed of the built-in corruptions (default: ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--num-workers", description = "CPU threads; 0 = all cores (default: ${DEFAULT-VALUE})")
    int numWorkers = 0;

    @Override
    public Integer call() throws Exception {
        org.augmix4j.cpu.Parallel.setThreads(numWorkers);
        return evaluate(checkpoint, dataset, data, corrupted, json, layers, widenFactor, evalBatchSize, seed, System.out);
    }

    static int evaluate(Path checkpoint, String dataset, Path data, String corrupted, Path json, int layers, int widen,
                        int batch, long seed, PrintStream out) throws Exception {
        Map<String, Object> state = Checkpoint.readState(checkpoint);
        Checkpoint.Meta meta = Checkpoint.readMeta(checkpoint);
        WideResNet.Config inferred = Checkpoint.inferConfig(state, checkpoint);
        int d = layers > 0 ? layers : meta != null ? meta.layers() : inferred.depth();
        int k = widen > 0 ? widen : meta != null ? meta.widenFactor() : inferred.widen();
        Splits s = Datasets.load(dataset, data);
        if (inferred.classes() != s.numClasses()) {
            throw new IllegalArgumentException(checkpoint + " has " + inferred.classes() + " output classes but " + dataset + " has "
                    + s.numClasses() + "; pass the --dataset the model was trained on");
        }
        WideResNet net = new WideResNet(new WideResNet.Config(d, k, inferred.classes()), 0);
        net.loadStateDict(state);
        out.printf("Evaluating %s (%s, %d classes) on %s%n", checkpoint, net.config().label(), inferred.classes(), s.test().name());
        Report.Source src = Report.resolve(corrupted, dataset, data, s.test(), seed);
        JsonObject report = Report.evaluate(net, batch, s.test(), src.source(), src.label(), out);
        report.addProperty("checkpoint", checkpoint.toString());
        if (json != null) {
            Report.write(json, report);
            out.println("Wrote " + json);
        }
        return 0;
    }
}
