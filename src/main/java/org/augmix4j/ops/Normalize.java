package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * Test-time preprocessing: uint8 NHWC images to the network's NCHW float input, {@code (u / 255 -
 * 0.5) / 0.5} in float (the official {@code Normalize([0.5]*3, [0.5]*3)} after {@code ToTensor}),
 * the same operations as {@code augment.AugMix.normalize} and {@code train.Evaluator.preprocess}.
 * CPU reference of kernels/normalize.cu; the launch is in {@link NormalizeCuda}.
 */
public final class Normalize {
    private Normalize() {}

    /** The normalised value of uint8 {@code u}. */
    public static float value(int u) { return ((float) (u & 0xFF) / 255f - 0.5f) / 0.5f; }

    /**
     * out (n, 3, hw) = normalised images {@code [from, from + n)} of px (count, hw, c), c >= 3 (the
     * first three channels are R, G, B).
     */
    public static void forward(byte[] px, int from, int n, int hw, int c, float[] out) {
        ShapeException.check(n >= 0 && hw > 0 && c >= 3, "normalize", "need n >= 0, hw > 0 and c >= 3 channels, got n=" + n
                + " hw=" + hw + " c=" + c);
        ShapeException.check((long) (from + n) * hw * c <= px.length && (long) n * 3 * hw <= out.length, "normalize",
                "images [" + from + ", " + (from + n) + ") of " + hw + "x" + c + " bytes do not fit the arrays");
        Parallel.range(n, 16, (s, e) -> {
            for (int i = s; i < e; i++) {
                int base = (from + i) * hw * c;
                for (int ch = 0; ch < 3; ch++) {
                    int o = (i * 3 + ch) * hw;
                    for (int q = 0; q < hw; q++) out[o + q] = value(px[base + q * c + ch]);
                }
            }
        });
    }
}
