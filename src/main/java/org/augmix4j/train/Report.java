package org.augmix4j.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.CorruptionsCuda;
import org.augmix4j.corrupt.FrostTiles;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.MissingDataException;
import org.augmix4j.data.Npy;
import org.augmix4j.tensor.ImageBatch;

/**
 * The final evaluation of a model: clean error and calibration, then corrupted error per
 * corruption and severity with the official mean corruption error; a console table and a JSON
 * report. Corrupted images come from a published CIFAR-C directory or are generated on the fly by
 * the built-in corruptions (package corrupt) from the clean test set.
 */
public final class Report {
    private Report() {}

    /**
     * Published CIFAR-10-C / CIFAR-100-C files (or any directory in their layout), the first
     * {@code limit} images of each severity (0 = all), labels checked against {@code classes}.
     */
    public static Evaluator.CorruptedSource published(CifarC c, int limit, int classes) { return published(c, limit, classes, false); }

    /**
     * As {@link #published(CifarC, int, int)}, validating the whole folder before any evaluation:
     * every one of the 15 benchmark files must be a regular file whose header fits labels.npy.
     * A missing or bad file is an error naming it, unless {@code allowPartial}, when the source
     * covers the files present and {@link Evaluator.CorruptedSource#missing} lists the others, so
     * the report can label its mean as partial.
     */
    public static Evaluator.CorruptedSource published(CifarC c, int limit, int classes, boolean allowPartial) {
        int m = limit > 0 ? Math.min(limit, c.perSeverity()) : c.perSeverity();
        for (int y : c.labels()) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException(c.dir().resolve(CifarC.LABELS) + " has label " + y + " but the model has " + classes
                        + " classes: use CIFAR-10-C with a 10-class model and CIFAR-100-C with a 100-class model");
            }
        }
        List<String> names = new java.util.ArrayList<>(), missing = new java.util.ArrayList<>();
        for (String name : CifarC.BENCHMARK) {
            if (!c.has(name)) {
                missing.add(name);
                continue;
            }
            c.header(name); // a bad file fails here, before the first corruption is evaluated
            names.add(name);
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(c.dir() + " holds none of the 15 benchmark corruption files (" + CifarC.BENCHMARK.get(0)
                    + ".npy, ...); it has " + c.available());
        }
        if (!missing.isEmpty() && !allowPartial) {
            throw new IllegalArgumentException("--corrupted " + c.dir() + ": " + missing.size() + " of the 15 benchmark corruption files are "
                    + "missing or not regular files: " + missing.stream().map(n -> n + ".npy").toList() + ". The mean corruption error "
                    + "needs all 15: complete the folder (download the archive again, or generate files with 'corrupt'), or pass "
                    + "--allow-partial to report a mean over the files present, labelled as partial.");
        }
        List<String> absent = List.copyOf(missing);
        return new Evaluator.CorruptedSource() {
            public List<String> names() { return names; }
            public List<String> missing() { return absent; }
            public ImageBatch images(String name, int severity) {
                return Npy.readImages(c.file(name), new int[] {32, 32, 3}, (severity - 1) * c.perSeverity(), m);
            }
            public int[] labels(int severity) { return Arrays.copyOf(c.labels(severity), m); }
        };
    }

    /** The 15 benchmark corruptions generated from the first {@code limit} images of {@code test} (0 = all) with {@code seed}. */
    public static Evaluator.CorruptedSource builtin(Dataset test, long seed, int limit) {
        return builtin(test, seed, limit, null);
    }

    /**
     * As {@link #builtin(Dataset, long, int)}, generated on {@code gpu} (CorruptionsCuda: the same
     * bytes as the CPU reference; the corruptions without a kernel still run on the CPU); null: CPU.
     */
    public static Evaluator.CorruptedSource builtin(Dataset test, long seed, int limit, Gpu gpu) {
        Dataset t = limit > 0 && limit < test.size() ? test.slice(0, limit) : test;
        FrostTiles frost = FrostTiles.procedural();
        return new Evaluator.CorruptedSource() {
            public List<String> names() { return Corruptions.BENCHMARK; }

            public ImageBatch images(String name, int severity) {
                Corruption c = Corruption.byName(name);
                return gpu == null ? Corruptions.corrupt(t.images(), c, severity, seed, 0L, frost)
                        : CorruptionsCuda.corrupt(gpu, t.images(), c, severity, seed, 0L, frost);
            }

            public int[] labels(int severity) { return t.labels(); }
        };
    }

    /** Runs the evaluation, prints the table and returns the JSON report. */
    public static JsonObject evaluate(Classifier model, int batchSize, Dataset test, Evaluator.CorruptedSource corrupted,
                                      String corruptedLabel, PrintStream out) {
        Evaluator ev = new Evaluator(model, batchSize);
        long t0 = System.nanoTime();
        Evaluator.Result clean = ev.evaluate(test.images(), test.labels(), null);
        JsonObject report = new JsonObject();
        report.addProperty("model", model.label());
        report.addProperty("classes", model.classes());
        report.addProperty("engine", model.describe());
        report.addProperty("dataset", test.name());
        report.addProperty("test_images", clean.n());
        report.addProperty("clean_error", clean.errorPercent());
        report.addProperty("clean_loss", clean.loss());
        report.addProperty("rms_calibration_error", clean.rmsCalibration());
        report.addProperty("calibration_note", "Hendrycks' calib_err with bins of 100 over ALL bins (his code skips the last bin)");
        out.printf("Clean: error %.2f%%, loss %.4f, RMS calibration error %.2f%% (%d images, %.1fs)%n", clean.errorPercent(),
                clean.loss(), clean.rmsCalibration(), clean.n(), (System.nanoTime() - t0) / 1e9);
        if (corrupted != null) {
            long t1 = System.nanoTime();
            out.printf("Corrupted (%s): error %% per severity%n%-18s %6s %6s %6s %6s %6s %7s%n", corruptedLabel, "corruption", "s1", "s2", "s3", "s4", "s5", "all");
            // rows appear as each corruption finishes (the whole CIFAR-10-C takes a while on a CPU)
            Map<String, Evaluator.CorruptionResult> res = ev.evaluateCorrupted(corrupted, null, r -> {
                out.printf("%-18s %6.2f %6.2f %6.2f %6.2f %6.2f %7.2f%n", r.name(), r.errorPercent(1), r.errorPercent(2),
                        r.errorPercent(3), r.errorPercent(4), r.errorPercent(5), r.errorPercent());
                out.flush();
            });
            double mce = Evaluator.meanCorruptionError(res);
            JsonArray rows = new JsonArray();
            for (Evaluator.CorruptionResult r : res.values()) {
                JsonObject row = new JsonObject();
                row.addProperty("corruption", r.name());
                JsonArray sev = new JsonArray();
                for (int s = 1; s <= 5; s++) sev.add(r.errorPercent(s));
                row.add("error_per_severity", sev);
                row.addProperty("error", r.errorPercent());
                rows.add(row);
            }
            out.printf("Mean corruption error%s: %.2f%% (%.1fs)%n", corrupted.missing().isEmpty() ? "" : " (PARTIAL)", mce,
                    (System.nanoTime() - t1) / 1e9);
            report.addProperty("corrupted_source", corruptedLabel);
            report.addProperty("corrupted_images_per_severity", res.values().iterator().next().total()[0]);
            report.add("corruptions", rows);
            report.addProperty("mean_corruption_error", mce);
            if (!corrupted.missing().isEmpty()) {
                JsonArray miss = new JsonArray();
                corrupted.missing().forEach(miss::add);
                report.addProperty("mean_corruption_error_partial", true);
                report.add("missing_corruptions", miss);
                out.printf("PARTIAL: the mean is over %d of the 15 benchmark corruptions; missing: %s%n", res.size(), corrupted.missing());
            }
            report.addProperty("mean_corruption_error_note", "official cifar.py: 100 - 100 * mean over the 15 corruptions of the "
                    + "accuracy with all 5 severities pooled (unnormalised, no AlexNet baseline)");
        }
        return report;
    }

    /** A corrupted source with its label: {@code spec} is a CIFAR-C directory, builtin, none, or auto. */
    public record Source(Evaluator.CorruptedSource source, String label) {}

    /**
     * Resolves {@code --corrupted}: a CIFAR-C directory, "builtin", "none", or "auto": the
     * published -C files under the data directory when they exist (CIFAR-10/100 only), else the
     * built-in corruptions.
     */
    public static Source resolve(String spec, String dataset, Path dataDir, Dataset test, long seed, int limit) {
        return resolve(spec, dataset, dataDir, test, seed, limit, null);
    }

    /** As {@link #resolve(String, String, Path, Dataset, long, int)}; the built-in corruptions are generated on {@code gpu} when not null. */
    public static Source resolve(String spec, String dataset, Path dataDir, Dataset test, long seed, int limit, Gpu gpu) {
        return resolve(spec, dataset, dataDir, test, seed, limit, gpu, false);
    }

    /** As above; {@code allowPartial}: a CIFAR-C folder missing some of the 15 files is evaluated on the rest, labelled partial. */
    public static Source resolve(String spec, String dataset, Path dataDir, Dataset test, long seed, int limit, Gpu gpu, boolean allowPartial) {
        if (spec.equals("none")) return new Source(null, "none");
        CifarC published = null;
        if (spec.equals("auto")) {
            try {
                published = Datasets.corrupted(dataset, dataDir);
            } catch (MissingDataException e) {
                published = null;
            }
        } else if (!spec.equals("builtin")) {
            Path dir = Path.of(spec);
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--corrupted " + spec + ": no such directory (give a CIFAR-10-C/100-C directory, builtin, none or auto)");
            }
            published = CifarC.open(dir);
        }
        String suffix = limit > 0 ? ", first " + limit + " images per severity" : "";
        if (published != null) return new Source(published(published, limit, test.numClasses(), allowPartial), published.dir() + suffix);
        return new Source(builtin(test, seed, limit, gpu), "builtin (generated" + (gpu == null ? "" : " on the GPU") + ", seed " + seed + suffix + ")");
    }

    public static void write(Path file, JsonObject report) { RunInfo.writeJson(file, report); }
}
