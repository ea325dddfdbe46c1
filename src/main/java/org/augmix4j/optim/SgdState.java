package org.augmix4j.optim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimiser state that a checkpoint holds, independent of the engine: each parameter's
 * momentum buffer under the parameter's state_dict name (in parameter order; a parameter that has
 * not been updated yet has no entry) and the number of steps taken.
 */
public record SgdState(Map<String, float[]> momentum, long steps) {
    public SgdState {
        momentum = Collections.unmodifiableMap(new LinkedHashMap<>(momentum));
        if (steps < 0) throw new IllegalArgumentException("optimizer steps must be >= 0, got " + steps);
    }

    /** No step taken yet. */
    public static SgdState initial() { return new SgdState(Map.of(), 0); }
}
