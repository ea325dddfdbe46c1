package org.augmix4j.nn;

import java.util.List;
import java.util.Map;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.LossesCuda;

/**
 * A network of the zoo on a GPU, as the GPU engine and {@link org.augmix4j.optim.GpuSgd} see it:
 * every parameter and its gradient in two flat device buffers ({@link #slots} say where), one
 * training step's forward + fused loss + backward queued on the compute stream, evaluation logits,
 * and the state dict under PyTorch's keys. {@link GpuWideResNet} is the WRN's hand-scheduled
 * version; {@link GpuZooNetwork} runs any {@link ModelDef}.
 *
 * <p>Shapes: input (N, 3, H, W) NCHW floats for the H x W the network was set up for; logits (N, K).
 */
public interface GpuNetwork extends AutoCloseable {
    /** A parameter's place in the flat buffers. */
    record Slot(String name, long offset, int length, int[] shape) {}

    /** The architecture. */
    Arch config();

    int classes();

    Gpu gpu();

    /** Input height and width the network was set up for. */
    int height();

    int width();

    /** All parameters, flat (each slot aligned). */
    DeviceBuffer params();

    /** All gradients, in the same layout as {@link #params()}. */
    DeviceBuffer grads();

    /** Floats in {@link #params()}. */
    int flatLength();

    /** The parameters in state_dict order with their place in the flat buffers. */
    List<Slot> slots();

    /** Allocates what a training step of {@code batch} samples of {@code views} images needs now (else at the first step). */
    void reserveTraining(int batch, int views);

    /** Device bytes held for activations so far. */
    long arenaBytes();

    /** The loss scratch (loss scalars {total, CE, JS} and the sticky non-finite flag); null before the first step. */
    LossesCuda.Workspace lossWorkspace();

    /** The logits (n, K) of the last training step (valid until the next step). */
    DeviceBuffer trainLogits(int n);

    /**
     * Forward in training mode, the fused loss (JSD: CE(clean) + 12 JS over views = 3; else CE) and
     * backward into {@link #grads()} (zeroed first) for {@code batch} samples: input (views * batch,
     * 3, H, W), labels (batch) int. Queues everything; reads nothing back.
     */
    void forwardBackward(DeviceBuffer input, DeviceBuffer labels, int batch, int views);

    /** Evaluation-mode logits (n, K) of input (n, 3, H, W) into out. */
    void logits(DeviceBuffer input, int n, DeviceBuffer out);

    /** The next training step's number, for the random draws (dropout): see {@link Network#beginStep}. */
    default void beginStep(long seed, long step) {}

    /** Every state_dict entry under its official key (synchronises). */
    Map<String, Object> stateDict();

    /** Loads a state dict (every key of this architecture). */
    void load(Map<String, Object> state);

    /** Every parameter's gradient by name (synchronises; tests). */
    Map<String, float[]> gradients();

    @Override
    void close();
}
