package org.augmix4j.augment;

/**
 * The continuous samplers of AugMix: Dirichlet(alpha, ..., alpha) for the chain weights w and
 * Beta(alpha, alpha) for the mixing weight m, each reading its own Philox sub-stream (see
 * {@link Philox}: {@code TAG_DIRICHLET} component k, {@code TAG_BETA} component 0/1).
 *
 * <ul>
 * <li>alpha = 1 (the official default): Dirichlet = {@code g_k = -log(1 - U_0)} of component k's
 *     stream, normalised as NumPy's legacy {@code dirichlet} does ({@code g_k * (1 / sum)}, sum in
 *     k order); Beta(1, 1) = {@code U_0} of component 0 exactly (no transcendental, so bit-exact on
 *     any device).</li>
 * <li>alpha != 1: Gamma(alpha) by Marsaglia-Tsang (2000) with normals from Box-Muller; alpha &lt; 1 uses
 *     the boost {@code Gamma(a) = Gamma(a + 1) * U^(1/a)} evaluated in log space, and the
 *     normalisation subtracts the largest log, so tiny alphas never give 0/0.</li>
 * </ul>
 * Results are rounded to float32 as the official code does ({@code np.float32(...)}).
 * Using {@code log}, {@code exp}, {@code cos}, {@code pow} on another device may move the weights
 * in their last bits (so: tolerance 1e-6 for alpha = 1; compare distributions, not draws, for alpha != 1).
 */
public final class Samplers {
    private Samplers() {}

    /** Validates a concentration parameter. */
    public static void checkAlpha(double alpha) {
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be a finite number > 0 (Dirichlet/Beta concentration); got " + alpha);
        }
    }

    /** Standard normal by Box-Muller from two uniforms of {@code u}. */
    static double normal(Philox.Uniforms u) {
        double u1 = 1.0 - u.next(); // (0, 1]
        double u2 = u.next();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    /** Gamma(a, 1) for a &ge; 1 by Marsaglia-Tsang. */
    static double gammaAtLeast1(double a, Philox.Uniforms u) {
        if (a == 1.0) return -StrictMath.log(1.0 - u.next());
        double d = a - 1.0 / 3.0;
        double c = 1.0 / StrictMath.sqrt(9.0 * d);
        while (true) {
            double x, v;
            do {
                x = normal(u);
                v = 1.0 + c * x;
            } while (v <= 0.0);
            v = v * v * v;
            double uu = u.next();
            double x2 = x * x;
            if (uu < 1.0 - 0.0331 * x2 * x2) return d * v;
            if (StrictMath.log(uu) < 0.5 * x2 + d * (1.0 - v + StrictMath.log(v))) return d * v;
        }
    }

    /** log Gamma(a, 1) draw, for any a &gt; 0 (boosted in log space for a &lt; 1). */
    static double logGamma(double a, Philox.Uniforms u) {
        if (a >= 1.0) return StrictMath.log(gammaAtLeast1(a, u));
        double g = gammaAtLeast1(a + 1.0, u);
        double uu = 1.0 - u.next(); // (0, 1]
        return StrictMath.log(g) + StrictMath.log(uu) / a;
    }

    /**
     * w ~ Dirichlet(alpha * ones(width)) for AugMix view {@code view} of (sample, epoch), as float32.
     * Component k reads sub-stream (TAG_DIRICHLET, view, k, 0).
     */
    public static float[] dirichlet(long seed, int epoch, int sample, int view, int width, double alpha) {
        checkAlpha(alpha);
        float[] w = new float[width];
        double[] g = new double[width];
        if (alpha >= 1.0) {
            double acc = 0;
            for (int k = 0; k < width; k++) {
                Philox.Uniforms u = new Philox.Uniforms(seed, epoch, sample, Philox.TAG_DIRICHLET, view, k, 0);
                g[k] = gammaAtLeast1(alpha, u);
                acc += g[k];
            }
            double inv = 1.0 / acc;
            for (int k = 0; k < width; k++) w[k] = (float) (g[k] * inv);
        } else {
            double mx = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < width; k++) {
                Philox.Uniforms u = new Philox.Uniforms(seed, epoch, sample, Philox.TAG_DIRICHLET, view, k, 0);
                g[k] = logGamma(alpha, u);
                mx = Math.max(mx, g[k]);
            }
            double acc = 0;
            for (int k = 0; k < width; k++) {
                g[k] = StrictMath.exp(g[k] - mx);
                acc += g[k];
            }
            double inv = 1.0 / acc;
            for (int k = 0; k < width; k++) w[k] = (float) (g[k] * inv);
        }
        return w;
    }

    /**
     * m ~ Beta(alpha, alpha) for AugMix view {@code view} of (sample, epoch), as float32. alpha = 1:
     * the first uniform of sub-stream (TAG_BETA, view, 0, 0); otherwise Ga / (Ga + Gb) with Ga from
     * component 0 and Gb from component 1.
     */
    public static float beta(long seed, int epoch, int sample, int view, double alpha) {
        checkAlpha(alpha);
        Philox.Uniforms ua = new Philox.Uniforms(seed, epoch, sample, Philox.TAG_BETA, view, 0, 0);
        if (alpha == 1.0) return (float) ua.next();
        Philox.Uniforms ub = new Philox.Uniforms(seed, epoch, sample, Philox.TAG_BETA, view, 1, 0);
        if (alpha > 1.0) {
            double ga = gammaAtLeast1(alpha, ua), gb = gammaAtLeast1(alpha, ub);
            return (float) (ga / (ga + gb));
        }
        double la = logGamma(alpha, ua), lb = logGamma(alpha, ub);
        // Ga / (Ga + Gb) = 1 / (1 + exp(lb - la)), stable for any magnitudes
        return (float) (1.0 / (1.0 + StrictMath.exp(lb - la)));
    }

    /** A Gamma(a) draw from the given uniform stream (exposed for the statistical tests). */
    public static double gamma(double a, Philox.Uniforms u) {
        checkAlpha(a);
        return a >= 1.0 ? gammaAtLeast1(a, u) : StrictMath.exp(logGamma(a, u));
    }
}
