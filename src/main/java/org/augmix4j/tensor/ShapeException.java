package org.augmix4j.tensor;

/** Thrown when an op gets tensors of the wrong shape; the message names the op, the shapes and the fix. */
public final class ShapeException extends IllegalArgumentException {
    public ShapeException(String message) { super(message); }

    /** Fails with "op: message" unless {@code ok}. */
    public static void check(boolean ok, String op, String message) {
        if (!ok) throw new ShapeException(op + ": " + message);
    }
}
