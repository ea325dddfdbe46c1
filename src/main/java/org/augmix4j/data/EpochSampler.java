package org.augmix4j.data;

import java.util.Arrays;
import org.augmix4j.augment.Philox;

/**
 * The batching of the official cifar.py (a shuffled DataLoader with drop_last False), written once
 * for the trainer, the bench and the tests: epoch {@code e} visits the training set in the order
 * {@link Philox#shuffle}(seed, e, n), in consecutive batches of {@code batch} samples, the last one
 * smaller when {@code batch} does not divide n. Everything is a pure function of (seed, epoch), so
 * a resumed run sees the same batches as an uninterrupted one.
 */
public final class EpochSampler {
    private final Dataset set;
    private final long seed;
    private final int batch;

    public EpochSampler(Dataset set, long seed, int batch) {
        if (batch < 1) throw new IllegalArgumentException("batch size must be >= 1, got " + batch);
        if (set.size() < 1) throw new IllegalArgumentException(set.name() + ": the training set is empty");
        this.set = set;
        this.seed = seed;
        this.batch = batch;
    }

    public Dataset set() { return set; }

    public long seed() { return seed; }

    /** Samples per (full) batch. */
    public int batchSize() { return batch; }

    /** Batches per epoch: ceil(n / batch). */
    public int steps() { return (set.size() + batch - 1) / batch; }

    /** Epoch {@code e} (0-based): its order and batches. */
    public Epoch epoch(int e) { return new Epoch(e, Philox.shuffle(seed, e, set.size())); }

    /**
     * Batches without end for timing loops: every batch of epoch 0, then of epoch 1, and so on
     * (the last batch of an epoch is smaller when {@code batch} does not divide n).
     */
    public java.util.Iterator<Batch> endless() {
        return new java.util.Iterator<>() {
            private Epoch epoch = epoch(0);
            private int next;

            @Override
            public boolean hasNext() { return true; }

            @Override
            public Batch next() {
                if (next == epoch.steps()) {
                    epoch = epoch(epoch.index() + 1);
                    next = 0;
                }
                return epoch.batch(next++);
            }
        };
    }

    /** One epoch's sampling order. */
    public final class Epoch {
        private final int index;
        private final int[] order;
        private int[] orderedLabels;

        private Epoch(int index, int[] order) {
            this.index = index;
            this.order = order;
        }

        /** The epoch number (0-based). */
        public int index() { return index; }

        /** The permutation: sample i of the epoch is image order()[i]. Read-only. */
        public int[] order() { return order; }

        /** labels()[i] is the label of image order()[i]. Read-only. */
        public int[] labels() {
            if (orderedLabels == null) {
                orderedLabels = new int[order.length];
                for (int i = 0; i < order.length; i++) orderedLabels[i] = set.labels()[order[i]];
            }
            return orderedLabels;
        }

        public Dataset set() { return set; }

        public long seed() { return seed; }

        public int steps() { return EpochSampler.this.steps(); }

        /** Batch {@code s} (0-based) of this epoch. */
        public Batch batch(int s) {
            if (s < 0 || s >= steps()) throw new IndexOutOfBoundsException("batch " + s + " of " + steps());
            int from = s * batch;
            return new Batch(this, s, from, Math.min(batch, order.length - from));
        }
    }

    /**
     * Samples [from, from + count) of an epoch's order.
     *
     * @param step the batch's index in its epoch
     */
    public record Batch(Epoch epoch, int step, int from, int count) {
        /** The image indices of this batch (count). */
        public int[] indices() { return Arrays.copyOfRange(epoch.order(), from, from + count); }

        /** Their labels (count). */
        public int[] labels() { return Arrays.copyOfRange(epoch.labels(), from, from + count); }

        /** The last batch of its epoch. */
        public boolean last() { return step == epoch.steps() - 1; }
    }
}
