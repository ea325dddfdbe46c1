package org.augmix4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What the benchmarks share: the work counters behind their images/s, samples/s and GB/s
 * figures, the repository's reference data, and the checks they run before timing.
 */
public final class BenchSupport {
    private BenchSupport() {}

    // Work done, as JMH auxiliary counters: a benchmark method adds what one call did, and JMH
    // reports the field as a rate next to the ops/s score (images/s, samples/s, bytes/s;
    // bench/results/record.py turns bytes/s into GB/s). Each class comment states its byte count.

    /** Images processed, reported as images/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Images {
        public long images;

        @Setup(Level.Iteration)
        public void reset() { images = 0; }
    }

    /** Training samples processed, reported as samples/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Samples {
        public long samples;

        @Setup(Level.Iteration)
        public void reset() { samples = 0; }
    }

    /** Bytes moved (the class comment's count), reported as bytes/s. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() { bytes = 0; }
    }

    /**
     * A file of the repository (the Pillow golden vectors and the PyTorch fixture live in the core
     * project's test resources): {@code -Daugmix4j.root=DIR}, else the working directory or one of
     * its parents that has {@code rel}. The benchmarks are run from the repository root (bench/run.sh).
     */
    public static Path repoFile(String rel) {
        String root = System.getProperty("augmix4j.root");
        if (root != null) {
            Path p = Path.of(root).resolve(rel);
            if (Files.exists(p)) return p;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve(rel);
            if (Files.exists(p)) return p;
        }
        throw new IllegalStateException("reference data " + rel + " not found from " + Path.of("").toAbsolutePath()
                + ": run the benchmarks from the repository root (bench/run.sh does) or pass -Daugmix4j.root=REPO");
    }

    /** Norm-wise relative error ||a - r|| / ||r|| (selftest's Compare, which the tests use too). */
    public static double normRel(float[] a, double[] r) { return org.augmix4j.selftest.Compare.normRel(toDouble(a), r); }

    /** Fails the benchmark's setup unless {@code err <= tol}: a wrong kernel cannot post a time. */
    public static void require(String what, double err, double tol) {
        if (!(err <= tol)) throw new IllegalStateException(what + ": error " + err + " exceeds " + tol + " - not timing a wrong result");
    }

    public static float[] gaussian(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    public static double[] toDouble(float[] a) { return org.augmix4j.selftest.Compare.toDouble(a); }
}
