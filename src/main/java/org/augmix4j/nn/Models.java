package org.augmix4j.nn;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The model zoo by its {@code -m} names (the official cifar.py's {@code --model} choices): wrn,
 * allconv, densenet, resnext; their official per-model training defaults (the README's commands:
 * {@code -e 200} for resnext and densenet, {@code -wd 0.0001} for densenet); and recognising an
 * architecture from a state dict's keys and shapes.
 */
public final class Models {
    /** The {@code -m} names, in the official order. */
    public static final List<String> NAMES = List.of("wrn", "allconv", "densenet", "resnext");

    private Models() {}

    /** The official per-model defaults: epochs and weight decay. */
    public record Defaults(int epochs, double decay) {}

    /** Checks a {@code -m} value, returning it in lower case. */
    public static String check(String model) {
        String m = model == null ? "" : model.trim().toLowerCase(java.util.Locale.ROOT);
        if (!NAMES.contains(m)) {
            throw new IllegalArgumentException("unknown model '" + model + "': choose one of " + String.join(", ", NAMES)
                    + " (-m/--model, as in the official cifar.py)");
        }
        return m;
    }

    /** The official defaults of {@code model}: 100 epochs and weight decay 5e-4, except resnext (200) and densenet (200, 1e-4). */
    public static Defaults defaults(String model) {
        return switch (check(model)) {
            case "resnext" -> new Defaults(200, 5e-4);
            case "densenet" -> new Defaults(200, 1e-4);
            default -> new Defaults(100, 5e-4);
        };
    }

    /**
     * The architecture {@code -m model} names; WRN takes {@code layers} and {@code widen} (the other
     * models have fixed official sizes and ignore them).
     */
    public static Arch of(String model, int layers, int widen, int classes) {
        return switch (check(model)) {
            case "wrn" -> new WideResNet.Config(layers, widen, classes);
            case "allconv" -> AllConvNet.Config.official(classes);
            case "densenet" -> DenseNet.Config.official(classes);
            default -> ResNeXt.Config.official(classes);
        };
    }

    /**
     * Recognises the architecture of a state dict (tensors as float[] / long[]) from its keys and
     * shapes: the WRN's block1.layer.0.conv1, AllConv's features.0, DenseNet's dense1.0.bn1, ResNeXt's
     * conv_1_3x3. Errors name the file and what is missing.
     */
    public static Arch infer(Map<String, Object> state, Path file) {
        if (state.containsKey("block1.layer.0.conv1.weight")) return inferWrn(state, file);
        if (state.containsKey("features.0.weight")) return inferAllConv(state, file);
        if (state.containsKey("dense1.0.bn1.weight")) return inferDenseNet(state, file);
        if (state.containsKey("conv_1_3x3.weight")) return inferResNeXt(state, file);
        throw new IllegalArgumentException(file + ": not a state_dict of the official AugMix models (no block1.layer.0.conv1.weight, "
                + "features.0.weight, dense1.0.bn1.weight or conv_1_3x3.weight); export the model's state_dict from the official code");
    }

    private static int len(Map<String, Object> state, String key, Path file) {
        if (!(state.get(key) instanceof float[] f)) throw new IllegalArgumentException(file + ": missing float tensor " + key);
        return f.length;
    }

    private static int count(Map<String, Object> state, String format) {
        int n = 0;
        while (state.containsKey(String.format(format, n))) n++;
        return n;
    }

    private static Arch inferWrn(Map<String, Object> state, Path file) {
        int blocks = count(state, "block1.layer.%d.conv1.weight");
        int fc = len(state, "fc.bias", file), w1 = len(state, "block1.layer.0.conv1.weight", file);
        int width = w1 / (16 * 9); // block1.layer.0.conv1: (16k, 16, 3, 3)
        if (width < 16 || width % 16 != 0 || fc < 2) {
            throw new IllegalArgumentException(file + ": block1.layer.0.conv1.weight has " + w1 + " values and fc.bias " + fc
                    + ", which fit no WideResNet; give --layers and --widen-factor, or check the file");
        }
        return new WideResNet.Config(6 * blocks + 4, width / 16, fc);
    }

    private static Arch inferAllConv(Map<String, Object> state, Path file) {
        int w1 = len(state, "features.0.bias", file), w2 = len(state, "features.11.bias", file);
        return new AllConvNet.Config(len(state, "classifier.bias", file), w1, w2);
    }

    private static Arch inferDenseNet(Map<String, Object> state, Path file) {
        int n = count(state, "dense1.%d.bn1.weight");
        boolean bottleneck = state.containsKey("dense1.0.conv2.weight");
        int c0 = len(state, "dense1.0.bn1.weight", file), g = c0 / 2;
        int before = len(state, "trans1.bn1.weight", file), after = len(state, "trans1.conv1.weight", file) / before;
        double reduction = (double) after / before;
        int depth = n * (bottleneck ? 6 : 3) + 4;
        return new DenseNet.Config(len(state, "fc.bias", file), g, depth, reduction == 1.0 ? 1.0 : Math.round(reduction * 1000) / 1000.0,
                bottleneck);
    }

    private static Arch inferResNeXt(Map<String, Object> state, Path file) {
        int n = count(state, "stage_1.%d.conv_reduce.weight");
        int base = len(state, "bn_1.weight", file);
        int d = len(state, "stage_1.0.bn.weight", file);
        int perGroup = len(state, "stage_1.0.conv_conv.weight", file) / (d * 9); // (D, D/cardinality, 3, 3)
        int cardinality = d / perGroup;
        int baseWidth = d / cardinality * 64 / base;
        return new ResNeXt.Config(len(state, "classifier.bias", file), 9 * n + 2, cardinality, baseWidth, base);
    }
}
