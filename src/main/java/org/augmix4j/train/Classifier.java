package org.augmix4j.train;

import org.augmix4j.tensor.ImageBatch;

/**
 * A model as evaluation sees it: uint8 images in, logits out. Our WideResNet on either engine
 * ({@link Engine}) is one; any other model (e.g. an imported network) can be evaluated by
 * {@link Evaluator} and {@link Report} through the same interface.
 */
public interface Classifier {
    /** Number of outputs K. */
    int classes();

    /**
     * Logits (count, K) of images [from, from + count) of {@code images} (N, H, W, C) uint8, in
     * evaluation mode, written to out[0 .. count*K).
     */
    void logits(ImageBatch images, int from, int count, float[] out);

    /** The model's name for reports, e.g. "WRN-40-2". */
    String label();

    /** One line for the log and the report, e.g. "CPU engine, 2 threads". */
    String describe();
}
