package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;

/**
 * WideResNet-d-k exactly as the official AugMix code builds it (google-research/augmix,
 * third_party/WideResNet_pytorch/wideresnet.py): conv1 3->16, three stages of n = (d-4)/6 pre-activation basic
 * blocks of widths 16k, 32k, 64k (strides 1, 2, 2), then BN, ReLU, global average pool, fc.
 * A block whose input and output widths differ applies its shortcut 1x1 conv to the ACTIVATED
 * input; otherwise the identity shortcut takes the raw input.
 *
 * <p>Parameters and buffers carry the official PyTorch state_dict keys, in state_dict order
 * (conv1.weight, block1.layer.0.bn1.weight, ..., bn1.running_mean, fc.weight, fc.bias), so weights
 * move between AugMix4J and PyTorch unchanged. Init: conv N(0, sqrt(2 / (k*k*out))), BN weight 1 /
 * bias 0, fc bias 0, fc weight U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default Linear init).
 *
 * <p>Shapes: input (N, 3, 32, 32) normalised images; output logits (N, classes).
 */
public final class WideResNet implements Network {
    /** Architecture: depth d (d = 6n + 4), widen factor k, number of classes. */
    public record Config(int depth, int widen, int classes) implements Arch {
        public Config {
            if (depth < 10 || (depth - 4) % 6 != 0) {
                throw new IllegalArgumentException("WideResNet depth must be 6n+4 with n >= 1 (10, 16, 22, 28, 40, ...), got "
                        + depth + "; pass e.g. --layers 40");
            }
            if (widen < 1) throw new IllegalArgumentException("widen factor must be >= 1, got " + widen);
            if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
        }

        @Override
        public String label() { return "WRN-" + depth + "-" + widen; }

        @Override
        public String model() { return "wrn"; }

        @Override
        public Config withClasses(int classes) { return new Config(depth, widen, classes); }

        @Override
        public Map<String, int[]> stateShapes() { return WrnSpec.of(this).stateShapes(); }

        @Override
        public long parameterCount() { return WrnSpec.parameterCount(this); }

        @Override
        public long trainingFloatsPerImage(int h, int w) { return WrnSpec.trainingFloatsPerImage(this, h, w); }

        @Override
        public WideResNet build(long seed) { return new WideResNet(this, seed); }

        @Override
        public String flags() { return "-m wrn --layers " + depth + " --widen-factor " + widen; }
    }

    private record ConvLayer(Var weight, int stride, int pad) {
        Var forward(Tape t, Var x) { return F.conv2d(t, x, weight, stride, pad); }
    }

    private record Block(BatchNorm2d bn1, ConvLayer conv1, BatchNorm2d bn2, ConvLayer conv2, ConvLayer shortcut) {
        Var forward(Tape t, Var x, boolean train) {
            if (shortcut != null) {
                Var a = bn1.forwardRelu(t, x, train);
                Var h = bn2.forwardRelu(t, conv1.forward(t, a), train);
                h = conv2.forward(t, h);
                return F.add(t, shortcut.forward(t, a), h);
            }
            Var a = bn1.forwardRelu(t, x, train);
            Var h = bn2.forwardRelu(t, conv1.forward(t, a), train);
            h = conv2.forward(t, h);
            return F.add(t, x, h);
        }
    }

    private final Config config;
    private final WrnSpec spec;
    private final ConvLayer conv1;
    private final List<Block> blocks = new ArrayList<>();
    private final BatchNorm2d bn;
    private final Var fcWeight, fcBias;
    private final List<Var> params = new ArrayList<>();
    private final List<BatchNorm2d> norms = new ArrayList<>();
    private final Map<String, BatchNorm2d> normByPrefix = new LinkedHashMap<>();
    private final List<String> stateKeys = new ArrayList<>();

    /** Builds the network with the official initialisation drawn from {@code seed}. */
    public WideResNet(Config config, long seed) {
        this.config = config;
        this.spec = WrnSpec.of(config);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] widths = WrnSpec.widths(config.widen());
        conv1 = new ConvLayer(conv("conv1.weight", widths[0], 3, 3, rng), 1, 1);
        for (WrnSpec.Block s : spec.blocks()) {
            String p = s.prefix();
            BatchNorm2d b1 = norm(p + "bn1", s.in());
            ConvLayer c1 = new ConvLayer(conv(p + "conv1.weight", s.out(), s.in(), 3, rng), s.stride(), 1);
            BatchNorm2d b2 = norm(p + "bn2", s.out());
            ConvLayer c2 = new ConvLayer(conv(p + "conv2.weight", s.out(), s.out(), 3, rng), 1, 1);
            ConvLayer sc = s.hasShortcut() ? new ConvLayer(conv(p + "convShortcut.weight", s.out(), s.in(), 1, rng), s.stride(), 0) : null;
            blocks.add(new Block(b1, c1, b2, c2, sc));
        }
        int c = spec.features();
        bn = norm("bn1", c);
        float bound = (float) (1.0 / Math.sqrt(c));
        float[] w = new float[config.classes() * c];
        for (int i = 0; i < w.length; i++) w[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        fcWeight = param("fc.weight", Tensor.of(w, config.classes(), c));
        fcBias = param("fc.bias", Tensor.zeros(config.classes()));
        if (!stateKeys.equals(List.copyOf(spec.stateShapes().keySet()))) {
            throw new IllegalStateException("WideResNet: state_dict keys differ from WrnSpec's for " + config.label());
        }
    }

    private Var conv(String name, int out, int in, int ks, SplittableRandom rng) {
        double std = Math.sqrt(2.0 / (ks * ks * out));
        float[] w = new float[out * in * ks * ks];
        for (int i = 0; i < w.length; i++) w[i] = (float) (gaussian(rng) * std);
        return param(name, Tensor.of(w, out, in, ks, ks));
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2);
    }

    private BatchNorm2d norm(String prefix, int c) {
        BatchNorm2d b = new BatchNorm2d(prefix, c);
        param(prefix + ".weight", b.weight);
        param(prefix + ".bias", b.bias);
        stateKeys.add(prefix + ".running_mean");
        stateKeys.add(prefix + ".running_var");
        stateKeys.add(prefix + ".num_batches_tracked");
        norms.add(b);
        normByPrefix.put(prefix, b);
        return b;
    }

    private Var param(String name, Tensor value) { return param(name, Var.param(name, value)); }

    private Var param(String name, Var v) {
        params.add(v);
        stateKeys.add(name);
        return v;
    }

    public Config config() { return config; }

    @Override
    public Arch arch() { return config; }

    @Override
    public List<Var> parameters() { return Collections.unmodifiableList(params); }

    /** Number of learnable values (2,243,546 for WRN-40-2 with 10 classes). */
    @Override
    public long parameterCount() {
        long n = 0;
        for (Var v : params) n += v.value().numel();
        return n;
    }

    @Override
    public List<String> stateKeys() { return Collections.unmodifiableList(stateKeys); }

    /**
     * Forward pass of x (N, 3, H, W). In training mode batch norm uses batch statistics and
     * updates its running statistics; with a tape every op records its backward.
     */
    @Override
    public Var forward(Tape t, Tensor x, boolean train) {
        int[] s = x.shape();
        ShapeException.check(s.length == 4 && s[1] == 3, "WideResNet.forward", "input must be (N, 3, H, W) RGB images, got "
                + Tensor.str(s));
        Var h = conv1.forward(t, Var.constant(x));
        for (Block b : blocks) h = b.forward(t, h, train);
        h = bn.forwardRelu(t, h, train);
        h = F.globalAvgPool(t, h);
        return F.linear(t, h, fcWeight, fcBias);
    }

    // ---------------------------------------------------------------- state dict

    /** Every state_dict entry under its official key: float[] for tensors, long[1] for num_batches_tracked. */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Var> byName = new LinkedHashMap<>();
        for (Var v : params) byName.put(v.name(), v);
        for (String key : stateKeys) {
            if (byName.containsKey(key)) {
                out.put(key, byName.get(key).data());
                continue;
            }
            int dot = key.lastIndexOf('.');
            BatchNorm2d b = normByPrefix.get(key.substring(0, dot));
            switch (key.substring(dot + 1)) {
                case "running_mean" -> out.put(key, b.runningMean);
                case "running_var" -> out.put(key, b.runningVar);
                default -> out.put(key, new long[] {b.numBatchesTracked});
            }
        }
        return out;
    }

    /** Shape of a state_dict entry ([] for num_batches_tracked). */
    public int[] stateShape(String key) {
        int[] s = spec.stateShapes().get(key);
        if (s == null) throw new IllegalArgumentException("unknown state_dict key " + key);
        return s.clone();
    }

    /** The layout this network iterates. */
    public WrnSpec spec() { return spec; }

    /**
     * Loads values by key into this network (copying). Missing keys, unexpected keys and shape
     * mismatches are errors naming the key; {@code num_batches_tracked} may be absent.
     */
    @Override
    public void loadStateDict(Map<String, Object> state) {
        StateDicts.load(stateDict(), state, config.label() + " with " + config.classes() + " classes",
                "Check --layers/--widen-factor and the dataset's class count.", this::stateShape,
                (key, n) -> normByPrefix.get(key.substring(0, key.lastIndexOf('.'))).numBatchesTracked = n);
    }
}
