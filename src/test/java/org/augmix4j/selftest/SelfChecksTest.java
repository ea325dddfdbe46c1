package org.augmix4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.augmix4j.selftest.SelfChecks.Outcome;
import org.augmix4j.selftest.SelfChecks.Row;
import org.junit.jupiter.api.Test;

/** The selftest registry and runner without a GPU (the kernel checks themselves run in SelftestEmulatedTest). */
class SelfChecksTest {
    /** Kernels that have a Java launcher: every {@code Kernel.declare("name(...")} in src/main/java. */
    static Set<String> launchedKernels() throws IOException {
        Set<String> names = new TreeSet<>();
        Pattern p = Pattern.compile("Kernel\\.declare\\(\"([A-Za-z_][A-Za-z0-9_]*)\\(");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void everyKernelWithAJavaLauncherHasASelftestCheck() throws IOException {
        Set<String> launched = launchedKernels();
        assertTrue(launched.contains("relu_forward"), launched.toString());
        Set<String> missing = new TreeSet<>(launched);
        missing.removeAll(SelfChecks.coveredKernels());
        assertEquals(Set.of(), missing, "kernels with a Java launcher but no selftest check: add one to SelfChecks.ALL");
    }

    @Test
    void checkNamesAreUnique() {
        List<String> names = SelfChecks.ALL.stream().map(SelfCheck::name).toList();
        assertEquals(names.size(), new TreeSet<>(names).size(), names.toString());
    }

    @Test
    void withoutAGpuTheGpuChecksSkipOrFailOnRequest() {
        List<Row> rows = SelfChecks.run(SelfChecks.ALL, new SelfCheck.Context(1), n -> n.startsWith("jpeg"), false);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals(Outcome.PASS, rows.get(0).outcome(), rows.get(0).detail());
        assertEquals("CPU", rows.get(0).where());

        SelfCheck gpuOnly = new SelfCheck() {
            @Override public String name() { return "needs-cublas"; }

            @Override public Needs needs() { return Needs.CUBLAS; }

            @Override public Result run(Context ctx) { throw new AssertionError("must not run without a GPU"); }
        };
        // a context without a GPU, decided here: the CPU test JVM loads no JCuda native library
        SelfCheck.Context noGpu = new SelfCheck.Context(1) {
            @Override public String unavailable(SelfCheck.Needs needs) { return needs == SelfCheck.Needs.CPU ? null : "no GPU: test"; }
        };
        List<Row> skipped = SelfChecks.run(List.of(gpuOnly), noGpu, n -> true, false);
        assertEquals(Outcome.SKIP, skipped.get(0).outcome(), skipped.toString());
        assertEquals("no GPU: test", skipped.get(0).detail());
        Row failed = SelfChecks.run(List.of(gpuOnly), noGpu, n -> true, true).get(0);
        assertEquals(Outcome.FAIL, failed.outcome());
        assertEquals("no GPU: test (--require-gpu)", failed.detail());
        assertTrue(Pattern.compile("needs-cublas +cuBLAS +- +SKIP .*no GPU: test").matcher(SelfChecks.table(skipped)).find(),
                SelfChecks.table(skipped));
    }

    @Test
    void aThrowingCheckFailsAndASkipSkips() {
        SelfCheck boom = new SelfCheck() {
            @Override public String name() { return "boom"; }

            @Override public Needs needs() { return Needs.CPU; }

            @Override public Result run(Context ctx) { throw new IllegalStateException("exploded"); }
        };
        SelfCheck skip = new SelfCheck() {
            @Override public String name() { return "skip"; }

            @Override public Needs needs() { return Needs.CPU; }

            @Override public Result run(Context ctx) { throw new Skip("reference missing"); }
        };
        List<Row> rows = SelfChecks.run(List.of(boom, skip), new SelfCheck.Context(1), n -> !n.contains("_"), false);
        assertEquals(Outcome.FAIL, rows.get(0).outcome());
        assertEquals("IllegalStateException: exploded", rows.get(0).detail());
        assertEquals(Outcome.SKIP, rows.get(1).outcome());
        assertEquals("reference missing", rows.get(1).detail());
    }

    @Test
    void fatbinKernelsWithoutACheckAreListed() {
        Set<String> uncovered = SelfChecks.uncovered(Set.of("relu_forward"));
        assertTrue(uncovered.contains("scale_forward") && !uncovered.contains("relu_forward"), uncovered.toString());
        assertEquals(Set.of(), SelfChecks.uncovered(SelfChecks.coveredKernels()), "the shipped fatbin's kernels all have checks");
    }
}
