package org.augmix4j.ops;

import org.augmix4j.tensor.ShapeException;

/**
 * The losses of AugMix training (Hendrycks et al., ICLR 2020, section 3; google-research/augmix cifar.py): softmax, cross-entropy (mean
 * over the batch) and the Jensen-Shannon consistency term
 *
 * <pre>
 *   p_v = softmax(z_v) for the views v in {clean, aug1, aug2}, each (B, K)
 *   logM = log(clamp((p_clean + p_aug1 + p_aug2) / 3, 1e-7, 1))
 *   JS = (1/3) * sum_v KL(p_v || M),  KL(p || M) = (1/B) sum_b sum_k p_bk (log p_bk - logM_bk)   (batchmean)
 * </pre>
 *
 * with gradients through every argument (PyTorch's kl_div differentiates its target too), the
 * path through M cut where the clamp is active. The training loss is CE(clean) + 12 * JS.
 *
 * <p>One implementation in double (logits are tiny: 3B x K), used by the float engine through
 * conversion, by the gradient checks directly, and as the reference of kernels/losses.cu.
 * Logit layout for the JSD: (3B, K) = cat([clean (B), aug1 (B), aug2 (B)]).
 */
public final class Losses {
    /** The JSD weight of the official code. */
    public static final float JSD_WEIGHT = 12f;
    /** The clamp floor applied to the mixture M. */
    public static final double MIX_FLOOR = 1e-7;

    private Losses() {}

    // ---------------------------------------------------------------- softmax

    /** Row-wise softmax of z (N, K) into p (N, K), max-subtracted. */
    public static void softmax(double[] z, double[] p, int n, int k) {
        for (int i = 0; i < n; i++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) mx = Math.max(mx, z[i * k + j]);
            double s = 0;
            for (int j = 0; j < k; j++) {
                double e = Math.exp(z[i * k + j] - mx);
                p[i * k + j] = e;
                s += e;
            }
            for (int j = 0; j < k; j++) p[i * k + j] /= s;
        }
    }

    // ---------------------------------------------------------------- cross-entropy

    /**
     * Mean cross-entropy of the first {@code n} rows of z (rows, K) against labels (n); when dz is
     * not null, writes d(loss)/dz * gradOut into its first n rows (other rows untouched).
     */
    public static double crossEntropy(double[] z, int[] labels, int n, int k, double[] dz, double gradOut) {
        checkFinite("cross_entropy", z, n * k, n, k);
        ShapeException.check(labels.length >= n, "cross_entropy", "need " + n + " labels, got " + labels.length);
        double[] p = new double[n * k];
        softmax(z, p, n, k);
        double loss = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("cross_entropy: label " + y + " at row " + i + " is outside [0, " + k
                        + "); the dataset's labels do not match the model's " + k + " classes (check --dataset)");
            }
            double mx = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < k; j++) mx = Math.max(mx, z[i * k + j]);
            double s = 0;
            for (int j = 0; j < k; j++) s += Math.exp(z[i * k + j] - mx);
            loss += -(z[i * k + y] - mx - Math.log(s));
            if (dz != null) {
                for (int j = 0; j < k; j++) dz[i * k + j] = gradOut * (p[i * k + j] - (j == y ? 1 : 0)) / n;
            }
        }
        return loss / n;
    }

    // ---------------------------------------------------------------- Jensen-Shannon

    /**
     * The JS consistency term of z (3B, K) (unweighted: multiply by {@link #JSD_WEIGHT} for the
     * training loss). When dz is not null, writes d(JS)/dz * gradOut (3B, K).
     */
    public static double jsd(double[] z, int b, int k, double[] dz, double gradOut) {
        checkFinite("jsd", z, 3 * b * k, 3 * b, k);
        int nk = b * k;
        double[] p = new double[3 * nk];
        softmax(z, p, 3 * b, k);
        double[] logM = new double[nk];
        boolean[] open = new boolean[nk]; // the clamp is inactive: gradient flows through M
        for (int i = 0; i < nk; i++) {
            double m = (p[i] + p[nk + i] + p[2 * nk + i]) / 3;
            open[i] = m >= MIX_FLOOR && m <= 1;
            logM[i] = Math.log(Math.min(Math.max(m, MIX_FLOOR), 1));
        }
        double kl = 0;
        for (int v = 0; v < 3; v++) {
            for (int i = 0; i < nk; i++) {
                double pv = p[v * nk + i];
                if (pv > 0) kl += pv * (Math.log(pv) - logM[i]);
            }
        }
        double loss = kl / (3.0 * b);
        if (dz != null) {
            // dJS/dp_v = (log p_v + 1 - logM - [open]) / (3B); then through each row's softmax
            double scale = gradOut / (3.0 * b);
            double[] g = new double[k];
            for (int v = 0; v < 3; v++) {
                for (int r = 0; r < b; r++) {
                    int row = (v * b + r) * k;
                    double dot = 0;
                    for (int j = 0; j < k; j++) {
                        double pv = p[row + j];
                        int mi = r * k + j;
                        g[j] = pv > 0 ? Math.log(pv) + 1 - logM[mi] - (open[mi] ? 1 : 0) : 0;
                        dot += pv * g[j];
                    }
                    for (int j = 0; j < k; j++) dz[row + j] = scale * p[row + j] * (g[j] - dot);
                }
            }
        }
        return loss;
    }

    // ---------------------------------------------------------------- float entry points

    /** Float entry point of {@link #crossEntropy(double[], int[], int, int, double[], double)}. */
    public static float crossEntropy(float[] z, int[] labels, int n, int k, float[] dz, float gradOut) {
        double[] zd = toDouble(z, n * k);
        double[] dzd = dz == null ? null : new double[n * k];
        double v = crossEntropy(zd, labels, n, k, dzd, gradOut);
        if (dz != null) for (int i = 0; i < n * k; i++) dz[i] = (float) dzd[i];
        return (float) v;
    }

    /** Float entry point of {@link #jsd(double[], int, int, double[], double)}. */
    public static float jsd(float[] z, int b, int k, float[] dz, float gradOut) {
        double[] zd = toDouble(z, 3 * b * k);
        double[] dzd = dz == null ? null : new double[3 * b * k];
        double v = jsd(zd, b, k, dzd, gradOut);
        if (dz != null) for (int i = 0; i < 3 * b * k; i++) dz[i] = (float) dzd[i];
        return (float) v;
    }

    private static double[] toDouble(float[] z, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = z[i];
        return d;
    }

    /** Fails with a message naming the op, the shape and the likely fix when logits are NaN/Inf. */
    static void checkFinite(String op, double[] z, int len, int rows, int k) {
        ShapeException.check(z.length >= len, op, "logits have " + z.length + " values, expected (" + rows + ", " + k + ")");
        for (int i = 0; i < len; i++) {
            if (!Double.isFinite(z[i])) {
                throw new NonFiniteException(op + ": logits (" + rows + ", " + k + ") contain " + z[i] + " at row " + (i / k)
                        + ", class " + (i % k) + ". Training diverged or the input holds NaN/Inf: lower --learning-rate, "
                        + "check the data, or resume from the last good checkpoint.");
            }
        }
    }

    /** A NaN or infinity reached a loss. */
    public static final class NonFiniteException extends ArithmeticException {
        public NonFiniteException(String message) { super(message); }
    }

    // ---------------------------------------------------------------- training figures

    /**
     * The reference of kernels/losses.cu's train_stats_forward: stats[0] += loss * b (float),
     * stats[1] += how many of the first b rows of z (>= b, K) have their first maximum at their
     * label (strict >, so a NaN never wins), stats[2] += b.
     */
    public static void trainStats(float[] z, int[] labels, float loss, float[] stats, int b, int k) {
        int correct = 0;
        for (int i = 0; i < b; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) if (z[i * k + j] > z[i * k + arg]) arg = j;
            if (arg == labels[i]) correct++;
        }
        stats[0] += loss * (float) b;
        stats[1] += (float) correct;
        stats[2] += (float) b;
    }
}
