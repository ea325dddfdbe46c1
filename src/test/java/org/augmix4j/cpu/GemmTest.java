package org.augmix4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/** Gemm vs a naive float64 triple loop, every transpose combination, sizes off the block grid. */
class GemmTest {
    private static final int[][] SIZES = { // M, N, K
        {1, 1, 1}, {7, 33, 5}, {8, 32, 16}, {17, 65, 300}, {9, 31, 257}, {3, 100, 40}, {64, 64, 64}, {130, 40, 19}};

    @Test
    void matchesNaiveLoopForEveryTransposeAndOddSizes() {
        Random rnd = new Random(7);
        for (int[] sz : SIZES)
            for (int t = 0; t < 4; t++)
                for (boolean acc : new boolean[] {false, true}) check(rnd, sz[0], sz[1], sz[2], (t & 1) != 0, (t & 2) != 0, acc);
    }

    private static void check(Random rnd, int M, int N, int K, boolean ta, boolean tb, boolean acc) {
        int lda = (ta ? M : K) + 3, ldb = (tb ? K : N) + 1, ldc = N + 2, aOff = 5, bOff = 2, cOff = 3;
        float[] A = rand(rnd, aOff + (ta ? K : M) * lda), B = rand(rnd, bOff + (tb ? N : K) * ldb);
        float[] C = rand(rnd, cOff + M * ldc), C2 = C.clone();
        double[] ref = new double[M * N];
        double num = 0, den = 0;
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double s = acc ? C[cOff + i * ldc + j] : 0;
                for (int k = 0; k < K; k++)
                    s += (double) (ta ? A[aOff + k * lda + i] : A[aOff + i * lda + k])
                            * (tb ? B[bOff + j * ldb + k] : B[bOff + k * ldb + j]);
                ref[i * N + j] = s;
            }
        Gemm.gemm(ta, tb, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, acc);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                double d = C[cOff + i * ldc + j] - ref[i * N + j];
                num += d * d;
                den += ref[i * N + j] * ref[i * N + j];
                if (Math.abs(d) > 1e-4 * (1 + Math.abs(ref[i * N + j])))
                    fail(String.format("M=%d N=%d K=%d ta=%b tb=%b acc=%b: C[%d][%d]=%g, expected %g",
                            M, N, K, ta, tb, acc, i, j, C[cOff + i * ldc + j], ref[i * N + j]));
            }
        assertTrue(Math.sqrt(num / Math.max(den, 1e-30)) < 1e-5, "norm-wise error too large");
        // padding outside the M x N window is untouched
        for (int i = 0; i < M; i++)
            for (int j = N; j < ldc && cOff + i * ldc + j < C.length; j++)
                assertTrue(C[cOff + i * ldc + j] == C2[cOff + i * ldc + j], "wrote outside C at row " + i);
        // the serial entry point gives the same bits
        float[] C3 = C2.clone();
        Gemm.gemmSerial(ta, tb, M, N, K, A, aOff, lda, B, bOff, ldb, C3, cOff, ldc, acc);
        assertArrayEquals(C, C3, "gemm and gemmSerial differ");
    }

    @Test
    void resultDoesNotDependOnThreadCount() {
        Random rnd = new Random(3);
        int M = 70, N = 300, K = 600;
        float[] A = rand(rnd, M * K), B = rand(rnd, K * N), C1 = new float[M * N], C2 = new float[M * N];
        int t = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Gemm.gemm(false, false, M, N, K, A, 0, K, B, 0, N, C1, 0, N, false);
            Parallel.setThreads(3);
            Gemm.gemm(false, false, M, N, K, A, 0, K, B, 0, N, C2, 0, N, false);
        } finally {
            Parallel.setThreads(t);
        }
        assertArrayEquals(C1, C2);
    }

    @Test
    void badShapesAreRejectedWithTheFix() {
        float[] a = new float[10];
        ShapeException e = assertThrows(ShapeException.class,
                () -> Gemm.gemm(false, false, 4, 4, 4, a, 0, 4, new float[16], 0, 4, new float[16], 0, 4, false));
        assertTrue(e.getMessage().startsWith("gemm: A") && e.getMessage().contains("pass a larger array"), e.getMessage());
        e = assertThrows(ShapeException.class,
                () -> Gemm.gemm(false, false, 2, 2, 4, new float[8], 0, 3, new float[8], 0, 2, new float[4], 0, 2, false));
        assertTrue(e.getMessage().contains("ld=3") && e.getMessage().contains("pass ld >= 4"), e.getMessage());
        assertThrows(ShapeException.class,
                () -> Gemm.gemm(false, false, -1, 2, 2, a, 0, 2, a, 0, 2, a, 0, 2, false));
    }

    static float[] rand(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
