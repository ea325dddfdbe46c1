package org.augmix4j.nn;

import java.util.Map;

/**
 * DenseNet exactly as the official AugMix code builds it (google-research/augmix,
 * third_party/ResNeXt_DenseNet/models/densenet.py). The official {@code densenet(num_classes)} is
 * DenseNet(growth 12, depth 40, reduction 1.0, no bottleneck): DenseNet-40-12. With bottleneck
 * layers and a reduction below 1 the same code gives DenseNet-BC.
 *
 * <p>Layout: {@code conv1} 3x3 3 -> 2g; three dense blocks {@code dense1..3} of n layers
 * (n = (depth-4)/3, or (depth-4)/6 with bottlenecks) separated by transitions {@code trans1..2}; then
 * {@code bn1}, ReLU, avg_pool2d(8), {@code fc}. A layer is relu(bn1) -> conv1 3x3 to g (SingleLayer), or
 * relu(bn1) -> conv1 1x1 to 4g -> relu(bn2) -> conv2 3x3 to g (Bottleneck), and its output is
 * concatenated after its input (channels grow by g). A transition is relu(bn1) -> conv1 1x1 to
 * floor(c * reduction) -> avg_pool2d(2). No conv has a bias.
 *
 * <p>Shapes on a 32x32 input: 32x32 (block 1), 16x16 (block 2), 8x8 (block 3), 1x1 after the pool.
 */
public final class DenseNet implements ModelDef {
    /** The architecture (official: growth 12, depth 40, reduction 1.0, no bottleneck). */
    public record Config(int classes, int growth, int depth, double reduction, boolean bottleneck) implements Arch {
        public Config {
            if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
            if (growth < 1) throw new IllegalArgumentException("DenseNet growth rate must be >= 1, got " + growth);
            int per = bottleneck ? 6 : 3;
            if (depth < 4 + per || (depth - 4) % per != 0) {
                throw new IllegalArgumentException("DenseNet depth must be " + per + "n+4 with n >= 1" + (bottleneck ? " (bottleneck)" : "")
                        + ", got " + depth);
            }
            if (!(reduction > 0 && reduction <= 1)) throw new IllegalArgumentException("DenseNet reduction must be in (0, 1], got " + reduction);
        }

        /** The official densenet(num_classes): DenseNet-40-12. */
        public static Config official(int classes) { return new Config(classes, 12, 40, 1.0, false); }

        /** Layers per dense block. */
        public int layersPerBlock() { return (depth - 4) / (bottleneck ? 6 : 3); }

        @Override
        public String model() { return "densenet"; }

        @Override
        public String label() {
            return (bottleneck || reduction < 1 ? "DenseNet-BC-" : "DenseNet-") + depth + "-" + growth;
        }

        @Override
        public Config withClasses(int classes) { return new Config(classes, growth, depth, reduction, bottleneck); }

        @Override
        public Map<String, int[]> stateShapes() { return new DenseNet(this).layout().shapes(); }

        @Override
        public long trainingFloatsPerImage(int h, int w) { return ShapeLayers.floatsPerImage(new DenseNet(this), h, w); }

        @Override
        public Network build(long seed) { return new ZooNetwork(new DenseNet(this), seed); }

        @Override
        public String flags() { return "-m densenet"; }
    }

    private final Config config;
    private final StateLayout layout = new StateLayout();

    public DenseNet(Config config) {
        this.config = config;
        int g = config.growth(), n = config.layersPerBlock();
        int c = 2 * g;
        layout.conv("conv1", 3, c, 3, 1, false);
        for (int block = 1; block <= 3; block++) {
            for (int i = 0; i < n; i++) {
                String p = "dense" + block + "." + i + ".";
                layout.batchNorm(p + "bn1", c);
                if (config.bottleneck()) {
                    layout.conv(p + "conv1", c, 4 * g, 1, 1, false).batchNorm(p + "bn2", 4 * g).conv(p + "conv2", 4 * g, g, 3, 1, false);
                } else {
                    layout.conv(p + "conv1", c, g, 3, 1, false);
                }
                c += g;
            }
            if (block < 3) {
                int out = (int) Math.floor(c * config.reduction());
                layout.batchNorm("trans" + block + ".bn1", c).conv("trans" + block + ".conv1", c, out, 1, 1, false);
                c = out;
            }
        }
        layout.batchNorm("bn1", c).linear("fc", c, config.classes(), StateLayout.Init.UNIFORM_FAN_IN);
    }

    @Override
    public Config arch() { return config; }

    @Override
    public StateLayout layout() { return layout; }

    @Override
    public <X> X forward(Layers<X> l, X x) {
        int n = config.layersPerBlock();
        x = l.conv(x, "conv1", 1, 1, 1);
        for (int block = 1; block <= 3; block++) {
            for (int i = 0; i < n; i++) {
                String p = "dense" + block + "." + i + ".";
                X h = l.batchNormRelu(x, p + "bn1");
                if (config.bottleneck()) {
                    h = l.conv(l.batchNormRelu(l.conv(h, p + "conv1", 1, 0, 1), p + "bn2"), p + "conv2", 1, 1, 1);
                } else {
                    h = l.conv(h, p + "conv1", 1, 1, 1);
                }
                x = l.concat(x, h);
            }
            if (block < 3) {
                String p = "trans" + block + ".";
                x = l.avgPool(l.conv(l.batchNormRelu(x, p + "bn1"), p + "conv1", 1, 0, 1), 2, 2);
            }
        }
        return l.linear(l.avgPool(l.batchNormRelu(x, "bn1"), 8, 8), "fc");
    }
}
