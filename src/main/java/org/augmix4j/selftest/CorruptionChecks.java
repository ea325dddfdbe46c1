package org.augmix4j.selftest;

import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.CorruptionsCuda;
import org.augmix4j.corrupt.TestImages;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.tensor.ImageBatch;

/**
 * Every GPU corruption (kernels/corrupt.cu, corrupt_field.cu through {@link CorruptionsCuda})
 * against the CPU reference {@link Corruptions} at all five severities, on the same counter-based
 * draws: identical bytes required, as in corrupt/CorruptionsCudaTest. Procedural pictures plus
 * black, white and noise images (clipping at both ends), with a dataset offset.
 */
final class CorruptionChecks implements SelfCheck {
    private static final int VALUES = 3072;

    @Override public String name() { return "corruptions (" + CorruptionsCuda.SUPPORTED.size() + " on the GPU, 5 severities)"; }

    @Override public Needs needs() { return Needs.KERNELS; }

    @Override
    public Set<String> kernels() {
        return Set.of("corrupt_noise_forward", "corrupt_shot_forward", "corrupt_defocus_forward", "corrupt_gaussian_forward",
                "corrupt_glass_shuffle_forward", "corrupt_motion_forward", "corrupt_zoom_forward", "corrupt_hsv_forward",
                "corrupt_contrast_forward", "corrupt_pixelate_forward", "corrupt_fog_forward", "corrupt_elastic_forward");
    }

    @Override
    public Result run(Context ctx) {
        Gpu gpu = ctx.gpu();
        SplittableRandom r = ctx.random(name());
        int n = 6;
        byte[] px = new byte[n * VALUES];
        System.arraycopy(TestImages.batch(ctx.seed(), 3).pixels(), 0, px, 0, 3 * VALUES);
        Arrays.fill(px, 4 * VALUES, 5 * VALUES, (byte) 255);
        for (int i = 5 * VALUES; i < 6 * VALUES; i++) px[i] = (byte) r.nextInt(256);
        ImageBatch in = new ImageBatch(px, n, 32, 32, 3);
        long seed = r.nextLong(), first = 1_000_003L;
        Tally t = new Tally("bit-exact");
        try (DeviceBuffer din = DeviceBuffer.of(gpu, px); DeviceBuffer dout = DeviceBuffer.bytes(gpu, px.length)) {
            for (Corruption c : CorruptionsCuda.SUPPORTED) {
                for (int s = 1; s <= Corruption.MAX_SEVERITY; s++) {
                    byte[] want = Corruptions.corrupt(in, c, s, seed, first, null).pixels();
                    CorruptionsCuda.corrupt(din, dout, n, c, s, seed, first);
                    byte[] got = new byte[px.length];
                    dout.copyTo(got);
                    t.bytes(c.stem() + " s" + s, want, got);
                }
            }
        }
        return t.result(n + " images (pictures, black, white, noise) x 5 severities");
    }
}
