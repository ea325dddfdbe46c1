package org.augmix4j.nn;

import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.Tensor;

/**
 * A network of the model zoo on the CPU engine: parameters as tape {@link Var}s, batch-norm
 * buffers, the state dict under PyTorch's keys, and a forward pass that records its backward on a
 * {@link Tape}. {@link WideResNet} is hand-written; the other architectures run their
 * {@link ModelDef} through {@link ZooNetwork}.
 *
 * <p>Shapes: input (N, 3, H, W) normalised images; output logits (N, classes).
 */
public interface Network {
    /** The architecture this network was built for. */
    Arch arch();

    /** Learnable parameters in state_dict order. */
    List<Var> parameters();

    /** All state_dict keys (parameters and buffers) in PyTorch's order. */
    List<String> stateKeys();

    /** Every state_dict entry under its official key: float[] for tensors, long[1] for num_batches_tracked. */
    Map<String, Object> stateDict();

    /**
     * Loads values by key (copying). Missing keys, unexpected keys and size mismatches are errors
     * naming the key; {@code num_batches_tracked} may be absent.
     */
    void loadStateDict(Map<String, Object> state);

    /**
     * Forward pass of x (N, 3, H, W). In training mode batch norm uses batch statistics and
     * updates its running statistics (and dropout drops); with a tape every op records its backward.
     */
    Var forward(Tape t, Tensor x, boolean train);

    /**
     * Tells the network which training step comes next, so that its random draws (dropout) are a
     * pure function of (seed, step): a resumed run draws what an uninterrupted one would.
     */
    default void beginStep(long seed, long step) {}

    /** Forgets every parameter gradient (zero_grad). */
    default void zeroGrad() {
        for (Var v : parameters()) v.clearGrad();
    }

    /** Number of learnable values. */
    default long parameterCount() {
        long n = 0;
        for (Var v : parameters()) n += v.value().numel();
        return n;
    }
}
