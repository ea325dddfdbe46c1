package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.augmix4j.cuda.Fatbin;
import org.augmix4j.cuda.Kernels;

/**
 * Every check of {@code augmix4j selftest}, and the runner.
 *
 * <p><b>Adding a check</b>: when you add a kernel with a Java launcher (or a cuDNN / cuBLAS op),
 * add its check to {@link #ALL} — one line — as a {@link SelfCheck} comparing the GPU result with
 * the CPU reference on random inputs (see {@link ElementwiseChecks} for kernels, {@link CudnnChecks}
 * for library calls). A kernel of the shipped fatbin that no check covers is listed as SKIP
 * ("no selftest check"), so a missing check shows in every selftest table.
 */
public final class SelfChecks {
    private SelfChecks() {}

    /** THE list. One entry (or one family's list) per line; order is the table's order. */
    public static final List<SelfCheck> ALL = List.copyOf(concat(
            ElementwiseChecks.all(),                 // kernels/elementwise.cu
            OpsChecks.all(),                         // kernels/conv, batchnorm, linear, pool, losses, sgd, normalize .cu
            ZooPoolChecks.all(),                     // kernels/maxpool, avgpool, concat .cu (the model zoo)
            ZooActChecks.all(),                      // kernels/gelu, dropout, bias .cu; conv.cu and cuDNN with groups
            AugmentChecks.all(),                     // kernels/augment.cu: Philox, programs, a JSD batch
            EngineChecks.all(),                      // the whole GPU training step vs the CPU engine (kernels; cuDNN + cuBLAS)
            List.of(new CorruptionChecks()),         // corrupt.cu, corrupt_field.cu
            List.of(CudnnChecks.convolution()),      // cuDNN convolution fwd / bwd data / bwd filter
            List.of(CudnnChecks.batchNorm()),        // cuDNN batch norm training fwd / bwd
            List.of(CublasChecks.sgemm()),           // cuBLAS SGEMM, the linear layer's three products
            List.of(new JpegCheck())));              // the runtime's JPEG codec vs the reference

    @SafeVarargs
    private static List<SelfCheck> concat(List<SelfCheck>... lists) {
        List<SelfCheck> all = new ArrayList<>();
        for (List<SelfCheck> l : lists) all.addAll(l);
        return all;
    }

    /** PASS, FAIL or SKIP. */
    public enum Outcome { PASS, FAIL, SKIP }

    /**
     * One row of the table.
     *
     * @param where "GPU", "emulator", "CPU" or "-" (skipped)
     */
    public record Row(String name, String group, String where, Outcome outcome, double maxAbs, double maxRel, String tolerance,
                      String detail, double seconds) {}

    /**
     * Runs the checks whose name matches {@code filter}; a check needing what is not here is SKIP,
     * with the reason (or FAIL, when {@code requireGpu} and it needs a GPU). Then one SKIP row per
     * fatbin kernel no check covers.
     */
    public static List<Row> run(List<SelfCheck> checks, long seed, Predicate<String> filter, boolean requireGpu) {
        return run(checks, new SelfCheck.Context(seed), filter, requireGpu);
    }

    /** As above, on a given context (tests decide there what is available). */
    public static List<Row> run(List<SelfCheck> checks, SelfCheck.Context ctx, Predicate<String> filter, boolean requireGpu) {
        List<Row> rows = new ArrayList<>();
        Set<String> covered = new LinkedHashSet<>();
        for (SelfCheck c : checks) {
            if (!filter.test(c.name())) continue;
            covered.addAll(c.kernels());
            String why = ctx.unavailable(c.needs());
            if (why != null) {
                Outcome o = requireGpu && c.needs() != SelfCheck.Needs.CPU ? Outcome.FAIL : Outcome.SKIP;
                rows.add(new Row(c.name(), c.group(), "-", o, Double.NaN, Double.NaN, "", why
                        + (o == Outcome.FAIL ? " (--require-gpu)" : ""), 0));
                continue;
            }
            String where = c.needs() == SelfCheck.Needs.CPU ? "CPU" : ctx.gpu().isEmulated() ? "emulator" : "GPU";
            long t0 = System.nanoTime();
            try {
                SelfCheck.Result r = c.run(ctx);
                rows.add(new Row(c.name(), c.group(), where, r.pass() ? Outcome.PASS : Outcome.FAIL, r.maxAbs(), r.maxRel(),
                        r.tolerance(), r.detail(), (System.nanoTime() - t0) / 1e9));
            } catch (SelfCheck.Skip e) {
                rows.add(new Row(c.name(), c.group(), "-", Outcome.SKIP, Double.NaN, Double.NaN, "", e.getMessage(), 0));
            } catch (Exception | Error e) {
                rows.add(new Row(c.name(), c.group(), where, Outcome.FAIL, Double.NaN, Double.NaN, "",
                        e.getClass().getSimpleName() + ": " + e.getMessage(), (System.nanoTime() - t0) / 1e9));
            }
        }
        for (String k : uncovered(covered)) {
            if (filter.test(k)) rows.add(new Row(k, "kernel", "-", Outcome.SKIP, Double.NaN, Double.NaN, "",
                    "in the fatbin, but no selftest check covers it (add one to SelfChecks.ALL)", 0));
        }
        return rows;
    }

    /** Kernels of the shipped fatbin that no check covers (empty when the fatbin is unreadable). */
    static Set<String> uncovered(Set<String> covered) {
        Set<String> out = new TreeSet<>();
        try {
            out.addAll(Fatbin.commonKernels(Fatbin.parse(Kernels.fatbin())));
        } catch (RuntimeException e) {
            return out;
        }
        out.removeAll(covered);
        return out;
    }

    /** All kernels the registered checks cover. */
    public static Set<String> coveredKernels() {
        Set<String> s = new TreeSet<>();
        for (SelfCheck c : ALL) s.addAll(c.kernels());
        return s;
    }

    private static String num(double v) {
        if (Double.isNaN(v)) return "-";
        if (v == 0) return "0";
        return String.format(Locale.ROOT, "%.2e", v);
    }

    /** The table: one line per check, the detail last. */
    public static String table(List<Row> rows) {
        int w = 12, tw = 9;
        for (Row r : rows) {
            w = Math.max(w, r.name().length());
            tw = Math.max(tw, r.tolerance().length());
        }
        String fmt = "%-" + w + "s  %-6s  %-8s  %-6s  %-9s  %-9s  %-" + tw + "s  %7s  %s%n";
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, fmt, "check", "group", "where", "result", "max abs",
                "max rel", "tolerance", "seconds", "detail"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.name(), r.group(), r.where(), r.outcome(), num(r.maxAbs()), num(r.maxRel()),
                    r.tolerance(), r.seconds() == 0 ? "" : String.format(Locale.ROOT, "%.2f", r.seconds()), r.detail()));
        }
        return sb.toString();
    }
}
