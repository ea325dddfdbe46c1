package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Op;
import org.augmix4j.augment.Philox;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * kernels/augment.cu (through AugmentCuda and the real device layer) against the CPU reference
 * org.augmix4j.augment, draw for draw: Philox (Random123's known answers and Java's draws for many
 * counters), the programs (crop, depths, ops, levels, parameters bit for bit; Dirichlet weights
 * within 1e-6 for alpha = 1, and mostly equal and identically distributed for other alphas), and
 * whole batches: every entry's transformed input and every chain's final uint8 image identical,
 * outputs within 1e-6 (clean images bit for bit), on random, narrow-range, smooth, constant and
 * few-level images of 32x32, odd and non-square sizes and 224x224, in every mode, with images in
 * shared memory and in global scratch. Every batch check runs twice (races). Runs on the emulator in
 * {@code mvn test} and on a real GPU in {@code mvn test -Pgpu}.
 */
@Tag("emulated")
class AugmentCudaTest {
    private static final int ROUNDS = 2;
    private static Gpu gpu;

    @BeforeEach
    void device() { gpu = DeviceTests.requireDevice(); }

    // ---------------------------------------------------------------- Philox

    /** Random123 kat_vectors, philox4x32 with 7 and 10 rounds: counter[4], key[2] -> output[4]. */
    private static final int[][][] KAT = {
        {{7}, {0, 0, 0, 0}, {0, 0}, {0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48}},
        {{7}, {-1, -1, -1, -1}, {-1, -1}, {0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662}},
        {{7}, {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
            {0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a}},
        {{10}, {0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
        {{10}, {-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
        {{10}, {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
            {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
    };

    @Test
    void philoxKnownAnswers() {
        for (int[][] v : KAT) {
            int[] got = AugmentCuda.philox(gpu, v[1], v[2], v[0][0]);
            assertArrayEquals(v[3], got, () -> "philox4x32-" + v[0][0] + " of " + java.util.Arrays.toString(v[1]));
            int[] cpu = new int[4];
            Philox.philox4x32(v[0][0], v[1][0], v[1][1], v[1][2], v[1][3], v[2][0], v[2][1], cpu);
            assertArrayEquals(v[3], cpu, "the Java reference too");
        }
    }

    @Test
    void philoxMatchesJavaForManyCounters() {
        for (int round = 0; round < ROUNDS; round++) {
            SplittableRandom r = new SplittableRandom(17 + round);
            int n = 5000;
            int[] counters = new int[4 * n], keys = new int[2 * n];
            for (int i = 0; i < n; i++) {
                if (i % 2 == 0) {  // the AugMix layout: sample, epoch, tag|view|chain|step, draw
                    long seed = r.nextLong();
                    counters[4 * i] = r.nextInt(60000);
                    counters[4 * i + 1] = r.nextInt(200);
                    counters[4 * i + 2] = Philox.c2(1 + r.nextInt(6), r.nextInt(3), r.nextInt(4), r.nextInt(4));
                    counters[4 * i + 3] = r.nextInt(3);
                    keys[2 * i] = (int) seed;
                    keys[2 * i + 1] = (int) (seed >>> 32);
                } else {
                    for (int k = 0; k < 4; k++) counters[4 * i + k] = r.nextInt();
                    keys[2 * i] = r.nextInt();
                    keys[2 * i + 1] = r.nextInt();
                }
            }
            int[] got = AugmentCuda.philox(gpu, counters, keys, 10), want = new int[4];
            for (int i = 0; i < n; i++) {
                Philox.philox4x32(10, counters[4 * i], counters[4 * i + 1], counters[4 * i + 2], counters[4 * i + 3],
                        keys[2 * i], keys[2 * i + 1], want);
                for (int k = 0; k < 4; k++) assertEquals(want[k], got[4 * i + k], "draw " + i + " word " + k);
            }
        }
    }

    // ---------------------------------------------------------------- programs

    private static int[] samples(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] s = new int[n];
        for (int i = 0; i < n; i++) s[i] = i < 3 ? new int[] {0, -1, Integer.MAX_VALUE}[i] : r.nextInt(1 << 20);
        return s;
    }

    /**
     * Compares the kernel's draws with AugMix.program / Philox.crop; returns how many views had
     * weights or m differing by more than 1e-6 (always 0 for alpha = 1, where that fails at once).
     */
    private static int comparePrograms(AugMixConfig cfg, int n, long seed, int epoch, int h, int w) {
        int[] s = samples(n, seed ^ epoch);
        AugmentCuda.Programs p = AugmentCuda.programs(gpu, s, seed, epoch, cfg, h, w);
        int weightMismatches = 0;
        for (int e = 0; e < n; e++) {
            Philox.Crop c = Philox.crop(seed, epoch, s[e], AugMixConfig.PAD);
            assertEquals(c.flip() ? 1 : 0, p.crops()[3 * e], "flip of sample " + s[e]);
            assertEquals(c.top(), p.crops()[3 * e + 1], "top of sample " + s[e]);
            assertEquals(c.left(), p.crops()[3 * e + 2], "left of sample " + s[e]);
            for (int v = 1; v <= p.views(); v++) {
                AugMix.ViewProgram want = AugMix.program(seed, epoch, s[e], v, cfg, h, w);
                String where = "sample " + s[e] + " view " + v + " (" + cfg + ")";
                for (int i = 0; i < cfg.width(); i++) {
                    List<AugMix.Step> steps = want.chains().get(i).steps();
                    for (int j = 0; j < p.maxSteps(); j++) {
                        if (j >= steps.size()) {
                            assertEquals(-1, p.op(e, v, i, j), where + " chain " + i + ": step " + j + " past the depth");
                            continue;
                        }
                        AugMix.Step st = steps.get(j);
                        String at = where + " chain " + i + " step " + j;
                        assertEquals(st.op().ordinal(), p.op(e, v, i, j), at + " op");
                        assertEquals(st.negate(), p.negate(e, v, i, j), at + " sign");
                        assertEquals(Double.doubleToRawLongBits(st.level()), Double.doubleToRawLongBits(p.level(e, v, i, j)), at + " level");
                        assertEquals(Double.doubleToRawLongBits(st.param()), Double.doubleToRawLongBits(p.param(e, v, i, j)),
                                at + " parameter " + st.param() + " vs " + p.param(e, v, i, j));
                    }
                }
                float[] wg = p.w(e, v);
                boolean differs = Math.abs(want.m() - p.m(e, v)) > 1e-6;
                double sum = 0;
                for (int k = 0; k < cfg.width(); k++) {
                    differs |= Math.abs(want.w()[k] - wg[k]) > 1e-6;
                    assertTrue(wg[k] >= 0f && wg[k] <= 1f, where + ": weight " + wg[k]);
                    sum += wg[k];
                }
                assertEquals(1.0, sum, 1e-5, where + ": weights sum to " + sum);
                assertTrue(p.m(e, v) >= 0f && p.m(e, v) <= 1f, where + ": m = " + p.m(e, v));
                if (cfg.alpha() == 1.0) {
                    assertEquals(want.m(), p.m(e, v), where + ": m = U exactly for alpha 1");
                    assertArrayEquals(want.w(), wg, 1e-6f, where + ": Dirichlet weights");
                }
                if (differs) weightMismatches++;
            }
        }
        return weightMismatches;
    }

    @Test
    void programsMatchJavaDrawForDraw() {
        for (int round = 0; round < ROUNDS; round++) {
            comparePrograms(AugMixConfig.defaults(), 1500, 1L + round, 3, 32, 32);
            comparePrograms(AugMixConfig.defaults().withAllOps(true).withSeverity(10).withWidth(5), 400, 99L, 0, 224, 224);
            comparePrograms(AugMixConfig.defaults().withDepth(4).withSeverity(1).withMode(AugMixConfig.Mode.AUGMIX), 400,
                    -7L, 12, 17, 40);
            comparePrograms(AugMixConfig.defaults().withAllOps(true).withWidth(1).withSeverity(7), 400, 5L, 1, 5, 3);
        }
    }

    /**
     * Other alphas: the gamma sampler's accept/reject may flip on a last-bit difference of log/cos,
     * so the draws must mostly agree (here: at least 98 % of views within 1e-6) and the weights
     * must follow the same distribution (two-sample Kolmogorov-Smirnov on w_0 and m).
     */
    @Test
    void otherAlphasMatchInDistribution() {
        for (double alpha : new double[] {0.3, 2.5}) {
            AugMixConfig cfg = AugMixConfig.defaults().withAlpha(alpha);
            int n = 1500;
            int mismatches = comparePrograms(cfg, n, 11L, 2, 32, 32);
            assertTrue(mismatches <= 0.02 * 2 * n, "alpha " + alpha + ": " + mismatches + " of " + 2 * n + " views differ");
            int[] s = samples(n, 11L ^ 2);
            AugmentCuda.Programs p = AugmentCuda.programs(gpu, s, 11L, 2, cfg, 32, 32);
            double[] gw = new double[2 * n], jw = new double[2 * n], gm = new double[2 * n], jm = new double[2 * n];
            for (int e = 0; e < n; e++)
                for (int v = 1; v <= 2; v++) {
                    AugMix.ViewProgram want = AugMix.program(11L, 2, s[e], v, cfg, 32, 32);
                    int k = 2 * e + v - 1;
                    gw[k] = p.w(e, v)[0];
                    jw[k] = want.w()[0];
                    gm[k] = p.m(e, v);
                    jm[k] = want.m();
                }
            // critical value of the two-sample KS test at alpha = 0.001 for n = m = 3000: 1.95 * sqrt(2 / 3000) = 0.05
            assertTrue(ks(gw, jw) < 0.05, "alpha " + alpha + ": KS distance of w_0 " + ks(gw, jw));
            assertTrue(ks(gm, jm) < 0.05, "alpha " + alpha + ": KS distance of m " + ks(gm, jm));
        }
    }

    private static double ks(double[] a, double[] b) {
        a = a.clone();
        b = b.clone();
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        int i = 0, j = 0;
        double d = 0;
        while (i < a.length && j < b.length) {
            double x = Math.min(a[i], b[j]);
            while (i < a.length && a[i] <= x) i++;
            while (j < b.length && b[j] <= x) j++;
            d = Math.max(d, Math.abs((double) i / a.length - (double) j / b.length));
        }
        return d;
    }

    // ---------------------------------------------------------------- batches

    /**
     * Test images that exercise every op's corner: full-range noise, narrow-range noise (so that
     * autocontrast and equalize do something), smooth gradients with mild noise, a constant image,
     * one constant channel, and few-level images (equalize's small histograms).
     */
    static ImageBatch images(int n, int h, int w, long seed) {
        Random r = new Random(seed);
        byte[] px = new byte[n * h * w * 3];
        for (int i = 0; i < n; i++) {
            int kind = i % 6, o = i * h * w * 3;
            int[] lo = {r.nextInt(200), r.nextInt(200), r.nextInt(200)};
            int[] span = {1 + r.nextInt(60), 1 + r.nextInt(60), 1 + r.nextInt(60)};
            int constant = r.nextInt(256), channel = r.nextInt(3);
            int[] levels = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < 3; c++) {
                        int v = switch (kind) {
                            case 0 -> r.nextInt(256);
                            case 1 -> lo[c] + r.nextInt(span[c]);
                            case 2 -> (int) (40 + 170.0 * (x + 2.0 * y + 31 * c) / (w + 2.0 * h + 62)) + r.nextInt(9) - 4;
                            case 3 -> constant;
                            case 4 -> c == channel ? constant : r.nextInt(256);
                            default -> levels[r.nextInt(3)];
                        };
                        px[o + (y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
                    }
        }
        return new ImageBatch(px, n, h, w, 3);
    }

    /**
     * Runs the trace kernel and the plain kernel on (set, entries), ROUNDS times, and checks them
     * against the CPU reference: inputs and chain images identical, outputs within 1e-6 (clean
     * images and NONE mode bit for bit), plain kernel = trace kernel bit for bit. Returns the ops
     * the reference used.
     */
    private static EnumSet<Op> checkBatch(ImageBatch set, int[] imageIdx, int[] sampleIdx, long seed, int epoch,
                                          AugMixConfig cfg, int groupThreads, boolean forceGlobal) {
        EnumSet<Op> used = EnumSet.noneOf(Op.class);
        int batch = imageIdx.length, h = set.height(), w = set.width(), plane = 3 * h * w;
        float[] want = new float[(int) AugMix.outputSize(cfg, batch, h, w)];
        AugMix.sampleBatch(set, imageIdx, sampleIdx, seed, epoch, cfg, want);
        String what = cfg + " " + h + "x" + w + " groupThreads " + groupThreads + (forceGlobal ? " global" : "");
        try (DeviceBuffer px = DeviceBuffer.of(gpu, set.pixels());
             DeviceBuffer out = DeviceBuffer.floats(gpu, want.length + 7)) {
            AugmentCuda.Images src = new AugmentCuda.Images(px, set.count(), h, w);
            for (int round = 0; round < ROUNDS; round++) {
                AugmentCuda.Trace t = AugmentCuda.trace(src, imageIdx, sampleIdx, seed, epoch, cfg, groupThreads, forceGlobal);
                for (int b = 0; b < batch; b++) {
                    AugMix.SampleTrace st = AugMix.trace(set, imageIdx[b], sampleIdx[b], seed, epoch, cfg);
                    String at = what + ", entry " + b + " (image " + imageIdx[b] + ", sample " + sampleIdx[b] + ")";
                    assertArrayEquals(st.input(), t.input(b), at + ": transformed input");
                    for (AugMix.ViewTrace vt : st.views()) {
                        int v = vt.program().view();
                        for (int i = 0; i < cfg.width(); i++) {
                            byte[] got = t.chain(b, v, i), ref = vt.chainImages().get(i);
                            if (!java.util.Arrays.equals(ref, got)) {
                                int k = java.util.Arrays.mismatch(ref, got);
                                throw new AssertionError(at + ", view " + v + ", chain " + i + " " + vt.program().chains().get(i)
                                        + ": first differing byte " + k + " (pixel " + k / 3 + " channel " + k % 3 + "): want "
                                        + (ref[k] & 0xFF) + ", got " + (got[k] & 0xFF));
                            }
                            for (AugMix.Step s : vt.program().chains().get(i).steps()) used.add(s.op());
                        }
                    }
                }
                float[] got = t.output();
                checkMixingOrder(set, imageIdx, sampleIdx, seed, epoch, cfg, t, what);
                int images = cfg.imagesPerSample();
                for (int img = 0; img < images * batch; img++) {
                    boolean exact = cfg.mode() == AugMixConfig.Mode.NONE || (cfg.mode() == AugMixConfig.Mode.JSD && img < batch);
                    for (int k = 0; k < plane; k++) {
                        int i = img * plane + k;
                        float a = want[i], g = got[i];
                        boolean ok = exact ? Float.floatToRawIntBits(a) == Float.floatToRawIntBits(g) : Math.abs(a - g) <= 1e-6f;
                        if (!ok) {
                            throw new AssertionError(what + ": output image " + img + " element " + k + ": want " + a + ", got " + g
                                    + (exact ? " (must be bit-identical)" : " (tolerance 1e-6)"));
                        }
                    }
                }
                // the production kernel, device indices, into a longer buffer whose tail stays untouched
                float[] sentinel = new float[want.length + 7];
                java.util.Arrays.fill(sentinel, -77f);
                out.copyFrom(sentinel);
                try (DeviceBuffer ii = DeviceBuffer.of(gpu, imageIdx); DeviceBuffer si = DeviceBuffer.of(gpu, sampleIdx)) {
                    AugmentCuda.sampleBatch(src, ii, si, batch, seed, epoch, cfg, out, groupThreads);
                    float[] plain = out.toFloats();
                    for (int i = 0; i < want.length; i++) {
                        if (Float.floatToRawIntBits(plain[i]) != Float.floatToRawIntBits(got[i])) {
                            throw new AssertionError(what + ": augmix_forward differs from augmix_trace_forward at " + i);
                        }
                    }
                    for (int i = want.length; i < plain.length; i++) assertEquals(-77f, plain[i], what + ": wrote past the output");
                }
            }
        }
        return used;
    }

    /**
     * The mixing, exactly: given the device's own weights (which may differ from Java's in the last
     * bits), each AugMix output must be bit for bit {@code (1 - m) N(x) + m mix} with
     * {@code mix = 0; mix += w_i N(chain_i)} in float32, in that order.
     */
    private static void checkMixingOrder(ImageBatch set, int[] imageIdx, int[] sampleIdx, long seed, int epoch,
                                         AugMixConfig cfg, AugmentCuda.Trace t, String what) {
        if (cfg.mode() == AugMixConfig.Mode.NONE) return;
        int batch = imageIdx.length, h = set.height(), w = set.width(), hw = h * w, plane = 3 * hw;
        AugmentCuda.Programs p = AugmentCuda.programs(gpu, sampleIdx, seed, epoch, cfg, h, w);
        for (int b = 0; b < batch; b++) {
            byte[] x = t.input(b);
            for (int v = 1; v <= cfg.augViews(); v++) {
                float[] wt = p.w(b, v);
                float m = p.m(b, v), om = 1f - m;
                byte[][] ch = new byte[cfg.width()][];
                for (int i = 0; i < ch.length; i++) ch[i] = t.chain(b, v, i);
                int img = cfg.mode() == AugMixConfig.Mode.JSD ? v * batch + b : b;
                for (int q = 0; q < hw; q++)
                    for (int c = 0; c < 3; c++) {
                        float mix = 0f;
                        for (int i = 0; i < ch.length; i++) mix += wt[i] * AugMix.normalize(ch[i][3 * q + c]);
                        float want = om * AugMix.normalize(x[3 * q + c]) + m * mix;
                        float got = t.output()[img * plane + c * hw + q];
                        if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                            throw new AssertionError(what + ": entry " + b + " view " + v + " pixel " + q + " channel " + c
                                    + ": mixing with the device's weights gives " + want + ", the kernel wrote " + got);
                        }
                    }
            }
        }
    }

    private static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        return a;
    }

    @Test
    void jsdBatch32x32AllOpsMatchesTheReference() {
        ImageBatch set = images(12, 32, 32, 1);
        int[] idx = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 3, 0};
        int[] samples = {5, 901, 77, 4, 12, 1234, 8, 55, 3, 600, 41, 19, 2, 7};
        EnumSet<Op> used = EnumSet.noneOf(Op.class);
        used.addAll(checkBatch(set, idx, samples, 42L, 3, AugMixConfig.defaults().withAllOps(true), 0, false));
        used.addAll(checkBatch(set, idx, samples, 43L, 0, AugMixConfig.defaults().withAllOps(true).withSeverity(10), 0, false));
        assertEquals(EnumSet.allOf(Op.class), used, "every op must have been exercised");
    }

    @Test
    void defaultConfigurationBothMemoryPathsAndGroupSizes() {
        ImageBatch set = images(6, 32, 32, 2);
        int[] idx = range(6), samples = {10, 11, 12, 13, 14, 15};
        AugMixConfig cfg = AugMixConfig.defaults();
        checkBatch(set, idx, samples, 7L, 1, cfg, 32, false);
        checkBatch(set, idx, samples, 7L, 1, cfg, 0, true);   // images in global scratch
        checkBatch(set, idx, samples, 7L, 1, cfg, 128, false);
    }

    @Test
    void oddAndNonSquareSizes() {
        AugMixConfig all = AugMixConfig.defaults().withAllOps(true).withSeverity(8);
        int[][] sizes = {{7, 5}, {1, 1}, {3, 17}, {40, 24}, {2, 2}, {13, 13}};
        for (int[] s : sizes) {
            ImageBatch set = images(6, s[0], s[1], 3 + s[0]);
            checkBatch(set, range(6), new int[] {1, 2, 3, 4, 5, 6}, 3L, 5, all, 0, false);
        }
        checkBatch(images(3, 9, 31, 4), range(3), new int[] {8, 9, 10}, 3L, 5, all, 0, true);
    }

    @Test
    void modesWidthsAndDepths() {
        ImageBatch set = images(6, 16, 12, 5);
        int[] idx = {5, 4, 3, 2, 1, 0}, samples = {30, 31, 32, 33, 34, 35};
        AugMixConfig base = AugMixConfig.defaults().withAllOps(true);
        checkBatch(set, idx, samples, 9L, 2, base.withMode(AugMixConfig.Mode.AUGMIX), 0, false);
        checkBatch(set, idx, samples, 9L, 2, base.withMode(AugMixConfig.Mode.NONE), 0, false);
        checkBatch(set, idx, samples, 9L, 2, base.withTrainTransform(false), 0, false);
        checkBatch(set, idx, samples, 9L, 2, base.withMode(AugMixConfig.Mode.NONE).withTrainTransform(false), 0, false);
        checkBatch(set, idx, samples, 9L, 2, base.withWidth(1), 0, false);
        checkBatch(set, idx, samples, 9L, 2, base.withWidth(5).withDepth(2), 0, false);   // two rounds of chain groups
        checkBatch(set, idx, samples, 9L, 2, base.withWidth(7).withDepth(4), 0, true);
        checkBatch(set, idx, samples, 9L, 2, base.withAlpha(0.5).withDepth(1), 0, false);
    }

    @Test
    void imagenetSize224() {
        ImageBatch set = images(2, 224, 224, 6);
        checkBatch(set, new int[] {0, 1}, new int[] {100, 200}, 11L, 0,
                AugMixConfig.defaults().withAllOps(true).withSeverity(1).withMode(AugMixConfig.Mode.AUGMIX), 0, false);
    }

    @Test
    void invalidDeviceIndexGivesNaNAndHostChecksReject() {
        ImageBatch set = images(2, 8, 8, 7);
        AugMixConfig cfg = AugMixConfig.defaults();
        int plane = 3 * 8 * 8;
        try (DeviceBuffer px = DeviceBuffer.of(gpu, set.pixels());
             DeviceBuffer ii = DeviceBuffer.of(gpu, new int[] {1, 2});
             DeviceBuffer si = DeviceBuffer.of(gpu, new int[] {3, 4});
             DeviceBuffer out = DeviceBuffer.floats(gpu, 3 * 2 * plane);
             DeviceBuffer shortOut = DeviceBuffer.floats(gpu, 3 * 2 * plane - 1)) {
            AugmentCuda.Images src = new AugmentCuda.Images(px, 2, 8, 8);
            AugmentCuda.sampleBatch(src, ii, si, 2, 1L, 0, cfg, out);
            float[] got = out.toFloats();
            float[] want = new float[3 * plane];
            AugMix.sampleBatch(set, new int[] {1}, new int[] {3}, 1L, 0, AugMixConfig.defaults().withMode(AugMixConfig.Mode.NONE), want);
            for (int v = 0; v < 3; v++)
                for (int k = 0; k < plane; k++) {
                    assertTrue(Float.isNaN(got[(v * 2 + 1) * plane + k]), "entry 1 has image index 2 of 2: NaN");
                    assertTrue(Float.isFinite(got[(v * 2) * plane + k]), "entry 0 is valid");
                }
            for (int k = 0; k < plane; k++) assertEquals(want[k], got[k], "entry 0's clean image");
            gpu.synchronize();

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentCuda.sampleBatch(src, ii, si, 2, 1L, 0, cfg, shortOut));
            assertTrue(e.getMessage().contains("at least " + 3 * 2 * plane + " floats"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AugmentCuda.sampleBatch(src, ii, si, 0, 1L, 0, cfg, out));
            assertTrue(e.getMessage().startsWith("empty batch"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> AugmentCuda.sampleBatch(src, ii, si, 3, 1L, 0, cfg, out));
            assertTrue(e.getMessage().contains("imageIndex must be an int buffer of at least 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentCuda.sampleBatch(src, new int[] {0, 2}, new int[] {0, 1}, 1L, 0, cfg, out));
            assertTrue(e.getMessage().contains("sample index 2 at batch position 1 is outside the source set of 2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentCuda.sampleBatch(src, new int[0], new int[0], 1L, 0, cfg, out));
            assertTrue(e.getMessage().startsWith("empty batch"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new AugmentCuda.Images(si, 2, 8, 8));
            assertTrue(e.getMessage().contains("byte (uint8) buffer"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new AugmentCuda.Images(px, 3, 8, 8));
            assertTrue(e.getMessage().contains("too short for 3 RGB images"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> AugmentCuda.Images.upload(gpu, new ImageBatch(new byte[16], 1, 4, 4, 1)));
            assertTrue(e.getMessage().contains("needs RGB images"), e.getMessage());
        }
    }
}
