package org.augmix4j.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.augmix4j.train.Charts;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code plot}: redraws the PNG charts of a run directory (training curves, and the corruption
 * chart when it has a report.json), or the corruption chart of any report written by
 * {@code eval --json}. {@code train} and {@code eval} already draw them; this is for a run still in
 * progress, an interrupted one, or a report from elsewhere. {@code --compare} puts several reports
 * side by side (e.g. the three training modes) with a Markdown table of their headline errors.
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw PNG charts: training curves (loss, train accuracy, test error per epoch) of a run directory, the error per "
                + "corruption and severity of an evaluation report, or several reports compared (--compare)."})
public final class PlotCommand implements Callable<Integer> {
    static final class Input {
        @Option(names = "--run", required = true, description = "A run directory written by train (holds training_log.jsonl); the charts go into it")
        Path run;
        @Option(names = "--report", required = true, description = "A report written by eval --json or train (report.json)")
        Path report;
        @Option(names = "--compare", required = true, arity = "2..*", paramLabel = "REPORT", description = "Two or more reports (or run "
                + "directories holding report.json) side by side: clean error, mean corruption error and error per corruption, and a "
                + "Markdown table of them on the console; --out names the PNG (default: comparison.png)")
        List<Path> compare;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;
    @Option(names = "--out", description = "Output PNG (with --report; default: beside the report, NAME-corruption_errors.png) "
            + "or directory (with --run; default: the run directory)")
    Path out;
    @Option(names = "--labels", split = ",", paramLabel = "NAME", description = "With --compare: a name per report, comma-separated "
            + "(default: each run directory's name)")
    List<String> labels;
    @Option(names = "--title", description = "With --compare: the chart's title (default: ${DEFAULT-VALUE})")
    String title = "Error per corruption";

    @Override
    public Integer call() throws Exception {
        if (input.run != null) {
            Path dir = input.run;
            if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--run " + dir + ": no such directory");
            Path to = out != null ? out : dir;
            Files.createDirectories(to);
            Charts.trainingCurves(dir, to.resolve(Charts.TRAINING_CURVES));
            System.out.println("Wrote " + to.resolve(Charts.TRAINING_CURVES));
            Path report = dir.resolve("report.json");
            if (Files.isRegularFile(report)) {
                JsonObject r = readReport(report);
                if (r.has("corruptions")) {
                    Charts.corruptionErrors(r, to.resolve(Charts.CORRUPTION_ERRORS));
                    System.out.println("Wrote " + to.resolve(Charts.CORRUPTION_ERRORS));
                }
            }
        } else if (input.compare != null) {
            compare();
        } else {
            JsonObject r = readReport(input.report);
            Path png = out != null ? out : EvalCommand.chartBeside(input.report);
            Charts.corruptionErrors(r, png);
            System.out.println("Wrote " + png);
        }
        return 0;
    }

    /** --compare: the chart and a Markdown table (clean error, mean corruption error, RMS calibration error per report). */
    private void compare() throws java.io.IOException {
        List<JsonObject> reports = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : input.compare) {
            Path file = Files.isDirectory(p) ? p.resolve("report.json") : p;
            reports.add(readReport(file));
            Path dir = file.toAbsolutePath().getParent();
            names.add(file.getFileName().toString().equals("report.json") && dir != null ? dir.getFileName().toString() : file.getFileName().toString());
        }
        if (labels != null) {
            if (labels.size() != reports.size()) {
                throw new IllegalArgumentException("--labels has " + labels.size() + " names for " + reports.size() + " reports: give one per report");
            }
            names = labels;
        }
        Path png = out != null ? out : Path.of("comparison.png");
        if (png.getParent() != null) Files.createDirectories(png.getParent());
        Charts.compareReports(reports, names, title, png);
        System.out.println("| run | clean error | mean corruption error | RMS calibration error |");
        System.out.println("|---|---:|---:|---:|");
        for (int i = 0; i < reports.size(); i++) {
            JsonObject r = reports.get(i);
            System.out.printf(java.util.Locale.ROOT, "| %s | %.2f%% | %s | %s |%n", names.get(i), r.get("clean_error").getAsDouble(),
                    pct(r, "mean_corruption_error"), pct(r, "rms_calibration_error"));
        }
        System.out.println("Wrote " + png);
    }

    private static String pct(JsonObject r, String key) {
        return r.has(key) ? String.format(java.util.Locale.ROOT, "%.2f%%", r.get(key).getAsDouble()) : "-";
    }

    private static JsonObject readReport(Path file) throws java.io.IOException {
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException(file + ": no such report");
        JsonObject r;
        try {
            r = new Gson().fromJson(Files.readString(file), JsonObject.class);
        } catch (com.google.gson.JsonParseException e) {
            throw new IllegalArgumentException(file + ": not a JSON report (" + e.getMessage() + ")");
        }
        if (r == null || !r.has("clean_error")) throw new IllegalArgumentException(file + ": not an evaluation report (no clean_error)");
        return r;
    }
}
