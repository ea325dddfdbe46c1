package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/**
 * Concat (torch.cat along channels): the layout against an index-by-index construction, central
 * differences on the float64 path, exact float copies and accumulation (with either gradient
 * absent), and the shape errors.
 */
class ConcatTest {
    /** {n, ca, cb, hw}: a DenseNet-like 24 + 12 channels on 8x8, odd sizes, single channels. */
    static final int[][] SHAPES = {{3, 24, 12, 64}, {2, 5, 3, 63}, {1, 1, 1, 1}, {4, 1, 7, 9}};

    @Test
    void layoutIsChannelsOfAThenChannelsOfB() {
        SplittableRandom r = new SplittableRandom(31);
        for (int[] s : SHAPES) {
            int n = s[0], ca = s[1], cb = s[2], hw = s[3], cy = ca + cb;
            float[] a = toFloat(random(r, n * ca * hw)), b = toFloat(random(r, n * cb * hw)), y = new float[n * cy * hw];
            java.util.Arrays.fill(y, Float.NaN);  // overwritten everywhere
            Concat.forward(a, ca, b, cb, y, n, hw);
            float[] want = new float[y.length];
            for (int i = 0; i < n; i++) {
                for (int ch = 0; ch < cy; ch++) {
                    for (int j = 0; j < hw; j++) {
                        want[(i * cy + ch) * hw + j] = ch < ca ? a[(i * ca + ch) * hw + j] : b[(i * cb + ch - ca) * hw + j];
                    }
                }
            }
            assertArrayEquals(want, y, java.util.Arrays.toString(s));
            double[] yd = new double[y.length];
            Concat.forwardRef(toDouble(a), ca, toDouble(b), cb, yd, n, hw);
            assertArrayEquals(toDouble(want), yd, "float64 " + java.util.Arrays.toString(s));
        }
    }

    @Test
    void gradientMatchesCentralDifferences() {
        SplittableRandom r = new SplittableRandom(32);
        int n = 2, ca = 3, cb = 2, hw = 5;
        double[] a = random(r, n * ca * hw), b = random(r, n * cb * hw), up = random(r, n * (ca + cb) * hw);
        double[] da = new double[a.length], db = new double[b.length];
        Concat.backwardRef(up, da, db, n, ca, cb, hw);
        check("concat da", a, da, aa -> {
            double[] y = new double[up.length];
            Concat.forwardRef(aa, ca, b, cb, y, n, hw);
            return dot(y, up);
        }, 1e-6);
        check("concat db", b, db, bb -> {
            double[] y = new double[up.length];
            Concat.forwardRef(a, ca, bb, cb, y, n, hw);
            return dot(y, up);
        }, 1e-6);
    }

    @Test
    void backwardAccumulatesAndSkipsAbsentGradients() {
        SplittableRandom r = new SplittableRandom(33);
        for (int[] s : SHAPES) {
            int n = s[0], ca = s[1], cb = s[2], hw = s[3];
            float[] dy = toFloat(random(r, n * (ca + cb) * hw)), da0 = toFloat(random(r, n * ca * hw)), db0 = toFloat(random(r, n * cb * hw));
            float[] da = da0.clone(), db = db0.clone();
            Concat.backward(dy, da, db, n, ca, cb, hw);
            double[] dad = toDouble(da0), dbd = toDouble(db0);
            Concat.backwardRef(toDouble(dy), dad, dbd, n, ca, cb, hw);
            // one float addition per element: the float64 sum of two floats rounded once is the same float
            assertArrayEquals(toFloat(dad), da);
            assertArrayEquals(toFloat(dbd), db);
            float[] onlyB = db0.clone();
            Concat.backward(dy, null, onlyB, n, ca, cb, hw);
            assertArrayEquals(db, onlyB, "db alone");
            float[] onlyA = da0.clone();
            Concat.backward(dy, onlyA, null, n, ca, cb, hw);
            assertArrayEquals(da, onlyA, "da alone");
        }
    }

    @Test
    void badShapesSayWhatIsWrong() {
        ShapeException e = assertThrows(ShapeException.class, () -> Concat.forward(new float[12], 3, new float[8], 2, new float[19], 2, 2));
        assertTrue(e.getMessage().startsWith("concat: ") && e.getMessage().contains("y 19") && e.getMessage().contains("= 20"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Concat.forward(new float[12], 3, new float[8], 0, new float[12], 2, 2));
        assertTrue(e.getMessage().contains("Cb=0"), e.getMessage());
        e = assertThrows(ShapeException.class, () -> Concat.backward(new float[20], new float[11], null, 2, 3, 2, 2));
        assertTrue(e.getMessage().contains("a has 11 values"), e.getMessage());
        assertEquals("concat", e.getMessage().substring(0, 6));
    }
}
