package org.augmix4j.train;

import java.util.Map;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.nn.Arch;
import org.augmix4j.optim.SgdState;

/**
 * The seam between the training loop and where the arithmetic runs: a network of the zoo with its
 * Nesterov SGD on the CPU ({@link CpuEngine}) or on a GPU ({@link GpuEngine}). {@link Trainer} is
 * the only epoch loop; it asks the engine for one step per batch, for logits when it evaluates,
 * and for the state when it writes a checkpoint. Engines are opened by {@link Engines} and owned
 * by one try-with-resources block.
 *
 * <p>One step ({@link #step}) is the official cifar.py step: the batch's AugMix inputs (clean + 2
 * AugMix views in JSD mode, one view otherwise, or flip + crop without AugMix), one forward over
 * all of them in training mode, loss CE(clean) + 12 JS (or CE), backward, Nesterov SGD with the
 * given learning rate. A step reads nothing back: its loss and top-1 count accumulate in the engine
 * (on the device for the GPU) until {@link #stats} reads them.
 */
public interface Engine extends Classifier, AutoCloseable {
    /**
     * Training figures accumulated since {@link #resetStats}.
     *
     * @param lossSum sum over samples of the step's loss (loss * batch size per step)
     * @param correct samples whose clean logits' argmax is their label
     * @param samples samples seen
     */
    record Stats(double lossSum, long correct, long samples) {
        public double meanLoss() { return samples == 0 ? Double.NaN : lossSum / samples; }

        public double accuracyPercent() { return samples == 0 ? Double.NaN : 100.0 * correct / samples; }
    }

    /** The architecture. */
    Arch config();

    /** "cpu" or "gpu": what the run record names. */
    String kind();

    /** One training step on {@code batch} with learning rate {@code lr}. */
    void step(EpochSampler.Batch batch, double lr);

    /**
     * The figures since the last {@link #resetStats}; checks that the loss (and, on the GPU, every
     * parameter) is finite, throwing {@link org.augmix4j.ops.Losses.NonFiniteException} naming
     * {@code where} otherwise. May synchronise with the device: see {@link #statsAreFree}.
     */
    Stats stats(String where);

    /** Starts a new accumulation (at the start of each epoch). */
    void resetStats();

    /** True when {@link #stats} costs nothing (CPU), so progress can be shown after every step. */
    boolean statsAreFree();

    /** Every state_dict entry under its official key (float[] per tensor, long[1] per num_batches_tracked). */
    Map<String, Object> stateDict();

    /** The optimiser's state (momentum buffers by parameter name, step count). */
    SgdState optimizerState();

    /** Loads a state dict (every key of this architecture) and, when not null, an optimiser state. */
    void load(Map<String, Object> state, SgdState optimizer);

    @Override
    void close();
}
