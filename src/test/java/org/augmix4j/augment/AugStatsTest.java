package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Fixed-seed statistical tests of the sampled randomness against exact distributions.
 * Thresholds (all at significance 0.001, so a correct sampler fails about once in a thousand
 * seeds; the seeds here are fixed, so the tests are deterministic):
 * Kolmogorov-Smirnov D &lt; 1.95 / sqrt(n); chi-square below the 0.001 critical value of its degrees
 * of freedom; Pearson |r| &lt; 3.29 / sqrt(n) for independence.
 */
class AugStatsTest {
    static final int N = 4000;

    static double ksCritical(int n) { return 1.95 / Math.sqrt(n); }

    /** Kolmogorov-Smirnov statistic of a sample against a continuous CDF. */
    static double ks(double[] x, DoubleUnaryOperator cdf) {
        double[] s = x.clone();
        Arrays.sort(s);
        double d = 0;
        for (int i = 0; i < s.length; i++) {
            double f = cdf.applyAsDouble(s[i]);
            d = Math.max(d, Math.max(f - (double) i / s.length, (double) (i + 1) / s.length - f));
        }
        return d;
    }

    static double chiSquare(int[] counts, double[] p) {
        long n = 0;
        for (int c : counts) n += c;
        double chi = 0;
        for (int i = 0; i < counts.length; i++) {
            double e = n * p[i];
            chi += (counts[i] - e) * (counts[i] - e) / e;
        }
        return chi;
    }

    static double pearson(double[] a, double[] b) {
        double ma = Arrays.stream(a).average().orElse(0), mb = Arrays.stream(b).average().orElse(0);
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.length; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.sqrt(saa * sbb);
    }

    /** Regularised incomplete beta I_x(a, b) for integer a, b: a binomial tail. */
    static double betaCdfInt(double x, int a, int b) {
        int n = a + b - 1;
        double s = 0;
        for (int j = a; j <= n; j++) s += binom(n, j) * Math.pow(x, j) * Math.pow(1 - x, n - j);
        return s;
    }

    static double binom(int n, int k) {
        double r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return r;
    }

    // ------------------------------------------------------------------ Dirichlet / Beta

    /** Marginal of a Dirichlet(alpha x 3) component is Beta(alpha, 2 alpha). */
    @Test
    void dirichletMarginalsKs() {
        record Case(double alpha, DoubleUnaryOperator cdf) {}
        List<Case> cases = List.of(
                new Case(1.0, x -> 1 - (1 - x) * (1 - x)),            // Beta(1, 2)
                new Case(0.5, Math::sqrt),                             // Beta(0.5, 1): x^0.5
                new Case(2.0, x -> betaCdfInt(x, 2, 4)));             // Beta(2, 4)
        for (Case c : cases) {
            double[][] comp = new double[3][N];
            for (int s = 0; s < N; s++) {
                float[] w = Samplers.dirichlet(11L, 0, s, 1, 3, c.alpha());
                double sum = 0;
                for (int k = 0; k < 3; k++) {
                    comp[k][s] = w[k];
                    sum += w[k];
                    assertTrue(w[k] >= 0 && w[k] <= 1, "w in [0,1]");
                }
                assertEquals(1.0, sum, 1e-6, "w sums to 1");
            }
            for (int k = 0; k < 3; k++) {
                double d = ks(comp[k], c.cdf());
                assertTrue(d < ksCritical(N), "Dirichlet(" + c.alpha() + ") component " + k + ": KS D = " + d);
            }
        }
    }

    @Test
    void betaKs() {
        record Case(double alpha, DoubleUnaryOperator cdf) {}
        List<Case> cases = List.of(
                new Case(1.0, x -> x),
                new Case(0.5, x -> 2 / Math.PI * Math.asin(Math.sqrt(x))),
                new Case(2.0, x -> 3 * x * x - 2 * x * x * x),
                new Case(0.2, null));
        for (Case c : cases) {
            double[] m = new double[N];
            for (int s = 0; s < N; s++) {
                m[s] = Samplers.beta(13L, 2, s, 1, c.alpha());
                assertTrue(m[s] >= 0 && m[s] <= 1);
            }
            if (c.cdf() != null) {
                double d = ks(m, c.cdf());
                assertTrue(d < ksCritical(N), "Beta(" + c.alpha() + "): KS D = " + d);
            } else {
                // Beta(0.2, 0.2): symmetric about 1/2, mean 1/2, variance 1/(4(2a+1)) = 1/5.6
                double mean = Arrays.stream(m).average().orElse(0), var = 0;
                for (double v : m) var += (v - mean) * (v - mean);
                var /= N;
                assertEquals(0.5, mean, 4 * Math.sqrt(1 / 5.6 / N), "Beta(0.2) mean");
                assertEquals(1 / 5.6, var, 0.01, "Beta(0.2) variance");
            }
        }
    }

    @Test
    void gammaMomentsSmallAndLargeShape() {
        for (double a : new double[] {0.05, 0.3, 1.0, 2.5, 9.0}) {
            int n = 8000;
            double s = 0, s2 = 0;
            for (int i = 0; i < n; i++) {
                double g = Samplers.gamma(a, new Philox.Uniforms(17L, 0, i, Philox.TAG_DIRICHLET, 1, 0, 0));
                assertTrue(g >= 0 && Double.isFinite(g));
                s += g;
                s2 += g * g;
            }
            double mean = s / n, var = s2 / n - mean * mean;
            // mean a, variance a; 4.5 standard errors (the sample variance's error uses the 4th moment 3a^2 + 6a)
            assertEquals(a, mean, 4.5 * Math.sqrt(a / n), "Gamma(" + a + ") mean");
            assertEquals(a, var, 4.5 * Math.sqrt((3 * a * a + 6 * a - a * a) / n), "Gamma(" + a + ") variance");
        }
    }

    @Test
    void alphaOneIsExactMinusLogNormalised() {
        int[] r = new int[4];
        float[] w = Samplers.dirichlet(3L, 1, 2, 1, 3, 1.0);
        double[] g = new double[3];
        double acc = 0;
        for (int k = 0; k < 3; k++) {
            Philox.draw(3L, 1, 2, Philox.TAG_DIRICHLET, 1, k, 0, 0, r);
            g[k] = -StrictMath.log(1.0 - Philox.u53(r[0], r[1]));
            acc += g[k];
        }
        for (int k = 0; k < 3; k++) assertEquals((float) (g[k] * (1.0 / acc)), w[k]);
        Philox.draw(3L, 1, 2, Philox.TAG_BETA, 1, 0, 0, 0, r);
        assertEquals((float) Philox.u53(r[0], r[1]), Samplers.beta(3L, 1, 2, 1, 1.0));
    }

    // ------------------------------------------------------------------ levels, ops, depths

    @Test
    void levelsOpsDepthsAndParameters() {
        for (boolean all : new boolean[] {false, true}) {
            AugMixConfig cfg = AugMixConfig.defaults().withAllOps(all);
            int nOps = cfg.ops().size();
            int[] opCount = new int[nOps], depthCount = new int[3];
            int[] rot = new int[9], trans = new int[4], post = new int[2];
            int signs = 0, signed = 0;
            double[] levels = new double[20000];
            int nl = 0;
            for (int s = 0; s < 3000; s++) {
                for (int v = 1; v <= 2; v++) {
                    AugMix.ViewProgram p = AugMix.program(21L, 5, s, v, cfg, 32, 32);
                    for (AugMix.Chain c : p.chains()) {
                        depthCount[c.depth() - 1]++;
                        for (AugMix.Step st : c.steps()) {
                            opCount[cfg.ops().indexOf(st.op())]++;
                            assertTrue(st.level() >= 0.1 && st.level() < 3.0, "level in [0.1, 3): " + st.level());
                            if (nl < levels.length) levels[nl++] = st.level();
                            if (st.op().signed()) {
                                signed++;
                                if (st.negate()) signs++;
                            }
                            double a = Math.abs(st.param());
                            switch (st.op()) {
                                case ROTATE -> rot[(int) a]++;
                                case TRANSLATE_X, TRANSLATE_Y -> trans[(int) a]++;
                                case POSTERIZE -> post[4 - (int) a]++;
                                case SOLARIZE -> assertTrue(a >= 180 && a <= 254, "threshold " + a);
                                case SHEAR_X, SHEAR_Y -> assertTrue(a >= 0.003 && a < 0.09, "shear " + a);
                                case COLOR, CONTRAST, BRIGHTNESS, SHARPNESS -> assertTrue(a >= 0.118 && a < 0.64, "factor " + a);
                                default -> { }
                            }
                        }
                    }
                }
            }
            double[] pOps = new double[nOps];
            Arrays.fill(pOps, 1.0 / nOps);
            double chiOps = chiSquare(opCount, pOps);
            // 0.001 critical values: 8 dof 26.12, 12 dof 32.91
            assertTrue(chiOps < (all ? 32.91 : 26.12), "op frequencies uniform, chi2 = " + chiOps + " " + Arrays.toString(opCount));
            double chiDepth = chiSquare(depthCount, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0});
            assertTrue(chiDepth < 13.82, "depth uniform in 1..3, chi2 = " + chiDepth);
            double d = ks(Arrays.copyOf(levels, nl), x -> (x - 0.1) / 2.9);
            assertTrue(d < ksCritical(nl), "level ~ U[0.1, 3): KS D = " + d);
            assertTrue(Math.abs(signs - signed / 2.0) < 3.29 * Math.sqrt(signed / 4.0), "sign p = 0.5");
            // exact parameter distributions at severity 3 (spec 2.1): rotate int(3U), translate int(1.0667U), posterize
            double[] pRot = new double[9];
            pRot[0] = 0.2333 / 2.9;
            for (int k = 1; k < 9; k++) pRot[k] = 1 / 3.0 / 2.9;
            pRot[0] = 1 - 8 * pRot[1];
            assertTrue(chiSquare(rot, pRot) < 26.12, "rotate degrees " + Arrays.toString(rot));
            double step = 10 / (32 / 3.0); // level width per translate pixel
            double[] pTr = {(step - 0.1) / 2.9, step / 2.9, step / 2.9, (2.9 - (3 * step - 0.1)) / 2.9};
            assertTrue(chiSquare(trans, pTr) < 16.27, "translate pixels " + Arrays.toString(trans));
            assertTrue(chiSquare(post, new double[] {2.4 / 2.9, 0.5 / 2.9}) < 10.83, "posterize bits " + Arrays.toString(post));
        }
    }

    // ------------------------------------------------------------------ independence

    @Test
    void differentIndicesAreIndependent() {
        AugMixConfig cfg = AugMixConfig.defaults();
        int n = 6000;
        double[] m = new double[n], mNextSample = new double[n], mNextEpoch = new double[n], mOtherView = new double[n];
        double[] w0 = new double[n], w0NextSample = new double[n], lvl = new double[n], lvlNextSample = new double[n];
        for (int s = 0; s < n; s++) {
            AugMix.ViewProgram a = AugMix.program(31L, 4, s, 1, cfg, 32, 32);
            AugMix.ViewProgram b = AugMix.program(31L, 4, s + 1, 1, cfg, 32, 32);
            AugMix.ViewProgram c = AugMix.program(31L, 5, s, 1, cfg, 32, 32);
            AugMix.ViewProgram d = AugMix.program(31L, 4, s, 2, cfg, 32, 32);
            m[s] = a.m();
            mNextSample[s] = b.m();
            mNextEpoch[s] = c.m();
            mOtherView[s] = d.m();
            w0[s] = a.w()[0];
            w0NextSample[s] = b.w()[0];
            lvl[s] = a.chains().get(0).steps().get(0).level();
            lvlNextSample[s] = b.chains().get(0).steps().get(0).level();
        }
        double lim = 3.29 / Math.sqrt(n);
        double[][] pairs = {
            {pearson(m, mNextSample)}, {pearson(m, mNextEpoch)}, {pearson(m, mOtherView)},
            {pearson(w0, w0NextSample)}, {pearson(lvl, lvlNextSample)}, {pearson(m, w0)}, {pearson(m, lvl)},
        };
        String[] names = {"m(s) vs m(s+1)", "m(e) vs m(e+1)", "m(view1) vs m(view2)", "w0(s) vs w0(s+1)",
            "level(s) vs level(s+1)", "m vs w0", "m vs level"};
        for (int i = 0; i < pairs.length; i++) {
            assertTrue(Math.abs(pairs[i][0]) < lim, names[i] + ": |r| = " + Math.abs(pairs[i][0]) + " >= " + lim);
        }
        // crops of neighbouring samples and epochs
        double[] t = new double[n], tn = new double[n], te = new double[n];
        for (int s = 0; s < n; s++) {
            t[s] = Philox.crop(31L, 4, s, 4).top();
            tn[s] = Philox.crop(31L, 4, s + 1, 4).top();
            te[s] = Philox.crop(31L, 5, s, 4).top();
        }
        assertTrue(Math.abs(pearson(t, tn)) < lim, "crop top(s) vs top(s+1)");
        assertTrue(Math.abs(pearson(t, te)) < lim, "crop top(e) vs top(e+1)");
    }
}
