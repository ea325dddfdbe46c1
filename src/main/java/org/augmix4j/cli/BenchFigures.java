package org.augmix4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.AtomicFile;

/**
 * The figures of one {@code bench} run: timing ({@link #measure}: the median of work / seconds over
 * the timed runs after the warm-ups, with the process's CPU share), the console table, the JSON
 * lists of {@code --json} and {@code --runs-json}, and the machine facts recorded with them.
 */
final class BenchFigures {
    /**
     * One reported figure. {@code values} are the per-run values (empty for derived figures);
     * {@code cpuShare} is the median over runs of process CPU time / (wall time x threads): near
     * 1 on a quiet machine, well below when other processes took the cores (NaN if unknown).
     */
    record Figure(String name, double value, String unit, String device, double[] values, String note, double cpuShare) {
        Figure(String name, double value, String unit, String device, double[] values, String note) {
            this(name, value, unit, device, values, note, Double.NaN);
        }

        int runs() { return values.length; }

        double min() { return values.length == 0 ? value : Arrays.stream(values).min().orElse(value); }

        double max() { return values.length == 0 ? value : Arrays.stream(values).max().orElse(value); }

        /** (max - min) / median in percent; 0 for derived figures. */
        double spreadPercent() { return values.length < 2 || value == 0 ? 0 : 100 * (max() - min()) / Math.abs(value); }
    }

    /** A figure this run could not produce, and why. */
    record Skipped(String what, String why) {}


    private final List<Figure> figures = new ArrayList<>();
    private final List<Skipped> skipped = new ArrayList<>();
    private final PrintWriter out;

    BenchFigures(PrintWriter out) { this.out = out; }

    /** Runs body warmup + runs times; the figure is the median of work / seconds over the timed runs. */
    Figure measure(String name, String unit, String dev, BenchCommand.Sizes sz, double workPerRun, Runnable body, String note) {
        for (int i = 0; i < sz.warmup(); i++) body.run();
        double[] rates = new double[sz.runs()], share = new double[sz.runs()];
        for (int i = 0; i < sz.runs(); i++) {
            long c0 = processCpuNanos(), t0 = System.nanoTime();
            body.run();
            long dt = Math.max(1, System.nanoTime() - t0), dc = processCpuNanos() - c0;
            rates[i] = workPerRun / (dt / 1e9);
            share[i] = c0 < 0 ? Double.NaN : (double) dc / dt / Parallel.threads();
        }
        Figure f = new Figure(name, median(rates), unit, dev, rates, note, median(share));
        add(f);
        return f;
    }

    /** Replaces the last figure (a note known only after the runs) and prints nothing. */
    Figure replaceLast(Figure f) {
        figures.set(figures.size() - 1, f);
        return f;
    }

    void add(Figure f) {
        figures.add(f);
        out.printf("  %-44s %12s %-9s (%d runs, spread %.0f%%%s)%n", f.name(), fmt(f.value()), f.unit(), f.runs(), f.spreadPercent(),
                Double.isNaN(f.cpuShare()) ? "" : String.format(", cpu %.0f%%", 100 * f.cpuShare()));
        out.flush();
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    List<Figure> figures() { return figures; }

    List<Skipped> skipped() { return skipped; }

    // ---------------------------------------------------------------- output

    void printTable() {
        out.printf("%n%-44s %-6s %12s %-9s %12s %12s %7s %5s %5s  %s%n", "figure", "device", "median", "unit", "min", "max", "spread",
                "runs", "cpu", "what");
        for (Figure f : figures) {
            out.printf("%-44s %-6s %12s %-9s %12s %12s %6.1f%% %5d %5s  %s%n", f.name(), f.device(), fmt(f.value()), f.unit(),
                    f.runs() == 0 ? "-" : fmt(f.min()), f.runs() == 0 ? "-" : fmt(f.max()), f.spreadPercent(), f.runs(),
                    Double.isNaN(f.cpuShare()) ? "-" : String.format("%.0f%%", 100 * f.cpuShare()), f.note());
        }
        out.println("cpu = process CPU time / (wall time x threads), median over runs: well below 100% means other processes had the cores");
        for (Skipped s : skipped) out.printf("%-44s skipped: %s%n", s.what(), s.why());
    }

    static String fmt(double v) {
        double a = Math.abs(v);
        if (a >= 100) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        return String.format(Locale.ROOT, "%.3g", v);
    }

    JsonArray entries(boolean withRuns) {
        JsonArray arr = new JsonArray();
        for (Figure f : figures) {
            JsonObject o = new JsonObject();
            o.addProperty("name", f.name());
            o.addProperty("value", round(f.value()));
            o.addProperty("unit", f.unit());
            o.addProperty("device", f.device());
            if (withRuns) {
                o.addProperty("runs", f.runs());
                o.addProperty("min", round(f.min()));
                o.addProperty("max", round(f.max()));
                JsonArray vals = new JsonArray();
                for (double v : f.values()) vals.add(round(v));
                o.add("values", vals);
                o.addProperty("note", f.note());
                if (!Double.isNaN(f.cpuShare())) o.addProperty("cpu_share", round(f.cpuShare()));
            }
            arr.add(o);
        }
        return arr;
    }

    /** Four significant digits are more than the spread justifies. */
    static double round(double v) {
        if (v == 0 || !Double.isFinite(v)) return v;
        double scale = Math.pow(10, 4 - Math.ceil(Math.log10(Math.abs(v))));
        return Math.round(v * scale) / scale;
    }

    /** Writes {@code doc} as pretty JSON atomically (temp file, fsync, rename): a failed write leaves any old file intact. */
    static void writeJson(Path file, Object doc) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (AtomicFile f = AtomicFile.create(file)) {
            f.write((new GsonBuilder().setPrettyPrinting().create().toJson(doc) + "\n").getBytes(StandardCharsets.UTF_8));
            f.commit();
        }
    }

    /** CPU time of the whole process (all threads), or -1 where the JVM does not expose it. */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getProcessCpuTime();
        return -1;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch") + " CPU";
    }

    static String loadAverage() {
        try {
            String[] p = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return p[0] + " " + p[1] + " " + p[2];
        } catch (IOException | RuntimeException e) {
            double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return l < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", l);
        }
    }

    static String javaVersion() {
        return "JDK " + System.getProperty("java.runtime.version", System.getProperty("java.version")) + " (" + System.getProperty("java.vm.name") + ")";
    }
}
