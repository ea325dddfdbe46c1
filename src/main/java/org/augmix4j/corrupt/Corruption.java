package org.augmix4j.corrupt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The 19 CIFAR-C corruptions, in the official order (the 15 benchmark ones, then the 4 extras).
 * {@link #stem()} is the CIFAR-C file stem used everywhere (CLI, reports, {@code <stem>.npy}).
 */
public enum Corruption {
    GAUSSIAN_NOISE("gaussian_noise", Category.NOISE, false),
    SHOT_NOISE("shot_noise", Category.NOISE, false),
    IMPULSE_NOISE("impulse_noise", Category.NOISE, false),
    DEFOCUS_BLUR("defocus_blur", Category.BLUR, true),
    GLASS_BLUR("glass_blur", Category.BLUR, false),
    MOTION_BLUR("motion_blur", Category.BLUR, false),
    ZOOM_BLUR("zoom_blur", Category.BLUR, true),
    SNOW("snow", Category.WEATHER, false),
    FROST("frost", Category.WEATHER, false),
    FOG("fog", Category.WEATHER, false),
    BRIGHTNESS("brightness", Category.WEATHER, true),
    CONTRAST("contrast", Category.DIGITAL, true),
    ELASTIC_TRANSFORM("elastic_transform", Category.DIGITAL, false),
    PIXELATE("pixelate", Category.DIGITAL, true),
    JPEG_COMPRESSION("jpeg_compression", Category.DIGITAL, true),
    SPECKLE_NOISE("speckle_noise", Category.EXTRA, false),
    GAUSSIAN_BLUR("gaussian_blur", Category.EXTRA, true),
    SPATTER("spatter", Category.EXTRA, false),
    SATURATE("saturate", Category.EXTRA, true);

    /** Benchmark categories (the extras are held out of the 15-corruption score). */
    public enum Category { NOISE, BLUR, WEATHER, DIGITAL, EXTRA }

    /** Highest severity. */
    public static final int MAX_SEVERITY = 5;

    private final String stem;
    private final Category category;
    private final boolean deterministic;

    Corruption(String stem, Category category, boolean deterministic) {
        this.stem = stem;
        this.category = category;
        this.deterministic = deterministic;
    }

    /** CIFAR-C file stem, e.g. {@code "gaussian_noise"}. */
    public String stem() { return stem; }

    public Category category() { return category; }

    /** True for the 15 corruptions in the CIFAR-C mean error; false for the 4 extras. */
    public boolean benchmark() { return category != Category.EXTRA; }

    /** True when the original generator drew no random numbers (output depends on the image only). */
    public boolean deterministic() { return deterministic; }

    @Override
    public String toString() { return stem; }

    /** The 15 benchmark corruptions in the official order. */
    public static List<Corruption> benchmarkSet() {
        List<Corruption> l = new ArrayList<>();
        for (Corruption c : values()) if (c.benchmark()) l.add(c);
        return Collections.unmodifiableList(l);
    }

    /** The 4 extras (speckle_noise, gaussian_blur, spatter, saturate). */
    public static List<Corruption> extras() {
        List<Corruption> l = new ArrayList<>();
        for (Corruption c : values()) if (!c.benchmark()) l.add(c);
        return Collections.unmodifiableList(l);
    }

    /** All 19 stems in the official order. */
    public static List<String> stems() {
        List<String> l = new ArrayList<>();
        for (Corruption c : values()) l.add(c.stem);
        return Collections.unmodifiableList(l);
    }

    /**
     * Looks a corruption up by its stem (case-insensitive; '-' accepted for '_').
     *
     * @throws IllegalArgumentException naming the valid stems when {@code name} is unknown
     */
    public static Corruption byName(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            for (Corruption c : values()) if (c.stem.equals(n)) return c;
        }
        throw new IllegalArgumentException("unknown corruption '" + name + "'; valid names: "
                + String.join(", ", stems()));
    }

    /**
     * Parses a comma-separated list of stems; "all" gives the 19, "benchmark" the 15, "extra" the 4.
     */
    public static List<Corruption> parseList(String spec) {
        List<Corruption> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) continue;
            switch (p) {
                case "all": for (Corruption c : values()) if (!out.contains(c)) out.add(c); break;
                case "benchmark": for (Corruption c : benchmarkSet()) if (!out.contains(c)) out.add(c); break;
                case "extra": case "extras": for (Corruption c : extras()) if (!out.contains(c)) out.add(c); break;
                default: { Corruption c = byName(p); if (!out.contains(c)) out.add(c); }
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("empty corruption list '" + spec + "'; valid names: "
                + String.join(", ", stems()));
        return out;
    }

    /**
     * Parses a severity list such as "1-5", "3", "1,3,5" or "2-3,5" into ascending distinct values.
     *
     * @throws IllegalArgumentException for malformed text or values outside 1..5
     */
    public static int[] parseSeverities(String spec) {
        boolean[] on = new boolean[MAX_SEVERITY + 1];
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty severity list; use e.g. 1-5 or 1,3,5");
        for (String part : spec.split(",")) {
            String p = part.trim();
            try {
                int dash = p.indexOf('-', 1);
                int lo = Integer.parseInt((dash < 0 ? p : p.substring(0, dash)).trim());
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).trim());
                if (lo > hi) throw new IllegalArgumentException("bad severity range '" + p + "'");
                for (int v = lo; v <= hi; v++) on[checkSeverity(v)] = true;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad severity list '" + spec + "'; use e.g. 1-5 or 1,3,5");
            }
        }
        int n = 0;
        for (boolean b : on) if (b) n++;
        int[] out = new int[n];
        for (int v = 1, k = 0; v <= MAX_SEVERITY; v++) if (on[v]) out[k++] = v;
        return out;
    }

    /** @throws IllegalArgumentException unless 1 &le; severity &le; 5 */
    public static int checkSeverity(int severity) {
        if (severity < 1 || severity > MAX_SEVERITY) {
            throw new IllegalArgumentException("severity must be 1..5, got " + severity);
        }
        return severity;
    }
}
