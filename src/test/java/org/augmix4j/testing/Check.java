package org.augmix4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.augmix4j.selftest.Compare;

/**
 * Comparison helpers for tests: norm-wise relative error (||a - r|| / ||r||, the measure the
 * PyTorch fixtures' tolerances use) and elementwise |a - r| <= atol + rtol |r| with the first
 * mismatches printed, llm.c style. The arithmetic is selftest's {@link Compare}, shared with the
 * {@code selftest} command.
 */
public final class Check {
    private Check() {}

    public static double normRel(float[] a, float[] r) { return Compare.normRel(a, r); }

    public static double normRel(double[] a, double[] r) { return Compare.normRel(a, r); }

    /** Fails unless the norm-wise relative error is at most tol. */
    public static void normClose(String what, float[] actual, float[] expected, double tol) {
        if (actual.length != expected.length) fail(what + ": length " + actual.length + " vs expected " + expected.length);
        double e = normRel(actual, expected);
        if (!(e <= tol)) {
            fail(what + ": norm-wise relative error " + e + " > " + tol + firstPairs(actual, expected));
        }
    }

    /** Fails unless every |a - r| <= atol + rtol |r|. */
    public static void allClose(String what, float[] actual, float[] expected, double atol, double rtol) {
        if (actual.length != expected.length) fail(what + ": length " + actual.length + " vs expected " + expected.length);
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            if (!(d <= atol + rtol * Math.abs(expected[i]))) {
                if (count < 10) bad.append(String.format("%n  [%d] got %.9g expected %.9g (diff %.3g)", i, actual[i], expected[i], d));
                count++;
            }
        }
        if (count > 0) fail(what + ": " + count + " of " + expected.length + " values outside atol " + atol + " + rtol " + rtol + bad);
    }

    private static String firstPairs(float[] a, float[] r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(5, r.length); i++) sb.append(String.format("%n  [%d] got %.9g expected %.9g", i, a[i], r[i]));
        return sb.toString();
    }
}
