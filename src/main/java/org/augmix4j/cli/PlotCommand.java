package org.augmix4j.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.augmix4j.train.Charts;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code plot}: redraws the PNG charts of a run directory (training curves, and the corruption
 * chart when it has a report.json), or the corruption chart of any report written by
 * {@code eval --json}. {@code train} and {@code eval} already draw them; this is for a run still in
 * progress, an interrupted one, or a report from elsewhere.
 */
@Command(name = "plot", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Draw PNG charts: training curves (loss, train accuracy, test error per epoch) of a run directory, and the error per "
                + "corruption and severity of an evaluation report."})
public final class PlotCommand implements Callable<Integer> {
    static final class Input {
        @Option(names = "--run", required = true, description = "A run directory written by train (holds training_log.jsonl); the charts go into it")
        Path run;
        @Option(names = "--report", required = true, description = "A report written by eval --json or train (report.json)")
        Path report;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;
    @Option(names = "--out", description = "Output PNG (with --report; default: beside the report, NAME-corruption_errors.png) "
            + "or directory (with --run; default: the run directory)")
    Path out;

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
        } else {
            JsonObject r = readReport(input.report);
            Path png = out != null ? out : EvalCommand.chartBeside(input.report);
            Charts.corruptionErrors(r, png);
            System.out.println("Wrote " + png);
        }
        return 0;
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
