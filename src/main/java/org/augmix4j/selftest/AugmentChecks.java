package org.augmix4j.selftest;

import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Philox;
import org.augmix4j.augment.SampleImages;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.AugmentCuda;
import org.augmix4j.tensor.ImageBatch;

/**
 * GPU AugMix (kernels/augment.cu through {@link AugmentCuda}) against the CPU reference
 * {@link AugMix}, as ops/AugmentCudaTest does in short: Philox4x32-10 (Random123's known answers
 * and Java's words for random counters) and the drawn programs bit for bit, then a JSD batch with
 * all 13 ops: every chain's uint8 image byte for byte, the outputs within 1e-6 (the Dirichlet
 * weights use the device's log).
 */
final class AugmentChecks implements SelfCheck {
    @Override public String name() { return "augmix (Philox, programs, JSD batch, 13 ops)"; }

    @Override public Needs needs() { return Needs.KERNELS; }

    @Override
    public Set<String> kernels() { return Set.of("augmix_forward", "augmix_program_forward", "philox_forward"); }

    @Override
    public Result run(Context ctx) {
        Gpu gpu = ctx.gpu();
        SplittableRandom r = ctx.random(name());
        Tally t = new Tally("bit-exact draws and chain images; outputs 1e-6");

        // Philox: Random123 kat_vectors (philox4x32 10) and random counters
        int n = 1000;
        int[] counters = new int[4 * n], keys = new int[2 * n];
        int[][] kat = {{0, 0, 0, 0, 0, 0}, {-1, -1, -1, -1, -1, -1},
            {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0}};
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) counters[4 * i + k] = i < 3 ? kat[i][k] : r.nextInt();
            keys[2 * i] = i < 3 ? kat[i][4] : r.nextInt();
            keys[2 * i + 1] = i < 3 ? kat[i][5] : r.nextInt();
        }
        int[] got = AugmentCuda.philox(gpu, counters, keys, 10), want = new int[4 * n], w4 = new int[4];
        for (int i = 0; i < n; i++) {
            Philox.philox4x32(10, counters[4 * i], counters[4 * i + 1], counters[4 * i + 2], counters[4 * i + 3],
                    keys[2 * i], keys[2 * i + 1], w4);
            System.arraycopy(w4, 0, want, 4 * i, 4);
        }
        t.bytes("philox words", bytes(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}), bytes(java.util.Arrays.copyOf(got, 4)));
        t.bytes("philox words", bytes(want), bytes(got));

        // programs: ops, levels, parameters bit for bit; weights within 1e-6
        AugMixConfig cfg = AugMixConfig.defaults().withAllOps(true);
        long seed = r.nextLong();
        int epoch = r.nextInt(100), samples = 200;
        int[] ids = new int[samples];
        for (int i = 0; i < samples; i++) ids[i] = r.nextInt(50_000);
        AugmentCuda.Programs p = AugmentCuda.programs(gpu, ids, seed, epoch, cfg, 32, 32);
        for (int e = 0; e < samples; e++)
            for (int v = 1; v <= 2; v++) {
                AugMix.ViewProgram vp = AugMix.program(seed, epoch, ids[e], v, cfg, 32, 32);
                int[] wantSteps = new int[3 * 3 * 3], gotSteps = new int[wantSteps.length];
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) {
                        int o = 3 * (3 * i + j);
                        boolean has = j < vp.chains().get(i).depth();
                        AugMix.Step s = has ? vp.chains().get(i).steps().get(j) : null;
                        wantSteps[o] = has ? s.op().ordinal() : -1;
                        wantSteps[o + 1] = has ? Long.hashCode(Double.doubleToRawLongBits(s.level())) : 0;
                        wantSteps[o + 2] = has ? Long.hashCode(Double.doubleToRawLongBits(s.param())) : 0;
                        gotSteps[o] = p.op(e, v, i, j);
                        gotSteps[o + 1] = has ? Long.hashCode(Double.doubleToRawLongBits(p.level(e, v, i, j))) : 0;
                        gotSteps[o + 2] = has ? Long.hashCode(Double.doubleToRawLongBits(p.param(e, v, i, j))) : 0;
                    }
                t.bytes("program of sample " + ids[e] + " view " + v, bytes(wantSteps), bytes(gotSteps));
                float[] wm = java.util.Arrays.copyOf(vp.w(), 4), gm = java.util.Arrays.copyOf(p.w(e, v), 4);
                wm[3] = vp.m();
                gm[3] = p.m(e, v);
                t.close("weights of sample " + ids[e] + " view " + v, Tally.d(wm), gm, 1e-6, 0);
            }

        // a JSD batch: chain images byte for byte, outputs within 1e-6
        int batch = 4;
        byte[] px = new byte[batch * 32 * 32 * 3];
        for (int b = 0; b < batch; b++) {
            byte[] img = SampleImages.draw(b, 32);
            for (int k = 0; k < img.length; k++) px[b * img.length + k] = (byte) Math.max(0, Math.min(255, (img[k] & 255) + r.nextInt(31) - 15));
        }
        ImageBatch set = new ImageBatch(px, batch, 32, 32, 3);
        int[] idx = {0, 1, 2, 3}, sid = {ids[0], ids[1], ids[2], ids[3]};
        float[] wantOut = new float[(int) AugMix.outputSize(cfg, batch, 32, 32)];
        AugMix.sampleBatch(set, idx, sid, seed, epoch, cfg, wantOut);
        try (DeviceBuffer d = DeviceBuffer.of(gpu, px)) {
            AugmentCuda.Trace tr = AugmentCuda.trace(new AugmentCuda.Images(d, batch, 32, 32), idx, sid, seed, epoch, cfg, 0, false);
            for (int b = 0; b < batch; b++) {
                AugMix.SampleTrace st = AugMix.trace(set, idx[b], sid[b], seed, epoch, cfg);
                t.bytes("input of entry " + b, st.input(), tr.input(b));
                for (AugMix.ViewTrace vt : st.views())
                    for (int i = 0; i < cfg.width(); i++) {
                        t.bytes("entry " + b + " view " + vt.program().view() + " chain " + i, vt.chainImages().get(i),
                                tr.chain(b, vt.program().view(), i));
                    }
            }
            t.close("JSD batch", Tally.d(wantOut), tr.output(), 1e-6, 0);
        }
        return t.result(n + " Philox blocks, " + samples + " x 2 programs, JSD batch of " + batch + " 32x32 (13 ops)");
    }

    private static byte[] bytes(int[] a) {
        byte[] b = new byte[4 * a.length];
        for (int i = 0; i < a.length; i++)
            for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (a[i] >>> (8 * k));
        return b;
    }
}
