package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.check;
import static org.augmix4j.testing.GradCheck.dot;
import static org.augmix4j.testing.GradCheck.random;
import static org.augmix4j.testing.GradCheck.toDouble;
import static org.augmix4j.testing.GradCheck.toFloat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.augment.Philox;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Backprop;
import org.junit.jupiter.api.Test;

/**
 * Dropout: the mask's values, rate, counter layout and purity (element i depends only on (seed,
 * counter, i): not on n, threads or other counters), forward/backward against float64 with central
 * differences, and F.dropout (training, evaluation, shape errors).
 */
class DropoutTest {
    private static final long SEED = 0x5EEDL;

    private static float[] mask(long seed, long counter, float p, int n) {
        float[] m = new float[n];
        Dropout.mask(seed, counter, p, m, n);
        return m;
    }

    @Test
    void maskHoldsZeroOrTheScaleAtTheRequestedRate() {
        int n = 100_003;
        for (float p : new float[] {0.5f, 0.25f, 0.9f}) {
            float[] m = mask(SEED, 12, p, n);
            float keep = 1f / (1f - p);
            int dropped = 0;
            for (float v : m) {
                assertTrue(v == 0f || v == keep, "p=" + p + ": value " + v);
                if (v == 0f) dropped++;
            }
            double sd = Math.sqrt(n * p * (1 - p));
            assertEquals(n * p, dropped, 5 * sd, "p=" + p + ": dropped count (5 standard deviations)");
        }
        float[] all = mask(SEED, 1, 0f, 1001), none = mask(SEED, 1, 1f, 1001);
        for (int i = 0; i < 1001; i++) {
            assertEquals(1f, all[i], "p = 0 keeps everything at scale 1");
            assertEquals(0f, none[i], "p = 1 drops everything");
        }
        assertEquals(2f, Dropout.scale(0.5f));
    }

    @Test
    void elementIsThePhiloxDrawOfItsCounter() {
        long[] counters = {0, 7, 0x1_0000_0003L, -1L};  // beyond 2^32 the high word goes to c3
        int n = 13;
        for (long counter : counters) {
            float[] m = mask(SEED, counter, 0.5f, n);
            int[] w = new int[4];
            for (int i = 0; i < n; i++) {
                Philox.block(SEED, i >>> 2, (int) counter, Philox.TAG_DROPOUT << 24, (int) (counter >>> 32), w);
                float want = Philox.u24(w[i & 3]) >= 0.5f ? 2f : 0f;
                assertEquals(want, m[i], "counter " + counter + ", element " + i);
            }
        }
    }

    @Test
    void maskIsAPureFunctionOfSeedCounterAndIndex() {
        float[] big = mask(SEED, 3, 0.5f, 10_007);
        for (int n : new int[] {1, 2, 3, 5, 4097}) {
            assertArrayEquals(Arrays.copyOf(big, n), mask(SEED, 3, 0.5f, n), "prefix of length " + n);
        }
        int threads = Parallel.threads();
        try {
            Parallel.setThreads(1);
            float[] one = mask(SEED, 3, 0.5f, 100_003);
            Parallel.setThreads(3);
            assertArrayEquals(one, mask(SEED, 3, 0.5f, 100_003), "1 vs 3 threads");
        } finally {
            Parallel.setThreads(threads);
        }
        assertFalse(Arrays.equals(big, mask(SEED, 4, 0.5f, 10_007)), "another counter, another mask");
        assertFalse(Arrays.equals(big, mask(SEED + 1, 3, 0.5f, 10_007)), "another seed, another mask");
        assertFalse(Arrays.equals(big, mask(SEED, 3 + (1L << 32), 0.5f, 10_007)), "the counter's high word counts");
        // the buffer past n is not touched
        float[] m = new float[9];
        Arrays.fill(m, 7f);
        Dropout.mask(SEED, 3, 0.5f, m, 5);
        assertArrayEquals(new float[] {7f, 7f, 7f, 7f}, Arrays.copyOfRange(m, 5, 9));
    }

    @Test
    void forwardAndBackwardMatchFloat64AndCentralDifferences() {
        int n = 257;
        SplittableRandom r = new SplittableRandom(5);
        float[] m = mask(SEED, 9, 0.5f, n);
        double[] x = random(r, n), up = random(r, n), md = toDouble(m), dx = new double[n];
        Dropout.backwardRef(md, up, dx, n);
        check("dropout dx", x, dx, xx -> {
            double[] y = new double[n];
            Dropout.forwardRef(xx, md, y, n);
            return dot(y, up);
        }, 1e-8);
        float[] y = new float[n], dxf = new float[n];
        Arrays.fill(dxf, 0.5f);
        Dropout.forward(toFloat(x), m, y, n);
        Dropout.backward(m, toFloat(up), dxf, n);
        double[] yr = new double[n];
        Dropout.forwardRef(toDouble(toFloat(x)), md, yr, n);
        for (int i = 0; i < n; i++) {
            assertEquals((float) yr[i], y[i], "y = x * mask is exact in float (mask 0 or 2)");
            assertEquals(0.5f + toFloat(up)[i] * m[i], dxf[i], "dx accumulates");
        }
    }

    @Test
    void fDropoutTrainsWithTheMaskAndIsTheIdentityInEvaluation() {
        int[] shape = {2, 3, 4, 5};
        int n = 120;
        SplittableRandom r = new SplittableRandom(8);
        float[] xv = toFloat(random(r, n)), up = toFloat(random(r, n)), m = mask(SEED, 1, 0.5f, n);
        Var x = Var.param("x", Tensor.of(xv, shape));
        Tape t = new Tape();
        Var y = F.dropout(t, x, m);
        float[] want = new float[n], wantDx = new float[n];
        Dropout.forward(xv, m, want, n);
        Dropout.backward(m, up, wantDx, n);
        assertArrayEquals(want, y.data());
        Backprop.from(t, y, up);
        assertArrayEquals(wantDx, x.grad());
        Tape eval = new Tape();
        assertSame(x, F.dropout(eval, x, null), "evaluation: the identity");
        assertEquals(0, eval.size());
        ShapeException e = assertThrows(ShapeException.class, () -> F.dropout(new Tape(), x, new float[7]));
        assertEquals("dropout: the mask has 7 values but x (2, 3, 4, 5) has 120; draw one with Dropout.mask(seed, counter, p,"
                + " new float[120], 120), or pass null in evaluation", e.getMessage());
    }

    @Test
    void badArgumentsSayWhatToPass() {
        ShapeException e = assertThrows(ShapeException.class, () -> Dropout.mask(1, 0, 1.5f, new float[3], 3));
        assertEquals("dropout mask: drop probability p = 1.5 is outside [0, 1]; pass e.g. 0.5 (AllConv's), and skip dropout"
                + " entirely in evaluation", e.getMessage());
        assertThrows(ShapeException.class, () -> Dropout.mask(1, 0, Float.NaN, new float[3], 3));
        assertThrows(ShapeException.class, () -> Dropout.mask(1, 0, 0.5f, new float[2], 3));
        assertThrows(ShapeException.class, () -> Dropout.forward(new float[3], new float[2], new float[3], 3));
    }
}
