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
 *
 * <p>A result made by an op on a tape with an {@link Arena} may own its value array and its
 * gradient array: they come from the arena and go back to it ({@link #giveBack}) once the tape
 * has run the producing op's closure.
 */
public final class Var {
    private final Tensor value;
    private final boolean requiresGrad;
    private final String name;
    private float[] grad;
    /** Where the owned arrays come from and go back to (null: plain allocation, nothing owned). */
    private final Arena arena;
    /** Whether value's array, and the current grad array, came from the arena and belong to this Var alone. */
    private boolean ownsValue, ownsGrad;

    private Var(Tensor value, boolean requiresGrad, String name, Arena arena) {
        this.value = value;
        this.requiresGrad = requiresGrad;
        this.name = name;
        this.arena = arena;
    }

    /** A leaf that gets a gradient (a parameter). */
    public static Var param(String name, Tensor value) { return new Var(value, true, name, null); }

    /** A leaf without gradient (an input). */
    public static Var constant(Tensor value) { return new Var(value, false, null, null); }

    /** An intermediate result; it needs a gradient when any input does. */
    static Var result(Tensor value, boolean requiresGrad) { return new Var(value, requiresGrad, null, null); }

    /**
     * An intermediate result whose value array was taken from {@code arena} (when not null) and is
     * owned by it; its gradient will come from the arena too.
     */
    static Var result(Tensor value, boolean requiresGrad, Arena arena) {
        Var v = new Var(value, requiresGrad, null, arena);
        v.ownsValue = arena != null;
        return v;
    }

    public Tensor value() { return value; }
    public float[] data() { return value.data(); }
    public int[] shape() { return value.shape(); }
    public boolean requiresGrad() { return requiresGrad; }
    public String name() { return name; }

    /** The gradient array, allocated (zeros) on first use. */
    public float[] grad() {
        if (grad == null) {
            if (arena != null) {
                grad = arena.takeZeroed(value.numel());
                ownsGrad = true;
            } else {
                grad = new float[value.numel()];
            }
        }
        return grad;
    }

    /** The gradient if any was produced, else null. */
    public float[] gradOrNull() { return grad; }

    /** Forgets the gradient (zero_grad for a leaf held across steps). */
    public void clearGrad() {
        grad = null;
        ownsGrad = false;
    }

    /** Sets the gradient array (e.g. a gradient buffer owned by the optimiser's flat storage). */
    public void setGrad(float[] g) {
        if (g.length != value.numel()) {
            throw new ShapeException("setGrad: gradient of " + g.length + " values for a value of shape " + value.shapeString());
        }
        grad = g;
        ownsGrad = false;
    }

    /**
     * Lets {@code to} use this Var's gradient array as its own gradient when it has none yet (the
     * residual add: the first input's gradient is the output's), else adds into it. Ownership of
     * an arena array moves with it, so {@link #giveBack} of this Var leaves it alone.
     */
    void passGradTo(Var to) {
        if (!to.requiresGrad) return;
        if (to.grad == null) {
            to.grad = grad;
            to.ownsGrad = ownsGrad && to.arena == arena;
            ownsGrad = false;
        } else {
            Elementwise.accumulate(grad, to.grad, grad.length);
        }
    }

    /** Gives the value and gradient arrays this Var owns back to its arena; neither may be read afterwards. */
    void giveBack() {
        if (arena == null) return;
        if (ownsGrad) arena.give(grad);
        if (ownsValue) arena.give(value.data());
        grad = null;
        ownsGrad = false;
        ownsValue = false;
    }
    /**
     * Lets an op that overwrites its output array contribute to this gradient: the writer fills a
     * zeroed array, which becomes the gradient if there is none yet, or is added to it.
     */
    public void writeGrad(Consumer<float[]> writer) {
        if (!requiresGrad) return;
        int n = value.numel();
        if (grad == null) {
            float[] g = arena != null ? arena.takeZeroed(n) : new float[n];
            writer.accept(g);
            grad = g;
            ownsGrad = arena != null;
        } else {
            float[] t = arena != null ? arena.takeZeroed(n) : new float[n];
            writer.accept(t);
            Elementwise.accumulate(t, grad, n);
            if (arena != null) arena.give(t);
        }
    }

    /**
     * {@link #writeGrad} for a writer that overwrites every element of the array it is given (a
     * convolution's or batch norm's input gradient): the array need not be zeroed first.
     */
    void overwriteGrad(Consumer<float[]> writer) {
        if (!requiresGrad) return;
        if (arena == null) {
            writeGrad(writer);
            return;
        }
        int n = value.numel();
        if (grad == null) {
            float[] g = arena.take(n);
            writer.accept(g);
            grad = g;
            ownsGrad = true;
        } else {
            float[] t = arena.take(n);
            writer.accept(t);
            Elementwise.accumulate(t, grad, n);
            arena.give(t);
        }
    }

    @Override
    public String toString() { return (name != null ? name : "Var") + value.shapeString(); }
}
