package org.augmix4j.selftest;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.selftest.SelfCheck.Result;
import org.augmix4j.tensor.ImageBatch;

/**
 * kernels/augment.cu through {@link AugmentCuda} against the CPU reference (package augment): the
 * raw Philox4x32 generator (Random123's known answers), the drawn programs (crop, ops, levels,
 * parameters bit for bit), and a whole JSD batch of 32x32 images (outputs within 1e-6, the
 * Dirichlet weights' device log being the only difference). Small enough for the emulator.
 */
final class AugmentChecks {
    private AugmentChecks() {}

    static List<SelfCheck> all() { return List.of(philox(), programs(), batch()); }

    private abstract static class Kernel implements SelfCheck {
        @Override public Needs needs() { return Needs.KERNELS; }
    }

    static SelfCheck philox() {
        return new Kernel() {
            @Override public String name() { return "philox_forward"; }

            @Override public Set<String> kernels() { return Set.of("philox_forward"); }

            @Override
            public Result run(Context ctx) {
                // Random123 kat_vectors, philox4x32-10
                int[][][] kat = {{{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
                    {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
                    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}}};
                for (int[][] v : kat) {
                    int[] got = AugmentCuda.philox(ctx.gpu(), v[0], v[1], 10);
                    int[] cpu = new int[4];
                    Philox.philox4x32(10, v[0][0], v[0][1], v[0][2], v[0][3], v[1][0], v[1][1], cpu);
                    if (!java.util.Arrays.equals(got, v[2]) || !java.util.Arrays.equals(cpu, v[2])) {
                        return new Result(Double.NaN, Double.NaN, "bit-exact", false, "known answer mismatch for counter "
                                + java.util.Arrays.toString(v[0]));
                    }
                }
                return new Result(0, 0, "bit-exact", true, "Random123 known answers, 10 rounds");
            }
        };
    }

    static SelfCheck programs() {
        return new Kernel() {
            @Override public String name() { return "augmix_program_forward"; }

            @Override public Set<String> kernels() { return Set.of("augmix_program_forward"); }

            @Override
            public Result run(Context ctx) {
                SplittableRandom r = ctx.random(name());
                AugMixConfig cfg = new AugMixConfig(AugMixConfig.Mode.JSD, 3, -1, 3, 1.0, false, true);
                int n = 40, epoch = 3;
                long seed = r.nextLong();
                int[] s = new int[n];
                for (int i = 0; i < n; i++) s[i] = r.nextInt(50_000);
                AugmentCuda.Programs p = AugmentCuda.programs(ctx.gpu(), s, seed, epoch, cfg, 32, 32);
                double worstW = 0;
                for (int e = 0; e < n; e++) {
                    Philox.Crop c = Philox.crop(seed, epoch, s[e], AugMixConfig.PAD);
                    if (p.crops()[3 * e] != (c.flip() ? 1 : 0) || p.crops()[3 * e + 1] != c.top() || p.crops()[3 * e + 2] != c.left()) {
                        return new Result(Double.NaN, Double.NaN, "bit-exact", false, "crop of sample " + s[e] + " differs");
                    }
                    for (int v = 1; v <= p.views(); v++) {
                        AugMix.ViewProgram want = AugMix.program(seed, epoch, s[e], v, cfg, 32, 32);
                        for (int i = 0; i < cfg.width(); i++) {
                            List<AugMix.Step> steps = want.chains().get(i).steps();
                            for (int j = 0; j < p.maxSteps(); j++) {
                                boolean same = j >= steps.size() ? p.op(e, v, i, j) == -1
                                        : steps.get(j).op().ordinal() == p.op(e, v, i, j) && steps.get(j).negate() == p.negate(e, v, i, j)
                                        && Double.compare(steps.get(j).level(), p.level(e, v, i, j)) == 0
                                        && Double.compare(steps.get(j).param(), p.param(e, v, i, j)) == 0;
                                if (!same) {
                                    return new Result(Double.NaN, Double.NaN, "bit-exact", false, "sample " + s[e] + " view " + v + " chain " + i
                                            + " step " + j + " differs");
                                }
                            }
                            worstW = Math.max(worstW, Math.abs(p.w(e, v)[i] - want.w()[i]));
                        }
                        worstW = Math.max(worstW, Math.abs(p.m(e, v) - want.m()));
                    }
                }
                return new Result(worstW, worstW, "ops exact, weights 1e-6", worstW <= 1e-6, n + " samples, JSD, width 3");
            }
        };
    }

    static SelfCheck batch() {
        return new Kernel() {
            @Override public String name() { return "augmix_forward"; }

            @Override public Set<String> kernels() { return Set.of("augmix_forward"); }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                SplittableRandom r = ctx.random(name());
                int count = 6, batch = 3, h = 32, w = 32;
                byte[] px = new byte[count * h * w * 3];
                for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
                ImageBatch images = new ImageBatch(px, count, h, w, 3);
                AugMixConfig cfg = new AugMixConfig(AugMixConfig.Mode.JSD, 3, -1, 3, 1.0, false, true);
                int[] idx = {4, 0, 5};
                long seed = r.nextLong();
                float[] want = new float[(int) AugMix.outputSize(cfg, batch, h, w)];
                AugMix.sampleBatch(images, idx, seed, 2, cfg, want);
                AugmentCuda.Images src = AugmentCuda.Images.upload(gpu, images);
                try (DeviceBuffer out = DeviceBuffer.floats(gpu, want.length)) {
                    AugmentCuda.sampleBatch(src, idx, idx, seed, 2, cfg, out);
                    return Compare.relative(1e-6, 1, "JSD batch of 3 (clean + 2 AugMix views), 32x32", List.of("batch"),
                            List.<float[][]>of(new float[][] {out.toFloats(), want}));
                } finally {
                    src.pixels().close();
                }
            }
        };
    }
}
