package org.augmix4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ImageBatch;

/**
 * CIFAR-10 and CIFAR-100 in both published forms, converted to 32x32 RGB NHWC:
 * <ul>
 * <li>binary: {@code cifar-10-batches-bin/data_batch_{1..5}.bin, test_batch.bin} (records of 1 label
 * byte + 3072 pixel bytes: the R, G and B planes, each 32x32 row-major) and
 * {@code cifar-100-binary/train.bin, test.bin} (2 label bytes, coarse then fine, + 3072);</li>
 * <li>python (what torchvision downloads): {@code cifar-10-batches-py/data_batch_{1..5}, test_batch}
 * and {@code cifar-100-python/train, test}, pickled dicts with {@code data} (N, 3072) uint8 in the same
 * plane order and {@code labels} (CIFAR-10) / {@code fine_labels} (CIFAR-100).</li>
 * </ul>
 * CIFAR-100 uses the 100 fine labels, as the official AugMix code does. Which form is present is
 * detected; the binary one is preferred when both are.
 */
public final class Cifar {
    public static final int PIXELS = 32 * 32;
    public static final int IMAGE_BYTES = 3 * PIXELS;

    public static final List<String> CIFAR10_CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    private Cifar() {}

    /** The two datasets and where their files live. */
    public enum Variant {
        CIFAR10("cifar10", "CIFAR-10", 10, "cifar-10-batches-bin", List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
                "data_batch_4.bin", "data_batch_5.bin"), "test_batch.bin", 1, "batches.meta.txt",
                "cifar-10-batches-py", List.of("data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"),
                "test_batch", "labels", "batches.meta", "label_names", "cifar-10-binary.tar.gz", "cifar-10-python.tar.gz"),
        CIFAR100("cifar100", "CIFAR-100", 100, "cifar-100-binary", List.of("train.bin"), "test.bin", 2, "fine_label_names.txt",
                "cifar-100-python", List.of("train"), "test", "fine_labels", "meta", "fine_label_names",
                "cifar-100-binary.tar.gz", "cifar-100-python.tar.gz");

        public final String id, title;
        public final int numClasses;
        final String binDir, binTest, binMeta, pyDir, pyTest, pyLabelKey, pyMeta, pyMetaKey, binArchive, pyArchive;
        final List<String> binTrain, pyTrain;
        /** Label bytes before each binary record's pixels; the last one is the (fine) label used. */
        final int labelBytes;

        Variant(String id, String title, int numClasses, String binDir, List<String> binTrain, String binTest, int labelBytes,
                String binMeta, String pyDir, List<String> pyTrain, String pyTest, String pyLabelKey, String pyMeta, String pyMetaKey,
                String binArchive, String pyArchive) {
            this.id = id;
            this.title = title;
            this.numClasses = numClasses;
            this.binDir = binDir;
            this.binTrain = binTrain;
            this.binTest = binTest;
            this.labelBytes = labelBytes;
            this.binMeta = binMeta;
            this.pyDir = pyDir;
            this.pyTrain = pyTrain;
            this.pyTest = pyTest;
            this.pyLabelKey = pyLabelKey;
            this.pyMeta = pyMeta;
            this.pyMetaKey = pyMetaKey;
            this.binArchive = binArchive;
            this.pyArchive = pyArchive;
        }

        /** Images per training file in the published data (10,000 per CIFAR-10 batch, 50,000 in CIFAR-100's). */
        int publishedPerTrainFile() { return 50_000 / binTrain.size(); }

        String howToGet() {
            return "Download https://www.cs.toronto.edu/~kriz/" + binArchive + " (or " + pyArchive
                    + ", as torchvision does) and extract it into the data directory";
        }
    }

    /** The two published file formats. */
    public enum Format { BINARY, PYTHON }

    /** A directory holding one complete copy of the dataset, and its format. */
    public record Location(Format format, Path dir, List<Path> trainFiles, Path testFile) {}

    /** Finds and reads both splits under {@code dataDir}, checking the published training size (50,000). */
    public static Splits load(Variant v, Path dataDir) { return load(v, dataDir, true); }

    /**
     * Finds and reads both splits; {@code publishedSizes} false accepts any number of images per training file
     * (for small test fixtures); everything else is validated either way. The test file may hold any whole number
     * of records; with {@code publishedSizes} a notice on standard error says when it is not 10,000.
     */
    public static Splits load(Variant v, Path dataDir, boolean publishedSizes) {
        Location loc = locate(v, dataDir);
        List<String> names = classNames(v, loc);
        int perTrain = publishedSizes ? v.publishedPerTrainFile() : -1;
        Dataset train = switch (loc.format()) {
            case BINARY -> readBinary(v, v.id + "-train", loc.trainFiles(), perTrain, names);
            case PYTHON -> readPython(v, v.id + "-train", loc.trainFiles(), perTrain, names);
        };
        return new Splits(train, readTest(v, loc, names, publishedSizes ? System.err::println : s -> { }));
    }

    /** The published size of the test split (10,000 for both datasets). */
    public static final int PUBLISHED_TEST_SIZE = 10_000;

    /** {@link #loadTest(Variant, Path, Consumer)} with notices on standard error. */
    public static Dataset loadTest(Variant v, Path dataDir) { return loadTest(v, dataDir, System.err::println); }

    /**
     * Finds and reads only the test split ({@code test_batch.bin} / {@code test.bin}, or python {@code test_batch} /
     * {@code test}), in {@code dataDir/<the archive's folder>} or {@code dataDir} itself: what evaluation needs,
     * without the training files. The file may hold any whole number of records (a subset, or your own images in
     * the CIFAR format); when it is not the published 10,000, {@code notice} gets one sentence saying so.
     */
    public static Dataset loadTest(Variant v, Path dataDir, Consumer<String> notice) {
        List<Location> candidates = List.of(location(v, Format.BINARY, dataDir.resolve(v.binDir)),
                location(v, Format.PYTHON, dataDir.resolve(v.pyDir)), location(v, Format.BINARY, dataDir),
                location(v, Format.PYTHON, dataDir));
        for (Location c : candidates) {
            if (Files.isRegularFile(c.testFile())) return readTest(v, c, classNames(v, c), notice);
        }
        throw new MissingDataException(v.title, "the test split (" + v.binTest + " or python " + v.pyTest + ")",
                candidates.stream().map(Location::testFile).toList(), v.howToGet()
                + " (evaluation needs only that file; any whole number of records in the same format works)");
    }

    private static Dataset readTest(Variant v, Location loc, List<String> names, Consumer<String> notice) {
        Dataset d = switch (loc.format()) {
            case BINARY -> readBinary(v, v.id + "-test", List.of(loc.testFile()), -1, names);
            case PYTHON -> readPython(v, v.id + "-test", List.of(loc.testFile()), -1, names);
        };
        if (d.size() != PUBLISHED_TEST_SIZE && notice != null) {
            notice.accept("note: " + loc.testFile() + " holds " + d.size() + " " + v.title + " test images, not the published "
                    + String.format("%,d", PUBLISHED_TEST_SIZE) + "; results are for these images only");
        }
        return d;
    }

    /**
     * Looks for the binary then the python version in {@code dataDir/<their folder>}, then in
     * {@code dataDir} itself (so {@code --data} may also name the extracted folder).
     */
    public static Location locate(Variant v, Path dataDir) {
        List<Location> candidates = List.of(location(v, Format.BINARY, dataDir.resolve(v.binDir)),
                location(v, Format.PYTHON, dataDir.resolve(v.pyDir)), location(v, Format.BINARY, dataDir),
                location(v, Format.PYTHON, dataDir));
        for (Location c : candidates) {
            if (c.trainFiles().stream().allMatch(Files::isRegularFile) && Files.isRegularFile(c.testFile())) return c;
        }
        for (Location c : candidates) {
            List<Path> all = new ArrayList<>(c.trainFiles());
            all.add(c.testFile());
            if (all.stream().anyMatch(Files::isRegularFile)) {
                Path missing = all.stream().filter(p -> !Files.isRegularFile(p)).findFirst().orElseThrow();
                throw new MissingDataException(v.title, missing.getFileName() + " (the " + c.format().name().toLowerCase()
                        + " version in " + c.dir().toAbsolutePath().normalize() + " is incomplete)", List.of(missing),
                        "Extract the whole archive again: " + v.howToGet());
            }
        }
        throw new MissingDataException(v.title, "the dataset (binary or python version)",
                candidates.stream().map(c -> c.trainFiles().get(0)).toList(), v.howToGet());
    }

    private static Location location(Variant v, Format f, Path dir) {
        List<String> train = f == Format.BINARY ? v.binTrain : v.pyTrain;
        return new Location(f, dir, train.stream().map(dir::resolve).toList(), dir.resolve(f == Format.BINARY ? v.binTest : v.pyTest));
    }

    // ---------------------------------------------------------------- binary version

    /**
     * Reads binary batch files into one dataset. {@code perFile} > 0 requires exactly that many
     * images in each file; {@code classNames} may be empty.
     */
    public static Dataset readBinary(Variant v, String name, List<Path> files, int perFile, List<String> classNames) {
        int record = v.labelBytes + IMAGE_BYTES;
        List<byte[]> raws = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            byte[] raw = DataException.readAll(f);
            int n = raw.length / record;
            if (raw.length == 0 || raw.length % record != 0) {
                String other = v == Variant.CIFAR10 && raw.length % (record + 1) == 0 ? " (its size fits CIFAR-100's 3074-byte records)"
                        : v == Variant.CIFAR100 && raw.length % (record - 1) == 0 ? " (its size fits CIFAR-10's 3073-byte records)" : "";
                throw DataException.badFile(f, "size " + raw.length + " is not a whole number of " + v.title + " records of " + record
                        + " bytes (" + v.labelBytes + " label byte" + (v.labelBytes > 1 ? "s" : "") + " + 3072 pixel bytes): " + n
                        + " records and " + raw.length % record + " bytes left over" + other + "; the file is truncated or not a "
                        + v.title + " binary batch");
            }
            if (perFile > 0 && n != perFile) {
                throw DataException.badFile(f, "holds " + n + " images, expected " + perFile + " (file size " + (long) perFile * record + ")");
            }
            raws.add(raw);
            total = Math.addExact(total, n);
        }
        byte[] px = new byte[Math.multiplyExact(total, IMAGE_BYTES)];
        int[] labels = new int[total];
        int base = 0;
        for (int k = 0; k < files.size(); k++) {
            byte[] raw = raws.get(k);
            Path f = files.get(k);
            int n = raw.length / record, first = base;
            for (int i = 0; i < n; i++) {
                int off = i * record;
                if (v.labelBytes == 2 && (raw[off] & 0xFF) >= 20) {
                    throw badLabel(v, f, i, off, "coarse label " + (raw[off] & 0xFF) + " is outside 0..19");
                }
                int y = raw[off + v.labelBytes - 1] & 0xFF;
                if (y >= v.numClasses) throw badLabel(v, f, i, off, "label " + y + " is outside 0.." + (v.numClasses - 1));
                labels[first + i] = y;
            }
            Parallel.range(n, 512, (s, e) -> {
                for (int i = s; i < e; i++) planesToHwc(raw, i * record + v.labelBytes, px, (first + i) * IMAGE_BYTES);
            });
            base += n;
        }
        return new Dataset(name, new ImageBatch(px, total, 32, 32, 3), labels, v.numClasses, classNames);
    }

    private static DataException badLabel(Variant v, Path f, int i, int off, String problem) {
        String hint = v == Variant.CIFAR10 ? " (a CIFAR-100 file has 2 label bytes per record: is this CIFAR-100?)" : "";
        return DataException.badFile(f, "record " + i + " (byte " + off + "): " + problem + hint);
    }

    /** R plane, G plane, B plane (each 32x32 row-major) at {@code src[s..]} → interleaved HWC at {@code dst[d..]}. */
    static void planesToHwc(byte[] src, int s, byte[] dst, int d) {
        for (int p = 0; p < PIXELS; p++) {
            dst[d + 3 * p] = src[s + p];
            dst[d + 3 * p + 1] = src[s + PIXELS + p];
            dst[d + 3 * p + 2] = src[s + 2 * PIXELS + p];
        }
    }

    // ---------------------------------------------------------------- python version

    /** Reads pickled batch files into one dataset; {@code perFile} > 0 requires that many images per file. */
    public static Dataset readPython(Variant v, String name, List<Path> files, int perFile, List<String> classNames) {
        List<PythonBatch> batches = new ArrayList<>();
        int total = 0;
        for (Path f : files) {
            PythonBatch b = pythonBatch(v, f, Pickle.load(f), perFile);
            batches.add(b);
            total = Math.addExact(total, b.labels().length);
        }
        byte[] px = new byte[Math.multiplyExact(total, IMAGE_BYTES)];
        int[] labels = new int[total];
        int base = 0;
        for (PythonBatch b : batches) {
            Pickle.Bytes raw = b.data().data();
            int n = b.labels().length, first = base;
            System.arraycopy(b.labels(), 0, labels, first, n);
            Parallel.range(n, 512, (s, e) -> {
                for (int i = s; i < e; i++) planesToHwc(raw.buf(), raw.off() + i * IMAGE_BYTES, px, (first + i) * IMAGE_BYTES);
            });
            base += n;
        }
        return new Dataset(name, new ImageBatch(px, total, 32, 32, 3), labels, v.numClasses, classNames);
    }

    /** One python batch: its validated pixel array and labels. */
    record PythonBatch(Pickle.NdArray data, int[] labels) {}

    /** Validates what a python batch file {@code f} unpickled to. */
    static PythonBatch pythonBatch(Variant v, Path f, Object pickled, int perFile) {
        Map<?, ?> dict = pickleDict(f, pickled);
        Object dataObj = Pickle.get(dict, "data");
        if (!(dataObj instanceof Pickle.NdArray data)) {
            throw DataException.badFile(f, "no NumPy array under the key 'data' (found " + describeKeys(dict) + "); this is not a "
                    + v.title + " python batch");
        }
        long[] sh = data.shape();
        boolean flat = sh.length == 2 && sh[1] == IMAGE_BYTES;
        boolean cube = sh.length == 4 && sh[1] == 3 && sh[2] == 32 && sh[3] == 32;
        if (!data.descr().endsWith("u1") || !(flat || cube) || data.fortranOrder()) {
            throw DataException.badFile(f, "'data' is a " + data.descr() + " array of shape " + Npy.shapeLiteral(sh)
                    + (data.fortranOrder() ? " in Fortran order" : "") + ", expected uint8 (N, 3072) in C order");
        }
        int n = (int) sh[0];
        if (perFile > 0 && n != perFile) throw DataException.badFile(f, "holds " + n + " images, expected " + perFile);
        return new PythonBatch(data, labels(v, f, Pickle.get(dict, v.pyLabelKey), n));
    }

    private static Map<?, ?> pickleDict(Path f, Object o) {
        if (!(o instanceof Map<?, ?> dict)) {
            throw DataException.badFile(f, "the pickle holds " + (o == null ? "None" : o.getClass().getSimpleName())
                    + ", expected a dict with 'data' and labels");
        }
        return dict;
    }

    private static String describeKeys(Map<?, ?> dict) {
        return "keys " + dict.keySet().stream().map(k -> k instanceof Pickle.Bytes b ? b.latin1() : String.valueOf(k)).toList();
    }

    private static int[] labels(Variant v, Path f, Object obj, int n) {
        String key = "'" + v.pyLabelKey + "'";
        List<?> list;
        if (obj instanceof List<?> l) {
            list = l;
        } else if (obj instanceof Pickle.NdArray a && a.shape().length == 1 && a.descr().matches("[<>|][iu][1248]")) {
            list = java.util.Arrays.stream(Npy.decodeInts(a.data().buf(), a.data().off(), (int) a.shape()[0], a.descr())).boxed().toList();
        } else {
            throw DataException.badFile(f, "no list of labels under the key " + key + " (found " + (obj == null ? "nothing" : Pickle.describe(obj)) + ")"
                    + (v == Variant.CIFAR10 ? "; a CIFAR-100 file has 'fine_labels' instead: is this CIFAR-100?"
                    : "; a CIFAR-10 file has 'labels' instead: is this CIFAR-10?"));
        }
        if (list.size() != n) throw DataException.badFile(f, n + " images but " + list.size() + " labels under " + key);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            Object y = list.get(i);
            if (!(y instanceof Long l) || l < 0 || l >= v.numClasses) {
                throw DataException.badFile(f, "label " + i + " under " + key + " is " + Pickle.describe(y) + ", expected an integer in 0.."
                        + (v.numClasses - 1));
            }
            out[i] = (int) (long) l;
        }
        return out;
    }

    // ---------------------------------------------------------------- shared

    /** Class names from the dataset's meta file when present and sane; CIFAR-10's known names otherwise. */
    static List<String> classNames(Variant v, Location loc) {
        List<String> fallback = v == Variant.CIFAR10 ? CIFAR10_CLASSES : List.of();
        try {
            List<String> names;
            if (loc.format() == Format.BINARY) {
                Path meta = loc.dir().resolve(v.binMeta);
                if (!Files.isRegularFile(meta)) return fallback;
                names = Files.readAllLines(meta, StandardCharsets.UTF_8).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            } else {
                Path meta = loc.dir().resolve(v.pyMeta);
                if (!Files.isRegularFile(meta)) return fallback;
                if (!(Pickle.get(pickleDict(meta, Pickle.load(meta)), v.pyMetaKey) instanceof List<?> l)) return fallback;
                names = l.stream().map(o -> o instanceof Pickle.Bytes b ? b.latin1() : String.valueOf(o)).toList();
            }
            return names.size() == v.numClasses ? names : fallback;
        } catch (IOException | DataException e) {
            return fallback; // names are cosmetic: a damaged meta file must not stop training
        }
    }
}
