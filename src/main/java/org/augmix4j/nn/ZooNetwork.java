package org.augmix4j.nn;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.ops.Dropout;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;

/**
 * A {@link ModelDef} on the CPU engine: its parameters as tape {@link Var}s (initialised from the
 * layout's official init), its batch norms with their running statistics, and {@link Layers} on
 * {@link F}, so the forward pass records its backward on a {@link Tape}.
 *
 * <p>Dropout masks are a pure function of (seed, step, site) ({@link Dropout#mask}, the same draws
 * as the GPU kernel), set per step with {@link #beginStep}; tests can supply their own
 * ({@link #useMasks}).
 *
 * <p>Shapes: input (N, 3, H, W) normalised images; output logits (N, classes).
 */
public final class ZooNetwork implements Network {
    /** Dropout layers a model may have (the counter space per step). */
    public static final int MAX_DROPOUT_SITES = 64;

    /** Supplies a dropout mask (0 or 1/(1-p) per element) for one site of one training forward. */
    public interface MaskSource {
        float[] mask(int site, float p, int numel);
    }

    private final ModelDef def;
    private final StateLayout layout;
    private final Map<String, Var> params = new LinkedHashMap<>();
    private final Map<String, BatchNorm2d> norms = new LinkedHashMap<>();
    private long seed, step;
    private MaskSource masks;

    /** Builds {@code def} with its official initialisation drawn from {@code seed}. */
    public ZooNetwork(ModelDef def, long seed) {
        this.def = def;
        this.layout = def.layout();
        Map<String, float[]> init = layout.initialValues(seed);
        for (StateLayout.Entry e : layout.entries()) {
            String key = e.key();
            if (key.endsWith(".running_mean")) {
                String prefix = key.substring(0, key.length() - ".running_mean".length());
                norms.put(prefix, new BatchNorm2d(prefix, e.shape()[0]));
            }
        }
        for (StateLayout.Entry e : layout.entries()) {
            if (!e.param()) continue;
            String key = e.key();
            BatchNorm2d bn = norms.get(key.substring(0, key.lastIndexOf('.')));
            Var v = bn == null ? Var.param(key, Tensor.of(init.get(key), e.shape()))
                    : key.endsWith(".weight") ? bn.weight : bn.bias;
            if (bn != null) System.arraycopy(init.get(key), 0, v.data(), 0, v.data().length);
            params.put(key, v);
        }
    }

    /** The definition this network runs. */
    public ModelDef definition() { return def; }

    @Override
    public Arch arch() { return def.arch(); }

    @Override
    public List<Var> parameters() { return List.copyOf(params.values()); }

    @Override
    public List<String> stateKeys() { return List.copyOf(layout.shapes().keySet()); }

    @Override
    public void beginStep(long seed, long step) {
        this.seed = seed;
        this.step = step;
    }

    /** Uses {@code source} for the dropout masks of training forwards (null: back to the seeded draws). */
    public void useMasks(MaskSource source) { this.masks = source; }

    @Override
    public Var forward(Tape t, Tensor x, boolean train) {
        int[] s = x.shape();
        ShapeException.check(s.length == 4 && s[1] == 3, def.arch().label() + ".forward", "input must be (N, 3, H, W) RGB images, got "
                + Tensor.str(s));
        return def.forward(new CpuLayers(t, train), Var.constant(x));
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (StateLayout.Entry e : layout.entries()) {
            String key = e.key();
            Var p = params.get(key);
            if (p != null) {
                out.put(key, p.data());
                continue;
            }
            int dot = key.lastIndexOf('.');
            BatchNorm2d b = norms.get(key.substring(0, dot));
            switch (key.substring(dot + 1)) {
                case "running_mean" -> out.put(key, b.runningMean);
                case "running_var" -> out.put(key, b.runningVar);
                default -> out.put(key, new long[] {b.numBatchesTracked});
            }
        }
        return out;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        Arch a = def.arch();
        StateDicts.load(stateDict(), state, a.label() + " with " + a.classes() + " classes",
                "Check -m (and its size options) and the dataset's class count.", key -> layout.get(key).shape(),
                (key, n) -> norms.get(key.substring(0, key.lastIndexOf('.'))).numBatchesTracked = n);
    }

    private Var param(String key) {
        Var v = params.get(key);
        if (v == null) throw new IllegalStateException(def.arch().label() + ": the layout has no parameter " + key);
        return v;
    }

    private BatchNorm2d norm(String prefix) {
        BatchNorm2d b = norms.get(prefix);
        if (b == null) throw new IllegalStateException(def.arch().label() + ": the layout has no batch norm " + prefix);
        return b;
    }

    /** The model's layers on the CPU tape. */
    private final class CpuLayers implements Layers<Var> {
        private final Tape t;
        private final boolean train;

        CpuLayers(Tape t, boolean train) {
            this.t = t;
            this.train = train;
        }

        @Override
        public Var conv(Var x, String prefix, int stride, int pad, int groups) {
            Var b = params.get(prefix + ".bias");
            return F.conv2d(t, x, param(prefix + ".weight"), b, stride, pad, groups);
        }

        @Override
        public Var batchNorm(Var x, String prefix) { return norm(prefix).forward(t, x, train); }

        @Override
        public Var batchNormRelu(Var x, String prefix) { return norm(prefix).forwardRelu(t, x, train); }

        @Override
        public Var relu(Var x) { return F.relu(t, x); }

        @Override
        public Var gelu(Var x) { return F.gelu(t, x); }

        @Override
        public Var add(Var a, Var b) { return F.add(t, a, b); }

        @Override
        public Var concat(Var a, Var b) { return F.concat(t, a, b); }

        @Override
        public Var maxPool(Var x, int k, int s) { return F.maxPool2d(t, x, k, s); }

        @Override
        public Var avgPool(Var x, int k, int s) { return F.avgPool2d(t, x, k, s); }

        @Override
        public Var dropout(Var x, float p, int site) {
            if (!train) return x;
            if (site < 0 || site >= MAX_DROPOUT_SITES) throw new IllegalArgumentException("dropout site " + site + " out of range");
            int n = x.value().numel();
            float[] mask;
            if (masks != null) {
                mask = masks.mask(site, p, n);
            } else {
                mask = new float[n];
                Dropout.mask(seed, step * MAX_DROPOUT_SITES + site, p, mask, n);
            }
            return F.dropout(t, x, mask);
        }

        @Override
        public Var linear(Var x, String prefix) {
            return F.linear(t, F.flatten(t, x), param(prefix + ".weight"), param(prefix + ".bias"));
        }
    }
}
