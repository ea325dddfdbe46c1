package org.augmix4j.nn;

import java.util.Map;
import org.augmix4j.ops.BatchNorm;
import org.augmix4j.ops.Conv;
import org.augmix4j.ops.Elementwise;
import org.augmix4j.ops.Linear;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.Pool;

/**
 * A float64 forward of the official WideResNet in training mode, composed from the ops' float64
 * reference paths, for whole-network finite-difference checks. Parameters come from a state dict
 * (as doubles), so a single entry can be nudged by +-eps.
 */
final class DoubleWrn {
    private final int depth, widen, classes;
    private final Map<String, double[]> p;

    DoubleWrn(int depth, int widen, int classes, Map<String, double[]> params) {
        this.depth = depth;
        this.widen = widen;
        this.classes = classes;
        this.p = params;
    }

    private record Act(double[] v, int n, int c, int h, int w) {}

    private Act conv(Act x, String key, int k, int r, int stride, int pad) {
        int ho = Conv.outSize(x.h, r, stride, pad), wo = Conv.outSize(x.w, r, stride, pad);
        double[] y = new double[x.n * k * ho * wo];
        Conv.forwardRef(x.v, p.get(key), y, x.n, x.c, x.h, x.w, k, r, r, stride, pad);
        return new Act(y, x.n, k, ho, wo);
    }

    private Act bnRelu(Act x, String prefix) {
        double[] y = new double[x.v.length];
        int hw = x.h * x.w;
        BatchNorm.trainForwardRef(x.v, y, x.n, x.c, hw, p.get(prefix + ".weight"), p.get(prefix + ".bias"), new double[x.c], new double[x.c]);
        Elementwise.reluForward(y, y, y.length);
        return new Act(y, x.n, x.c, x.h, x.w);
    }

    /** Training-mode loss CE(clean) + 12 JSD for x (3B, 3, H, W) and labels (B). */
    double loss(double[] x, int n3, int h, int w, int[] labels) {
        int nb = (depth - 4) / 6;
        int[] widths = {16, 16 * widen, 32 * widen, 64 * widen};
        Act a = conv(new Act(x, n3, 3, h, w), "conv1.weight", 16, 3, 1, 1);
        for (int stage = 0; stage < 3; stage++) {
            for (int i = 0; i < nb; i++) {
                int in = i == 0 ? widths[stage] : widths[stage + 1], out = widths[stage + 1];
                int stride = i == 0 && stage > 0 ? 2 : 1;
                String pre = "block" + (stage + 1) + ".layer." + i + ".";
                Act act = bnRelu(a, pre + "bn1");
                Act hh = bnRelu(conv(act, pre + "conv1.weight", out, 3, stride, 1), pre + "bn2");
                hh = conv(hh, pre + "conv2.weight", out, 3, 1, 1);
                Act sc = in != out ? conv(act, pre + "convShortcut.weight", out, 1, stride, 0) : a;
                double[] sum = new double[hh.v.length];
                for (int j = 0; j < sum.length; j++) sum[j] = sc.v[j] + hh.v[j];
                a = new Act(sum, hh.n, hh.c, hh.h, hh.w);
            }
        }
        a = bnRelu(a, "bn1");
        double[] pooled = new double[a.n * a.c];
        Pool.globalAvgForward(a.v, pooled, a.n * a.c, a.h * a.w);
        double[] logits = new double[a.n * classes];
        Linear.forward(pooled, p.get("fc.weight"), p.get("fc.bias"), logits, a.n, a.c, classes);
        int b = labels.length;
        return Losses.crossEntropy(logits, labels, b, classes, null, 1) + Losses.JSD_WEIGHT * Losses.jsd(logits, b, classes, null, 1);
    }
}
