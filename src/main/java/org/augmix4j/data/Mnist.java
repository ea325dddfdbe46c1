package org.augmix4j.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * Fashion-MNIST and MNIST from their IDX files (gzip or not), made model input as the project
 * decided: each 28x28 grey image is zero-padded by 2 pixels on every side to 32x32 and its grey
 * value copied to R, G and B.
 *
 * <p>Files are looked for, in order, in {@code DIR/fashion-mnist/} (resp. {@code DIR/mnist/}),
 * torchvision's {@code DIR/FashionMNIST/raw/} (resp. {@code DIR/MNIST/raw/}), {@code DIR} itself, and
 * for Fashion-MNIST where the Debian package {@code dataset-fashion-mnist} installs them,
 * {@code /usr/share/datasets/fashion-mnist/}.
 */
public final class Mnist {
    /** Where {@code apt-get install dataset-fashion-mnist} puts the four files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte", TRAIN_LABELS = "train-labels-idx1-ubyte",
            TEST_IMAGES = "t10k-images-idx3-ubyte", TEST_LABELS = "t10k-labels-idx1-ubyte";
    private static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private Mnist() {}

    public enum Variant {
        FASHION("fashion-mnist", "Fashion-MNIST", List.of("fashion-mnist", "FashionMNIST/raw"),
                List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
                "Install it with 'apt-get install dataset-fashion-mnist' (Debian/Ubuntu), or put the four IDX files "
                        + "(train-images-idx3-ubyte.gz ...) from https://github.com/zalandoresearch/fashion-mnist into DIR/fashion-mnist/"),
        DIGITS("mnist", "MNIST", List.of("mnist", "MNIST/raw"), List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                "Put the four MNIST IDX files (train-images-idx3-ubyte.gz ...) into DIR/mnist/");

        public final String id, title;
        final List<String> subdirs;
        final List<String> classNames;
        final String howToGet;

        Variant(String id, String title, List<String> subdirs, List<String> classNames, String howToGet) {
            this.id = id;
            this.title = title;
            this.subdirs = subdirs;
            this.classNames = classNames;
            this.howToGet = howToGet;
        }
    }

    /** Finds and reads both splits. */
    public static Splits load(Variant v, Path dataDir) {
        Path dir = locate(v, dataDir);
        return new Splits(read(v, v.id + "-train", file(dir, TRAIN_IMAGES), file(dir, TRAIN_LABELS)),
                read(v, v.id + "-test", file(dir, TEST_IMAGES), file(dir, TEST_LABELS)));
    }

    /** The first candidate directory holding all four files (each plain or .gz). */
    public static Path locate(Variant v, Path dataDir) {
        List<Path> dirs = new ArrayList<>();
        for (String s : v.subdirs) dirs.add(dataDir.resolve(s));
        dirs.add(dataDir);
        if (v == Variant.FASHION) dirs.add(DEBIAN_FASHION_MNIST);
        for (Path d : dirs) {
            if (FILES.stream().allMatch(n -> file(d, n) != null)) return d;
        }
        for (Path d : dirs) {
            List<String> missing = FILES.stream().filter(n -> file(d, n) == null).toList();
            if (missing.size() < FILES.size()) {
                String n = missing.get(0);
                throw new MissingDataException(v.title, n + "[.gz] (the other files are in " + d.toAbsolutePath().normalize() + ")",
                        List.of(d.resolve(n + ".gz"), d.resolve(n)), v.howToGet);
            }
        }
        throw new MissingDataException(v.title, TRAIN_IMAGES + ".gz (and the three other IDX files)",
                dirs.stream().map(d -> d.resolve(TRAIN_IMAGES + ".gz")).toList(), v.howToGet);
    }

    /** {@code dir/name.gz} or {@code dir/name}, whichever exists (gzip preferred), else null. */
    static Path file(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path plain = dir.resolve(name);
        return Files.isRegularFile(plain) ? plain : null;
    }

    /** Reads one split from its images and labels files. */
    public static Dataset read(Variant v, String name, Path imagesFile, Path labelsFile) {
        Idx.Images grey = Idx.readImages(imagesFile);
        if (grey.rows() != 28 || grey.cols() != 28) {
            throw DataException.badFile(imagesFile, "images are " + grey.rows() + "x" + grey.cols() + ", expected 28x28 (" + v.title + ")",
                    "Check that this is the " + v.title + " images file");
        }
        int[] labels = Idx.readLabels(labelsFile, 10);
        if (labels.length != grey.count()) {
            throw DataException.badFile(labelsFile, labels.length + " labels for the " + grey.count() + " images of " + imagesFile,
                    "The images and labels files come from different splits or downloads: use the matching pair");
        }
        checkFits(imagesFile + ": ", grey.count());
        return new Dataset(name, padToRgb32(grey), labels, 10, v.classNames);
    }

    /** Bytes of one padded image (32 x 32 RGB). */
    private static final long PADDED = 32 * 32 * 3;
    /** The most padded images one Java byte array holds (699,050). */
    public static final int MAX_IMAGES = (int) ((Integer.MAX_VALUE - 8) / PADDED);

    /** Refuses, with a sentence, more images than one Java array holds once padded to 32x32 RGB. */
    static void checkFits(String where, long count) {
        if (count > MAX_IMAGES) {
            throw new DataException(where + count + " images padded to 32x32 RGB need " + count * PADDED + " bytes, more than one "
                    + "Java array holds (at most " + MAX_IMAGES + " images); split the file into parts of at most " + MAX_IMAGES
                    + " images (the published sets have 60,000 and 10,000)");
        }
    }

    /** 28x28 grey → 32x32 RGB: 2 zero pixels on each side, grey copied to the three channels. */
    public static ImageBatch padToRgb32(Idx.Images grey) {
        int n = grey.count(), r = grey.rows(), c = grey.cols();
        if (r > 32 || c > 32) throw new IllegalArgumentException("images of " + r + "x" + c + " do not fit in 32x32; expected 28x28");
        checkFits("", n);
        int top = (32 - r) / 2, left = (32 - c) / 2;
        byte[] src = grey.pixels();
        byte[] out = new byte[(int) (n * PADDED)];
        Parallel.range(n, 1024, (s, e) -> {
            for (int i = s; i < e; i++) {
                for (int y = 0; y < r; y++) {
                    int si = (i * r + y) * c, di = (int) (i * PADDED) + ((y + top) * 32 + left) * 3;
                    for (int x = 0; x < c; x++) {
                        byte g = src[si + x];
                        out[di + 3 * x] = g;
                        out[di + 3 * x + 1] = g;
                        out[di + 3 * x + 2] = g;
                    }
                }
            }
        });
        return new ImageBatch(out, n, 32, 32, 3);
    }
}
