package org.augmix4j.ops;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.augmix4j.cpu.Gemm;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * Batch normalisation over (N, C, HW) activations, PyTorch semantics (BatchNorm2d, affine):
 * training normalises with the batch mean and the biased variance, and updates the running
 * statistics with momentum 0.1 from the first step using the unbiased variance m/(m-1);
 * evaluation normalises with the running statistics. eps 1e-5.
 *
 * <p>CPU reference and CPU engine (float32 storage, parallel over channels). The forward statistics
 * accumulate in double (float vectors widened to double vectors, four accumulators; the rounded float mean
 * is what decides ReLU signs downstream, so it stays as exact as the peer's); the backward sums
 * use float vector lanes per row added into doubles.
 * float64 paths ({@code *Ref}) for gradient checks. Shapes: x, y, dy, dx (N, C, HW); gamma, beta,
 * running stats, saved mean / inverse std (C).
 */
public final class BatchNorm {
    public static final float MOMENTUM = 0.1f;
    public static final float EPS = 1e-5f;
    /** The one species the CPU engine uses (mixing species slows every vector loop on JDK 17). */
    private static final VectorSpecies<Float> SP = Gemm.SP;

    private BatchNorm() {}

    // ---------------------------------------------------------------- row kernels

    /** Doubles of the float species' width (the statistics accumulate in double, as before). */
    private static final VectorSpecies<Double> DP = DoubleVector.SPECIES_512.length() * 2 == SP.length()
            ? DoubleVector.SPECIES_512 : null;

    /**
     * Sum of x[base, base+hw) in double: each float vector widened to two double vectors, four
     * double accumulators (then the tail in scalars); where the float species is not 512 bits, four
     * interleaved scalar partial sums.
     */
    private static double rowSum(float[] x, int base, int hw) {
        int j = 0;
        double s = 0;
        if (DP != null) {
            DoubleVector a = DoubleVector.zero(DP), b = a, c = a, d = a;
            for (int L = SP.length(); j + 2 * L <= hw; j += 2 * L) {
                FloatVector v = FloatVector.fromArray(SP, x, base + j), w = FloatVector.fromArray(SP, x, base + j + L);
                a = a.add((DoubleVector) v.convertShape(VectorOperators.F2D, DP, 0));
                b = b.add((DoubleVector) v.convertShape(VectorOperators.F2D, DP, 1));
                c = c.add((DoubleVector) w.convertShape(VectorOperators.F2D, DP, 0));
                d = d.add((DoubleVector) w.convertShape(VectorOperators.F2D, DP, 1));
            }
            s = a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; j + 4 <= hw; j += 4) {
            s0 += x[base + j];
            s1 += x[base + j + 1];
            s2 += x[base + j + 2];
            s3 += x[base + j + 3];
        }
        for (; j < hw; j++) s0 += x[base + j];
        return s + ((s0 + s1) + (s2 + s3));
    }

    /** Sum of (x - mean)^2 over the row in double, laid out as {@link #rowSum}. */
    private static double rowSquares(float[] x, int base, int hw, double mean) {
        int j = 0;
        double s = 0;
        if (DP != null) {
            DoubleVector m = DoubleVector.broadcast(DP, mean), a = DoubleVector.zero(DP), b = a, c = a, d = a;
            for (int L = SP.length(); j + 2 * L <= hw; j += 2 * L) {
                FloatVector v = FloatVector.fromArray(SP, x, base + j), w = FloatVector.fromArray(SP, x, base + j + L);
                DoubleVector e = ((DoubleVector) v.convertShape(VectorOperators.F2D, DP, 0)).sub(m);
                a = e.fma(e, a);
                e = ((DoubleVector) v.convertShape(VectorOperators.F2D, DP, 1)).sub(m);
                b = e.fma(e, b);
                e = ((DoubleVector) w.convertShape(VectorOperators.F2D, DP, 0)).sub(m);
                c = e.fma(e, c);
                e = ((DoubleVector) w.convertShape(VectorOperators.F2D, DP, 1)).sub(m);
                d = e.fma(e, d);
            }
            s = a.add(b).add(c.add(d)).reduceLanes(VectorOperators.ADD);
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (; j + 4 <= hw; j += 4) {
            double d0 = x[base + j] - mean, d1 = x[base + j + 1] - mean, d2 = x[base + j + 2] - mean, d3 = x[base + j + 3] - mean;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
        }
        for (; j < hw; j++) {
            double d = x[base + j] - mean;
            s0 += d * d;
        }
        return s + ((s0 + s1) + (s2 + s3));
    }

    /**
     * Adds sum(g) and sum(g * xhat), xhat = (x - mean) * inv, over one row to sums[0], sums[1], where g = dy masked by
     * reluOut > 0 when reluOut is given. Float vector lanes, reduced into doubles.
     */
    private static void rowGradSums(float[] x, float[] dy, float[] reluOut, int base, int hw, float mean, float inv, double[] sums) {
        FloatVector a = FloatVector.zero(SP), b = FloatVector.zero(SP), vm = FloatVector.broadcast(SP, mean);
        FloatVector vinv = FloatVector.broadcast(SP, inv);
        int j = 0, up = SP.loopBound(hw);
        for (; j < up; j += SP.length()) {
            FloatVector g = FloatVector.fromArray(SP, dy, base + j);
            if (reluOut != null) {
                g = FloatVector.zero(SP).blend(g, FloatVector.fromArray(SP, reluOut, base + j).compare(VectorOperators.GT, 0f));
            }
            a = a.add(g);
            b = b.add(g.mul(FloatVector.fromArray(SP, x, base + j).sub(vm).mul(vinv)));
        }
        double sa = a.reduceLanes(VectorOperators.ADD), sb = b.reduceLanes(VectorOperators.ADD);
        for (; j < hw; j++) {
            float g = reluOut == null || reluOut[base + j] > 0f ? dy[base + j] : 0f;
            sa += g;
            sb += g * ((x[base + j] - mean) * inv);
        }
        sums[0] += sa;
        sums[1] += sb;
    }

    /** dx = k * (g - mdy - (x - mean) * inv * mdyx) over one row, g masked as in rowGradSums. */
    private static void rowDx(float[] x, float[] dy, float[] reluOut, float[] dx, int base, int hw, float mean, float inv,
                              float k, float mdy, float mdyx) {
        FloatVector vm = FloatVector.broadcast(SP, mean), vinv = FloatVector.broadcast(SP, inv), vk = FloatVector.broadcast(SP, k);
        FloatVector vmdy = FloatVector.broadcast(SP, mdy), vmdyx = FloatVector.broadcast(SP, mdyx);
        int j = 0, up = SP.loopBound(hw);
        for (; j < up; j += SP.length()) {
            FloatVector g = FloatVector.fromArray(SP, dy, base + j);
            if (reluOut != null) {
                g = FloatVector.zero(SP).blend(g, FloatVector.fromArray(SP, reluOut, base + j).compare(VectorOperators.GT, 0f));
            }
            FloatVector xhat = FloatVector.fromArray(SP, x, base + j).sub(vm).mul(vinv);
            g.sub(vmdy).sub(xhat.mul(vmdyx)).mul(vk).intoArray(dx, base + j);
        }
        for (; j < hw; j++) {
            float g = reluOut == null || reluOut[base + j] > 0f ? dy[base + j] : 0f;
            float xhat = (x[base + j] - mean) * inv;
            dx[base + j] = k * (g - mdy - xhat * mdyx);
        }
    }

    private static void check(String op, float[] x, float[] y, int n, int c, int hw, float[] perChannel) {
        ShapeException.check(n > 0 && c > 0 && hw > 0, op, "sizes must be positive, got N=" + n + " C=" + c + " HW=" + hw);
        long len = (long) n * c * hw;
        ShapeException.check(x.length == len && y.length == len, op, "x has " + x.length + " and y " + y.length
                + " values, expected N*C*HW = " + len + " for (N, C, HW) = (" + n + ", " + c + ", " + hw + ")");
        ShapeException.check(perChannel.length == c, op, "per-channel arrays must have C = " + c + " values, got " + perChannel.length);
        ShapeException.check(n * hw > 1, op, "training batch norm needs more than one value per channel (N*HW = " + (n * hw)
                + "); use a batch of at least 2 images or evaluation mode");
    }

    // ---------------------------------------------------------------- training

    /**
     * Training forward: y = (x - mean) * invstd * gamma + beta with batch statistics; updates
     * runMean/runVar in place; writes saveMean and saveInvstd (C) for the backward.
     */
    public static void trainForward(float[] x, float[] y, int n, int c, int hw, float[] gamma, float[] beta,
                                    float[] runMean, float[] runVar, float[] saveMean, float[] saveInvstd) {
        trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvstd, false);
    }

    /** {@link #trainForward} followed by ReLU in the same pass when {@code relu} (the pre-activation pair). */
    public static void trainForward(float[] x, float[] y, int n, int c, int hw, float[] gamma, float[] beta,
                                    float[] runMean, float[] runVar, float[] saveMean, float[] saveInvstd, boolean relu) {
        check("batch_norm(train)", x, y, n, c, hw, gamma);
        final int m = n * hw;
        Parallel.range(c, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                double sum = 0;
                for (int i = 0; i < n; i++) sum += rowSum(x, (i * c + ch) * hw, hw);
                double mean = sum / m;
                double sq = 0;
                for (int i = 0; i < n; i++) sq += rowSquares(x, (i * c + ch) * hw, hw, mean);
                double var = sq / m;
                float fm = (float) mean;
                float inv = (float) (1.0 / Math.sqrt(var + EPS));
                saveMean[ch] = fm;
                saveInvstd[ch] = inv;
                // PyTorch's CPU form: y = x * alpha + (beta - mean * alpha), so ReLU decisions on
                // values near 0 round the same way as the peer's
                float a = inv * gamma[ch], b = beta[ch] - fm * a;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * hw;
                    if (relu) {
                        for (int j = 0; j < hw; j++) y[base + j] = Math.max(x[base + j] * a + b, 0f);
                    } else {
                        for (int j = 0; j < hw; j++) y[base + j] = x[base + j] * a + b;
                    }
                }
                runMean[ch] = (float) ((1 - MOMENTUM) * runMean[ch] + MOMENTUM * mean);
                runVar[ch] = (float) ((1 - MOMENTUM) * runVar[ch] + MOMENTUM * var * m / (m - 1));
            }
        });
    }

    /**
     * Training backward. dx (N, C, HW) is overwritten; dgamma, dbeta (C) are accumulated (+=).
     * dx = gamma * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)).
     */
    public static void trainBackward(float[] x, float[] dy, float[] dx, int n, int c, int hw, float[] gamma,
                                     float[] saveMean, float[] saveInvstd, float[] dgamma, float[] dbeta) {
        trainBackward(x, dy, null, dx, n, c, hw, gamma, saveMean, saveInvstd, dgamma, dbeta);
    }

    /**
     * Backward of the fused BN + ReLU when {@code reluOut} (the fused output) is given: the incoming
     * gradient is masked by reluOut > 0 first. dx overwritten; dgamma, dbeta accumulated.
     */
    public static void trainBackward(float[] x, float[] dy, float[] reluOut, float[] dx, int n, int c, int hw, float[] gamma,
                                     float[] saveMean, float[] saveInvstd, float[] dgamma, float[] dbeta) {
        check("batch_norm_backward", x, dy, n, c, hw, gamma);
        final int m = n * hw;
        Parallel.range(c, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float mean = saveMean[ch], inv = saveInvstd[ch];
                double[] sums = new double[2];
                for (int i = 0; i < n; i++) rowGradSums(x, dy, reluOut, (i * c + ch) * hw, hw, mean, inv, sums);
                double sdy = sums[0], sdyx = sums[1];
                dgamma[ch] += (float) sdyx;
                dbeta[ch] += (float) sdy;
                float k = gamma[ch] * inv, mdy = (float) (sdy / m), mdyx = (float) (sdyx / m);
                for (int i = 0; i < n; i++) rowDx(x, dy, reluOut, dx, (i * c + ch) * hw, hw, mean, inv, k, mdy, mdyx);
            }
        });
    }

    // ---------------------------------------------------------------- evaluation

    /** Evaluation forward with the running statistics. */
    public static void evalForward(float[] x, float[] y, int n, int c, int hw, float[] gamma, float[] beta,
                                   float[] runMean, float[] runVar) {
        ShapeException.check((long) n * c * hw == x.length && x.length == y.length && gamma.length == c, "batch_norm(eval)",
                "x/y must have N*C*HW values and gamma C values for (N, C, HW) = (" + n + ", " + c + ", " + hw + ")");
        Parallel.range(c, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float inv = (float) (1.0 / Math.sqrt(runVar[ch] + (double) EPS));
                float a = inv * gamma[ch], b = beta[ch] - runMean[ch] * a;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) y[base + j] = x[base + j] * a + b;
                }
            }
        });
    }

    /** Evaluation backward: dx overwritten, dgamma/dbeta accumulated. */
    public static void evalBackward(float[] x, float[] dy, float[] dx, int n, int c, int hw, float[] gamma,
                                    float[] runMean, float[] runVar, float[] dgamma, float[] dbeta) {
        Parallel.range(c, (c0, c1) -> {
            for (int ch = c0; ch < c1; ch++) {
                float inv = (float) (1.0 / Math.sqrt(runVar[ch] + (double) EPS));
                float mu = runMean[ch], k = gamma[ch] * inv;
                double sdy = 0, sdyx = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * hw;
                    for (int j = 0; j < hw; j++) {
                        float g = dy[base + j];
                        sdy += g;
                        sdyx += g * ((x[base + j] - mu) * inv);
                        dx[base + j] = k * g;
                    }
                }
                dgamma[ch] += (float) sdyx;
                dbeta[ch] += (float) sdy;
            }
        });
    }

    // ---------------------------------------------------------------- float64 reference (gradient checks)

    /** Training forward in double; running stats not touched; saveMean/saveInvstd written. */
    public static void trainForwardRef(double[] x, double[] y, int n, int c, int hw, double[] gamma, double[] beta,
                                       double[] saveMean, double[] saveInvstd) {
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sum = 0, sq = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) sum += x[(i * c + ch) * hw + j];
            double mean = sum / m;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                double d = x[(i * c + ch) * hw + j] - mean;
                sq += d * d;
            }
            double inv = 1.0 / Math.sqrt(sq / m + EPS);
            saveMean[ch] = mean;
            saveInvstd[ch] = inv;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                int k = (i * c + ch) * hw + j;
                y[k] = (x[k] - mean) * inv * gamma[ch] + beta[ch];
            }
        }
    }

    /** Training backward in double: dx overwritten, dgamma/dbeta accumulated. */
    public static void trainBackwardRef(double[] x, double[] dy, double[] dx, int n, int c, int hw, double[] gamma,
                                        double[] saveMean, double[] saveInvstd, double[] dgamma, double[] dbeta) {
        int m = n * hw;
        for (int ch = 0; ch < c; ch++) {
            double sdy = 0, sdyx = 0;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                int k = (i * c + ch) * hw + j;
                sdy += dy[k];
                sdyx += dy[k] * (x[k] - saveMean[ch]) * saveInvstd[ch];
            }
            dgamma[ch] += sdyx;
            dbeta[ch] += sdy;
            for (int i = 0; i < n; i++) for (int j = 0; j < hw; j++) {
                int k = (i * c + ch) * hw + j;
                double xhat = (x[k] - saveMean[ch]) * saveInvstd[ch];
                dx[k] = gamma[ch] * saveInvstd[ch] * (dy[k] - sdy / m - xhat * sdyx / m);
            }
        }
    }
}
