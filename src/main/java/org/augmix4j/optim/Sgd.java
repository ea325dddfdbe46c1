package org.augmix4j.optim;

import java.util.List;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;

/**
 * SGD with momentum, Nesterov and weight decay on every parameter, in PyTorch's update order
 * (torch.optim.SGD, dampening 0):
 *
 * <pre>
 *   g   = grad + wd * p
 *   buf = g                         on the first step
 *   buf = momentum * buf + g        afterwards
 *   g   = g + momentum * buf        (Nesterov)
 *   p   = p - lr * g
 * </pre>
 *
 * The momentum buffers are the optimiser state saved in checkpoints (one per parameter, in
 * parameter order). A parameter without a gradient this step is skipped, as PyTorch does.
 */
public final class Sgd {
    private final List<Var> params;
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private final float[][] buffers;
    private long steps;

    public Sgd(List<Var> params, float momentum, float weightDecay, boolean nesterov) {
        this.params = params;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.buffers = new float[params.size()][];
    }

    /** The official recipe: momentum 0.9, Nesterov, weight decay as given (5e-4 by default). */
    public static Sgd official(List<Var> params, float weightDecay) { return new Sgd(params, 0.9f, weightDecay, true); }

    /** Applies one update with learning rate {@code lr}. */
    public void step(float lr) {
        for (int i = 0; i < params.size(); i++) {
            Var v = params.get(i);
            float[] grad = v.gradOrNull();
            if (grad == null) continue;
            float[] p = v.data();
            boolean first = buffers[i] == null;
            if (first) buffers[i] = new float[p.length];
            float[] buf = buffers[i];
            Parallel.range(p.length, 1 << 16, (s, e) -> update(p, grad, buf, s, e, lr, first));
        }
        steps++;
    }

    private void update(float[] p, float[] grad, float[] buf, int s, int e, float lr, boolean first) {
        for (int j = s; j < e; j++) {
            float g = grad[j] + weightDecay * p[j];
            float b = first ? g : momentum * buf[j] + g;
            buf[j] = b;
            if (nesterov) g = g + momentum * b;
            else g = b;
            p[j] = p[j] - lr * g;
        }
    }

    /** Number of steps taken. */
    public long steps() { return steps; }

    /** Momentum buffer of parameter i (null before its first update). */
    public float[] buffer(int i) { return buffers[i]; }

    /** Restores the optimiser state (buffers in parameter order; null entries = not started). */
    public void restore(float[][] state, long steps) {
        if (state.length != buffers.length) {
            throw new IllegalArgumentException("optimizer state has " + state.length + " buffers for " + buffers.length + " parameters");
        }
        for (int i = 0; i < state.length; i++) {
            if (state[i] != null && state[i].length != params.get(i).value().numel()) {
                throw new IllegalArgumentException("optimizer buffer " + i + " (" + params.get(i).name() + ") has " + state[i].length
                        + " values, expected " + params.get(i).value().numel());
            }
            buffers[i] = state[i] == null ? null : state[i].clone();
        }
        this.steps = steps;
    }

    /** The momentum buffers by parameter name (copies) and the step count. */
    public SgdState state() {
        java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) if (buffers[i] != null) m.put(params.get(i).name(), buffers[i].clone());
        return new SgdState(m, steps);
    }

    /** Restores {@code state}: a buffer for a name this optimiser does not hold is an error naming it. */
    public void restore(SgdState state) {
        float[][] b = new float[params.size()][];
        java.util.Set<String> unused = new java.util.LinkedHashSet<>(state.momentum().keySet());
        for (int i = 0; i < params.size(); i++) {
            b[i] = state.momentum().get(params.get(i).name());
            unused.remove(params.get(i).name());
        }
        if (!unused.isEmpty()) throw new IllegalArgumentException("optimizer state has momentum buffers for unknown parameters " + unused);
        restore(b, state.steps());
    }
}
