package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CounterRngTest {
    @Test
    void streamIsCounterBased() {
        long key = CounterRng.key(1, "fog", 3, 17);
        CounterRng r = new CounterRng(key);
        for (int k = 1; k <= 100; k++) assertEquals(CounterRng.at(key, k), r.nextLong());
        assertEquals(100, r.position());
        r.reset(key);
        assertEquals(CounterRng.at(key, 1), r.nextLong());
        // SplitMix64 reference value: seed 0 first output
        assertEquals(0xE220A8397B1DCDAFL, CounterRng.at(0, 1));
    }

    @Test
    void keysSeparateEveryField() {
        long k = CounterRng.key(5, "snow", 2, 100);
        assertNotEquals(k, CounterRng.key(6, "snow", 2, 100));
        assertNotEquals(k, CounterRng.key(5, "fog", 2, 100));
        assertNotEquals(k, CounterRng.key(5, "snow", 3, 100));
        assertNotEquals(k, CounterRng.key(5, "snow", 2, 101));
        assertEquals(k, CounterRng.key(5, "snow", 2, 100));
    }

    @Test
    void uniformAndGaussianMoments() {
        CounterRng r = new CounterRng(42);
        int n = 400_000;
        double s = 0, s2 = 0, g = 0, g2 = 0, g4 = 0;
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble();
            assertTrue(u >= 0 && u < 1);
            s += u;
            s2 += u * u;
            double z = CounterRng.gaussianAt(42, i);
            g += z;
            g2 += z * z;
            g4 += z * z * z * z;
        }
        assertEquals(0.5, s / n, 0.003);
        assertEquals(1.0 / 12, s2 / n - 0.25, 0.002);
        assertEquals(0, g / n, 0.006);
        assertEquals(1, g2 / n, 0.01);
        assertEquals(3, g4 / n, 0.06);
        assertEquals(2, (int) new CounterRng(1).nextInt(2, 3));
        assertThrows(IllegalArgumentException.class, () -> new CounterRng(1).nextInt(3, 3));
    }

    @Test
    void gaussianPassesChiSquare() {
        int n = 200_000;
        double[] edges = new double[41];
        for (int i = 0; i <= 40; i++) edges[i] = -4 + 0.2 * i;
        long[] obs = new long[42];
        CounterRng r = new CounterRng(7);
        for (int i = 0; i < n; i++) {
            double z = r.nextGaussian();
            int b = z < -4 ? 0 : z >= 4 ? 41 : 1 + (int) ((z + 4) / 0.2);
            obs[Math.min(b, 40)]++;
        }
        double[] p = new double[42];
        p[0] = Stat.phi(-4);
        for (int i = 1; i <= 40; i++) p[i] = Stat.phi(edges[i]) - Stat.phi(edges[i - 1]);
        p[40] += 1 - Stat.phi(4); // the top bin took z >= 4 as well
        p[41] = 0;
        double[] c = Stat.chiSquare(obs, p);
        assertTrue(Stat.chiSquareP(c[0], (int) c[1]) > 1e-4, "chi2 " + c[0] + " df " + c[1]);
    }

    @Test
    void poissonMatchesPmfSmallAndLargeLambda() {
        for (double lambda : new double[] {0.3, 4.0, 9.99, 10.0, 37.5, 250.0, 500.0}) {
            int n = 100_000;
            int top = (int) (lambda + 12 * Math.sqrt(lambda) + 20);
            long[] obs = new long[top + 1];
            CounterRng r = new CounterRng(CounterRng.mix64(Double.doubleToLongBits(lambda)));
            double sum = 0, sum2 = 0;
            for (int i = 0; i < n; i++) {
                long k = r.nextPoisson(lambda);
                assertTrue(k >= 0);
                obs[(int) Math.min(k, top)]++;
                sum += k;
                sum2 += (double) k * k;
            }
            double[] p = new double[top + 1];
            double acc = 0;
            for (int k = 0; k < top; k++) {
                p[k] = Stat.poissonPmf(k, lambda);
                acc += p[k];
            }
            p[top] = Math.max(0, 1 - acc);
            double[] c = Stat.chiSquare(obs, p);
            double pv = Stat.chiSquareP(c[0], (int) c[1]);
            assertTrue(pv > 1e-4, "lambda " + lambda + ": chi2 " + c[0] + " df " + c[1] + " p " + pv);
            double mean = sum / n, var = sum2 / n - mean * mean;
            assertEquals(lambda, mean, 5 * Math.sqrt(lambda / n) + 1e-9, "mean at lambda " + lambda);
            assertEquals(lambda, var, 0.03 * lambda + 0.01, "variance at lambda " + lambda);
        }
        assertEquals(0, new CounterRng(3).nextPoisson(0));
        assertThrows(IllegalArgumentException.class, () -> new CounterRng(3).nextPoisson(-1));
    }

    @Test
    void logFactorialIsAccurate() {
        double s = 0;
        for (int k = 1; k <= 3000; k++) {
            s += Math.log(k);
            assertEquals(s, CounterRng.logFactorial(k), 1e-9 * s, "k=" + k);
        }
    }
}
