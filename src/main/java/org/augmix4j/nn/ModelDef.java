package org.augmix4j.nn;

/**
 * A network written once for every engine: its state layout (every parameter and buffer under its
 * PyTorch key, in state_dict order, with its official initialisation) and its forward pass in
 * {@link Layers}. {@link ZooNetwork} runs it on the CPU tape, the GPU engine on the device.
 */
public interface ModelDef {
    /** The architecture. */
    Arch arch();

    /** Parameters and buffers in state_dict order. */
    StateLayout layout();

    /** The forward pass of x (N, 3, H, W) to logits (N, classes). */
    <X> X forward(Layers<X> layers, X x);
}
