package org.augmix4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.augmix4j.tensor.ImageBatch;

/**
 * A CIFAR-10-C / CIFAR-100-C directory: one {@code <corruption>.npy} per corruption, uint8
 * (5·M, 32, 32, 3) with severity 1's M images first and severity 5's last, and {@code labels.npy}
 * (5·M labels, the test labels repeated once per severity). The published files have M = 10,000;
 * any M is accepted so files written by {@code corrupt} and small fixtures work the same way.
 *
 * <p>Images are read one severity at a time with positioned reads (30 MB for CIFAR), so evaluating a
 * whole 150 MB corruption never needs it all in memory.
 */
public final class CifarC {
    /** The 15 benchmark corruptions in the official order (the mean corruption error averages these). */
    public static final List<String> BENCHMARK = List.of("gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur",
            "glass_blur", "motion_blur", "zoom_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform",
            "pixelate", "jpeg_compression");
    /** The 4 held-out corruptions shipped beside them (not in the mean corruption error). */
    public static final List<String> EXTRA = List.of("speckle_noise", "gaussian_blur", "spatter", "saturate");
    public static final int SEVERITIES = 5;
    public static final String LABELS = "labels.npy";
    private static final int[] HWC = {32, 32, 3};

    private final Path dir;
    private final int[] labels;
    private final int perSeverity;

    private CifarC(Path dir, int[] labels) {
        this.dir = dir;
        this.labels = labels;
        this.perSeverity = labels.length / SEVERITIES;
    }

    /** Opens a directory that holds {@code labels.npy} and the corruption files, validating the labels. */
    public static CifarC open(Path dir) {
        Path lf = dir.resolve(LABELS);
        if (!Files.isRegularFile(lf)) {
            throw new MissingDataException("CIFAR-C", LABELS, List.of(lf), "Download CIFAR-10-C (Zenodo record 2535967) or "
                    + "CIFAR-100-C (Zenodo record 3555552) and extract it, or generate it with the 'corrupt' command", "--corrupted");
        }
        int[] labels = Npy.readLabels(lf);
        if (labels.length == 0 || labels.length % SEVERITIES != 0) {
            throw DataException.badFile(lf, "holds " + labels.length + " labels, expected a positive multiple of " + SEVERITIES
                    + " (one copy of the test labels per severity; 50000 for CIFAR-10-C / CIFAR-100-C)");
        }
        int m = labels.length / SEVERITIES;
        for (int i = 0; i < m; i++) {
            for (int s = 1; s < SEVERITIES; s++) {
                if (labels[s * m + i] != labels[i]) {
                    throw DataException.badFile(lf, "label of image " + i + " is " + labels[i] + " at severity 1 but " + labels[s * m + i]
                            + " at severity " + (s + 1) + " (row " + (s * m + i) + "); CIFAR-C labels repeat the test labels once per severity");
                }
            }
        }
        return new CifarC(dir, labels);
    }

    /**
     * Opens {@code dir} if it holds {@code labels.npy}, else {@code dir/CIFAR-10-C} (resp.
     * {@code CIFAR-100-C}), the folder the published archive extracts to.
     */
    public static CifarC locate(Path dir, Cifar.Variant variant) {
        if (Files.isRegularFile(dir.resolve(LABELS))) return open(dir);
        Path sub = dir.resolve(variant == Cifar.Variant.CIFAR10 ? "CIFAR-10-C" : "CIFAR-100-C");
        if (Files.isRegularFile(sub.resolve(LABELS))) return open(sub);
        throw new MissingDataException(variant.title + "-C", LABELS, List.of(dir.resolve(LABELS), sub.resolve(LABELS)),
                "Download " + (variant == Cifar.Variant.CIFAR10 ? "https://zenodo.org/records/2535967 (CIFAR-10-C.tar)"
                        : "https://zenodo.org/records/3555552 (CIFAR-100-C.tar)") + " and extract it into the data directory", "--corrupted");
    }

    public Path dir() { return dir; }

    /** Images per severity (10,000 for the published files). */
    public int perSeverity() { return perSeverity; }

    /** All labels, severity-major (shared: do not modify). */
    public int[] labels() { return labels; }

    /** The labels of one severity's images (the same for every severity). */
    public int[] labels(int severity) {
        checkSeverity(severity);
        return Arrays.copyOfRange(labels, (severity - 1) * perSeverity, severity * perSeverity);
    }

    public Path file(String corruption) {
        if (!corruption.matches("[A-Za-z0-9_]+")) throw new IllegalArgumentException("bad corruption name '" + corruption + "'");
        return dir.resolve(corruption + ".npy");
    }

    public boolean has(String corruption) { return Files.isRegularFile(file(corruption)); }

    /** Corruptions present: the benchmark ones, then the extras, then any other .npy in the folder, by name. */
    public List<String> available() {
        List<String> out = new ArrayList<>();
        Stream.concat(BENCHMARK.stream(), EXTRA.stream()).filter(this::has).forEach(out::add);
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".npy") && !n.equals(LABELS))
                    .map(n -> n.substring(0, n.length() - 4)).filter(n -> !out.contains(n) && n.matches("[A-Za-z0-9_]+"))
                    .sorted().forEach(out::add);
        } catch (IOException e) {
            throw DataException.ioFailure(dir, e);
        }
        return out;
    }

    /** The validated header of a corruption's file (shape (5·M, 32, 32, 3) uint8, M matching labels.npy). */
    public Npy.Header header(String corruption) {
        Path f = file(corruption);
        if (!Files.isRegularFile(f)) {
            throw new MissingDataException("CIFAR-C", f.getFileName().toString(), List.of(f),
                    "This directory has: " + available() + ". Download the full archive, or generate the file with the 'corrupt' command",
                    "--corrupted");
        }
        Npy.Header h = Npy.readHeader(f);
        Npy.checkImages(h, HWC);
        if (h.shape()[0] != labels.length) {
            throw DataException.badFile(f, "holds " + h.shape()[0] + " images but " + LABELS + " has " + labels.length + " labels",
                    "Use the files of one download (or one 'corrupt' run) together");
        }
        return h;
    }

    /** One severity's images (1..5), read from disk. */
    public ImageBatch images(String corruption, int severity) {
        checkSeverity(severity);
        return Npy.readImageRows(header(corruption), (severity - 1) * perSeverity, perSeverity);
    }

    /** All 5·M images of a corruption, severity-major. */
    public ImageBatch images(String corruption) {
        Npy.Header h = header(corruption);
        return Npy.readImageRows(h, 0, (int) h.shape()[0]);
    }

    /** One severity as a {@link Dataset}, checking the labels against {@code numClasses}. */
    public Dataset dataset(String corruption, int severity, int numClasses, List<String> classNames) {
        int[] y = labels(severity);
        for (int i = 0; i < y.length; i++) {
            if (y[i] >= numClasses) {
                throw DataException.badFile(dir.resolve(LABELS), "label " + y[i] + " (image " + i + ") is outside 0.." + (numClasses - 1),
                        "Use CIFAR-100-C with a CIFAR-100 model and CIFAR-10-C with a CIFAR-10 model");
            }
        }
        return new Dataset(corruption + "-" + severity, images(corruption, severity), y, numClasses, classNames);
    }

    private void checkSeverity(int s) {
        if (s < 1 || s > SEVERITIES) throw new IllegalArgumentException("severity must be 1.." + SEVERITIES + ", got " + s);
    }
}
