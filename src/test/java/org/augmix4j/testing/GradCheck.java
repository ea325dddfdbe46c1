package org.augmix4j.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.ToDoubleFunction;

/**
 * Central-difference gradient check on a float64 path (DL4J's GradientCheckUtil idea): for every
 * entry of x, (f(x + eps) - f(x - eps)) / (2 eps) against the analytic gradient, relative error
 * |a - n| / max(|a| + |n|, floor) must stay below tol.
 */
public final class GradCheck {
    private GradCheck() {}

    public static void check(String what, double[] x, double[] analytic, ToDoubleFunction<double[]> f, double tol) {
        double eps = 1e-6, floor = 1e-8;
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < x.length; i++) {
            double o = x[i];
            x[i] = o + eps;
            double fp = f.applyAsDouble(x);
            x[i] = o - eps;
            double fm = f.applyAsDouble(x);
            x[i] = o;
            double num = (fp - fm) / (2 * eps);
            double rel = Math.abs(analytic[i] - num) / Math.max(Math.abs(analytic[i]) + Math.abs(num), floor);
            if (rel > tol && Math.abs(analytic[i] - num) > 1e-7) {
                if (count < 8) bad.append(String.format("%n  [%d] analytic %.9g numeric %.9g", i, analytic[i], num));
                count++;
            }
        }
        if (count > 0) fail(what + ": " + count + " of " + x.length + " gradient entries fail the central-difference check" + bad);
    }

    /** Random array in [-1, 1). */
    public static double[] random(java.util.SplittableRandom r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextDouble() * 2 - 1;
        return a;
    }

    /** sum(a * b). */
    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    public static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }

    public static double[] toDouble(float[] a) { return org.augmix4j.selftest.Compare.toDouble(a); }
}
