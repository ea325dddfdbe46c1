package org.augmix4j.train;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.augmix4j.data.AtomicFile;
import java.awt.geom.Line2D;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts (JFreeChart, headless AWT):
 * <ul>
 *   <li>{@link #corruptionErrors}: error per corruption and severity as grouped bars, from an
 *       evaluation report (the JSON that {@code eval --json} and {@code train} write), with the
 *       clean error and the mean corruption error as horizontal lines;</li>
 *   <li>{@link #trainingCurves}: loss (train and test), train accuracy and test error per epoch,
 *       from a run directory's {@code training_log.jsonl};</li>
 *   <li>{@link #compareReports}: several reports side by side (e.g. the three training modes): the
 *       clean error, the mean corruption error and the error per corruption (severities pooled).</li>
 * </ul>
 * Files are written atomically, like everything else in a run directory.
 */
public final class Charts {
    /** File names inside a run directory. */
    public static final String TRAINING_CURVES = "training_curves.png";
    public static final String CORRUPTION_ERRORS = "corruption_errors.png";

    private static final int WIDTH = 1100, HEIGHT = 620;
    private static final Color[] SEVERITY = {new Color(0xfd, 0xd4, 0x9e), new Color(0xfd, 0xbb, 0x84), new Color(0xfc, 0x8d, 0x59),
            new Color(0xe3, 0x4a, 0x33), new Color(0xb3, 0x00, 0x00)};
    private static final Color TRAIN = new Color(0x1f, 0x77, 0xb4), TEST = new Color(0xd6, 0x27, 0x28);

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /**
     * Grouped bars of error (%) per corruption (x) and severity 1..5 (series), from a report with
     * a "corruptions" array; throws if the report has no corrupted results.
     */
    public static void corruptionErrors(JsonObject report, Path png) {
        if (!report.has("corruptions")) {
            throw new IllegalArgumentException("the report has no corrupted results (it was made with --corrupted none): no corruption chart");
        }
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        for (JsonElement e : report.getAsJsonArray("corruptions")) {
            JsonObject row = e.getAsJsonObject();
            String name = row.get("corruption").getAsString();
            var sev = row.getAsJsonArray("error_per_severity");
            for (int s = 0; s < sev.size(); s++) ds.addValue(sev.get(s).getAsDouble(), "severity " + (s + 1), name);
        }
        CategoryPlot plot = errorBars(ds, SEVERITY);
        // the clean error and the mean corruption error as dashed lines, named in the legend
        LegendItemCollection legend = new LegendItemCollection();
        legend.addAll(plot.getLegendItems());
        double clean = report.get("clean_error").getAsDouble();
        addLine(plot, legend, clean, new Color(0x2c, 0x7b, 0xb6), String.format(Locale.ROOT, "clean error %.1f%%", clean));
        if (report.has("mean_corruption_error")) {
            double mce = report.get("mean_corruption_error").getAsDouble();
            addLine(plot, legend, mce, Color.DARK_GRAY, String.format(Locale.ROOT, "mean corruption error %.1f%%", mce));
        }
        plot.setFixedLegendItems(legend);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(String.format(Locale.ROOT, "%s on %s: error per corruption and severity", str(report, "model"),
                str(report, "dataset")), new Font("SansSerif", Font.BOLD, 16)));
        chart.addSubtitle(new TextTitle(subtitle(report), new Font("SansSerif", Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        write(chart, png, WIDTH, HEIGHT);
    }

    /** Distinct colours for the reports of {@link #compareReports} (colour-blind safe, Okabe-Ito). */
    private static final Color[] COMPARE = {new Color(0x00, 0x72, 0xb2), new Color(0xe6, 0x9f, 0x00), new Color(0x00, 0x9e, 0x73),
            new Color(0xcc, 0x79, 0xa7), new Color(0x56, 0xb4, 0xe9), new Color(0xd5, 0x5e, 0x00), new Color(0x99, 0x99, 0x99)};

    /**
     * Grouped bars, one series per report (named by {@code labels}): the clean error, the mean
     * corruption error, then the error of each corruption of the first report (five severities
     * pooled, as the mean corruption error counts them). Reports without corrupted results
     * contribute the clean error only.
     */
    public static void compareReports(List<JsonObject> reports, List<String> labels, String title, Path png) {
        if (reports.size() != labels.size()) throw new IllegalArgumentException(reports.size() + " reports but " + labels.size() + " labels");
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        List<String> names = new ArrayList<>();
        for (JsonObject r : reports) {
            if (!r.has("corruptions")) continue;
            for (JsonElement e : r.getAsJsonArray("corruptions")) {
                String n = e.getAsJsonObject().get("corruption").getAsString();
                if (!names.contains(n)) names.add(n);
            }
        }
        for (int i = 0; i < reports.size(); i++) {
            JsonObject r = reports.get(i);
            String series = labels.get(i);
            ds.addValue(r.get("clean_error").getAsDouble(), series, "clean");
            ds.addValue(r.has("mean_corruption_error") ? r.get("mean_corruption_error").getAsDouble() : null, series, "mean corruption");
            java.util.Map<String, Double> errors = new java.util.HashMap<>();
            if (r.has("corruptions")) {
                for (JsonElement e : r.getAsJsonArray("corruptions")) {
                    JsonObject row = e.getAsJsonObject();
                    errors.put(row.get("corruption").getAsString(), row.get("error").getAsDouble());
                }
            }
            for (String n : names) ds.addValue(errors.get(n), series, n);
        }
        Color[] colors = new Color[reports.size()];
        for (int i = 0; i < colors.length; i++) colors[i] = COMPARE[i % COMPARE.length];
        CategoryPlot plot = errorBars(ds, colors);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, new Font("SansSerif", Font.BOLD, 16)));
        JsonObject first = reports.get(0);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT, "%s on %s, %s test images; corrupted: %s; corruption bars pool the five severities",
                str(first, "model"), str(first, "dataset"), str(first, "test_images"), str(first, "corrupted_source")),
                new Font("SansSerif", Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        write(chart, png, WIDTH, HEIGHT);
    }

    /** Grouped bars of error (%) on a 0-100 axis, categories labelled at 45 degrees, series i in colours[i]. */
    private static CategoryPlot errorBars(DefaultCategoryDataset ds, Color[] colours) {
        CategoryAxis x = new CategoryAxis();
        x.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        x.setCategoryMargin(0.25);
        x.setLowerMargin(0.01);
        x.setUpperMargin(0.01);
        NumberAxis y = new NumberAxis("error (%)");
        y.setRange(0, 100);
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setItemMargin(0.02);
        r.setDrawBarOutline(false);
        for (int i = 0; i < colours.length; i++) r.setSeriesPaint(i, colours[i]);
        CategoryPlot plot = new CategoryPlot(ds, x, y, r);
        style(plot);
        return plot;
    }

    private static String subtitle(JsonObject report) {
        String src = str(report, "corrupted_source");
        return String.format(Locale.ROOT, "%s test images; corrupted: %s; RMS calibration error (clean) %.1f%%", str(report, "test_images"),
                src, report.has("rms_calibration_error") ? report.get("rms_calibration_error").getAsDouble() : Double.NaN);
    }

    private static String str(JsonObject o, String key) { return o.has(key) ? o.get(key).getAsString() : "?"; }

    private static void addLine(CategoryPlot plot, LegendItemCollection legend, double v, Color c, String label) {
        BasicStroke dashed = new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0);
        plot.addRangeMarker(new ValueMarker(v, c, dashed));
        legend.add(new LegendItem(label, null, null, null, new Line2D.Double(-10, 0, 10, 0), dashed, c));
    }

    /** Training curves from {@code runDir/training_log.jsonl}, written to {@code png}. */
    public static void trainingCurves(Path runDir, Path png) {
        trainingCurves(readLog(runDir), runDir.getFileName() == null ? runDir.toString() : runDir.getFileName().toString(), png);
    }

    /** Loss (train, test), train accuracy and test error per epoch, stacked on one epoch axis. */
    public static void trainingCurves(List<Trainer.EpochStats> rows, String title, Path png) {
        if (rows.isEmpty()) throw new IllegalArgumentException("no epochs logged yet: nothing to plot");
        XYSeries trainLoss = new XYSeries("train loss"), testLoss = new XYSeries("test loss (clean)");
        XYSeries trainAcc = new XYSeries("train accuracy"), testErr = new XYSeries("test error (clean)");
        for (Trainer.EpochStats s : rows) {
            trainLoss.add(s.epoch(), s.trainLoss());
            testLoss.add(s.epoch(), s.testLoss());
            trainAcc.add(s.epoch(), s.trainAcc());
            testErr.add(s.epoch(), s.testError());
        }
        NumberAxis epochs = new NumberAxis("epoch");
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        epochs.setAutoRangeIncludesZero(false);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epochs);
        plot.setGap(12);
        plot.add(subplot("loss", false, new XYSeries[] {trainLoss, testLoss}, new Color[] {TRAIN, TEST}), 4);
        plot.add(subplot("train accuracy (%)", true, new XYSeries[] {trainAcc}, new Color[] {TRAIN}), 3);
        plot.add(subplot("test error (%)", true, new XYSeries[] {testErr}, new Color[] {TEST}), 3);
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle("Training curves: " + title, new Font("SansSerif", Font.BOLD, 16)));
        Trainer.EpochStats last = rows.get(rows.size() - 1);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT, "after epoch %d: train loss %.3f, train accuracy %.1f%%, test error %.1f%%",
                last.epoch(), last.trainLoss(), last.trainAcc(), last.testError()), new Font("SansSerif", Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        write(chart, png, 900, 820);
    }

    private static XYPlot subplot(String label, boolean percent, XYSeries[] series, Color[] colors) {
        XYSeriesCollection c = new XYSeriesCollection();
        for (XYSeries s : series) c.addSeries(s);
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(percent);
        if (percent) y.setUpperBound(100);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, series[0].getItemCount() <= 60);
        for (int i = 0; i < colors.length; i++) {
            r.setSeriesPaint(i, colors[i]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot p = new XYPlot(c, null, y, r);
        style(p);
        if (percent) y.setRange(0, 100);
        return p;
    }

    private static void style(org.jfree.chart.plot.Plot p) {
        if (p == null) return;
        p.setBackgroundPaint(Color.WHITE);
        p.setOutlinePaint(Color.LIGHT_GRAY);
        if (p instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
            xy.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        } else if (p instanceof CategoryPlot cp) {
            cp.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
        }
    }

    /** The rows of {@code runDir/training_log.jsonl}. */
    public static List<Trainer.EpochStats> readLog(Path runDir) {
        Path f = runDir.resolve(Trainer.RunLog.JSONL);
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(runDir + " has no " + Trainer.RunLog.JSONL + ": not a run directory written by train");
        }
        List<Trainer.EpochStats> rows = new ArrayList<>();
        Gson gson = new Gson();
        try {
            for (String line : Files.readAllLines(f)) if (!line.isBlank()) rows.add(gson.fromJson(line, Trainer.EpochStats.class));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
        return rows;
    }

    private static void write(JFreeChart chart, Path png, int w, int h) {
        chart.getRenderingHints().put(java.awt.RenderingHints.KEY_TEXT_ANTIALIASING, java.awt.RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart, w, h);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render " + png + ": " + e.getMessage(), e);
        }
        try (AtomicFile f = AtomicFile.create(png)) {
            f.write(bytes.toByteArray());
            f.commit();
        }
    }
}
