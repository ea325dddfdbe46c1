package org.augmix4j.train;

import org.augmix4j.augment.AugMixConfig;

/**
 * What an {@link Engine} needs to train (a view of {@link TrainConfig}; the bench builds one
 * directly).
 *
 * @param momentum  SGD momentum (Nesterov)
 * @param decay     weight decay on every parameter
 * @param seed      run seed: every AugMix draw is keyed by (seed, epoch, sample)
 * @param augmix    the AugMix pipeline (mode, width, depth, severity, all-ops)
 * @param batchSize samples per full batch (the GPU engine sizes its buffers for it)
 */
public record Training(double momentum, double decay, long seed, AugMixConfig augmix, int batchSize) {
    public static Training of(TrainConfig c) { return new Training(c.momentum(), c.decay(), c.seed(), c.augmix(), c.batchSize()); }

    /** Images per sample: 3 in JSD mode, else 1. */
    public int views() { return augmix.imagesPerSample(); }
}
