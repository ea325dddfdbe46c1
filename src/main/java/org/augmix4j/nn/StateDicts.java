package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.augmix4j.tensor.Tensor;

/**
 * Loading a state dict into a network's live arrays, with the errors every network gives: missing
 * and unexpected keys (listed), integer data for a float tensor, a wrong number of values, a
 * malformed num_batches_tracked. {@code num_batches_tracked} may be absent (older exports).
 */
final class StateDicts {
    private StateDicts() {}

    /**
     * Copies {@code state} into {@code mine} (the network's own state dict: live float[] arrays,
     * long[1] counters that {@code setCounter} stores).
     *
     * @param what  the architecture as errors name it, e.g. "WRN-40-2 with 10 classes"
     * @param hint  what to check when the keys do not fit, e.g. "Check -m and the dataset's class count."
     * @param shape the shape of a key, for messages
     */
    static void load(Map<String, Object> mine, Map<String, Object> state, String what, String hint, Function<String, int[]> shape,
                     BiConsumer<String, Long> setCounter) {
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>();
        for (String key : mine.keySet()) {
            if (!state.containsKey(key) && !key.endsWith("num_batches_tracked")) missing.add(key);
        }
        for (String key : state.keySet()) if (!mine.containsKey(key)) unexpected.add(key);
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            throw new IllegalArgumentException("state_dict does not fit " + what + ": missing " + head(missing) + ", unexpected "
                    + head(unexpected) + ". " + hint);
        }
        for (Map.Entry<String, Object> e : mine.entrySet()) {
            Object src = state.get(e.getKey());
            if (src == null) continue;
            if (e.getValue() instanceof float[] dst) {
                if (!(src instanceof float[] s)) {
                    throw new IllegalArgumentException("state_dict entry " + e.getKey() + " holds integers, but it is a float32 "
                            + "tensor (shape " + Tensor.str(shape.apply(e.getKey())) + "); re-export the weights with float tensors");
                }
                if (s.length != dst.length) {
                    throw new IllegalArgumentException("state_dict entry " + e.getKey() + " has " + s.length + " values, expected "
                            + dst.length + " (shape " + Tensor.str(shape.apply(e.getKey())) + ")");
                }
                System.arraycopy(s, 0, dst, 0, dst.length);
            } else {
                if (!(src instanceof long[] n) || n.length != 1) {
                    throw new IllegalArgumentException("state_dict entry " + e.getKey() + " must be one int64 value (shape []), but it "
                            + "holds " + (src instanceof long[] n ? n.length + " integers" : "floats") + "; re-export it from "
                            + "PyTorch, or drop the entry (it is optional)");
                }
                setCounter.accept(e.getKey(), n[0]);
            }
        }
    }

    static String head(List<String> keys) {
        if (keys.isEmpty()) return "none";
        return keys.size() <= 5 ? keys.toString() : keys.subList(0, 5) + " and " + (keys.size() - 5) + " more";
    }
}
