package org.augmix4j.nn;

import java.util.List;
import java.util.Map;

/**
 * AllConvNet exactly as the official AugMix code builds it (google-research/augmix,
 * models/cifar/allconv.py): {@code features} is the sequence
 * [w1, w1, w1, Md, w2, w2, w2, Md, nopad, NIN, NIN, A] with w1 = 96, w2 = 192, where a width v is
 * Conv2d(in, v, 3, padding 1, with bias) + BatchNorm2d + GELU (x * sigmoid(1.702 x)); Md is
 * MaxPool2d(2, 2) + Dropout(0.5); nopad is a 3x3 conv without padding (+ BN + GELU); NIN a 1x1
 * conv WITH padding 1 (+ BN + GELU, so the map grows by 2); A is AvgPool2d(8); then
 * {@code classifier} = Linear(w2, classes). State keys are {@code features.<index>.*} with the
 * index of the layer in that Sequential (GELU, pool and dropout layers count), as PyTorch numbers them.
 *
 * <p>Shapes on a 32x32 input: 32 -> 16 (pool) -> 8 (pool) -> 6 (nopad) -> 8 -> 10 (NIN) -> 1x1
 * (the 8x8 average pool of a 10x10 map keeps its top-left 8x8 window, as PyTorch's floor does).
 */
public final class AllConvNet implements ModelDef {
    /**
     * The architecture: classes and the two widths (official 96 and 192; smaller ones exist for
     * the PyTorch fixtures).
     */
    public record Config(int classes, int width1, int width2) implements Arch {
        public Config {
            if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
            if (width1 < 1 || width2 < 1) throw new IllegalArgumentException("AllConvNet widths must be >= 1, got " + width1 + ", " + width2);
        }

        /** The official AllConvNet(num_classes). */
        public static Config official(int classes) { return new Config(classes, 96, 192); }

        @Override
        public String model() { return "allconv"; }

        @Override
        public String label() { return width1 == 96 && width2 == 192 ? "AllConvNet" : "AllConvNet-" + width1 + "-" + width2; }

        @Override
        public Config withClasses(int classes) { return new Config(classes, width1, width2); }

        @Override
        public Map<String, int[]> stateShapes() { return new AllConvNet(this).layout().shapes(); }

        @Override
        public long trainingFloatsPerImage(int h, int w) { return ShapeLayers.floatsPerImage(new AllConvNet(this), h, w); }

        @Override
        public Network build(long seed) { return new ZooNetwork(new AllConvNet(this), seed); }

        @Override
        public String flags() { return "-m allconv"; }
    }

    private static final String POOL = "Md", NOPAD = "nopad", NIN = "NIN", AVG = "A";
    private static final float DROP = 0.5f;

    private final Config config;
    private final List<Object> cfg;
    private final StateLayout layout = new StateLayout();

    public AllConvNet(Config config) {
        this.config = config;
        int w1 = config.width1(), w2 = config.width2();
        this.cfg = List.of(w1, w1, w1, POOL, w2, w2, w2, POOL, NOPAD, NIN, NIN, AVG);
        int in = 3, i = 0;
        for (Object v : cfg) {
            if (v instanceof Integer width) {
                layout.conv("features." + i, in, width, 3, 1, true).batchNorm("features." + (i + 1), width);
                in = width;
                i += 3;
            } else if (v.equals(NOPAD)) {
                layout.conv("features." + i, in, in, 3, 1, true).batchNorm("features." + (i + 1), in);
                i += 3;
            } else if (v.equals(NIN)) {
                layout.conv("features." + i, in, in, 1, 1, true).batchNorm("features." + (i + 1), in);
                i += 3;
            } else {
                i += v.equals(POOL) ? 2 : 1;
            }
        }
        layout.linear("classifier", w2, config.classes(), StateLayout.Init.UNIFORM_FAN_IN);
    }

    @Override
    public Config arch() { return config; }

    @Override
    public StateLayout layout() { return layout; }

    @Override
    public <X> X forward(Layers<X> l, X x) {
        int i = 0, site = 0;
        for (Object v : cfg) {
            if (v instanceof Integer || v.equals(NOPAD) || v.equals(NIN)) {
                int pad = v.equals(NOPAD) ? 0 : 1;
                x = l.gelu(l.batchNorm(l.conv(x, "features." + i, 1, pad, 1), "features." + (i + 1)));
                i += 3;
            } else if (v.equals(POOL)) {
                x = l.dropout(l.maxPool(x, 2, 2), DROP, site++);
                i += 2;
            } else {
                x = l.avgPool(x, 8, 8);
                i += 1;
            }
        }
        return l.linear(x, "classifier");
    }
}
