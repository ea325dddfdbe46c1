package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.ops.Losses;
import org.openjdk.jmh.annotations.*;

/**
 * The AugMix losses, value and gradient in one call as training uses them: the Jensen-Shannon
 * term over logits (3B, K) = cat(clean, aug1, aug2) and the cross-entropy over (B, K), for B
 * samples and K classes (10: CIFAR-10, 100: CIFAR-100). Score: ops/s = calls/s; the
 * {@code samples} counter gives samples/s (B per call). Bytes per call (logits in, gradient out,
 * float32): JSD 24 B K, CE 8 B K - a few KB, so the time is compute (exp, log), not memory.
 * Setup checks both against a plain float64 implementation written here from the formulas
 * (Hendrycks et al., ICLR 2020, section 3; cifar.py's train()): value to 1e-6 relative, and the gradient against central
 * differences of that implementation on 32 entries.
 * Run: bench/run.sh LossBench
 */
public class LossBench extends ThroughputBenchDefaults {
    @Param({"128", "512"})
    int batch;
    @Param({"10", "100"})
    int classes;

    float[] z, dz;
    int[] labels;

    @Setup(Level.Trial)
    public void setup() {
        Random r = new Random(3);
        z = BenchSupport.gaussian(r, 3 * batch * classes, 2.0);
        dz = new float[z.length];
        labels = new int[batch];
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(classes);
        validate(r);
    }

    // plain reference, double, straight from the formulas
    static double refJsd(double[] z, int b, int k) {
        double[][] p = new double[3 * b][];
        for (int i = 0; i < 3 * b; i++) p[i] = softmax(z, i * k, k);
        double kl = 0;
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < k; j++) {
                double m = (p[i][j] + p[b + i][j] + p[2 * b + i][j]) / 3;
                double logm = Math.log(Math.min(Math.max(m, 1e-7), 1));
                for (int v = 0; v < 3; v++) {
                    double pv = p[v * b + i][j];
                    if (pv > 0) kl += pv * (Math.log(pv) - logm);
                }
            }
        }
        return kl / b / 3;
    }

    static double refCe(double[] z, int[] y, int b, int k) {
        double s = 0;
        for (int i = 0; i < b; i++) s -= Math.log(softmax(z, i * k, k)[y[i]]);
        return s / b;
    }

    static double[] softmax(double[] z, int off, int k) {
        double mx = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < k; j++) mx = Math.max(mx, z[off + j]);
        double[] p = new double[k];
        for (int j = 0; j < k; j++) sum += p[j] = Math.exp(z[off + j] - mx);
        for (int j = 0; j < k; j++) p[j] /= sum;
        return p;
    }

    void validate(Random r) {
        double[] zd = BenchSupport.toDouble(z);
        float jsd = Losses.jsd(z, batch, classes, dz, 1f);
        double want = refJsd(zd, batch, classes);
        BenchSupport.require("JSD value vs the float64 reference", Math.abs(jsd - want) / Math.abs(want), 1e-6);
        float[] dce = new float[batch * classes];
        float ce = Losses.crossEntropy(z, labels, batch, classes, dce, 1f);
        double wantCe = refCe(zd, labels, batch, classes);
        BenchSupport.require("cross-entropy value vs the float64 reference", Math.abs(ce - wantCe) / Math.abs(wantCe), 1e-6);
        double h = 1e-5;
        for (int t = 0; t < 32; t++) {
            int i = r.nextInt(z.length);
            double keep = zd[i];
            zd[i] = keep + h;
            double jp = refJsd(zd, batch, classes);
            zd[i] = keep - h;
            double jm = refJsd(zd, batch, classes);
            zd[i] = keep;
            double g = (jp - jm) / (2 * h);
            BenchSupport.require("JSD gradient entry " + i + " (" + dz[i] + " vs " + g + ")", Math.abs(dz[i] - g), 1e-8 + 1e-4 * Math.abs(g));
            if (i < batch * classes) {
                zd[i] = keep + h;
                double cp = refCe(zd, labels, batch, classes);
                zd[i] = keep - h;
                double cm = refCe(zd, labels, batch, classes);
                zd[i] = keep;
                double gc = (cp - cm) / (2 * h);
                BenchSupport.require("CE gradient entry " + i, Math.abs(dce[i] - gc), 1e-8 + 1e-4 * Math.abs(gc));
            }
        }
    }

    @Benchmark
    public float jsd(BenchSupport.Samples work) {
        work.samples += batch;
        return Losses.jsd(z, batch, classes, dz, 1f);
    }

    @Benchmark
    public float crossEntropy(BenchSupport.Samples work) {
        work.samples += batch;
        return Losses.crossEntropy(z, labels, batch, classes, dz, 1f);
    }
}
