package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AugPhiloxTest {

    /** Random123 kat_vectors, the three "philox4x32 10" lines: counter[4], key[2] -> output[4]. */
    @Test
    void knownAnswerVectors() {
        int[][][] kat = {
            {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
            {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
            {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
                {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
        };
        int[] out = new int[4];
        for (int[][] v : kat) {
            Philox.philox4x32(10, v[0][0], v[0][1], v[0][2], v[0][3], v[1][0], v[1][1], out);
            assertArrayEquals(v[2], out, () -> "KAT " + Arrays.toString(v[0]));
        }
        // key derivation from the 64-bit seed: k0 = low word, k1 = high word
        Philox.block(0x299f31d0a4093822L, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, out);
        assertArrayEquals(kat[2][2], out);
    }

    @Test
    void conversionsAreExactAndInRange() {
        assertEquals(0.0, Philox.u53(0, 0));
        assertEquals(1.0 - 0x1.0p-53, Philox.u53(-1, -1));
        assertEquals(0.5, Philox.u53(0x80000000, 0));
        assertEquals(0.0f, Philox.u24(0));
        assertEquals(1.0f - 0x1.0p-24f, Philox.u24(-1));
        assertEquals(0, Philox.uniformInt(0, 9));
        assertEquals(8, Philox.uniformInt(-1, 9));
        assertEquals(4, Philox.uniformInt(0x80000000, 9));
        assertEquals(0, Philox.uniformInt64(0, 0, 50000));
        assertEquals(49999, Philox.uniformInt64(-1, -1, 50000));
        assertEquals(25000, Philox.uniformInt64(0x80000000, 0, 50000));
        assertEquals(Integer.MAX_VALUE - 1, Philox.uniformInt64(-1, -1, Integer.MAX_VALUE));
    }

    @Test
    void counterLayout() {
        assertEquals(0x01020304, Philox.c2(1, 2, 3, 4));
        assertEquals(0x06FFFEFD, Philox.c2(6, 255, 254, 253));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Philox.c2(1, 256, 0, 0));
        assertTrue(e.getMessage().contains("view 256"), e.getMessage());
        // draw(...) is block(seed, sample, epoch, c2, draw)
        int[] a = new int[4], b = new int[4];
        Philox.draw(99L, 7, 1234, Philox.TAG_STEP, 2, 1, 0, 5, a);
        Philox.block(99L, 1234, 7, Philox.c2(Philox.TAG_STEP, 2, 1, 0), 5, b);
        assertArrayEquals(a, b);
        // uniform sequence: U_0, U_1 from block 0, U_2 from block 1
        Philox.Uniforms u = new Philox.Uniforms(99L, 7, 1234, Philox.TAG_DIRICHLET, 1, 0, 0);
        Philox.draw(99L, 7, 1234, Philox.TAG_DIRICHLET, 1, 0, 0, 0, a);
        Philox.draw(99L, 7, 1234, Philox.TAG_DIRICHLET, 1, 0, 0, 1, b);
        assertEquals(Philox.u53(a[0], a[1]), u.next());
        assertEquals(Philox.u53(a[2], a[3]), u.next());
        assertEquals(Philox.u53(b[0], b[1]), u.next());
        assertEquals(3, u.count());
    }

    @Test
    void cropDraws() {
        int[] w = new int[4];
        Philox.draw(5L, 3, 11, Philox.TAG_CROP, 0, 0, 0, 0, w);
        Philox.Crop c = Philox.crop(5L, 3, 11, 4);
        assertEquals((w[0] >>> 31) == 1, c.flip());
        assertEquals(Philox.uniformInt(w[1], 9), c.top());
        assertEquals(Philox.uniformInt(w[2], 9), c.left());
        int[] tops = new int[9], lefts = new int[9];
        int flips = 0, n = 18000;
        for (int s = 0; s < n; s++) {
            Philox.Crop k = Philox.crop(1L, 0, s, 4);
            tops[k.top()]++;
            lefts[k.left()]++;
            if (k.flip()) flips++;
        }
        double[] p = new double[9];
        Arrays.fill(p, 1.0 / 9);
        // chi-square, 8 degrees of freedom: 26.12 is the 0.001 critical value
        assertTrue(AugStatsTest.chiSquare(tops, p) < 26.12, "top uniform");
        assertTrue(AugStatsTest.chiSquare(lefts, p) < 26.12, "left uniform");
        // binomial: |flips - n/2| < 4 sigma
        assertTrue(Math.abs(flips - n / 2.0) < 4 * Math.sqrt(n / 4.0), "flip p = 0.5: " + flips);
    }

    @Test
    void shuffleIsAUniformPermutationPerEpoch() {
        int[] p0 = Philox.shuffle(1L, 0, 50000);
        int[] sorted = p0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        assertArrayEquals(p0, Philox.shuffle(1L, 0, 50000), "deterministic");
        assertFalse(Arrays.equals(p0, Philox.shuffle(1L, 1, 50000)), "differs per epoch");
        assertFalse(Arrays.equals(p0, Philox.shuffle(2L, 0, 50000)), "differs per seed");
        assertEquals(0, Philox.shuffle(1L, 0, 0).length);
        assertArrayEquals(new int[] {0}, Philox.shuffle(1L, 0, 1));
        // all 24 permutations of 4 equally likely over 12000 epochs (chi-square, 23 dof, 0.001: 49.73)
        int[] counts = new int[24];
        for (int e = 0; e < 12000; e++) {
            int[] p = Philox.shuffle(3L, e, 4);
            counts[rank(p)]++;
        }
        double[] prob = new double[24];
        Arrays.fill(prob, 1.0 / 24);
        double chi = AugStatsTest.chiSquare(counts, prob);
        assertTrue(chi < 49.73, "shuffle uniform over permutations, chi2 = " + chi);
    }

    private static int rank(int[] p) {
        int r = 0;
        boolean[] used = new boolean[p.length];
        for (int i = 0; i < p.length; i++) {
            int smaller = 0;
            for (int j = 0; j < p[i]; j++) if (!used[j]) smaller++;
            used[p[i]] = true;
            r = r * (p.length - i) + smaller;
        }
        return r;
    }
}
