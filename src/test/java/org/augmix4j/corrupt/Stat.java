package org.augmix4j.corrupt;

/** Small statistics helpers for the tests: normal CDF, chi-square p-value, Poisson pmf. */
final class Stat {
    private Stat() {}

    /** erfc with fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' erfcc). */
    static double erfc(double x) {
        double z = Math.abs(x), t = 1.0 / (1.0 + 0.5 * z);
        double ans = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? ans : 2.0 - ans;
    }

    static double phi(double x) { return 0.5 * erfc(-x / Math.sqrt(2)); }

    /** Upper-tail p-value of a chi-square statistic (Wilson–Hilferty). */
    static double chiSquareP(double chi2, int df) {
        double k = df;
        double z = (Math.cbrt(chi2 / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
        return 1 - phi(z);
    }

    /**
     * Pearson chi-square of observed counts against expected probabilities, pooling bins (in
     * order) until each pooled expected count is at least 5. Returns {chi2, df}.
     */
    static double[] chiSquare(long[] observed, double[] prob) {
        long n = 0;
        for (long o : observed) n += o;
        double chi = 0, eAcc = 0, oAcc = 0;
        int bins = 0;
        for (int i = 0; i < observed.length; i++) {
            eAcc += prob[i] * n;
            oAcc += observed[i];
            if (eAcc >= 5) {
                chi += (oAcc - eAcc) * (oAcc - eAcc) / eAcc;
                bins++;
                eAcc = 0;
                oAcc = 0;
            }
        }
        if (eAcc > 0 || oAcc > 0) { // tail: pool into a last bin
            double e = Math.max(eAcc, 1e-12);
            chi += (oAcc - e) * (oAcc - e) / e;
            bins++;
        }
        return new double[] {chi, Math.max(1, bins - 1)};
    }

    /**
     * Two-sample chi-square for histograms of two equally sized samples, pooling bins until each
     * pooled bin holds at least 10 counts in total. Returns {chi2, df}.
     */
    static double[] chiSquareTwoSample(long[] a, long[] b) {
        double na = 0, nb = 0;
        for (long v : a) na += v;
        for (long v : b) nb += v;
        double ka = Math.sqrt(nb / na), kb = Math.sqrt(na / nb);
        double chi = 0, sa = 0, sb = 0;
        int bins = 0;
        for (int i = 0; i < a.length; i++) {
            sa += a[i];
            sb += b[i];
            if (sa + sb >= 10) {
                chi += (ka * sa - kb * sb) * (ka * sa - kb * sb) / (sa + sb);
                bins++;
                sa = 0;
                sb = 0;
            }
        }
        if (sa + sb > 0) {
            chi += (ka * sa - kb * sb) * (ka * sa - kb * sb) / (sa + sb);
            bins++;
        }
        return new double[] {chi, Math.max(1, bins - 1)};
    }

    static double poissonPmf(long k, double lambda) {
        if (lambda == 0) return k == 0 ? 1 : 0;
        return Math.exp(-lambda + k * Math.log(lambda) - CounterRng.logFactorial(k));
    }
}
