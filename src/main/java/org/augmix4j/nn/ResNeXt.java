package org.augmix4j.nn;

import java.util.Map;

/**
 * CifarResNeXt exactly as the official AugMix code builds it (google-research/augmix,
 * third_party/ResNeXt_DenseNet/models/resnext.py); the official {@code resnext29(num_classes)} is
 * depth 29, cardinality 4, base width 32 (ResNeXt-29 4x32d).
 *
 * <p>Layout: {@code conv_1_3x3} 3 -> 64 and {@code bn_1} (ReLU); three stages {@code stage_1..3} of
 * (depth-2)/9 bottleneck blocks with planes 64, 128, 256 (strides 1, 2, 2); AvgPool2d(8);
 * {@code classifier} Linear(1024, classes) with kaiming_normal weights. A block with
 * D = floor(planes * baseWidth / 64) * cardinality is conv_reduce 1x1 to D, bn_reduce, ReLU,
 * conv_conv 3x3 grouped by cardinality (the block's stride), bn, ReLU, conv_expand 1x1 to 4 planes,
 * bn_expand; the residual is the input, or {@code downsample} (1x1 conv with the stride, BN) in a
 * stage's first block; the output relu(residual + branch). No conv has a bias. The
 * {@code baseChannels} knob (official 64) scales the stem and the stage planes together, for the
 * small PyTorch fixture.
 *
 * <p>Shapes on a 32x32 input: 32x32 (stage 1, 256 channels), 16x16 (512), 8x8 (1024), 1x1 after the pool.
 */
public final class ResNeXt implements ModelDef {
    /** The architecture (official: depth 29, cardinality 4, base width 32, base channels 64). */
    public record Config(int classes, int depth, int cardinality, int baseWidth, int baseChannels) implements Arch {
        public Config {
            if (classes < 2) throw new IllegalArgumentException("need at least 2 classes, got " + classes);
            if (depth < 11 || (depth - 2) % 9 != 0) {
                throw new IllegalArgumentException("ResNeXt depth must be 9n+2 with n >= 1 (11, 20, 29, ...), got " + depth);
            }
            if (cardinality < 1 || baseWidth < 1 || baseChannels < 1) {
                throw new IllegalArgumentException("ResNeXt cardinality, base width and base channels must be >= 1");
            }
            if ((long) baseChannels * baseWidth < 64) {
                throw new IllegalArgumentException("ResNeXt: floor(planes * baseWidth / 64) is 0 for planes " + baseChannels);
            }
        }

        /** The official resnext29(num_classes): 4x32d. */
        public static Config official(int classes) { return new Config(classes, 29, 4, 32, 64); }

        /** Blocks per stage. */
        public int blocksPerStage() { return (depth - 2) / 9; }

        @Override
        public String model() { return "resnext"; }

        @Override
        public String label() {
            return "ResNeXt-" + depth + " (" + cardinality + "x" + baseWidth + "d" + (baseChannels == 64 ? "" : ", base " + baseChannels) + ")";
        }

        @Override
        public Config withClasses(int classes) { return new Config(classes, depth, cardinality, baseWidth, baseChannels); }

        @Override
        public Map<String, int[]> stateShapes() { return new ResNeXt(this).layout().shapes(); }

        @Override
        public long trainingFloatsPerImage(int h, int w) { return ShapeLayers.floatsPerImage(new ResNeXt(this), h, w); }

        @Override
        public Network build(long seed) { return new ZooNetwork(new ResNeXt(this), seed); }

        @Override
        public String flags() { return "-m resnext"; }
    }

    private static final int EXPANSION = 4;

    private final Config config;
    private final StateLayout layout = new StateLayout();

    public ResNeXt(Config config) {
        this.config = config;
        int base = config.baseChannels();
        layout.conv("conv_1_3x3", 3, base, 3, 1, false).batchNorm("bn_1", base);
        int inplanes = base;
        for (int stage = 0; stage < 3; stage++) {
            int planes = base << stage, d = width(planes);
            for (int b = 0; b < config.blocksPerStage(); b++) {
                String p = "stage_" + (stage + 1) + "." + b + ".";
                layout.conv(p + "conv_reduce", inplanes, d, 1, 1, false).batchNorm(p + "bn_reduce", d)
                        .conv(p + "conv_conv", d, d, 3, config.cardinality(), false).batchNorm(p + "bn", d)
                        .conv(p + "conv_expand", d, planes * EXPANSION, 1, 1, false).batchNorm(p + "bn_expand", planes * EXPANSION);
                if (hasDownsample(stage, b, inplanes, planes)) {
                    layout.conv(p + "downsample.0", inplanes, planes * EXPANSION, 1, 1, false).batchNorm(p + "downsample.1", planes * EXPANSION);
                }
                inplanes = planes * EXPANSION;
            }
        }
        layout.linear("classifier", base * 4 * EXPANSION, config.classes(), StateLayout.Init.KAIMING_NORMAL_FAN_IN);
    }

    /** D = floor(planes * baseWidth / 64) * cardinality, the grouped conv's width. */
    private int width(int planes) { return (int) Math.floor(planes * (config.baseWidth() / 64.0)) * config.cardinality(); }

    private static boolean hasDownsample(int stage, int block, int inplanes, int planes) {
        return block == 0 && (stage > 0 || inplanes != planes * EXPANSION);
    }

    @Override
    public Config arch() { return config; }

    @Override
    public StateLayout layout() { return layout; }

    @Override
    public <X> X forward(Layers<X> l, X x) {
        x = l.batchNormRelu(l.conv(x, "conv_1_3x3", 1, 1, 1), "bn_1");
        for (int stage = 0; stage < 3; stage++) {
            for (int b = 0; b < config.blocksPerStage(); b++) {
                String p = "stage_" + (stage + 1) + "." + b + ".";
                int stride = b == 0 && stage > 0 ? 2 : 1;
                X h = l.batchNormRelu(l.conv(x, p + "conv_reduce", 1, 0, 1), p + "bn_reduce");
                h = l.batchNormRelu(l.conv(h, p + "conv_conv", stride, 1, config.cardinality()), p + "bn");
                h = l.batchNorm(l.conv(h, p + "conv_expand", 1, 0, 1), p + "bn_expand");
                X r = layout.has(p + "downsample.0.weight") ? l.batchNorm(l.conv(x, p + "downsample.0", stride, 0, 1), p + "downsample.1") : x;
                x = l.relu(l.add(r, h));
            }
        }
        return l.linear(l.avgPool(x, 8, 8), "classifier");
    }
}
