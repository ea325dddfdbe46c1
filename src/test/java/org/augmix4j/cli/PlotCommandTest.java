package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.augmix4j.data.CifarC;
import org.augmix4j.train.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plot --compare}: several reports (files or run directories) side by side in one PNG and a
 * Markdown table with each report's clean, mean corruption and calibration errors; labels from the
 * run directories or --labels; bad inputs fail saying which file and what is wrong.
 */
class PlotCommandTest {
    @TempDir
    Path dir;

    /** A report as eval/train write it: the clean figures and, when corrupted, 15 rows of five severities. */
    static JsonObject report(double clean, double base, boolean corrupted) {
        JsonObject r = new JsonObject();
        r.addProperty("model", "WRN-10-2");
        r.addProperty("dataset", "fashion-mnist-test");
        r.addProperty("test_images", 10000);
        r.addProperty("clean_error", clean);
        r.addProperty("rms_calibration_error", clean / 3);
        if (corrupted) {
            JsonArray rows = new JsonArray();
            double sum = 0;
            for (int i = 0; i < CifarC.BENCHMARK.size(); i++) {
                JsonObject row = new JsonObject();
                row.addProperty("corruption", CifarC.BENCHMARK.get(i));
                JsonArray sev = new JsonArray();
                for (int s = 1; s <= 5; s++) sev.add(base + i + 2 * s);
                row.add("error_per_severity", sev);
                row.addProperty("error", base + i + 6);
                sum += base + i + 6;
                rows.add(row);
            }
            r.add("corruptions", rows);
            r.addProperty("corrupted_source", "builtin (generated, seed 1)");
            r.addProperty("mean_corruption_error", sum / CifarC.BENCHMARK.size());
        }
        return r;
    }

    @Test
    void runDirectoriesAndFilesSideBySide() throws Exception {
        Path jsd = dir.resolve("runs/jsd-run"), plain = dir.resolve("runs/plain-run");
        Files.createDirectories(jsd);
        Files.createDirectories(plain);
        Report.write(jsd.resolve("report.json"), report(9.5, 20, true));
        Report.write(plain.resolve("report.json"), report(8.75, 30, true));
        Path clean = dir.resolve("clean-only.json");
        Report.write(clean, report(10, 0, false));
        Path png = dir.resolve("out/compare.png");
        CliRun r = CliRun.of("plot", "--compare", jsd.toString(), plain.resolve("report.json").toString(), clean.toString(), "--out", png.toString());
        assertEquals(0, r.code(), r.toString());
        EvalCommandTest.assertPng(png, 1100, 620);
        assertTrue(r.out().contains("| jsd-run | 9.50% | 33.00% | 3.17% |"), r.out());
        assertTrue(r.out().contains("| plain-run | 8.75% | 43.00% | 2.92% |"), r.out());
        assertTrue(r.out().contains("| clean-only.json | 10.00% | - | 3.33% |"), r.out());

        r = CliRun.of("plot", "--compare", jsd.toString(), plain.toString(), "--labels", "AugMix+JSD,standard", "--out", png.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("| AugMix+JSD | 9.50%") && r.out().contains("| standard | 8.75%"), r.out());
    }

    @Test
    void badInputsSayWhatIsWrong() throws Exception {
        Path a = dir.resolve("a.json"), b = dir.resolve("b.json");
        Report.write(a, report(9, 10, true));
        Files.writeString(b, "{\"not\": \"a report\"}");
        CliRun r = CliRun.of("plot", "--compare", a.toString(), b.toString());
        assertTrue(r.code() != 0 && r.err().contains(b + ": not an evaluation report"), r.toString());
        r = CliRun.of("plot", "--compare", a.toString(), a.toString(), "--labels", "one");
        assertTrue(r.code() != 0 && r.err().contains("--labels has 1 names for 2 reports"), r.toString());
        r = CliRun.of("plot", "--compare", a.toString());
        assertTrue(r.code() != 0, "one report is not a comparison: " + r);
    }
}
