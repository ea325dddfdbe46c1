package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every state_dict entry of a {@link ModelDef} in PyTorch's order (a module's parameters, then its
 * buffers, then its children in registration order), each with its shape and its official
 * initialisation. Built with {@link #conv}, {@link #batchNorm} and {@link #linear}, which add the
 * keys a {@code torch.nn} module of that kind has.
 *
 * <p>Initialisations (the official AugMix model files): conv weights N(0, sqrt(2 / (k*k*out)))
 * ("He, fan-out"); conv biases PyTorch's default U(-1/sqrt(fanIn), 1/sqrt(fanIn)) (the official
 * code leaves them); batch norm weight 1, bias 0, running mean 0, running var 1; linear bias 0 and
 * weight either PyTorch's default U(-1/sqrt(in), 1/sqrt(in)) or kaiming_normal N(0, sqrt(2 / in)).
 */
public final class StateLayout {
    /** How an entry starts. */
    public enum Init { HE_NORMAL_FAN_OUT, UNIFORM_FAN_IN, KAIMING_NORMAL_FAN_IN, ONES, ZEROS, COUNTER }

    /**
     * One state_dict entry.
     *
     * @param key   PyTorch key, e.g. {@code dense1.0.conv1.weight}
     * @param shape its shape ([] for num_batches_tracked)
     * @param init  how it starts
     * @param fan   the fan the init scales by (out*k*k for He, fan-in otherwise; 0 when unused)
     * @param param true for learnable parameters, false for buffers
     */
    public record Entry(String key, int[] shape, Init init, int fan, boolean param) {
        /** Number of values (1 for the counter). */
        public int numel() {
            int n = 1;
            for (int d : shape) n *= d;
            return n;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Entry> byKey = new LinkedHashMap<>();

    private void add(Entry e) {
        if (byKey.put(e.key(), e) != null) throw new IllegalStateException("duplicate state_dict key " + e.key());
        entries.add(e);
    }

    /** nn.Conv2d(in, out, k, groups, bias): {@code prefix.weight} (out, in/groups, k, k) and maybe {@code prefix.bias} (out). */
    public StateLayout conv(String prefix, int in, int out, int k, int groups, boolean bias) {
        if (in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(prefix + ": " + in + " -> " + out + " channels do not split into " + groups + " groups");
        }
        add(new Entry(prefix + ".weight", new int[] {out, in / groups, k, k}, Init.HE_NORMAL_FAN_OUT, k * k * out, true));
        if (bias) add(new Entry(prefix + ".bias", new int[] {out}, Init.UNIFORM_FAN_IN, in / groups * k * k, true));
        return this;
    }

    /** nn.BatchNorm2d(c): weight, bias, running_mean, running_var, num_batches_tracked. */
    public StateLayout batchNorm(String prefix, int c) {
        add(new Entry(prefix + ".weight", new int[] {c}, Init.ONES, 0, true));
        add(new Entry(prefix + ".bias", new int[] {c}, Init.ZEROS, 0, true));
        add(new Entry(prefix + ".running_mean", new int[] {c}, Init.ZEROS, 0, false));
        add(new Entry(prefix + ".running_var", new int[] {c}, Init.ONES, 0, false));
        add(new Entry(prefix + ".num_batches_tracked", new int[0], Init.COUNTER, 0, false));
        return this;
    }

    /** nn.Linear(in, out) with zero bias and the given weight init (UNIFORM_FAN_IN or KAIMING_NORMAL_FAN_IN). */
    public StateLayout linear(String prefix, int in, int out, Init weight) {
        add(new Entry(prefix + ".weight", new int[] {out, in}, weight, in, true));
        add(new Entry(prefix + ".bias", new int[] {out}, Init.ZEROS, 0, true));
        return this;
    }

    /** The entries in state_dict order. */
    public List<Entry> entries() { return Collections.unmodifiableList(entries); }

    /** The entry under {@code key}, or null. */
    public Entry get(String key) { return byKey.get(key); }

    /** True when the layout has {@code key}. */
    public boolean has(String key) { return byKey.containsKey(key); }

    /** Every key with its shape, in order. */
    public Map<String, int[]> shapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Entry e : entries) m.put(e.key(), e.shape().clone());
        return Collections.unmodifiableMap(m);
    }

    /** Learnable values. */
    public long parameterCount() {
        long n = 0;
        for (Entry e : entries) if (e.param()) n += e.numel();
        return n;
    }

    /**
     * The starting values of every float entry (parameters and running statistics), drawn in
     * layout order from {@code seed}; the counters are not included (they start at 0).
     */
    public Map<String, float[]> initialValues(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.init() == Init.COUNTER) continue;
            float[] v = new float[e.numel()];
            switch (e.init()) {
                case HE_NORMAL_FAN_OUT, KAIMING_NORMAL_FAN_IN -> {
                    double std = Math.sqrt(2.0 / e.fan());
                    for (int i = 0; i < v.length; i++) v[i] = (float) (gaussian(rng) * std);
                }
                case UNIFORM_FAN_IN -> {
                    double bound = 1.0 / Math.sqrt(e.fan());
                    for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                }
                case ONES -> java.util.Arrays.fill(v, 1f);
                default -> { }
            }
            out.put(e.key(), v);
        }
        return out;
    }

    /** A standard normal draw (Box-Muller), the same transform {@link WideResNet} uses. */
    static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }
}
