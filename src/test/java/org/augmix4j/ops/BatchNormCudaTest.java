package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.junit.jupiter.api.Test;

/**
 * kernels/batchnorm.cu (through BatchNormCuda) against BatchNorm's float engine on random (N, C, HW)
 * batches (channel value counts of 2, fewer than a warp, not a multiple of the block, more than one
 * block; means far from zero): training forward y, saved mean / inverse std and the updated running
 * statistics, training backward dx, dgamma, dbeta (accumulated onto non-zero values) within 1e-5
 * relative (only the order of the double sums differs), twice with the same bits, plain and with the
 * fused ReLU of the pre-activation pair; evaluation forward
 * bit for bit. Small shapes: the training kernels use barriers, expensive under the emulator.
 */
class BatchNormCudaTest extends KernelTestBase {
    private static final int[][] SHAPES = {{2, 3, 1}, {3, 5, 7}, {4, 2, 49}, {2, 3, 150}, {1, 1, 9}};

    private static float[] shifted(SplittableRandom r, int n, double scale, double shift) {
        float[] a = DeviceArrays.gaussian(r, n, scale);
        for (int i = 0; i < n; i++) a[i] += (float) shift;
        return a;
    }

    private static double[] d(float[] a) { return DeviceArrays.toDouble(a); }

    private static void close(String what, float[] want, float[] got) {
        double big = 0;
        for (float v : want) big = Math.max(big, Math.abs(v));
        DeviceArrays.assertClose(what, d(want), got, 1e-6 * big, 1e-5);
    }

    @Test
    void trainingForwardAndBackward() {
        for (int[] s : SHAPES) training(s, false);
    }

    @Test
    void trainingWithTheFusedRelu() {
        training(SHAPES[1], true);
        training(SHAPES[3], true);
    }

    private void training(int[] s, boolean relu) {
        int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
        SplittableRandom r = new SplittableRandom(n * 100L + c * 10L + hw);
        float[] x = shifted(r, len, 2, 3), gamma = shifted(r, c, 0.3, 1), beta = DeviceArrays.gaussian(r, c, 0.5);
        float[] rm0 = DeviceArrays.gaussian(r, c, 0.1), rv0 = shifted(r, c, 0.1, 1);
        float[] dy = DeviceArrays.gaussian(r, len, 1), dg0 = DeviceArrays.gaussian(r, c, 0.1), db0 = DeviceArrays.gaussian(r, c, 0.1);
        float[] y = new float[len], rm = rm0.clone(), rv = rv0.clone(), sm = new float[c], si = new float[c];
        BatchNorm.trainForward(x, y, n, c, hw, gamma, beta, rm, rv, sm, si, relu);
        float[] dx = new float[len], dg = dg0.clone(), db = db0.clone();
        BatchNorm.trainBackward(x, dy, relu ? y : null, dx, n, c, hw, gamma, sm, si, dg, db);
        String tag = "bn (N, C, HW) = (" + n + ", " + c + ", " + hw + ")" + (relu ? " + relu" : "");
        float[][] first = null;
        for (int round = 0; round < 2; round++) {
            try (DeviceBuffer X = dev.upload(x); DeviceBuffer Y = dev.garbage(len); DeviceBuffer G = dev.upload(gamma); DeviceBuffer B = dev.upload(beta);
                 DeviceBuffer RM = dev.upload(rm0); DeviceBuffer RV = dev.upload(rv0); DeviceBuffer SM = dev.garbage(c); DeviceBuffer SI = dev.garbage(c); DeviceBuffer DY = dev.upload(dy);
                 DeviceBuffer DX = dev.garbage(len); DeviceBuffer DG = dev.upload(dg0); DeviceBuffer DB = dev.upload(db0)) {
                if (relu) {
                    BatchNormCuda.trainForward(X, Y, n, c, hw, G, B, RM, RV, SM, SI, true);
                    BatchNormCuda.trainBackward(X, DY, Y, DX, n, c, hw, G, SM, SI, DG, DB);
                } else {
                    BatchNormCuda.trainForward(X, Y, n, c, hw, G, B, RM, RV, SM, SI);
                    BatchNormCuda.trainBackward(X, DY, DX, n, c, hw, G, SM, SI, DG, DB);
                }
                float[][] got = {DeviceArrays.download(tag, Y, len), DeviceArrays.download(tag, SM, c), DeviceArrays.download(tag, SI, c),
                        DeviceArrays.download(tag, RM, c), DeviceArrays.download(tag, RV, c), DeviceArrays.download(tag, DX, len),
                        DeviceArrays.download(tag, DG, c), DeviceArrays.download(tag, DB, c)};
                float[][] want = {y, sm, si, rm, rv, dx, dg, db};
                String[] names = {"y", "save_mean", "save_invstd", "running_mean", "running_var", "dx", "dgamma", "dbeta"};
                for (int i = 0; i < want.length; i++) close(tag + " " + names[i], want[i], got[i]);
                if (round == 0) first = got;
                else for (int i = 0; i < got.length; i++) DeviceArrays.assertBitwise(tag + " " + names[i] + " run to run", first[i], got[i]);
            }
        }
    }

    @Test
    void evaluationForwardIsBitIdentical() {
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
            SplittableRandom r = new SplittableRandom(len);
            float[] x = shifted(r, len, 2, 1), gamma = shifted(r, c, 0.3, 1), beta = DeviceArrays.gaussian(r, c, 0.5);
            float[] rm = DeviceArrays.gaussian(r, c, 1), rv = shifted(r, c, 0.2, 2), y = new float[len];
            BatchNorm.evalForward(x, y, n, c, hw, gamma, beta, rm, rv);
            try (DeviceBuffer X = dev.upload(x); DeviceBuffer Y = dev.garbage(len); DeviceBuffer G = dev.upload(gamma); DeviceBuffer B = dev.upload(beta);
                 DeviceBuffer RM = dev.upload(rm); DeviceBuffer RV = dev.upload(rv)) {
                BatchNormCuda.evalForward(X, Y, n, c, hw, G, B, RM, RV);
                DeviceArrays.assertBitwise("bn eval " + n + "x" + c + "x" + hw, y, DeviceArrays.download("bn eval", Y, len));
            }
        }
    }

    @Test
    void badArgumentsAreRejected() {
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 8); DeviceBuffer p = DeviceBuffer.floats(gpu, 2)) {
            assertEquals("batch_norm(train): training batch norm needs more than one value per channel (N*HW = 1); use a batch of at"
                    + " least 2 images or evaluation mode",
                    assertThrows(IllegalArgumentException.class, () -> BatchNormCuda.trainForward(a, a, 1, 2, 1, p, p, p, p, p, p)).getMessage());
            assertEquals("batch_norm(eval): running_var is DeviceBuffer(float[2]) but (C) = (3) needs 3 elements",
                    assertThrows(IllegalArgumentException.class, () -> BatchNormCuda.evalForward(a, a, 1, 3, 2, a, a, a, p)).getMessage());
        }
    }
}
