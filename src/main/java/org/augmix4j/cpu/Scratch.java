package org.augmix4j.cpu;

/**
 * Per-thread scratch arrays of the CPU engine (packed strips, padded image copies, transposed
 * gradients, partial sums), kept from call to call instead of allocated per call: a WRN-40-2
 * step makes about a hundred convolution calls per pass, each of which allocated megabytes of
 * scratch on every thread. A slot's array only grows; its contents are whatever the last user
 * left, so callers clear what they need cleared. Each slot is used by one frame at a time on its
 * thread (the slots are distinct per use site).
 */
final class Scratch {
    static final int FORWARD_XS = 0, FORWARD_PACKED = 1, FILTER_XS = 2, FILTER_DYT = 3, FILTER_PARTIALS = 4,
            WINO_IN = 5, WINO_OUT = 6, WINO_X = 7, WINO_DY = 8, SLOTS = 9;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Scratch() {}

    /** This thread's array of slot {@code slot}, at least n floats long (contents undefined). */
    static float[] floats(int slot, int n) {
        float[][] a = ARRAYS.get();
        if (a[slot] == null || a[slot].length < n) a[slot] = new float[n];
        return a[slot];
    }
}
