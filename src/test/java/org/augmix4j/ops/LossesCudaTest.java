package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/losses.cu (through LossesCuda) against the double reference Losses: the fused
 * CE + 12 * JS loss and gradient, the CE-only path, and softmax, on random logits at batch sizes
 * that leave the last block part-empty and class counts that are not multiples of the warp, with
 * the clamp of the mixture active and inactive; the loss scalars to 1e-6 relative, gradients to
 * 1e-5 relative + 1e-7 of the largest; bitwise reproducible from run to run; the sticky NaN/label
 * flag. Runs on the emulator in {@code mvn test}, on a GPU with {@code mvn test -Pgpu}.
 */
class LossesCudaTest extends KernelTestBase {

    /** The reference: {total, CE, JS} and dz = gradScale * d(total)/dz, in double. */
    private static double[] reference(float[] z, int[] labels, int b, int k, boolean jsd, float gradScale, double[] dz) {
        double[] zd = DeviceArrays.toDouble(z);
        double[] dce = new double[zd.length];
        double ce = Losses.crossEntropy(zd, labels, b, k, dce, gradScale);
        double js = 0;
        if (jsd) {
            double[] djs = new double[zd.length];
            js = Losses.jsd(zd, b, k, djs, (double) gradScale * Losses.JSD_WEIGHT);
            for (int i = 0; i < zd.length; i++) dce[i] += djs[i];
        }
        System.arraycopy(dce, 0, dz, 0, dz.length);
        return new double[] {ce + Losses.JSD_WEIGHT * js, ce, js};
    }

    /** Compares one random case; a second identical run must give the same bits when {@code twice}. Returns the logits. */
    private float[] compare(String what, SplittableRandom r, int b, int k, boolean jsd, double logitScale, float gradScale, boolean twice) {
        int rows = (jsd ? 3 : 1) * b;
        float[] z = DeviceArrays.gaussian(r, rows * k, logitScale);
        int[] labels = new int[b];
        for (int i = 0; i < b; i++) labels[i] = r.nextInt(k);
        double[] wantDz = new double[rows * k];
        double[] want = reference(z, labels, b, k, jsd, gradScale, wantDz);
        String tag = what + " B=" + b + " K=" + k + (jsd ? " jsd" : " ce") + " scale=" + logitScale;
        float[] firstDz = null, firstLoss = null;
        for (int round = 0; round < (twice ? 2 : 1); round++) {
            try (DeviceBuffer dzb = dev.upload(z); DeviceBuffer dl = dev.upload(labels); DeviceBuffer ddz = dev.garbage(rows * k);
                 LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, b, jsd)) {
                ws.run(dzb, dl, ddz, k, gradScale);
                float[] loss = ws.readLoss();
                float[] gotDz = DeviceArrays.download(tag + " dz", ddz, rows * k);
                assertEquals(0, ws.readFlag(), tag + ": flag");
                DeviceArrays.assertClose(tag + " loss {total, CE, JS}", want, loss, 1e-9, 1e-6);
                double big = 0;
                for (double v : wantDz) big = Math.max(big, Math.abs(v));
                DeviceArrays.assertClose(tag + " dz", wantDz, gotDz, 1e-7 * big, 1e-5);
                if (round == 0) {
                    firstDz = gotDz;
                    firstLoss = loss;
                } else {
                    DeviceArrays.assertBitwise(tag + " dz run to run", firstDz, gotDz);
                    DeviceArrays.assertBitwise(tag + " loss run to run", firstLoss, loss);
                }
            }
        }
        return z;
    }

    /** How many mixture entries of the JSD logits z (3B, K) lie below the clamp floor. */
    private static int clamped(float[] z, int b, int k) {
        double[] p = new double[z.length];
        Losses.softmax(DeviceArrays.toDouble(z), p, 3 * b, k);
        int n = 0;
        for (int i = 0; i < b * k; i++) if ((p[i] + p[b * k + i] + p[2 * b * k + i]) / 3 < Losses.MIX_FLOOR) n++;
        return n;
    }

    @Test
    void jsdMatchesTheReference() {
        int[][] shapes = {{1, 10}, {3, 37}, {5, 10}, {9, 100}, {13, 33}};
        for (int[] s : shapes) {
            float[] z = compare("jsd", new SplittableRandom(s[0] * 31L + s[1]), s[0], s[1], true, 2.0, 1f, s[0] == 9);
            assertEquals(0, clamped(z, s[0], s[1]), "these logits should leave the clamp inactive");
        }
    }

    @Test
    void jsdWithTheMixtureClampActive() {
        // logits spread over +-60: many classes have M < 1e-7 in some rows (the path through M is cut)
        SplittableRandom r = new SplittableRandom(7);
        float[] z = compare("clamp", r, 6, 23, true, 25.0, 1f, false);
        assertTrue(clamped(z, 6, 23) > 10, "the clamp should be active somewhere");
        z = compare("clamp, grad scale", r, 5, 100, true, 40.0, 0.5f, false);
        assertTrue(clamped(z, 5, 100) > 10, "the clamp should be active somewhere");
    }

    @Test
    void identicalViewsHaveNoConsistencyLoss() {
        int b = 4, k = 11;
        SplittableRandom r = new SplittableRandom(3);
        float[] clean = DeviceArrays.gaussian(r, b * k, 3);
        float[] z = new float[3 * b * k];
        for (int v = 0; v < 3; v++) System.arraycopy(clean, 0, z, v * b * k, b * k);
        try (DeviceBuffer dzb = dev.upload(z); DeviceBuffer dl = dev.upload(new int[] {0, 3, 10, 5}); DeviceBuffer ddz = dev.garbage(z.length);
             LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, b, true)) {
            ws.run(dzb, dl, ddz, k, 1f);
            float[] loss = ws.readLoss();
            assertEquals(0, loss[2], 1e-7);
            assertEquals(loss[1], loss[0], 1e-6);
        }
    }

    @Test
    void crossEntropyAloneMatchesTheReference() {
        int[][] shapes = {{1, 10}, {7, 10}, {70, 100}, {33, 1}};
        for (int[] s : shapes) compare("ce", new SplittableRandom(s[0] * 17L + s[1]), s[0], s[1], false, 3.0, 1f, s[0] == 70);
    }

    @Test
    void softmaxMatchesTheReference() {
        int[][] shapes = {{1, 10}, {37, 10}, {6, 100}, {9, 33}};
        for (int[] s : shapes) {
            int rows = s[0], k = s[1];
            float[] z = DeviceArrays.gaussian(new SplittableRandom(rows + k), rows * k, 4);
            double[] want = new double[rows * k];
            Losses.softmax(DeviceArrays.toDouble(z), want, rows, k);
            try (DeviceBuffer dz = dev.upload(z); DeviceBuffer p = dev.garbage(rows * k)) {
                LossesCuda.softmax(dz, p, rows, k);
                DeviceArrays.assertClose("softmax " + rows + "x" + k, want, DeviceArrays.download("softmax", p, rows * k), 1e-12, 1e-6);
            }
        }
    }

    @Test
    void nonFiniteLogitsAndBadLabelsRaiseTheStickyFlag() {
        int b = 3, k = 5;
        float[] z = DeviceArrays.gaussian(new SplittableRandom(1), 3 * b * k, 1);
        try (DeviceBuffer dl = dev.upload(new int[] {0, 1, 2}); DeviceBuffer ddz = dev.garbage(z.length);
             LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, b, true)) {
            try (DeviceBuffer dzb = dev.upload(z)) {
                ws.run(dzb, dl, ddz, k, 1f);
                ws.checkFinite("a clean step");
            }
            z[2 * b * k + 4] = Float.NaN;  // aug2 row of sample 0
            try (DeviceBuffer dzb = dev.upload(z)) {
                ws.run(dzb, dl, ddz, k, 1f);
            }
            z[2 * b * k + 4] = 0;
            try (DeviceBuffer dzb = dev.upload(z)) {
                ws.run(dzb, dl, ddz, k, 1f);  // a good step afterwards: the flag stays set
            }
            assertEquals(LossesCuda.FLAG_NONFINITE_LOGITS | LossesCuda.FLAG_NONFINITE_LOSS, ws.readFlag());
            Losses.NonFiniteException e = assertThrows(Losses.NonFiniteException.class, () -> ws.checkFinite("epoch 1, step 50"));
            assertTrue(e.getMessage().startsWith("GPU loss at epoch 1, step 50: NaN/Inf logits, NaN/Inf loss."), e.getMessage());
            ws.clearFlag();
            assertEquals(0, ws.readFlag());
        }
        try (DeviceBuffer dzb = dev.upload(z); DeviceBuffer dl = dev.upload(new int[] {0, 5, 2}); DeviceBuffer ddz = dev.garbage(z.length);
             LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, b, true)) {
            ws.run(dzb, dl, ddz, k, 1f);
            assertEquals(LossesCuda.FLAG_BAD_LABEL | LossesCuda.FLAG_NONFINITE_LOSS, ws.readFlag());
            assertTrue(Float.isNaN(ws.readLoss()[1]));
            assertTrue(assertThrows(Losses.NonFiniteException.class, () -> ws.checkFinite("x")).getMessage().contains("--dataset"));
        }
    }

    @Test
    void shortBuffersAreRejected() {
        try (DeviceBuffer z = DeviceBuffer.floats(gpu, 3 * 4 * 10 - 1); DeviceBuffer l = DeviceBuffer.ints(gpu, 4);
             DeviceBuffer dz = DeviceBuffer.floats(gpu, 120); LossesCuda.Workspace ws = new LossesCuda.Workspace(gpu, 4, true)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ws.run(z, l, dz, 10, 1f));
            assertEquals("ce_jsd: z is DeviceBuffer(float[119]) but (12, 10) needs 120 elements", e.getMessage());
        }
    }

    @Test
    void trainStatsAccumulateLikeTheReference() {
        SplittableRandom r = new SplittableRandom(77);
        float[] want = {1.5f, 2f, 3f};
        try (DeviceBuffer stats = DeviceBuffer.of(gpu, want.clone())) {
            for (int[] bk : new int[][] {{5, 3}, {300, 10}, {1, 100}}) {
                int b = bk[0], k = bk[1];
                float[] z = DeviceArrays.gaussian(r, 3 * b * k, 2);
                for (int i = 0; i < b; i += 7) z[i * k] = Float.NaN;           // NaN never wins the arg max
                if (k > 2) for (int i = 1; i < b; i += 5) z[i * k + 2] = z[i * k + 1];  // ties: the first index wins
                int[] labels = new int[b];
                for (int i = 0; i < b; i++) labels[i] = r.nextInt(k);
                float loss = (float) r.nextDouble() * 3;
                Losses.trainStats(z, labels, loss, want, b, k);
                try (DeviceBuffer dz = dev.upload(z); DeviceBuffer dl = dev.upload(labels); DeviceBuffer dloss = DeviceBuffer.of(gpu, new float[] {loss, 0, 0})) {
                    LossesCuda.trainStats(dz, dl, dloss, stats, b, k);
                }
                float[] got = stats.toFloats();
                assertEquals(want[0], got[0], 1e-6f * Math.abs(want[0]), "loss sum B=" + b);
                assertEquals(want[1], got[1], "correct B=" + b);
                assertEquals(want[2], got[2], "samples B=" + b);
            }
        }
    }
}
