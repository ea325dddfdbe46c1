package org.augmix4j.autograd;

import org.augmix4j.ops.AvgPool;
import org.augmix4j.ops.BatchNorm;
import org.augmix4j.ops.Bias;
import org.augmix4j.ops.Concat;
import org.augmix4j.ops.Conv;
import org.augmix4j.ops.Dropout;
import org.augmix4j.ops.Elementwise;
import org.augmix4j.ops.Gelu;
import org.augmix4j.ops.GroupedConv;
import org.augmix4j.ops.Linear;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.MaxPool;
import org.augmix4j.ops.Pool;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;

/**
 * The differentiable functions of the CPU engine. Each computes its forward with the op family's
 * CPU implementation ({@code ops.*}) and, when a tape is given and an input needs a gradient,
 * records its backward closure right there, next to the forward. A null tape means inference: no
 * closure, no saved state.
 *
 * <p>Shapes follow PyTorch: activations (N, C, H, W), logits (N, K).
 */
public final class F {
    // The engine classes behind this one (cpu.Gemm, cpu.ConvEngine, ops.BatchNorm) use jdk.incubator.vector and fail
    // to link without it; check here first, so the error is a sentence naming the flag, not NoClassDefFoundError.
    static { org.augmix4j.cpu.VectorSupport.require("the CPU training engine (org.augmix4j.autograd.F)"); }

    private F() {}

    private static boolean needs(Tape t, Var... in) {
        if (t == null || !t.records()) return false;
        for (Var v : in) if (v != null && v.requiresGrad()) return true;
        return false;
    }

    /** The tape's arena, or null (no tape, or a tape without one). */
    private static Arena arena(Tape t) { return t == null ? null : t.arena(); }

    /**
     * An op's output of {@code shape}: from the tape's arena (contents undefined, so the op must
     * overwrite every element) when it has one, else a new zero-filled tensor. Its Var must be made
     * with {@code Var.result(y, g, arena(t))} and recorded with {@code t.record(out, closure)}.
     */
    private static Tensor output(Tape t, int... shape) {
        Arena a = arena(t);
        if (a == null) return Tensor.zeros(shape);
        long n = 1;
        for (int d : shape) n *= d;
        return Tensor.of(a.take(Math.toIntExact(n)), shape);
    }

    // ---------------------------------------------------------------- convolution

    /** y = conv2d(x (N, C, H, W), w (K, C, R, S)), no bias. */
    public static Var conv2d(Tape t, Var x, Var w, int stride, int pad) {
        int[] xs = x.shape(), ws = w.shape();
        ShapeException.check(xs.length == 4 && ws.length == 4, "conv2d",
                "x must be (N, C, H, W) and w (K, C, R, S), got " + Tensor.str(xs) + " and " + Tensor.str(ws));
        ShapeException.check(xs[1] == ws[1], "conv2d", "x " + Tensor.str(xs) + " has " + xs[1] + " channels but w "
                + Tensor.str(ws) + " expects " + ws[1] + "; the previous layer's width does not match this conv's input width");
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], r = ws[2], s = ws[3];
        int ho = Conv.outSize(h, r, stride, pad), wo = Conv.outSize(wd, s, stride, pad);
        ShapeException.check(ho > 0 && wo > 0, "conv2d", "input " + h + "x" + wd + " is too small for a " + r + "x" + s
                + " kernel with stride " + stride + " and pad " + pad);
        Tensor y = output(t, n, k, ho, wo);
        Conv.forward(x.data(), w.data(), y.data(), n, c, h, wd, k, r, s, stride, pad);
        boolean g = needs(t, x, w);
        Var out = Var.result(y, g, arena(t));
        if (g) {
            t.record(out, () -> {
                float[] dy = out.gradOrNull();
                if (dy == null) return;
                if (w.requiresGrad()) w.writeGrad(dw -> Conv.backwardFilter(x.data(), dy, dw, n, c, h, wd, k, r, s, stride, pad));
                if (x.requiresGrad()) x.overwriteGrad(dx -> Conv.backwardData(dy, w.data(), dx, n, c, h, wd, k, r, s, stride, pad));
            });
        }
        return out;
    }

    // ---- activations, dropout, bias and grouped convolution for the model zoo

    /**
     * y = conv2d(x (N, C, H, W), w (K, C/groups, R, S)) + bias (K), PyTorch's
     * {@code nn.Conv2d(C, K, R, stride, pad, groups=groups, bias=bias != null)}. With groups = 1 and
     * no bias this is {@link #conv2d(Tape, Var, Var, int, int)} itself (no copies); grouped
     * convolutions run on {@link GroupedConv} (per-group packed copies), the bias on {@link Bias}.
     */
    public static Var conv2d(Tape t, Var x, Var w, Var bias, int stride, int pad, int groups) {
        int[] xs = x.shape(), ws = w.shape();
        ShapeException.check(xs.length == 4 && ws.length == 4, "conv2d",
                "x must be (N, C, H, W) and w (K, C/groups, R, S), got " + Tensor.str(xs) + " and " + Tensor.str(ws));
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], r = ws[2], s = ws[3];
        ShapeException.check(groups >= 1, "conv2d", "groups = " + groups + "; pass groups >= 1 (1 is a plain convolution)");
        ShapeException.check(c % groups == 0 && k % groups == 0, "conv2d", "groups = " + groups + " must divide the input channels of x "
                + Tensor.str(xs) + " and the output channels of w " + Tensor.str(ws) + "; choose widths that are multiples of the cardinality");
        ShapeException.check(ws[1] * groups == c, "conv2d", "x " + Tensor.str(xs) + " has " + c + " channels, so with groups = " + groups
                + " w must be (K, " + (c / groups) + ", R, S), got " + Tensor.str(ws) + (groups == 1 ? "" : " (a grouped weight holds C/groups input channels)")
                + "; the previous layer's width does not match this conv's input width");
        ShapeException.check(bias == null || (bias.shape().length == 1 && bias.shape()[0] == k), "conv2d", "the bias must be (K) = ("
                + k + ") for w " + Tensor.str(ws) + ", got " + (bias == null ? "" : Tensor.str(bias.shape())) + "; pass one value per output channel, or null");
        if (groups == 1 && bias == null) return conv2d(t, x, w, stride, pad);
        int ho = Conv.outSize(h, r, stride, pad), wo = Conv.outSize(wd, s, stride, pad);
        Tensor y = Tensor.zeros(n, k, ho, wo);
        GroupedConv.forward(x.data(), w.data(), y.data(), n, c, h, wd, k, r, s, stride, pad, groups);
        if (bias != null) Bias.forward(y.data(), bias.data(), n, k, ho * wo);
        boolean g = needs(t, x, w, bias);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy == null) return;
                if (bias != null && bias.requiresGrad()) Bias.backward(dy, bias.grad(), n, k, ho * wo);
                if (w.requiresGrad()) w.writeGrad(dw -> GroupedConv.backwardFilter(x.data(), dy, dw, n, c, h, wd, k, r, s, stride, pad, groups));
                if (x.requiresGrad()) x.writeGrad(dx -> GroupedConv.backwardData(dy, w.data(), dx, n, c, h, wd, k, r, s, stride, pad, groups));
            });
        }
        return out;
    }

    /** y = x * sigmoid(1.702 x), the official AllConv's GELU ({@link Gelu}); any shape. */
    public static Var gelu(Tape t, Var x) {
        Tensor y = Tensor.zerosLike(x.value());
        Gelu.forward(x.data(), y.data(), y.numel());
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Gelu.backward(x.data(), dy, x.grad(), y.numel());
            });
        }
        return out;
    }

    /**
     * y = x * mask (training-mode dropout, {@link Dropout}); the mask, of x's size, comes from
     * {@link Dropout#mask} with the caller's seed and counter (0 or 1/(1-p) per element). A null mask
     * means evaluation: x itself is returned (dropout is the identity there). The backward reads the
     * mask, so it must not change until then.
     */
    public static Var dropout(Tape t, Var x, float[] mask) {
        if (mask == null) return x;
        int numel = x.value().numel();
        ShapeException.check(mask.length == numel, "dropout", "the mask has " + mask.length + " values but x " + Tensor.str(x.shape())
                + " has " + numel + "; draw one with Dropout.mask(seed, counter, p, new float[" + numel + "], " + numel
                + "), or pass null in evaluation");
        Tensor y = Tensor.zerosLike(x.value());
        Dropout.forward(x.data(), mask, y.data(), numel);
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Dropout.backward(mask, dy, x.grad(), numel);
            });
        }
        return out;
    }

    // ---------------------------------------------------------------- batch norm

    /**
     * Batch norm over channel dim 1 of x (N, C, H, W). Training mode uses batch statistics and
     * updates runMean/runVar in place (momentum 0.1, unbiased); eval mode uses the running stats.
     */
    public static Var batchNorm(Tape t, Var x, Var gamma, Var beta, float[] runMean, float[] runVar, boolean train) {
        return batchNorm(t, x, gamma, beta, runMean, runVar, train, false);
    }

    /** relu(batchNorm(x)) in one pass forward and one backward: the pre-activation pair of every WRN block. */
    public static Var batchNormRelu(Tape t, Var x, Var gamma, Var beta, float[] runMean, float[] runVar, boolean train) {
        return batchNorm(t, x, gamma, beta, runMean, runVar, train, true);
    }

    private static Var batchNorm(Tape t, Var x, Var gamma, Var beta, float[] runMean, float[] runVar, boolean train, boolean relu) {
        int[] xs = x.shape();
        ShapeException.check(xs.length == 4, "batch_norm", "x must be (N, C, H, W), got " + Tensor.str(xs));
        int n = xs[0], c = xs[1], hw = xs[2] * xs[3];
        ShapeException.check(gamma.value().numel() == c && beta.value().numel() == c && runMean.length == c && runVar.length == c,
                "batch_norm", "x " + Tensor.str(xs) + " has " + c + " channels but the layer has " + gamma.value().numel());
        Tensor y = output(t, xs);
        boolean g = needs(t, x, gamma, beta);
        Var out = Var.result(y, g, arena(t));
        if (train) {
            float[] mean = new float[c], inv = new float[c];
            BatchNorm.trainForward(x.data(), y.data(), n, c, hw, gamma.data(), beta.data(), runMean, runVar, mean, inv, relu);
            if (g) {
                t.record(out, () -> {
                    float[] dy = out.gradOrNull();
                    if (dy == null) return;
                    float[] mask = relu ? y.data() : null;
                    if (x.requiresGrad()) {
                        x.overwriteGrad(dx -> BatchNorm.trainBackward(x.data(), dy, mask, dx, n, c, hw, gamma.data(), mean, inv, gamma.grad(), beta.grad()));
                    } else {
                        BatchNorm.trainBackward(x.data(), dy, mask, new float[n * c * hw], n, c, hw, gamma.data(), mean, inv, gamma.grad(), beta.grad());
                    }
                });
            }
        } else {
            BatchNorm.evalForward(x.data(), y.data(), n, c, hw, gamma.data(), beta.data(), runMean, runVar);
            if (relu) Elementwise.reluForward(y.data(), y.data(), y.numel());
            if (g) {
                float[] rm = runMean.clone(), rv = runVar.clone();
                t.record(() -> {
                    float[] dy = out.gradOrNull();
                    if (dy == null) return;
                    float[] gy = dy;
                    if (relu) {
                        gy = new float[dy.length];
                        Elementwise.reluBackward(y.data(), dy, gy, dy.length);
                    }
                    float[] dx = new float[n * c * hw];
                    BatchNorm.evalBackward(x.data(), gy, dx, n, c, hw, gamma.data(), rm, rv, gamma.grad(), beta.grad());
                    if (x.requiresGrad()) Elementwise.accumulate(dx, x.grad(), dx.length);
                });
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- elementwise

    /** y = max(x, 0). */
    public static Var relu(Tape t, Var x) {
        Tensor y = output(t, x.shape());
        Elementwise.reluForward(x.data(), y.data(), y.numel());
        boolean g = needs(t, x);
        Var out = Var.result(y, g, arena(t));
        if (g) {
            t.record(out, () -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Elementwise.reluBackward(y.data(), dy, x.grad(), y.numel());
            });
        }
        return out;
    }

    /** y = a + b (residual add), same shapes. */
    public static Var add(Tape t, Var a, Var b) {
        ShapeException.check(a.value().sameShape(b.value()), "add", "shapes differ: " + a.value().shapeString() + " vs "
                + b.value().shapeString() + "; a residual branch must keep the block's output shape");
        Tensor y = output(t, a.shape());
        Elementwise.add(a.data(), b.data(), y.data(), y.numel());
        boolean g = needs(t, a, b);
        Var out = Var.result(y, g, arena(t));
        if (g) {
            t.record(out, () -> {
                float[] dy = out.gradOrNull();
                if (dy == null) return;
                // the output's gradient is not touched after this closure, so the first input may
                // take the array itself when it has no gradient yet; the second always gets its own
                if (b.requiresGrad()) Elementwise.accumulate(dy, b.grad(), dy.length);
                out.passGradTo(a);
            });
        }
        return out;
    }

    // ---------------------------------------------------------------- pooling and linear

    /** Global average pool: (N, C, H, W) -> (N, C). */
    public static Var globalAvgPool(Tape t, Var x) {
        int[] xs = x.shape();
        ShapeException.check(xs.length == 4, "global_avg_pool", "x must be (N, C, H, W), got " + Tensor.str(xs));
        int nc = xs[0] * xs[1], hw = xs[2] * xs[3];
        Tensor y = Tensor.zeros(xs[0], xs[1]);
        Pool.globalAvgForward(x.data(), y.data(), nc, hw);
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Pool.globalAvgBackward(dy, x.grad(), nc, hw);
            });
        }
        return out;
    }

    /** x (N, ...) viewed as (N, numel / N), as PyTorch's x.view(x.size(0), -1) before a classifier. */
    public static Var flatten(Tape t, Var x) {
        int[] xs = x.shape();
        ShapeException.check(xs.length >= 2, "flatten", "x must have a batch dimension and features, got " + Tensor.str(xs));
        if (xs.length == 2) return x;
        int n = xs[0], rest = x.value().numel() / n;
        Tensor y = Tensor.of(x.data().clone(), n, rest);
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Elementwise.accumulate(dy, x.grad(), dy.length);
            });
        }
        return out;
    }

    /** y (N, K) = x (N, C) W^T + b, W (K, C). */
    public static Var linear(Tape t, Var x, Var w, Var b) {
        int[] xs = x.shape(), ws = w.shape();
        ShapeException.check(xs.length == 2 && ws.length == 2 && xs[1] == ws[1], "linear",
                "x must be (N, C) and W (K, C) with the same C, got " + Tensor.str(xs) + " and " + Tensor.str(ws));
        int n = xs[0], c = xs[1], k = ws[0];
        Tensor y = Tensor.zeros(n, k);
        Linear.forward(x.data(), w.data(), b.data(), y.data(), n, c, k);
        boolean g = needs(t, x, w, b);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy == null) return;
                float[] dx = x.requiresGrad() ? new float[n * c] : null;
                Linear.backward(x.data(), w.data(), dy, dx, w.grad(), b.grad(), n, c, k);
                if (dx != null) Elementwise.accumulate(dx, x.grad(), dx.length);
            });
        }
        return out;
    }

    // ---- pooling and concatenation for the model zoo

    /**
     * PyTorch's max_pool2d(x, k, stride=s), no padding, floor: x (N, C, H, W) -> (N, C, Ho, Wo),
     * Ho = (H - k) / s + 1. The gradient goes to each window's first maximum (a NaN wins, as in PyTorch).
     */
    public static Var maxPool2d(Tape t, Var x, int k, int s) {
        int[] xs = poolShape("max_pool2d", x, k, s);
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        Tensor y = Tensor.zeros(n, c, ho, wo);
        MaxPool.forward(x.data(), y.data(), n, c, h, w, k, s);
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) MaxPool.backward(x.data(), dy, x.grad(), n, c, h, w, k, s);
            });
        }
        return out;
    }

    /**
     * PyTorch's avg_pool2d(x, k, stride=s), no padding, floor, divided by k*k: x (N, C, H, W) ->
     * (N, C, Ho, Wo). AvgPool2d(8) on a 10x10 map gives 1x1, the mean of the top-left 8x8.
     */
    public static Var avgPool2d(Tape t, Var x, int k, int s) {
        int[] xs = poolShape("avg_pool2d", x, k, s);
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3], ho = (h - k) / s + 1, wo = (w - k) / s + 1;
        Tensor y = Tensor.zeros(n, c, ho, wo);
        AvgPool.forward(x.data(), y.data(), n, c, h, w, k, s);
        boolean g = needs(t, x);
        Var out = Var.result(y, g);
        if (g) {
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) AvgPool.backward(dy, x.grad(), n, c, h, w, k, s);
            });
        }
        return out;
    }

    /** The shape of a pooling input, checked: (N, C, H, W) with k, s >= 1 and H, W >= k. */
    private static int[] poolShape(String op, Var x, int k, int s) {
        int[] xs = x.shape();
        ShapeException.check(xs.length == 4, op, "x must be (N, C, H, W), got " + Tensor.str(xs)
                + "; pool the feature maps before flattening them");
        ShapeException.check(k >= 1 && s >= 1, op, "kernel size " + k + " and stride " + s + " must be >= 1");
        ShapeException.check(xs[2] >= k && xs[3] >= k, op, "input " + xs[2] + "x" + xs[3] + " of x " + Tensor.str(xs)
                + " is smaller than the " + k + "x" + k + " window (no padding); pool earlier, or use a smaller kernel");
        return xs;
    }

    /**
     * torch.cat([a, b], dim=1): a (N, Ca, ...) and b (N, Cb, ...) with the same N and trailing
     * dimensions -> (N, Ca + Cb, ...) (DenseNet's feature concatenation).
     */
    public static Var concat(Tape t, Var a, Var b) {
        int[] as = a.shape(), bs = b.shape();
        ShapeException.check(as.length >= 2 && as.length == bs.length, "concat", "a and b must have the same rank >= 2"
                + " (N, C, ...), got " + Tensor.str(as) + " and " + Tensor.str(bs));
        boolean same = as[0] == bs[0];
        for (int i = 2; i < as.length; i++) same &= as[i] == bs[i];
        ShapeException.check(same, "concat", "a " + Tensor.str(as) + " and b " + Tensor.str(bs) + " may differ only in the"
                + " channel dimension 1; resize or pool one branch so that N and the spatial sizes match");
        int n = as[0], ca = as[1], cb = bs[1], hw = 1;
        for (int i = 2; i < as.length; i++) hw *= as[i];
        int[] ys = as.clone();
        ys[1] = ca + cb;
        Tensor y = Tensor.zeros(ys);
        Concat.forward(a.data(), ca, b.data(), cb, y.data(), n, hw);
        boolean g = needs(t, a, b);
        Var out = Var.result(y, g);
        if (g) {
            final int hwf = hw;
            t.record(() -> {
                float[] dy = out.gradOrNull();
                if (dy != null) Concat.backward(dy, a.requiresGrad() ? a.grad() : null, b.requiresGrad() ? b.grad() : null, n, ca, cb, hwf);
            });
        }
        return out;
    }

    // ---------------------------------------------------------------- losses

    /** Mean cross-entropy of the first {@code rows} rows of logits (>= rows, K); a scalar. */
    public static Var crossEntropy(Tape t, Var logits, int[] labels, int rows) {
        int[] s = logits.shape();
        ShapeException.check(s.length == 2 && s[0] >= rows && labels.length == rows, "cross_entropy",
                "logits must be (N >= " + rows + ", K) with " + rows + " labels, got " + Tensor.str(s) + " and " + labels.length + " labels");
        int k = s[1];
        float v = Losses.crossEntropy(logits.data(), labels, rows, k, null, 1f);
        boolean g = needs(t, logits);
        Var out = Var.result(Tensor.of(new float[] {v}, 1), g);
        if (g) {
            t.record(() -> {
                float[] dl = out.gradOrNull();
                if (dl == null) return;
                float[] dz = new float[rows * k];
                Losses.crossEntropy(logits.data(), labels, rows, k, dz, dl[0]);
                Elementwise.accumulate(dz, logits.grad(), dz.length);
            });
        }
        return out;
    }

    /** The JS consistency term of logits (3B, K) = cat(clean, aug1, aug2); a scalar (unweighted). */
    public static Var jsd(Tape t, Var logits, int b) {
        int[] s = logits.shape();
        ShapeException.check(s.length == 2 && s[0] == 3 * b, "jsd", "logits must be (3B, K) = (" + (3 * b)
                + ", K) for B = " + b + " samples (clean, aug1, aug2 stacked), got " + Tensor.str(s));
        int k = s[1];
        float v = Losses.jsd(logits.data(), b, k, null, 1f);
        boolean g = needs(t, logits);
        Var out = Var.result(Tensor.of(new float[] {v}, 1), g);
        if (g) {
            t.record(() -> {
                float[] dl = out.gradOrNull();
                if (dl == null) return;
                float[] dz = new float[3 * b * k];
                Losses.jsd(logits.data(), b, k, dz, dl[0]);
                Elementwise.accumulate(dz, logits.grad(), dz.length);
            });
        }
        return out;
    }

    /** wa * a + wb * b for scalars a, b. */
    public static Var weightedSum(Tape t, Var a, float wa, Var b, float wb) {
        ShapeException.check(a.value().numel() == 1 && b.value().numel() == 1, "weighted_sum", "both terms must be scalars");
        float v = wa * a.data()[0] + wb * b.data()[0];
        boolean g = needs(t, a, b);
        Var out = Var.result(Tensor.of(new float[] {v}, 1), g);
        if (g) {
            t.record(() -> {
                float[] dl = out.gradOrNull();
                if (dl == null) return;
                if (a.requiresGrad()) a.grad()[0] += wa * dl[0];
                if (b.requiresGrad()) b.grad()[0] += wb * dl[0];
            });
        }
        return out;
    }
}
