package org.augmix4j.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision GEMM for the CPU engine: C (M, N) = op(A) (M, K) * op(B) (K, N), overwriting
 * C or accumulating into it, where op(A) is A or A^T and op(B) is B or B^T (row-major storage with
 * leading dimensions, as BLAS with row-major order).
 *
 * <p>Structure (the BLIS/Goto loop nest): B is packed into strips of {@link #NR} columns
 * ({@code [k][NR]}), A into panels of {@link #MR} rows ({@code [k][MR]}), and a register-blocked
 * MR x NR micro-kernel of Vector API fma's ({@code MR * NR / 16} accumulators with 512-bit vectors)
 * runs over the packed operands. Edges are zero-padded in the packs and written back through a
 * small tile, so any M, N, K work. The conv engine ({@link ConvEngine}) reuses the micro-kernel and
 * the A packing with its own im2col packing of B.
 *
 * <p>Threads: {@link #gemm} splits the columns of C into contiguous ranges of whole strips, one
 * per thread. Every element of C is summed by one thread in the same k order whatever the thread
 * count, so results are deterministic and independent of scheduling.
 *
 * <p>Test: GemmTest (vs a naive triple loop at odd sizes).
 */
public final class Gemm {
    /** The one vector species of the CPU engine: every vector loop uses it (mixing species slows all of them on JDK 17). */
    public static final VectorSpecies<Float> SP = FloatVector.SPECIES_PREFERRED;
    /** Vector lanes (16 with AVX-512). */
    static final int L = SP.length();
    /** Micro-tile rows (rows of C held in registers). */
    static final int MR = 8;
    /** Micro-tile columns: two vectors. */
    static final int NR = 2 * L;
    /** k-block: a packed B strip of KC x NR floats (32 KiB with AVX-512) stays near L1. */
    static final int KC = 256;
    /** Rows of A packed at a time (an MC x KC block lives in L2). */
    static final int MC = 128;

    private Gemm() {}

    // ---------------------------------------------------------------- public entry points

    /**
     * C = op(A) * op(B) (accumulate: C += op(A) * op(B)), multithreaded over column strips.
     *
     * @param transA op(A) = A^T, A stored (K, M) with leading dimension lda; else A stored (M, K)
     * @param transB op(B) = B^T, B stored (N, K) with leading dimension ldb; else B stored (K, N)
     */
    public static void gemm(boolean transA, boolean transB, int M, int N, int K,
                            float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                            float[] C, int cOff, int ldc, boolean accumulate) {
        check(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
        if (M == 0 || N == 0) return;
        int strips = (N + NR - 1) / NR;
        // at least ~1 MFLOP per thread, otherwise the fork costs more than it saves
        int grain = (int) Math.max(1, Math.min(strips, 1_000_000L / Math.max(1L, 2L * M * K * NR)));
        Parallel.range(strips, grain, (s, e) -> {
            int j0 = s * NR, j1 = Math.min(N, e * NR);
            serial(transA, transB, M, j1 - j0, K, A, aOff, lda,
                    B, transB ? bOff + j0 * ldb : bOff + j0, ldb, C, cOff + j0, ldc, accumulate);
        });
    }

    /** {@link #gemm} on the calling thread only (for callers that parallelise outside). */
    public static void gemmSerial(boolean transA, boolean transB, int M, int N, int K,
                                  float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                                  float[] C, int cOff, int ldc, boolean accumulate) {
        check(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc);
        if (M == 0 || N == 0) return;
        serial(transA, transB, M, N, K, A, aOff, lda, B, bOff, ldb, C, cOff, ldc, accumulate);
    }

    private static void serial(boolean ta, boolean tb, int M, int N, int K,
                               float[] A, int aOff, int lda, float[] B, int bOff, int ldb,
                               float[] C, int cOff, int ldc, boolean accumulate) {
        if (K == 0) {
            if (!accumulate) for (int i = 0; i < M; i++) java.util.Arrays.fill(C, cOff + i * ldc, cOff + i * ldc + N, 0f);
            return;
        }
        int kb = kBlock(K), kcMax = Math.min(K, kb), mcMax = Math.min(roundUp(M, MR), MC);
        float[] bp = new float[roundUp(N, NR) * kcMax];
        float[] ap = new float[mcMax * kcMax];
        float[] tile = new float[MR * NR];
        for (int pc = 0; pc < K; pc += kb) {
            int kc = Math.min(kb, K - pc);
            boolean acc = accumulate || pc > 0;
            packB(tb, B, bOff, ldb, pc, kc, 0, N, bp);
            for (int ic = 0; ic < M; ic += MC) {
                int mc = Math.min(MC, M - ic);
                packA(ta, A, aOff, lda, ic, mc, pc, kc, ap, 0);
                for (int jr = 0; jr < N; jr += NR) {
                    int nr = Math.min(NR, N - jr);
                    int bo = (jr / NR) * kc * NR;
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        tile(kc, ap, ir * kc, bp, bo, C, cOff + (ic + ir) * ldc + jr, ldc, mr, nr, acc, tile);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- packing

    /**
     * Packs rows [i0, i0+mc) x k-range [p0, p0+kc) of op(A) into panels of MR rows, layout
     * {@code dst[dOff + (i / MR) * kc * MR + k * MR + i % MR]}; rows past mc are zero.
     */
    static void packA(boolean ta, float[] A, int aOff, int lda, int i0, int mc, int p0, int kc,
                             float[] dst, int dOff) {
        for (int ip = 0; ip < mc; ip += MR) {
            int mr = Math.min(MR, mc - ip), base = dOff + ip * kc;
            for (int i = 0; i < MR; i++) {
                if (i >= mr) {
                    for (int k = 0; k < kc; k++) dst[base + k * MR + i] = 0f;
                } else if (ta) {
                    int src = aOff + p0 * lda + i0 + ip + i;
                    for (int k = 0; k < kc; k++) dst[base + k * MR + i] = A[src + k * lda];
                } else {
                    int src = aOff + (i0 + ip + i) * lda + p0;
                    for (int k = 0; k < kc; k++) dst[base + k * MR + i] = A[src + k];
                }
            }
        }
    }

    /**
     * Packs k-range [p0, p0+kc) x columns [j0, j0+nc) of op(B) into strips of NR columns, layout
     * {@code dst[(j / NR) * kc * NR + k * NR + j % NR]}; columns past nc are zero.
     */
    static void packB(boolean tb, float[] B, int bOff, int ldb, int p0, int kc, int j0, int nc, float[] dst) {
        for (int jp = 0; jp < nc; jp += NR) {
            int nr = Math.min(NR, nc - jp), base = (jp / NR) * kc * NR;
            if (tb) {
                for (int j = 0; j < NR; j++) {
                    if (j >= nr) {
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = 0f;
                    } else {
                        int src = bOff + (j0 + jp + j) * ldb + p0;
                        for (int k = 0; k < kc; k++) dst[base + k * NR + j] = B[src + k];
                    }
                }
            } else if (nr == NR) {
                for (int k = 0; k < kc; k++) {
                    int src = bOff + (p0 + k) * ldb + j0 + jp, d = base + k * NR;
                    FloatVector.fromArray(SP, B, src).intoArray(dst, d);
                    FloatVector.fromArray(SP, B, src + L).intoArray(dst, d + L);
                }
            } else {
                for (int k = 0; k < kc; k++) {
                    int src = bOff + (p0 + k) * ldb + j0 + jp, d = base + k * NR;
                    System.arraycopy(B, src, dst, d, nr);
                    java.util.Arrays.fill(dst, d + nr, d + NR, 0f);
                }
            }
        }
    }

    // ---------------------------------------------------------------- micro-kernel

    /**
     * One mr x nr block of C (mr <= MR, nr <= NR) from a packed A panel and a packed B strip: C
     * (=|+=) A * B. A full block goes straight to C; a partial one goes through {@code tile} (MR x NR scratch) so nothing outside the block is touched.
     */
    static void tile(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] C, int cOff, int ldc,
                            int mr, int nr, boolean accumulate, float[] tile) {
        if (mr == MR && nr == NR) {
            kernel(kc, ap, aOff, bp, bOff, C, cOff, ldc, accumulate);
            return;
        }
        kernel(kc, ap, aOff, bp, bOff, tile, 0, NR, false);
        for (int i = 0; i < mr; i++) {
            int c = cOff + i * ldc, t = i * NR;
            if (accumulate) for (int j = 0; j < nr; j++) C[c + j] += tile[t + j];
            else System.arraycopy(tile, t, C, c, nr);
        }
    }

    /**
     * C[MR x NR] (=|+=) sum_k ap[k][0..MR) (outer) bp[k][0..NR): 16 vector accumulators, per k two
     * vector loads of B, eight broadcasts of A and sixteen fma's. The k order is fixed (0..kc), so
     * every element's rounding is the same on every run. The accumulators start from C or zero and
     * are stored once: one load per accumulator at most, a small epilogue (a branchy epilogue with
     * helper calls hit C2's NodeCountInliningCutoff, boxed the vectors and ran at a fifth of the speed).
     */
    static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] C, int cOff, int ldc,
                              boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        if (accumulate) {
            int c = cOff;
            c00 = FloatVector.fromArray(SP, C, c); c01 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c10 = FloatVector.fromArray(SP, C, c); c11 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c20 = FloatVector.fromArray(SP, C, c); c21 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c30 = FloatVector.fromArray(SP, C, c); c31 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c40 = FloatVector.fromArray(SP, C, c); c41 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c50 = FloatVector.fromArray(SP, C, c); c51 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c60 = FloatVector.fromArray(SP, C, c); c61 = FloatVector.fromArray(SP, C, c + L); c += ldc;
            c70 = FloatVector.fromArray(SP, C, c); c71 = FloatVector.fromArray(SP, C, c + L);
        } else {
            c00 = FloatVector.zero(SP); c01 = c00; c10 = c00; c11 = c00; c20 = c00; c21 = c00; c30 = c00;
            c31 = c00; c40 = c00; c41 = c00; c50 = c00; c51 = c00; c60 = c00; c61 = c00; c70 = c00; c71 = c00;
        }
        int a = aOff, b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += NR) {
            FloatVector b0 = FloatVector.fromArray(SP, bp, b), b1 = FloatVector.fromArray(SP, bp, b + L);
            FloatVector x = FloatVector.broadcast(SP, ap[a]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SP, ap[a + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SP, ap[a + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SP, ap[a + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SP, ap[a + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SP, ap[a + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SP, ap[a + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SP, ap[a + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        int c = cOff;
        c00.intoArray(C, c); c01.intoArray(C, c + L); c += ldc;
        c10.intoArray(C, c); c11.intoArray(C, c + L); c += ldc;
        c20.intoArray(C, c); c21.intoArray(C, c + L); c += ldc;
        c30.intoArray(C, c); c31.intoArray(C, c + L); c += ldc;
        c40.intoArray(C, c); c41.intoArray(C, c + L); c += ldc;
        c50.intoArray(C, c); c51.intoArray(C, c + L); c += ldc;
        c60.intoArray(C, c); c61.intoArray(C, c + L); c += ldc;
        c70.intoArray(C, c); c71.intoArray(C, c + L);
    }

    // ---------------------------------------------------------------- checks

    static int roundUp(int x, int m) { return (x + m - 1) / m * m; }

    /** k-block size for a depth of K: K split evenly into ceil(K / KC) blocks (no tiny remainder). */
    static int kBlock(int K) {
        int blocks = (K + KC - 1) / KC;
        return (K + blocks - 1) / blocks;
    }

    private static void check(boolean ta, boolean tb, int M, int N, int K, float[] A, int aOff, int lda,
                              float[] B, int bOff, int ldb, float[] C, int cOff, int ldc) {
        String shapes = "M=" + M + " N=" + N + " K=" + K + (ta ? " A^T" : " A") + (tb ? " B^T" : " B")
                + " lda=" + lda + " ldb=" + ldb + " ldc=" + ldc;
        org.augmix4j.tensor.ShapeException.check(M >= 0 && N >= 0 && K >= 0, "gemm",
                "negative size (" + shapes + "); pass sizes >= 0");
        int aRows = ta ? K : M, aCols = ta ? M : K, bRows = tb ? N : K, bCols = tb ? K : N;
        checkMatrix("A", A, aOff, aRows, aCols, lda, shapes);
        checkMatrix("B", B, bOff, bRows, bCols, ldb, shapes);
        checkMatrix("C", C, cOff, M, N, ldc, shapes);
    }

    private static void checkMatrix(String name, float[] a, int off, int rows, int cols, int ld, String shapes) {
        if (rows == 0 || cols == 0) return;
        org.augmix4j.tensor.ShapeException.check(ld >= cols, "gemm",
                name + " is " + rows + "x" + cols + " but ld=" + ld + " (" + shapes + "); pass ld >= " + cols);
        long need = off + (long) (rows - 1) * ld + cols;
        org.augmix4j.tensor.ShapeException.check(off >= 0 && need <= a.length, "gemm",
                name + " (" + rows + "x" + cols + ", ld " + ld + ", offset " + off + ") needs " + need
                        + " floats but the array has " + a.length + " (" + shapes + "); pass a larger array");
    }
}
