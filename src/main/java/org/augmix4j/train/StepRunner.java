package org.augmix4j.train;

import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;

/**
 * Training steps for timing (the bench command, the JMH benchmarks, the GPU bench test): an
 * {@link Engine} stepping through the batches of {@link EpochSampler} over a set, with a fixed
 * learning rate, exactly as {@link Trainer} steps it. {@link #step} takes the next full batch,
 * moving to the next epoch's order when the set is used up; {@link #epoch} runs one whole epoch
 * (drop_last False). The caller owns the engine.
 */
public final class StepRunner {
    private final Engine engine;
    private final EpochSampler sampler;
    private final double lr;
    private final java.util.Iterator<EpochSampler.Batch> batches;

    /** Steps of {@code batch} samples over {@code set}, whose size must be a multiple of {@code batch} (every step is full). */
    public StepRunner(Engine engine, Dataset set, long seed, int batch, double lr) {
        if (set.size() % batch != 0) {
            throw new IllegalArgumentException("StepRunner: the set of " + set.size() + " images is not a whole number of batches of " + batch);
        }
        this.engine = engine;
        this.sampler = new EpochSampler(set, seed, batch);
        this.lr = lr;
        this.batches = sampler.endless();
    }

    /** A set size of at least {@code min} images that is a whole number of batches. */
    public static int wholeBatches(int min, int batch) { return Math.max(1, (min + batch - 1) / batch) * batch; }

    public Engine engine() { return engine; }

    public int batch() { return sampler.batchSize(); }

    /** One training step on the next batch. */
    public void step() { engine.step(batches.next(), lr); }

    /** One whole epoch {@code e} over {@code set} with batches of this runner's size (the last one may be smaller). */
    public void epoch(Dataset set, int e) {
        EpochSampler.Epoch ep = new EpochSampler(set, sampler.seed(), batch()).epoch(e);
        for (int s = 0; s < ep.steps(); s++) engine.step(ep.batch(s), lr);
    }
}
