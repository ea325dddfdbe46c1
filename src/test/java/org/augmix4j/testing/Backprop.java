package org.augmix4j.testing;

import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.Tensor;

/**
 * Runs a tape's backward from a non-scalar output with a chosen upstream gradient: the tests of
 * single F ops use it to get d(sum(out * up))/d(inputs) without building a loss.
 */
public final class Backprop {
    private Backprop() {}

    /** Seeds out's gradient with {@code up} (out's size), then replays the tape (a dummy scalar loss starts it). */
    public static void from(Tape t, Var out, float[] up) {
        System.arraycopy(up, 0, out.grad(), 0, up.length);
        t.backward(Var.constant(Tensor.of(new float[] {0f}, 1)));
    }
}
