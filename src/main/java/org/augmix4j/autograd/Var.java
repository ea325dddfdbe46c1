package org.augmix4j.autograd;

import java.util.function.Consumer;
import org.augmix4j.ops.Elementwise;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;

/**
 * A node of the tape: a value tensor and, when it takes part in differentiation, its gradient.
 *
 * <p>Gradients accumulate: a backward closure either hands a freshly written array to
 * {@link #writeGrad} (overwrite-style ops such as convolution) or adds into {@link #grad()}. The
 * gradient array is allocated on first use and has the value's shape.
 */
public final class Var {
    private final Tensor value;
    private final boolean requiresGrad;
    private final String name;
    private float[] grad;

    private Var(Tensor value, boolean requiresGrad, String name) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.name = name;
    }

    /** A leaf that gets a gradient (a parameter). */
    public static Var param(String name, Tensor value) { return new Var(value, true, name); }

    /** A leaf without gradient (an input). */
    public static Var constant(Tensor value) { return new Var(value, false, null); }

    /** An intermediate result; it needs a gradient when any input does. */
    static Var result(Tensor value, boolean requiresGrad) { return new Var(value, requiresGrad, null); }

    public Tensor value() { return value; }
    public float[] data() { return value.data(); }
    public int[] shape() { return value.shape(); }
    public boolean requiresGrad() { return requiresGrad; }
    public String name() { return name; }

    /** The gradient array, allocated (zeros) on first use. */
    public float[] grad() {
        if (grad == null) grad = new float[value.numel()];
        return grad;
    }

    /** The gradient if any was produced, else null. */
    public float[] gradOrNull() { return grad; }

    /** Forgets the gradient (zero_grad for a leaf held across steps). */
    public void clearGrad() { grad = null; }

    /** Sets the gradient array (e.g. a gradient buffer owned by the optimiser's flat storage). */
    public void setGrad(float[] g) {
        if (g.length != value.numel()) {
            throw new ShapeException("setGrad: gradient of " + g.length + " values for a value of shape " + value.shapeString());
        }
        grad = g;
    }

    /**
     * Lets an op that overwrites its output array contribute to this gradient: the writer fills a
     * zeroed array, which becomes the gradient if there is none yet, or is added to it.
     */
    public void writeGrad(Consumer<float[]> writer) {
        if (!requiresGrad) return;
        int n = value.numel();
        if (grad == null) {
            float[] g = new float[n];
            writer.accept(g);
            grad = g;
        } else {
            float[] t = new float[n];
            writer.accept(t);
            Elementwise.accumulate(t, grad, n);
        }
    }

    @Override
    public String toString() { return (name != null ? name : "Var") + value.shapeString(); }
}
