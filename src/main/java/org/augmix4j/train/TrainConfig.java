package org.augmix4j.train;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.augmix4j.augment.AugMixConfig;

/**
 * The resolved training configuration: the official cifar.py flags (names and defaults of
 * its argparse; docs/training.md lists them) plus AugMix4J's additions. Saved with every run and checkpoint.
 *
 * @param dataset       cifar10 | cifar100 | fashion-mnist | mnist | synthetic
 * @param dataDir       where the datasets live (data/README.md)
 * @param epochs        training epochs (100)
 * @param learningRate  initial learning rate (0.1), cosine-decayed per step to 1e-6
 * @param batchSize     samples per step (128; x3 images in JSD mode); the last batch is smaller (drop_last False)
 * @param evalBatchSize images per evaluation forward (1000)
 * @param momentum      SGD momentum (0.9, Nesterov)
 * @param decay         weight decay on every parameter (5e-4)
 * @param model         wrn | allconv | densenet | resnext (-m/--model; wrn)
 * @param layers        WRN depth (40)
 * @param widenFactor   WRN widen factor (2)
 * @param augmix        mode, width, depth, severity, all-ops of the AugMix pipeline
 * @param save          snapshot directory (./snapshots); the run directory lives inside it
 * @param seed          run seed: init, shuffling and every augmentation draw
 * @param device        cpu | gpu | auto (--device)
 * @param threads       CPU worker threads (0 = all cores)
 * @param trainLimit    use only the first N training images (0 = all), for quick runs
 * @param corrupted     corrupted evaluation after training: a CIFAR-C directory, "builtin", "none" or "auto"
 * @param printFreq     steps between log lines when the output is not a terminal (50)
 * @param corruptedLimit evaluate each corruption and severity on the first N test images only (0 = all)
 * @param testLimit     evaluate on the first N test images only (0 = all), per epoch and at the end
 */
public record TrainConfig(String dataset, Path dataDir, int epochs, double learningRate, int batchSize, int evalBatchSize,
                          double momentum, double decay, String model, int layers, int widenFactor, AugMixConfig augmix, Path save,
                          long seed, Device device, int threads, int trainLimit, String corrupted, int printFreq,
                          int corruptedLimit, int testLimit) {
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be > 0, got " + learningRate);
        if (batchSize < 2) throw new IllegalArgumentException("--batch-size must be >= 2 (batch norm needs 2 images), got " + batchSize);
        if (evalBatchSize < 1) throw new IllegalArgumentException("--eval-batch-size must be >= 1, got " + evalBatchSize);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        if (decay < 0) throw new IllegalArgumentException("--decay must be >= 0, got " + decay);
        if (trainLimit < 0) throw new IllegalArgumentException("--train-limit must be >= 0, got " + trainLimit);
        if (testLimit < 0) throw new IllegalArgumentException("--test-limit must be >= 0, got " + testLimit);
        if (corruptedLimit < 0) throw new IllegalArgumentException("--corrupted-limit must be >= 0, got " + corruptedLimit);
        if (printFreq < 1) throw new IllegalArgumentException("--print-freq must be >= 1, got " + printFreq);
        long floats = (long) batchSize * augmix.imagesPerSample() * 3 * 32 * 32, most = (Integer.MAX_VALUE - 8L) / (augmix.imagesPerSample() * 3 * 32 * 32);
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--batch-size " + batchSize + ": one step would hold " + batchSize * (long) augmix.imagesPerSample()
                    + " images (" + floats + " floats), more than one Java array can; use --batch-size " + most + " or less (the official value is 128)");
        }
        model = org.augmix4j.nn.Models.check(model);
        if (layers < 10 || layers > 10_000) {
            throw new IllegalArgumentException("--layers " + layers + " is outside 10..10000 (WRN depth 6n+4; the official model is --layers 40)");
        }
    }

    /** The official cifar.py defaults (its argparse; docs/training.md) plus AugMix4J's. */
    public static final TrainConfig DEFAULTS = new TrainConfig("cifar10", Path.of("data"), 100, 0.1, 128, 1000, 0.9, 0.0005, "wrn", 40, 2,
            AugMixConfig.defaults(), Path.of("snapshots"), 1, Device.AUTO, 0, 0, "auto", 50, 0, 0);

    /** JSON key -> the train flag that sets it (the keys of config.json and the sidecar's "config"). */
    public static final Map<String, String> OPTIONS = options();

    private static Map<String, String> options() {
        Map<String, String> m = new LinkedHashMap<>();
        String[][] pairs = {{"dataset", "--dataset"}, {"data", "--data"}, {"epochs", "--epochs"}, {"learning_rate", "--learning-rate"},
            {"batch_size", "--batch-size"}, {"eval_batch_size", "--eval-batch-size"}, {"momentum", "--momentum"}, {"decay", "--decay"},
            {"model", "--model"}, {"layers", "--layers"}, {"widen_factor", "--widen-factor"}, {"mode", "--no-jsd/--no-augmix"}, {"mixture_width", "--mixture-width"},
            {"mixture_depth", "--mixture-depth"}, {"aug_severity", "--aug-severity"}, {"all_ops", "--all-ops"}, {"save", "--save"},
            {"seed", "--seed"}, {"device", "--device"}, {"threads", "--num-workers"}, {"train_limit", "--train-limit"},
            {"corrupted", "--corrupted"}, {"print_freq", "--print-freq"}, {"corrupted_limit", "--corrupted-limit"},
            {"test_limit", "--test-limit"}};
        for (String[] p : pairs) m.put(p[0], p[1]);
        return java.util.Collections.unmodifiableMap(m);
    }

    /** Every setting under its {@link #OPTIONS} key (plus the fixed jsd_weight 12, for readers of the record). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("dataset", dataset);
        o.addProperty("data", dataDir.toString());
        o.addProperty("model", model);
        o.addProperty("epochs", epochs);
        o.addProperty("learning_rate", learningRate);
        o.addProperty("batch_size", batchSize);
        o.addProperty("eval_batch_size", evalBatchSize);
        o.addProperty("momentum", momentum);
        o.addProperty("decay", decay);
        o.addProperty("layers", layers);
        o.addProperty("widen_factor", widenFactor);
        o.addProperty("mode", augmix.mode().name());
        o.addProperty("mixture_width", augmix.width());
        o.addProperty("mixture_depth", augmix.depth());
        o.addProperty("aug_severity", augmix.severity());
        o.addProperty("all_ops", augmix.allOps());
        o.addProperty("jsd_weight", 12);
        o.addProperty("save", save.toString());
        o.addProperty("seed", seed);
        o.addProperty("device", device.flag());
        o.addProperty("threads", threads);
        o.addProperty("train_limit", trainLimit);
        o.addProperty("corrupted", corrupted);
        o.addProperty("print_freq", printFreq);
        o.addProperty("corrupted_limit", corruptedLimit);
        o.addProperty("test_limit", testLimit);
        return o;
    }

    /**
     * The configuration {@code o} describes; keys it lacks (records written by older versions) take
     * {@code base}'s values. A value of the wrong type is an error naming the key.
     */
    public static TrainConfig fromJson(JsonObject o, TrainConfig base) {
        try {
            AugMixConfig.Mode mode = o.has("mode") ? AugMixConfig.Mode.valueOf(o.get("mode").getAsString()) : base.augmix().mode();
            AugMixConfig aug = new AugMixConfig(mode, i(o, "mixture_width", base.augmix().width()), i(o, "mixture_depth", base.augmix().depth()),
                    i(o, "aug_severity", base.augmix().severity()), base.augmix().alpha(),
                    o.has("all_ops") ? o.get("all_ops").getAsBoolean() : base.augmix().allOps(), base.augmix().trainTransform());
            return new TrainConfig(str(o, "dataset", base.dataset()), Path.of(str(o, "data", base.dataDir().toString())),
                    i(o, "epochs", base.epochs()), d(o, "learning_rate", base.learningRate()), i(o, "batch_size", base.batchSize()),
                    i(o, "eval_batch_size", base.evalBatchSize()), d(o, "momentum", base.momentum()), d(o, "decay", base.decay()),
                    str(o, "model", base.model()), i(o, "layers", base.layers()), i(o, "widen_factor", base.widenFactor()), aug, Path.of(str(o, "save", base.save().toString())),
                    o.has("seed") ? o.get("seed").getAsLong() : base.seed(), Device.parse(str(o, "device", base.device().flag())),
                    i(o, "threads", base.threads()), i(o, "train_limit", base.trainLimit()), str(o, "corrupted", base.corrupted()),
                    i(o, "print_freq", base.printFreq()), i(o, "corrupted_limit", base.corruptedLimit()), i(o, "test_limit", base.testLimit()));
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException | ClassCastException e) {
            throw new IllegalArgumentException("the saved configuration has a value of the wrong type (" + e.getMessage() + ")", e);
        }
    }

    /** The architecture this configuration trains for a dataset of {@code classes} classes. */
    public org.augmix4j.nn.Arch arch(int classes) { return org.augmix4j.nn.Models.of(model, layers, widenFactor, classes); }

    private static int i(JsonObject o, String k, int dflt) { return o.has(k) ? o.get(k).getAsInt() : dflt; }

    private static double d(JsonObject o, String k, double dflt) { return o.has(k) ? o.get(k).getAsDouble() : dflt; }

    private static String str(JsonObject o, String k, String dflt) { return o.has(k) ? o.get(k).getAsString() : dflt; }
}
