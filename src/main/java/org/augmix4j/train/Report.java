package org.augmix4j.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.MissingDataException;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.tensor.ImageBatch;

/**
 * The final evaluation of a model: clean error and calibration, then corrupted error per
 * corruption and severity with the official mean corruption error; a console table and a JSON
 * report. Corrupted images come from a published CIFAR-C directory or are generated on the fly by
 * the built-in corruptions (package corrupt) from the clean test set.
 */
public final class Report {
    private Report() {}

    /** Published CIFAR-10-C / CIFAR-100-C files. */
    public static Evaluator.CorruptedSource published(CifarC c) {
        return new Evaluator.CorruptedSource() {
            public List<String> names() { return CifarC.BENCHMARK; }
            public ImageBatch images(String name, int severity) { return c.images(name, severity); }
            public int[] labels(int severity) { return c.labels(severity); }
        };
    }

    /** The 15 benchmark corruptions generated from {@code test} with {@code seed}. */
    public static Evaluator.CorruptedSource builtin(Dataset test, long seed) {
        return new Evaluator.CorruptedSource() {
            public List<String> names() { return Corruptions.BENCHMARK; }
            public ImageBatch images(String name, int severity) { return Corruptions.corrupt(test.images(), name, severity, seed); }
            public int[] labels(int severity) { return test.labels(); }
        };
    }

    /** Runs the evaluation, prints the table and returns the JSON report. */
    public static JsonObject evaluate(WideResNet net, int batchSize, Dataset test, Evaluator.CorruptedSource corrupted,
                                      String corruptedLabel, PrintStream out) {
        Evaluator ev = new Evaluator(net, batchSize);
        long t0 = System.nanoTime();
        Evaluator.Result clean = ev.evaluate(test.images(), test.labels(), null);
        JsonObject report = new JsonObject();
        report.addProperty("model", net.config().label());
        report.addProperty("classes", net.config().classes());
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
            Map<String, Evaluator.CorruptionResult> res = ev.evaluateCorrupted(corrupted, null);
            double mce = Evaluator.meanCorruptionError(res);
            out.printf("Corrupted (%s): error %% per severity%n%-18s %6s %6s %6s %6s %6s %7s%n", corruptedLabel, "corruption", "s1", "s2", "s3", "s4", "s5", "all");
            JsonArray rows = new JsonArray();
            for (Evaluator.CorruptionResult r : res.values()) {
                out.printf("%-18s %6.2f %6.2f %6.2f %6.2f %6.2f %7.2f%n", r.name(), r.errorPercent(1), r.errorPercent(2),
                        r.errorPercent(3), r.errorPercent(4), r.errorPercent(5), r.errorPercent());
                JsonObject row = new JsonObject();
                row.addProperty("corruption", r.name());
                JsonArray sev = new JsonArray();
                for (int s = 1; s <= 5; s++) sev.add(r.errorPercent(s));
                row.add("error_per_severity", sev);
                row.addProperty("error", r.errorPercent());
                rows.add(row);
            }
            out.printf("Mean corruption error: %.2f%% (%.1fs)%n", mce, (System.nanoTime() - t1) / 1e9);
            report.addProperty("corrupted_source", corruptedLabel);
            report.add("corruptions", rows);
            report.addProperty("mean_corruption_error", mce);
        }
        return report;
    }

    /** A corrupted source with its label: {@code spec} is a CIFAR-C directory, builtin, none, or auto. */
    public record Source(Evaluator.CorruptedSource source, String label) {}

    /**
     * Resolves {@code --corrupted}: auto uses the published -C files under the data directory when
     * they exist (CIFAR-10/100 only) and the built-in corruptions otherwise.
     */
    public static Source resolve(String spec, String dataset, Path dataDir, Dataset test, long seed) {
        if (spec.equals("none")) return new Source(null, "none");
        CifarC published = null;
        if (spec.equals("auto")) {
            try {
                published = Datasets.corrupted(dataset, dataDir);
            } catch (MissingDataException e) {
                published = null;
            }
        } else if (!spec.equals("builtin")) {
            published = CifarC.open(Path.of(spec));
        }
        if (published != null) return new Source(published(published), published.dir().toString());
        return new Source(builtin(test, seed), "builtin (generated, seed " + seed + ")");
    }

    public static void write(Path file, JsonObject report) { RunInfo.writeJson(file, report); }
}
