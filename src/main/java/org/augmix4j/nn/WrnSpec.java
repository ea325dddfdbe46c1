package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WideResNet-d-k layout as the official AugMix code builds it (google-research/augmix,
 * third_party/WideResNet_pytorch/wideresnet.py), written once: the stem conv 3->16, three stages of
 * n = (d-4)/6 pre-activation basic blocks of widths 16k, 32k, 64k (strides 1, 2, 2; a shortcut
 * 1x1 conv where a block's input and output widths differ), the head BN and the fc layer, with
 * every state_dict key and shape in PyTorch's order. {@link WideResNet} (CPU, tape) and
 * {@link GpuWideResNet} (GPU, launch schedule) both iterate {@link #blocks()}; checkpoints take
 * their key order and shapes from {@link #stateShapes()}.
 */
public final class WrnSpec {
    /**
     * One pre-activation basic block.
     *
     * @param prefix state_dict prefix, e.g. {@code block2.layer.0.}
     * @param in     input channels
     * @param out    output channels
     * @param stride stride of conv1 and of the shortcut
     */
    public record Block(String prefix, int in, int out, int stride) {
        /** The block has a 1x1 shortcut conv (input and output widths differ). */
        public boolean hasShortcut() { return in != out; }
    }

    private final WideResNet.Config config;
    private final List<Block> blocks = new ArrayList<>();
    private final Map<String, int[]> shapes = new LinkedHashMap<>();

    private WrnSpec(WideResNet.Config config) {
        this.config = config;
        int n = (config.depth() - 4) / 6;
        int[] w = widths(config.widen());
        shapes.put("conv1.weight", new int[] {w[0], 3, 3, 3});
        for (int stage = 0; stage < 3; stage++) {
            for (int i = 0; i < n; i++) {
                int in = i == 0 ? w[stage] : w[stage + 1], out = w[stage + 1];
                Block b = new Block("block" + (stage + 1) + ".layer." + i + ".", in, out, i == 0 && stage > 0 ? 2 : 1);
                blocks.add(b);
                norm(b.prefix() + "bn1", in);
                shapes.put(b.prefix() + "conv1.weight", new int[] {out, in, 3, 3});
                norm(b.prefix() + "bn2", out);
                shapes.put(b.prefix() + "conv2.weight", new int[] {out, out, 3, 3});
                if (b.hasShortcut()) shapes.put(b.prefix() + "convShortcut.weight", new int[] {out, in, 1, 1});
            }
        }
        norm("bn1", w[3]);
        shapes.put("fc.weight", new int[] {config.classes(), w[3]});
        shapes.put("fc.bias", new int[] {config.classes()});
    }

    private void norm(String prefix, int c) {
        shapes.put(prefix + ".weight", new int[] {c});
        shapes.put(prefix + ".bias", new int[] {c});
        shapes.put(prefix + ".running_mean", new int[] {c});
        shapes.put(prefix + ".running_var", new int[] {c});
        shapes.put(prefix + ".num_batches_tracked", new int[0]);
    }

    public static WrnSpec of(WideResNet.Config config) { return new WrnSpec(config); }

    /** Stem, stage 1, 2 and 3 widths: {16, 16k, 32k, 64k}. */
    public static int[] widths(int widen) { return new int[] {16, 16 * widen, 32 * widen, 64 * widen}; }

    public WideResNet.Config config() { return config; }

    /** The blocks in forward order. */
    public List<Block> blocks() { return Collections.unmodifiableList(blocks); }

    /** Channels of the head (the last stage's width). */
    public int features() { return widths(config.widen())[3]; }

    /** Every state_dict key (parameters and buffers) in PyTorch's order with its shape ([] for num_batches_tracked). */
    public Map<String, int[]> stateShapes() { return Collections.unmodifiableMap(shapes); }

    /** True for the keys of batch-norm buffers (running statistics and num_batches_tracked), which are not parameters. */
    public static boolean isBuffer(String key) {
        return key.endsWith(".running_mean") || key.endsWith(".running_var") || key.endsWith(".num_batches_tracked");
    }

    /**
     * Learnable values of WRN {@code c} without building it (2,243,546 for WRN-40-2 with 10 classes):
     * for sizing checks before anything is allocated.
     */
    public static long parameterCount(WideResNet.Config c) {
        int n = (c.depth() - 4) / 6;
        int[] w = widths(c.widen());
        long p = (long) w[0] * 3 * 9;
        for (int stage = 0; stage < 3; stage++) {
            for (int i = 0; i < n; i++) {
                long in = i == 0 ? w[stage] : w[stage + 1], out = w[stage + 1];
                p += 2 * in + out * in * 9 + 2 * out + out * out * 9 + (in != out ? out * in : 0);
            }
        }
        return p + 2L * w[3] + (long) c.classes() * w[3] + c.classes();
    }

    /**
     * A rough upper estimate of the floats one training image keeps alive on the CPU tape for an
     * {@code h} x {@code w} input: per block its input, three block-sized activations, and as many
     * again for their gradients. For sizing checks only.
     */
    public static long trainingFloatsPerImage(WideResNet.Config c, int h, int w) {
        int n = (c.depth() - 4) / 6;
        int[] wd = widths(c.widen());
        long f = 2L * wd[0] * h * w;
        long hw = (long) h * w;
        for (int stage = 0; stage < 3; stage++) {
            long outHw = stage == 0 ? hw : hw / 4;
            for (int i = 0; i < n; i++) {
                long in = i == 0 ? wd[stage] : wd[stage + 1], out = wd[stage + 1];
                long inHw = i == 0 ? hw : outHw;
                f += 2 * (in * inHw + 3 * out * outHw);
            }
            hw = outHw;
        }
        return f;
    }
}
