package org.augmix4j.autograd;

import java.util.ArrayList;
import java.util.List;

/**
 * The tape: each differentiable op records one backward closure right after computing its forward
 * (see {@link F}); {@link #backward} seeds d(loss)/d(loss) = 1 and replays the closures in reverse.
 * A tape is used for one forward/backward pass and cleared by {@link #backward}.
 */
public final class Tape {
    private final List<Runnable> backward = new ArrayList<>();

    /** Records the backward closure of the op that just ran. */
    void record(Runnable closure) { backward.add(closure); }

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
        }
        backward.clear();
    }
}
