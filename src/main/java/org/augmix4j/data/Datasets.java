package org.augmix4j.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The CLI's entry point to data: {@code --dataset NAME --data DIR} → train and test {@link Splits}.
 *
 * <pre>{@code
 * Splits s = Datasets.load("cifar10", Path.of("data"));      // binary or python version, auto-detected
 * Splits f = Datasets.load("fashion-mnist", Path.of("data")); // also finds the Debian package's files
 * Splits b = Datasets.load("synthetic", Datasets.Options.defaults(Path.of("data")).withSynthetic(1, 2000, 500));
 * }</pre>
 */
public final class Datasets {
    /** The names {@code --dataset} accepts, in the order --help lists them. */
    public static final List<String> NAMES = List.of("cifar10", "cifar100", "fashion-mnist", "mnist", "synthetic");
    public static final Path DEFAULT_DIR = Path.of("data");

    private Datasets() {}

    /** Where to look and how to generate the built-in set. */
    public record Options(Path dataDir, long syntheticSeed, int syntheticTrain, int syntheticTest) {
        public static Options defaults(Path dataDir) {
            return new Options(dataDir, Synthetic.DEFAULT_SEED, Synthetic.DEFAULT_TRAIN, Synthetic.DEFAULT_TEST);
        }

        public Options withSynthetic(long seed, int train, int test) { return new Options(dataDir, seed, train, test); }
    }

    /** The canonical name for what a user typed ("CIFAR-10", "fashion_mnist"...), or an error listing the names. */
    public static String canonical(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT).replace('_', '-');
        String compact = n.replace("-", "");
        for (String known : NAMES) if (known.replace("-", "").equals(compact)) return known;
        if (compact.equals("fmnist")) return "fashion-mnist";
        throw new IllegalArgumentException("unknown dataset '" + name + "': choose one of " + String.join(", ", NAMES));
    }

    /** Loads {@code name}'s train and test splits from {@code dataDir} (the synthetic set at its defaults). */
    public static Splits load(String name, Path dataDir) { return load(name, Options.defaults(dataDir)); }

    public static Splits load(String name, Options o) {
        return switch (canonical(name)) {
            case "cifar10" -> Cifar.load(Cifar.Variant.CIFAR10, o.dataDir());
            case "cifar100" -> Cifar.load(Cifar.Variant.CIFAR100, o.dataDir());
            case "fashion-mnist" -> Mnist.load(Mnist.Variant.FASHION, o.dataDir());
            case "mnist" -> Mnist.load(Mnist.Variant.DIGITS, o.dataDir());
            default -> Synthetic.generate(o.syntheticSeed(), o.syntheticTrain(), o.syntheticTest());
        };
    }

    /**
     * Only the test split of {@code name}: for CIFAR, just {@code test_batch.bin} / {@code test.bin} (or the python
     * {@code test_batch} / {@code test}) with any whole number of records, a notice on standard error when it is not
     * the published 10,000; the other datasets load as in {@link #load} and return their test split.
     */
    public static Dataset loadTest(String name, Options o) {
        return switch (canonical(name)) {
            case "cifar10" -> Cifar.loadTest(Cifar.Variant.CIFAR10, o.dataDir());
            case "cifar100" -> Cifar.loadTest(Cifar.Variant.CIFAR100, o.dataDir());
            default -> load(name, o).test();
        };
    }

    /**
     * What evaluation needs as {@link Splits}: the test split of {@link #loadTest} and an empty training split with
     * the same classes (so code written for Splits runs unchanged; eval never reads the training images).
     */
    public static Splits forEvaluation(String name, Options o) {
        Dataset test = loadTest(name, o);
        Dataset train = new Dataset(test.name().replace("-test", "") + "-train(not loaded)",
                new org.augmix4j.tensor.ImageBatch(new byte[0], 0, Dataset.SIZE, Dataset.SIZE, Dataset.CHANNELS),
                new int[0], test.numClasses(), test.classNames());
        return new Splits(train, test);
    }

    /** The published -C benchmark directory for {@code name}, or null when the dataset has none (use built-in corruptions). */
    public static CifarC corrupted(String name, Path dir) {
        return switch (canonical(name)) {
            case "cifar10" -> CifarC.locate(dir, Cifar.Variant.CIFAR10);
            case "cifar100" -> CifarC.locate(dir, Cifar.Variant.CIFAR100);
            default -> null;
        };
    }
}
