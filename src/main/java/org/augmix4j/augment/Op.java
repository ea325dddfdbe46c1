package org.augmix4j.augment;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The 13 AugMix operations (official {@code augmentations.py} names and order: the first 9 are the
 * default list, all 13 with {@code --all-ops}), each applicable with an explicit parameter that
 * means exactly what it means in the Pillow call (Pillow's ImageOps, ImageEnhance, Image.transform):
 * <table>
 * <caption>parameters</caption>
 * <tr><th>op</th><th>parameter</th><th>valid range</th></tr>
 * <tr><td>autocontrast, equalize</td><td>ignored</td><td>any</td></tr>
 * <tr><td>posterize</td><td>bits kept</td><td>integer 0..8</td></tr>
 * <tr><td>rotate</td><td>degrees, counter-clockwise positive</td><td>finite</td></tr>
 * <tr><td>solarize</td><td>threshold (v &lt; threshold kept, else 255 - v)</td><td>0..256</td></tr>
 * <tr><td>shear_x, shear_y</td><td>affine coefficient</td><td>finite, |s| &le; 10</td></tr>
 * <tr><td>translate_x, translate_y</td><td>affine offset in pixels (positive moves content left / up)</td><td>finite</td></tr>
 * <tr><td>color, contrast, brightness, sharpness</td><td>enhance factor (1 = identity)</td><td>finite, 0..10</td></tr>
 * </table>
 */
public enum Op {
    AUTOCONTRAST("autocontrast"),
    EQUALIZE("equalize"),
    POSTERIZE("posterize"),
    ROTATE("rotate"),
    SOLARIZE("solarize"),
    SHEAR_X("shear_x"),
    SHEAR_Y("shear_y"),
    TRANSLATE_X("translate_x"),
    TRANSLATE_Y("translate_y"),
    COLOR("color"),
    CONTRAST("contrast"),
    BRIGHTNESS("brightness"),
    SHARPNESS("sharpness");

    /** The official default list ({@code augmentations}). */
    public static final List<Op> DEFAULT = List.of(AUTOCONTRAST, EQUALIZE, POSTERIZE, ROTATE, SOLARIZE, SHEAR_X,
            SHEAR_Y, TRANSLATE_X, TRANSLATE_Y);
    /** The official {@code augmentations_all} list (default + 4 enhance ops). */
    public static final List<Op> ALL = List.of(values());

    private final String pillowName;

    Op(String name) { this.pillowName = name; }

    /** The official name, e.g. {@code shear_x}. */
    public String opName() { return pillowName; }

    @Override
    public String toString() { return pillowName; }

    /** Looks an op up by its official name (case-insensitive; '-' accepted for '_'). */
    public static Op byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (Op op : values()) if (op.pillowName.equals(n)) return op;
        }
        throw new IllegalArgumentException("unknown op '" + name + "'; use one of: "
                + Arrays.stream(values()).map(Op::opName).collect(Collectors.joining(", ")));
    }

    /** Whether the op consumes its parameter (false for autocontrast and equalize). */
    public boolean hasParam() { return this != AUTOCONTRAST && this != EQUALIZE; }

    /** Whether the random version negates its parameter with probability 0.5. */
    public boolean signed() {
        return this == ROTATE || this == SHEAR_X || this == SHEAR_Y || this == TRANSLATE_X || this == TRANSLATE_Y;
    }

    /**
     * The parameter the official op derives from a sampled level ({@code U[0.1, severity)}) and
     * its sign draw, for an image of {@code w x h} (IMAGE_SIZE of {@code augmentations.py} is the
     * image's width for translate_x and its height for translate_y):
     * <pre>
     *   posterize   4 - int(level * 4 / 10)
     *   rotate      +-int(level * 30 / 10)
     *   solarize    256 - int(level * 256 / 10)
     *   shear_x/y   +-(level * 0.3 / 10)
     *   translate_x +-int(level * (w / 3) / 10)     translate_y: h / 3
     *   enhance     level * 1.8 / 10 + 0.1
     * </pre>
     * Evaluated left to right in double as Python does; int() truncates. Returns 0 for
     * autocontrast/equalize.
     */
    public double paramFromLevel(double level, boolean negate, int h, int w) {
        double p;
        switch (this) {
            case AUTOCONTRAST, EQUALIZE -> { return 0.0; }
            case POSTERIZE -> p = 4 - intParameter(level, 4);
            case ROTATE -> p = intParameter(level, 30);
            case SOLARIZE -> p = 256 - intParameter(level, 256);
            case SHEAR_X, SHEAR_Y -> p = floatParameter(level, 0.3);
            case TRANSLATE_X -> p = intParameter(level, w / 3.0);
            case TRANSLATE_Y -> p = intParameter(level, h / 3.0);
            default -> p = floatParameter(level, 1.8) + 0.1;
        }
        return negate && signed() ? -p : p;
    }

    /** {@code int(level * maxval / 10)}. */
    public static int intParameter(double level, double maxval) { return (int) (level * maxval / 10); }

    /** {@code float(level) * maxval / 10}. */
    public static double floatParameter(double level, double maxval) { return level * maxval / 10; }

    /** Rejects a parameter outside the op's valid range with a message naming op, value and range. */
    public void checkParam(double p) {
        String bad = null;
        switch (this) {
            case AUTOCONTRAST, EQUALIZE -> { return; }
            case POSTERIZE -> {
                if (!(p >= 0 && p <= 8 && p == Math.rint(p))) bad = "an integer number of bits in 0..8";
            }
            case SOLARIZE -> {
                if (!(p >= 0 && p <= 256)) bad = "a threshold in 0..256";
            }
            case ROTATE, TRANSLATE_X, TRANSLATE_Y -> {
                if (!Double.isFinite(p) || Math.abs(p) > 1e6) bad = "a finite number with |value| <= 1e6";
            }
            case SHEAR_X, SHEAR_Y -> {
                if (!(Math.abs(p) <= 10)) bad = "an affine coefficient in -10..10";
            }
            default -> {
                if (!(p >= 0 && p <= 10)) bad = "an enhance factor in 0..10 (1 = unchanged)";
            }
        }
        if (bad != null) {
            throw new IllegalArgumentException("parameter " + p + " is out of range for op " + pillowName + ": use " + bad);
        }
    }

    /**
     * Applies the op with explicit parameter {@code param} to the HWC RGB image {@code src[so..]}
     * ({@code h x w}), writing {@code dst[dof..]} (must not overlap the source).
     */
    public void apply(byte[] src, int so, byte[] dst, int dof, int h, int w, double param) {
        switch (this) {
            case AUTOCONTRAST -> PilOps.autocontrast(src, so, dst, dof, h, w);
            case EQUALIZE -> PilOps.equalize(src, so, dst, dof, h, w);
            case POSTERIZE -> PilOps.posterize(src, so, dst, dof, h, w, (int) param);
            case ROTATE -> PilOps.rotate(src, so, dst, dof, h, w, param);
            case SOLARIZE -> PilOps.solarize(src, so, dst, dof, h, w, param);
            case SHEAR_X -> PilOps.shearX(src, so, dst, dof, h, w, param);
            case SHEAR_Y -> PilOps.shearY(src, so, dst, dof, h, w, param);
            case TRANSLATE_X -> PilOps.translateX(src, so, dst, dof, h, w, param);
            case TRANSLATE_Y -> PilOps.translateY(src, so, dst, dof, h, w, param);
            case COLOR -> PilOps.color(src, so, dst, dof, h, w, param);
            case CONTRAST -> PilOps.contrast(src, so, dst, dof, h, w, param);
            case BRIGHTNESS -> PilOps.brightness(src, so, dst, dof, h, w, param);
            case SHARPNESS -> PilOps.sharpness(src, so, dst, dof, h, w, param);
        }
    }

    /** Checks the parameter, then applies the op to a copy: returns a new {@code h*w*3} array. */
    public byte[] apply(byte[] src, int h, int w, double param) {
        if (src.length != h * w * 3) {
            throw new IllegalArgumentException(pillowName + ": image has " + src.length + " bytes, expected h*w*3 = " + (h * w * 3));
        }
        checkParam(param);
        byte[] out = new byte[src.length];
        apply(src, 0, out, 0, h, w, param);
        return out;
    }
}
