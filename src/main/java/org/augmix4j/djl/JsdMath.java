package org.augmix4j.djl;

/**
 * The JSD loss of {@link JsdLoss} on plain float arrays, in double precision: the reference the DJL version is
 * checked against, and usable with any framework. {@code logits[r][k]}, rows {@code cat([clean, aug1, aug2])}.
 */
public final class JsdMath {
    private JsdMath() {}

    /** {@code CE(logits_0, y) + lambda * JS(p_0, p_1, p_2)} exactly as {@link JsdLoss} documents. */
    public static double loss(float[][] logits, int[] labels, double lambda) {
        int b = labels.length;
        if (logits.length != 3 * b) throw new IllegalArgumentException(logits.length + " logit rows for " + b + " labels; need 3B");
        int k = logits[0].length;
        double ce = 0, kl = 0;
        for (int i = 0; i < b; i++) {
            double[][] p = new double[3][];
            for (int v = 0; v < 3; v++) p[v] = softmax(logits[v * b + i]);
            ce -= Math.log(p[0][labels[i]]);
            for (int c = 0; c < k; c++) {
                double m = Math.log(Math.min(1, Math.max(1e-7, (p[0][c] + p[1][c] + p[2][c]) / 3)));
                for (int v = 0; v < 3; v++) if (p[v][c] > 0) kl += p[v][c] * (Math.log(p[v][c]) - m);
            }
        }
        return ce / b + lambda * kl / (3.0 * b);
    }

    static double[] softmax(float[] z) {
        double mx = Double.NEGATIVE_INFINITY;
        for (float v : z) mx = Math.max(mx, v);
        double s = 0;
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) s += p[c] = Math.exp(z[c] - mx);
        for (int c = 0; c < z.length; c++) p[c] /= s;
        return p;
    }
}
