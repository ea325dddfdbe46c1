package org.augmix4j.selftest;

import org.augmix4j.selftest.SelfCheck.Result;

/**
 * Collects the comparisons of one check: each output against its reference, bit for bit or
 * within {@code atol + rtol * |want|}; the result is the worst over all of them.
 */
final class Tally {
    private double maxAbs, maxRel;
    private boolean pass = true;
    private String firstFailure;
    private final String tolerance;

    /** @param tolerance the bound in words, for the table ("bit-exact", "1e-5 rel + 1e-6 max") */
    Tally(String tolerance) { this.tolerance = tolerance; }

    /** Compares bit for bit. */
    Tally bitwise(String what, float[] want, float[] got) {
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) got[i] - want[i]);
            if (Float.isNaN(want[i]) && Float.isNaN(got[i])) d = 0;
            else if (Float.isNaN(want[i]) || Float.isNaN(got[i])) d = Double.POSITIVE_INFINITY;
            note(d, want[i]);
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) {
                fail(what + " [" + i + "]: want " + want[i] + ", got " + got[i]);
            }
        }
        return this;
    }

    /** Compares within atol + rtol * |want| per element. */
    Tally close(String what, double[] want, float[] got, double atol, double rtol) {
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            note(d, want[i]);
            if (!(d <= atol + rtol * Math.abs(want[i]))) fail(what + " [" + i + "]: want " + want[i] + ", got " + got[i]);
        }
        return this;
    }

    /** Compares within tol times the element's scale (the reference computed on absolute values: the float32 rounding bound). */
    Tally withinScale(String what, double[] want, double[] scale, float[] got, double tol) {
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            note(d, want[i]);
            if (!(d <= tol * scale[i] + 1e-30)) fail(what + " [" + i + "]: want " + want[i] + ", got " + got[i]);
        }
        return this;
    }

    /** Compares bytes exactly (max difference in levels). */
    Tally bytes(String what, byte[] want, byte[] got) {
        for (int i = 0; i < want.length; i++) {
            int d = Math.abs((want[i] & 255) - (got[i] & 255));
            note(d, Math.max(1, want[i] & 255));
            if (d != 0) fail(what + " byte " + i + ": want " + (want[i] & 255) + ", got " + (got[i] & 255));
        }
        return this;
    }

    private void note(double d, double want) {
        maxAbs = Math.max(maxAbs, d);
        maxRel = Math.max(maxRel, d / Math.max(Math.abs(want), 1e-3));  // relative, for values above 1e-3
    }

    private void fail(String what) {
        if (pass) firstFailure = what;
        pass = false;
    }

    Result result(String detail) {
        return new Result(maxAbs, maxRel, tolerance, pass, pass ? detail : detail + "; first failure: " + firstFailure);
    }
}
