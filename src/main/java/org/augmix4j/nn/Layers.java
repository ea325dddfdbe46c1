package org.augmix4j.nn;

/**
 * The layers a {@link ModelDef} is written in, once for every engine: {@code X} is the engine's
 * activation handle (a tape {@link org.augmix4j.autograd.Var} on the CPU, a device tensor on the
 * GPU). Parameters are named by their state_dict prefix ({@code features.0}, {@code dense1.3.conv1},
 * ...); the engine looks them up in the model's {@link StateLayout}. Semantics are PyTorch's.
 *
 * <p>Shapes: activations (N, C, H, W); {@link #linear} returns (N, K).
 */
public interface Layers<X> {
    /** Convolution with weight {@code prefix.weight} (K, C/groups, R, S) and, when the layout has it, bias {@code prefix.bias}. */
    X conv(X x, String prefix, int stride, int pad, int groups);

    /** BatchNorm2d {@code prefix} (batch statistics in training, running statistics in eval). */
    X batchNorm(X x, String prefix);

    /** relu(BatchNorm2d {@code prefix}(x)), fused where the engine can. */
    X batchNormRelu(X x, String prefix);

    /** max(x, 0). */
    X relu(X x);

    /** The official AllConv GELU, x * sigmoid(1.702 x). */
    X gelu(X x);

    /** a + b, same shapes. */
    X add(X a, X b);

    /** Concatenation along channels: (N, Ca, H, W) ++ (N, Cb, H, W). */
    X concat(X a, X b);

    /** MaxPool2d(k, stride s), no padding, floor. */
    X maxPool(X x, int k, int s);

    /** AvgPool2d(k, stride s), no padding, floor, divisor k*k. */
    X avgPool(X x, int k, int s);

    /**
     * Dropout with drop probability p in training (identity in eval). {@code site} numbers the
     * dropout layers of the model (0, 1, ...), so each draws its own mask.
     */
    X dropout(X x, float p, int site);

    /** Linear {@code prefix} on x viewed as (N, C*H*W): y (N, K) = x W^T + b. */
    X linear(X x, String prefix);
}
