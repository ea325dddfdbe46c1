package org.augmix4j.cli;

import java.nio.file.Path;
import org.augmix4j.train.Device;
import org.augmix4j.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * The options that say what to evaluate on and where to run, shared by {@code train} (its per-epoch
 * and final evaluation) and {@code eval}: declared once, with the defaults of {@link TrainConfig#DEFAULTS}.
 */
final class EvalOptions {
    private static final TrainConfig D = TrainConfig.DEFAULTS;

    @Option(names = "--dataset", description = "cifar10 | cifar100 | fashion-mnist | mnist | synthetic (default: ${DEFAULT-VALUE})")
    String dataset = D.dataset();
    @Option(names = "--data", description = "Dataset directory; layouts in data/README.md (default: ${DEFAULT-VALUE})")
    Path data = D.dataDir();
    @Option(names = "--corrupted", description = "Corrupted evaluation: a CIFAR-10-C/100-C directory (or one in that layout, e.g. written "
            + "by 'corrupt'; all 15 benchmark files are checked before any work), builtin (the 15 corruptions generated from the test "
            + "set), none, or auto: the published files under --data when present, else builtin (default: ${DEFAULT-VALUE})")
    String corrupted = D.corrupted();
    @Option(names = "--corrupted-limit", description = "Evaluate each corruption and severity on its first N images only; 0 = all "
            + "(default: ${DEFAULT-VALUE})")
    int corruptedLimit = D.corruptedLimit();
    @Option(names = "--test-limit", description = "Evaluate on the first N clean test images only; 0 = all (default: ${DEFAULT-VALUE})")
    int testLimit = D.testLimit();
    @Option(names = "--eval-batch-size", description = "Images per evaluation forward (default: ${DEFAULT-VALUE})")
    int evalBatchSize = D.evalBatchSize();
    @Option(names = "--num-workers", description = "CPU threads; 0 = all cores (default: ${DEFAULT-VALUE})")
    int numWorkers = D.threads();
    @Option(names = "--device", description = "cpu | gpu | auto: auto runs on the GPU when a usable one is found, else on the CPU"
            + " saying what is missing; gpu fails with that message (default: ${DEFAULT-VALUE})", converter = DeviceConverter.class,
            defaultValue = "auto")
    Device device;
    @Option(names = "--tf32", description = "GPU: let cuDNN and cuBLAS use TF32 tensor cores (faster on Ampere and newer; 10-bit"
            + " mantissa products). Off by default and in every parity check (docs/gpu-training.md)")
    boolean tf32;
}
