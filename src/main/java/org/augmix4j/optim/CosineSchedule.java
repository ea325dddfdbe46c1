package org.augmix4j.optim;

/**
 * The official AugMix per-step cosine schedule (cifar.py: LambdaLR with get_lr, stepped after every
 * batch): step s (0-based) of T = epochs * steps_per_epoch uses
 *
 * <pre>
 *   lr(s) = base * [f + (1 - f) * 0.5 * (1 + cos(pi * s / T))],  f = 1e-6 / base
 * </pre>
 *
 * so the first step uses base and the rate decays towards 1e-6 (f = 1e-5 for base 0.1).
 */
public final class CosineSchedule {
    private final double base;
    private final long totalSteps;

    public CosineSchedule(double base, long totalSteps) {
        if (!(base > 0)) throw new IllegalArgumentException("learning rate must be > 0, got " + base);
        if (totalSteps <= 0) throw new IllegalArgumentException("total steps must be > 0, got " + totalSteps);
        this.base = base;
        this.totalSteps = totalSteps;
    }

    /** Learning rate for 0-based optimizer step s. */
    public double lr(long step) {
        double f = 1e-6 / base;
        double factor = f + (1 - f) * 0.5 * (1 + Math.cos((double) step / totalSteps * Math.PI));
        return base * factor;
    }

    public long totalSteps() { return totalSteps; }
}
