package org.augmix4j.selftest;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The comparison arithmetic shared by {@code selftest} and the JUnit tests (org.augmix4j.testing.Check
 * asserts with it): norm-wise relative error ||a - r|| / ||r|| (the measure of the PyTorch fixtures'
 * tolerances), elementwise max absolute and relative error with a floor, the first differing bit
 * pattern, and the float/double conversions of the float64 references.
 */
public final class Compare {
    private Compare() {}

    /** ||a - r||_2 / max(||r||_2, 1e-30), accumulated in double. */
    public static double normRel(float[] a, float[] r) { return normRel(a, r, 1e-30); }

    /** ||a - r||_2 / max(||r||_2, floor): relative, but absolute for a reference whose norm is below {@code floor}. */
    public static double normRel(float[] a, float[] r, double floor) {
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double d = (double) a[i] - r[i];
            num += d * d;
            den += (double) r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), floor);
    }

    /** ||a - r||_2 / max(||r||_2, 1e-300). */
    public static double normRel(double[] a, double[] r) {
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double d = a[i] - r[i];
            num += d * d;
            den += r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-300);
    }


    /** Max |a-b| and max relative error with the given floor, over n elements; NaN mismatches count as infinite. */
    public static double[] errors(float[] got, float[] want, int n, double floor) {
        double abs = 0, rel = 0;
        for (int i = 0; i < n; i++) {
            double d = Math.abs((double) got[i] - want[i]);
            if (Float.isNaN(got[i]) != Float.isNaN(want[i])) d = Double.POSITIVE_INFINITY;
            if (Float.isNaN(got[i]) && Float.isNaN(want[i])) d = 0;
            abs = Math.max(abs, d);
            rel = Math.max(rel, d / Math.max(Math.abs(want[i]), floor));
        }
        return new double[] {abs, rel};
    }

    /** Index of the first element whose bits differ, or -1. */
    public static int firstBitMismatch(float[] got, float[] want, int n) {
        for (int i = 0; i < n; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) return i;
        }
        return -1;
    }

    /** A result with a relative tolerance over several named outputs (each {got, want}). */
    public static SelfCheck.Result relative(double tol, double floor, String detail, List<String> names, List<float[][]> outputs) {
        double abs = 0, rel = 0;
        String worst = "";
        for (int k = 0; k < outputs.size(); k++) {
            float[][] gw = outputs.get(k);
            double[] e = errors(gw[0], gw[1], gw[1].length, floor);
            abs = Math.max(abs, e[0]);
            if (e[1] >= rel) {
                rel = e[1];
                worst = names.get(k);
            }
        }
        return new SelfCheck.Result(abs, rel, "rel " + tol, rel <= tol, detail + (rel > tol ? "; worst output: " + worst : ""));
    }

    /** The values of {@code a} as doubles (the float64 references' inputs). */
    public static double[] toDouble(float[] a) {
        double[] o = new double[a.length];
        for (int i = 0; i < a.length; i++) o[i] = a[i];
        return o;
    }

    /** The values of {@code a} rounded to float (a float64 reference's output, to compare with a float32 one). */
    public static float[] toFloat(double[] a) {
        float[] o = new float[a.length];
        for (int i = 0; i < a.length; i++) o[i] = (float) a[i];
        return o;
    }

    /** n floats uniform in [lo, hi). */
    public static float[] uniform(SplittableRandom r, int n, double lo, double hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return a;
    }
}
