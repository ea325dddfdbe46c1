package org.augmix4j.autograd;

import java.util.ArrayList;
import java.util.List;

/**
 * The tape: each differentiable op records one backward closure right after computing its forward
 * (see {@link F}); {@link #backward} seeds d(loss)/d(loss) = 1 and replays the closures in reverse.
 * A tape is used for one forward/backward pass and cleared by {@link #backward}.
 *
 * <p>With an {@link Arena} ({@link #Tape(Arena)}), the ops that support it take their outputs and
 * the gradients of those outputs from the arena, and the tape gives an op's output arrays back
 * right after that op's closure has run: every consumer of an output was recorded after its
 * producer, so its closure has already run, and nothing reads the output again. The values of
 * intermediate results are therefore NOT valid after {@link #backward}: read what is needed
 * (logits, statistics) before it. Parameters and inputs are never taken from the arena.
 * {@link #inference(Arena)} makes a tape that records nothing (as a null tape) but takes outputs
 * from the arena; its owner returns them all with {@link Arena#giveAll} once done with the result.
 */
public final class Tape {
    private final List<Runnable> backward = new ArrayList<>();
    /** outputs.get(i): the result of the op whose closure is backward.get(i), given back after it ran (or null). */
    private final List<Var> outputs = new ArrayList<>();
    private final Arena arena;
    private final boolean inference;

    /** A tape whose ops allocate their outputs as usual (the GC reclaims them). */
    public Tape() { this(null, false); }

    /** A tape whose ops take outputs and gradients from {@code arena} and give them back during {@link #backward}. */
    public Tape(Arena arena) { this(arena, false); }

    private Tape(Arena arena, boolean inference) {
        this.arena = arena;
        this.inference = inference;
    }

    /**
     * A tape for inference: ops record no closure (as with a null tape) and take their outputs from
     * {@code arena}, which remembers them until {@link Arena#giveAll}.
     */
    public static Tape inference(Arena arena) {
        arena.trackOutstanding();
        return new Tape(arena, true);
    }

    /** The arena outputs come from, or null. */
    Arena arena() { return arena; }

    /** True for an {@link #inference} tape: nothing is recorded. */
    boolean records() { return !inference; }

    /** Records the backward closure of the op that just ran. */
    void record(Runnable closure) { record(null, closure); }

    /** Records the backward closure of the op that produced {@code out}; out's arena arrays are given back after it runs. */
    void record(Var out, Runnable closure) {
        backward.add(closure);
        outputs.add(out);
    }

    /** Number of recorded ops. */
    public int size() { return backward.size(); }

    /**
     * Back-propagates from a scalar {@code loss} (shape (1) or ()), accumulating into every
     * parameter's gradient, then clears the tape.
     */
    public void backward(Var loss) {
        if (loss.value().numel() != 1) {
            throw new IllegalArgumentException("backward: the loss must be a scalar, got shape " + loss.value().shapeString());
        }
        loss.grad()[0] += 1f;
        for (int i = backward.size() - 1; i >= 0; i--) {
            backward.get(i).run();
            backward.set(i, null); // let saved activations go as soon as they are used
            Var out = outputs.get(i);
            if (out != null) {
                out.giveBack();
                outputs.set(i, null);
            }
        }
        backward.clear();
        outputs.clear();
    }
}
