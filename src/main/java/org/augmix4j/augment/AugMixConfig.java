package org.augmix4j.augment;

import java.util.List;

/**
 * AugMix sampling parameters (official {@code cifar.py} flag in brackets).
 *
 * @param mode           JSD: clean + 2 AugMix views (default); AUGMIX: one AugMix view ({@code --no-jsd});
 *                       NONE: the train transform only ({@code --no-augmix})
 * @param width          chains per view ({@code --mixture-width}, 3), 1..255
 * @param depth          ops per chain ({@code --mixture-depth}, -1); &le; 0 means uniform in 1..3, else 1..255
 * @param severity       level upper bound ({@code --aug-severity}, 3), 1..10
 * @param alpha          Dirichlet/Beta concentration (1; CIFAR hard-codes 1), &gt; 0
 * @param allOps         the 13-op list instead of the default 9 ({@code --all-ops})
 * @param trainTransform apply the CIFAR train transform first: horizontal flip p = 0.5, then zero
 *                       pad {@link #PAD} and a random crop back to the input size
 */
public record AugMixConfig(Mode mode, int width, int depth, int severity, double alpha, boolean allOps,
                           boolean trainTransform) {
    /** Zero padding of the random crop (torchvision {@code RandomCrop(32, padding=4)}). */
    public static final int PAD = 4;

    /** What a training sample is made of. */
    public enum Mode {
        /** clean view + 2 independent AugMix views (3 images per sample). */
        JSD,
        /** one AugMix view ({@code --no-jsd}). */
        AUGMIX,
        /** flip + crop only ({@code --no-augmix}). */
        NONE
    }

    public AugMixConfig {
        if (mode == null) throw new IllegalArgumentException("mode must be one of JSD, AUGMIX, NONE");
        if (width < 1 || width > 255) throw new IllegalArgumentException("mixture width must be in 1..255; got " + width);
        if (depth > 255) throw new IllegalArgumentException("mixture depth must be <= 255 (or <= 0 for uniform 1..3); got " + depth);
        if (severity < 1 || severity > 10) throw new IllegalArgumentException("aug severity must be in 1..10; got " + severity);
        Samplers.checkAlpha(alpha);
    }

    /** The official CIFAR defaults: JSD, width 3, depth -1, severity 3, alpha 1, 9 ops, flip + crop. */
    public static AugMixConfig defaults() {
        return new AugMixConfig(Mode.JSD, 3, -1, 3, 1.0, false, true);
    }

    public AugMixConfig withMode(Mode m) { return new AugMixConfig(m, width, depth, severity, alpha, allOps, trainTransform); }
    public AugMixConfig withWidth(int v) { return new AugMixConfig(mode, v, depth, severity, alpha, allOps, trainTransform); }
    public AugMixConfig withDepth(int v) { return new AugMixConfig(mode, width, v, severity, alpha, allOps, trainTransform); }
    public AugMixConfig withSeverity(int v) { return new AugMixConfig(mode, width, depth, v, alpha, allOps, trainTransform); }
    public AugMixConfig withAlpha(double v) { return new AugMixConfig(mode, width, depth, severity, v, allOps, trainTransform); }
    public AugMixConfig withAllOps(boolean v) { return new AugMixConfig(mode, width, depth, severity, alpha, v, trainTransform); }
    public AugMixConfig withTrainTransform(boolean v) { return new AugMixConfig(mode, width, depth, severity, alpha, allOps, v); }

    /** Output images per sample: 3 in JSD mode, else 1. */
    public int imagesPerSample() { return mode == Mode.JSD ? 3 : 1; }

    /** AugMix views per sample: 2 (JSD), 1 (AUGMIX), 0 (NONE). */
    public int augViews() { return mode == Mode.JSD ? 2 : mode == Mode.AUGMIX ? 1 : 0; }

    /** The op list in use. */
    public List<Op> ops() { return allOps ? Op.ALL : Op.DEFAULT; }
}
