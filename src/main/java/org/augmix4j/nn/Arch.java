package org.augmix4j.nn;

import java.util.Map;

/**
 * One architecture of the model zoo, fully specified (the CLI's {@code -m NAME} plus its size
 * options and the class count): what a checkpoint records, what an engine trains and what the
 * sizing checks read, before anything is allocated.
 *
 * <p>Every architecture builds the official AugMix code's network (google-research/augmix) with its
 * official initialisation and PyTorch's state_dict keys, in state_dict order ({@link #stateShapes}),
 * so weights move between AugMix4J and PyTorch unchanged.
 */
public sealed interface Arch permits WideResNet.Config, AllConvNet.Config, DenseNet.Config, ResNeXt.Config {
    /** The {@code -m} name: wrn, allconv, densenet or resnext. */
    String model();

    /** Output classes. */
    int classes();

    /** A human label, e.g. "WRN-40-2", "DenseNet-40-12", "ResNeXt-29 (4x32d)". */
    String label();

    /** The same architecture with another number of classes (the dataset decides it). */
    Arch withClasses(int classes);

    /** Every state_dict key (parameters and buffers) in PyTorch's order with its shape ([] for num_batches_tracked). */
    Map<String, int[]> stateShapes();

    /** Learnable values (buffers excluded), computed from the shapes without building the network. */
    default long parameterCount() {
        long n = 0;
        for (Map.Entry<String, int[]> e : stateShapes().entrySet()) {
            if (WrnSpec.isBuffer(e.getKey())) continue;
            long p = 1;
            for (int d : e.getValue()) p *= d;
            n += p;
        }
        return n;
    }

    /**
     * A rough upper estimate of the floats one training image keeps alive on the CPU tape for an
     * {@code h} x {@code w} input (activations and their gradients). For sizing checks only.
     */
    long trainingFloatsPerImage(int h, int w);

    /** The CPU network with the official initialisation drawn from {@code seed}. */
    Network build(long seed);

    /** The command-line flags that select this architecture, e.g. "-m densenet". */
    String flags();
}
