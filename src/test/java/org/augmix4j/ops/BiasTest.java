package org.augmix4j.ops;

import static org.augmix4j.testing.GradCheck.check;
import static org.augmix4j.testing.GradCheck.dot;
import static org.augmix4j.testing.GradCheck.random;
import static org.augmix4j.testing.GradCheck.toDouble;
import static org.augmix4j.testing.GradCheck.toFloat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/**
 * Bias (y (N, C, HW) += b[c]; db += sums of dy): central differences on the float64 reference, the
 * float paths against it on odd sizes (more positions than the 256 lanes, and fewer), the
 * backward's accumulation, and the shape errors.
 */
class BiasTest {
    /** N, C, HW. */
    private static final int[][] SHAPES = {{1, 1, 1}, {3, 5, 7}, {2, 3, 257}, {5, 2, 1000}, {7, 6, 9}};

    @Test
    void referenceGradientMatchesCentralDifferences() {
        int n = 3, c = 4, hw = 5;
        SplittableRandom r = new SplittableRandom(1);
        double[] x = random(r, n * c * hw), b = random(r, c), up = random(r, n * c * hw), db = new double[c];
        Bias.backwardRef(up, db, n, c, hw);
        check("bias db", b, db, bb -> {
            double[] y = x.clone();
            Bias.forwardRef(y, bb, n, c, hw);
            return dot(y, up);
        }, 1e-7);
    }

    @Test
    void floatPathsMatchTheFloat64ReferenceOnOddSizes() {
        for (int[] s : SHAPES) {
            int n = s[0], c = s[1], hw = s[2], len = n * c * hw;
            String tag = "N=" + n + " C=" + c + " HW=" + hw;
            SplittableRandom r = new SplittableRandom(len);
            float[] y = toFloat(random(r, len)), b = toFloat(random(r, c)), dy = toFloat(random(r, len)), db = toFloat(random(r, c));
            double[] yr = toDouble(y), dbr = toDouble(db);
            Bias.forward(y, b, n, c, hw);
            Bias.forwardRef(yr, toDouble(b), n, c, hw);
            for (int i = 0; i < len; i++) assertEquals((float) yr[i], y[i], tag + ": y += b is one float rounding, at " + i);
            Bias.backward(dy, db, n, c, hw);
            Bias.backwardRef(toDouble(dy), dbr, n, c, hw);
            for (int ch = 0; ch < c; ch++) {
                // a double sum rounded to float, then one float add: within 1 ulp of each, whatever the order
                assertEquals(dbr[ch], db[ch], 2 * Math.ulp((float) dbr[ch]) + 1e-12 * n * hw, tag + ": db[" + ch + "]");
            }
        }
    }

    @Test
    void backwardAccumulatesAndFollowsTheLaneOrder() {
        int n = 2, c = 3, hw = 300;  // 600 positions: lanes 0..87 get 3 terms, the rest 2
        SplittableRandom r = new SplittableRandom(4);
        float[] dy = toFloat(random(r, n * c * hw)), db = {1f, 2f, 3f};
        Bias.backward(dy, db, n, c, hw);
        for (int ch = 0; ch < c; ch++) {
            double[] lane = new double[Bias.LANES];
            for (int p = 0; p < n * hw; p++) lane[p % Bias.LANES] += dy[((p / hw) * c + ch) * hw + p % hw];
            for (int stride = Bias.LANES / 2; stride > 0; stride >>= 1) for (int l = 0; l < stride; l++) lane[l] += lane[l + stride];
            assertEquals(Float.floatToIntBits((ch + 1) + (float) lane[0]), Float.floatToIntBits(db[ch]), "channel " + ch);
        }
    }

    @Test
    void badShapesSayWhatToPass() {
        ShapeException e = assertThrows(ShapeException.class, () -> Bias.forward(new float[30], new float[4], 2, 3, 5));
        assertEquals("bias forward: the bias has 4 values but the activation has 3 channels; a convolution with K output channels"
                + " needs a bias of shape (K)", e.getMessage());
        e = assertThrows(ShapeException.class, () -> Bias.backward(new float[29], new float[3], 2, 3, 5));
        assertTrue(e.getMessage().startsWith("bias backward: dy has 29 floats but (N, C, HW) = (2, 3, 5) needs 30"), e.getMessage());
        assertThrows(ShapeException.class, () -> Bias.forward(new float[0], new float[0], 0, 0, 5));
    }
}
