package org.augmix4j.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Backward filter of the CPU conv engine: dW^T (CRS, K) = sum_n col_n (CRS, P) * dy_n^T (P, K),
 * where col is never materialised: the kernels broadcast its entries straight from the padded,
 * phase-split image xs of {@link ConvEngine} (col[(c,r,s)][(h,w)] = xs[off(c,r,s) + h*Wq + w]),
 * and dy_n^T is packed into strips of NR output channels. Register tiles: 9 taps of a 3x3
 * stride-1 channel x 32 channels (three row offsets with constant displacements), else 8
 * arbitrary taps x 32 channels; 1x1 convs without padding take dot products along pixels instead.
 *
 * <p>Determinism: the batch is cut into {@link #GROUPS} fixed image groups (independent of the
 * thread count); each group's partial sum is computed by one thread in a fixed order, and the
 * partials are added in group order. Test: ConvTest; benchmark: ConvBench.backwardFilter.
 */
final class ConvFilter {
    private static final VectorSpecies<Float> SP = Gemm.SP;
    private static final int L = Gemm.L, MR = Gemm.MR, NR = Gemm.NR;
    /** Image groups of the partial sums: fixed, so results do not depend on the thread count. */
    static final int GROUPS = 16;
    /** Output pixels per kernel call (a 16 KB dyT block per NR-strip; small images are batched). */
    static final int FILTER_PIXELS = 128;
    /**
     * Fewest output pixels per image for the 1x1 dot-product path: its 16 horizontal sums per tile
     * need long rows (measured vs the transposed path: +37% at 1024 pixels, +14% at 256, -47% at 64).
     */
    static final int POINTWISE_MIN_PIXELS = 256;

    private ConvFilter() {}

    /**
     * dw (K, C, R, S) = sum_n dy_n (K, P) * col_n^T (P, CRS); dw overwritten.
     *
     * <p>Images are taken in chunks of about {@link #FILTER_PIXELS} output pixels (several small
     * images at once), whose xs copies lie side by side and whose dy is transposed into dyT
     * (Kp/NR strips of (pixels, NR)). The pixels are then walked in blocks of FILTER_PIXELS, so the
     * dyT block (16 KB per strip) stays in L1 while every tile of col rows passes over it.
     */
    static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad) {
        ConvEngine.Geom g = new ConvEngine.Geom(C, H, W, R, S, stride, pad, pad);
        int CRS = g.CRS, P = g.P, Kp = Gemm.roundUp(K, NR), CRSp = Gemm.roundUp(CRS, MR);
        int groups = Math.min(N, GROUPS), inLen = C * H * W;
        int ib = Math.max(1, Math.min(FILTER_PIXELS / P, (N + groups - 1) / groups)); // images per chunk
        int xsStride = g.identity ? inLen : g.xsLen;
        // 3x3 stride 1: the nine taps of a channel sit at three row offsets + 0, 1, 2
        boolean taps3 = R == 3 && S == 3 && stride == 1;
        // 1x1 without padding: rows of x (or of its one stride phase) and of dy are both pixel-contiguous
        boolean pointwise = R == 1 && S == 1 && pad == 0 && P >= POINTWISE_MIN_PIXELS;
        int[] qTab = new int[ib * P]; // chunk pixel -> xs offset of its (0, 0) tap
        for (int p = 0; p < ib * P; p++) qTab[p] = p / P * xsStride + p % P / g.Wo * g.Wq + p % g.Wo;
        // (CRSp, Kp) per group: dW^T of one image group, in the calling thread's scratch
        int partLen = CRSp * Kp;
        float[] partials = Scratch.floats(Scratch.FILTER_PARTIALS, groups * partLen);
        AtomicInteger next = new AtomicInteger(); // groups are claimed in turn (load balance)
        Parallel.range(Math.min(groups, Parallel.threads()), 1, (w0, w1) -> {
            float[] xs = null;
            if (!g.identity) { // pads must be zero: buildXs writes only the interior
                xs = Scratch.floats(Scratch.FILTER_XS, ib * xsStride);
                Arrays.fill(xs, 0, ib * xsStride, 0f);
            }
            float[] dyT = pointwise ? null : Scratch.floats(Scratch.FILTER_DYT, Kp * ib * P);
            int[] o = new int[MR];
            for (int grp; (grp = next.getAndIncrement()) < groups; ) {
                float[] acc = partials;
                int accOff = grp * partLen;
                Arrays.fill(acc, accOff, accOff + partLen, 0f);
                int end = (int) ((long) N * (grp + 1) / groups);
                if (pointwise) { // 1x1, no padding: dot products along pixels, no transpose
                    for (int n = (int) ((long) N * grp / groups); n < end; n++) {
                        float[] src = x;
                        int base = n * inLen;
                        if (!g.identity) {
                            ConvEngine.buildXs(g, x, n * inLen, xs, 0);
                            src = xs;
                            base = 0;
                        }
                        pointwise(src, base, dy, n * K * P, C, K, P, acc, accOff, Kp);
                    }
                    continue;
                }
                for (int n = (int) ((long) N * grp / groups); n < end; n += ib) {
                    int cnt = Math.min(ib, end - n), pt = cnt * P;
                    float[] src = g.identity ? x : xs;
                    int base = g.identity ? n * inLen : 0;
                    for (int i = 0; i < cnt; i++) {
                        if (!g.identity) ConvEngine.buildXs(g, x, (n + i) * inLen, xs, i * xsStride);
                        transposeDy(dy, (n + i) * K * P, K, P, dyT, i * P, pt);
                    }
                    for (int pb = 0; pb < pt; pb += FILTER_PIXELS) {
                        int pc = Math.min(FILTER_PIXELS, pt - pb);
                        for (int ks = 0; ks < Kp; ks += NR)
                            if (taps3) {
                                for (int c = 0; c < C; c++) {
                                    int oc = base + g.off[9 * c];
                                    filterKernel3x3(src, oc, oc + g.Wq, oc + 2 * g.Wq, pb, pc, qTab, dyT,
                                            ks * pt + pb * NR, acc, accOff + 9 * c * Kp + ks, Kp);
                                }
                            } else {
                                for (int t = 0; t < CRS; t += MR) {
                                    for (int i = 0; i < MR; i++) o[i] = base + g.off[Math.min(t + i, CRS - 1)];
                                    filterKernel(src, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], pb, pc, qTab,
                                            dyT, ks * pt + pb * NR, acc, accOff + t * Kp + ks, Kp);
                                }
                            }
                    }
                }
            }
        });
        // dw[k][crs] = sum over groups, in group order, of part[grp][crs][k]: rows of the partials are
        // read contiguously (a column walk over 16 partials of up to 9 MB thrashed the caches)
        Parallel.range(CRS, 16, (t0, t1) -> {
            float[] row = new float[Kp];
            for (int t = t0; t < t1; t++) {
                System.arraycopy(partials, t * Kp, row, 0, Kp);
                for (int grp = 1; grp < groups; grp++) {
                    int o = grp * partLen + t * Kp;
                    for (int k = 0; k < Kp; k++) row[k] += partials[o + k];
                }
                for (int k = 0; k < K; k++) dw[k * CRS + t] = row[k];
            }
        });
    }

    /**
     * 1x1 backward filter of one image: acc[c * lda + k] += sum_p x[xOff + c*P + p] * dy[dyOff + k*P + p].
     * 4 x 4 tiles of (k, c) with 16 vector accumulators across pixel lanes, reduced once per tile;
     * a transpose of dy (the 3x3 path's packing) would cost more than these small layers compute.
     */
    static void pointwise(float[] x, int xOff, float[] dy, int dyOff, int C, int K, int P, float[] acc, int accOff, int lda) {
        int pv = P - P % L, k4 = K - K % 4, c4 = C - C % 4;
        for (int k = 0; k < k4; k += 4)
            for (int c = 0; c < c4; c += 4) dot4x4(x, xOff + c * P, dy, dyOff + k * P, P, pv, acc, accOff + c * lda + k, lda);
        for (int k = 0; k < K; k++) // edge rows / columns (K or C not a multiple of 4)
            for (int c = (k < k4 ? c4 : 0); c < C; c++) {
                float sum = 0f;
                for (int p = 0; p < P; p++) sum += x[xOff + c * P + p] * dy[dyOff + k * P + p];
                acc[accOff + c * lda + k] += sum;
            }
    }

    /** acc[j * lda + i] += dot(x row j, dy row i) for i, j < 4 (rows P apart); lanes to pv, then scalars. */
    private static void dot4x4(float[] x, int xo, float[] dy, int dyo, int P, int pv, float[] acc, int a, int lda) {
        FloatVector z = FloatVector.zero(SP), s00 = z, s01 = z, s02 = z, s03 = z, s10 = z, s11 = z, s12 = z, s13 = z,
                s20 = z, s21 = z, s22 = z, s23 = z, s30 = z, s31 = z, s32 = z, s33 = z;
        for (int p = 0; p < pv; p += L) {
            FloatVector x0 = FloatVector.fromArray(SP, x, xo + p), x1 = FloatVector.fromArray(SP, x, xo + P + p);
            FloatVector x2 = FloatVector.fromArray(SP, x, xo + 2 * P + p), x3 = FloatVector.fromArray(SP, x, xo + 3 * P + p);
            FloatVector d = FloatVector.fromArray(SP, dy, dyo + p);
            s00 = d.fma(x0, s00); s01 = d.fma(x1, s01); s02 = d.fma(x2, s02); s03 = d.fma(x3, s03);
            d = FloatVector.fromArray(SP, dy, dyo + P + p);
            s10 = d.fma(x0, s10); s11 = d.fma(x1, s11); s12 = d.fma(x2, s12); s13 = d.fma(x3, s13);
            d = FloatVector.fromArray(SP, dy, dyo + 2 * P + p);
            s20 = d.fma(x0, s20); s21 = d.fma(x1, s21); s22 = d.fma(x2, s22); s23 = d.fma(x3, s23);
            d = FloatVector.fromArray(SP, dy, dyo + 3 * P + p);
            s30 = d.fma(x0, s30); s31 = d.fma(x1, s31); s32 = d.fma(x2, s32); s33 = d.fma(x3, s33);
        }
        float[] t = {
            s00.reduceLanes(VectorOperators.ADD), s01.reduceLanes(VectorOperators.ADD),
            s02.reduceLanes(VectorOperators.ADD), s03.reduceLanes(VectorOperators.ADD),
            s10.reduceLanes(VectorOperators.ADD), s11.reduceLanes(VectorOperators.ADD),
            s12.reduceLanes(VectorOperators.ADD), s13.reduceLanes(VectorOperators.ADD),
            s20.reduceLanes(VectorOperators.ADD), s21.reduceLanes(VectorOperators.ADD),
            s22.reduceLanes(VectorOperators.ADD), s23.reduceLanes(VectorOperators.ADD),
            s30.reduceLanes(VectorOperators.ADD), s31.reduceLanes(VectorOperators.ADD),
            s32.reduceLanes(VectorOperators.ADD), s33.reduceLanes(VectorOperators.ADD)};
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                float sum = t[i * 4 + j];
                for (int p = pv; p < P; p++) sum += x[xo + j * P + p] * dy[dyo + i * P + p];
                acc[a + j * lda + i] += sum;
            }
    }

    /**
     * dyT[(k / NR) * pt * NR + (pOff + p) * NR + k % NR] = dy[dyOff + k * P + p] for one image's
     * (K, P) block placed at pixel pOff of a chunk of pt pixels; lanes past K are zero. Blocked by
     * 16 pixels so the reads stream along dy rows and the writes stay within 2 KB.
     */
    static void transposeDy(float[] dy, int dyOff, int K, int P, float[] dyT, int pOff, int pt) {
        int Kp = Gemm.roundUp(K, NR);
        for (int p0 = 0; p0 < P; p0 += 16) {
            int p1 = Math.min(P, p0 + 16);
            for (int k = 0; k < K; k++) {
                int d = ((k / NR) * pt + pOff) * NR + k % NR, s = dyOff + k * P;
                for (int p = p0; p < p1; p++) dyT[d + p * NR] = dy[s + p];
            }
            for (int k = K; k < Kp; k++) {
                int d = ((k / NR) * pt + pOff) * NR + k % NR;
                for (int p = p0; p < p1; p++) dyT[d + p * NR] = 0f;
            }
        }
    }

    /**
     * The 3x3 stride-1 tile of one input channel: acc[9 x NR] += sum over pixels of col rows
     * (r, s) = xs[o_r + q + s] times the dy^T row. Nine broadcasts and two loads feed 18 fma's
     * (vs 10 per 16 for the generic 8-row tile), and three row offsets with constant
     * displacements free the general registers the generic kernel spends on eight offsets.
     * Pixel p of the chunk sits at xs offset qTab[p]: a flat counted loop (a nested (h, w) loop
     * made C2 box the vector accumulators, 5 vs 100 GFLOP/s; a row-wrap branch instead of the
     * table measured 15% slower).
     */
    static void filterKernel3x3(float[] xs, int o0, int o1, int o2, int p0, int count, int[] qTab, float[] dyT,
                                int d, float[] acc, int a, int lda) {
        FloatVector c00 = FloatVector.fromArray(SP, acc, a), c01 = FloatVector.fromArray(SP, acc, a + L);
        FloatVector c10 = FloatVector.fromArray(SP, acc, a + lda), c11 = FloatVector.fromArray(SP, acc, a + lda + L);
        FloatVector c20 = FloatVector.fromArray(SP, acc, a + 2 * lda), c21 = FloatVector.fromArray(SP, acc, a + 2 * lda + L);
        FloatVector c30 = FloatVector.fromArray(SP, acc, a + 3 * lda), c31 = FloatVector.fromArray(SP, acc, a + 3 * lda + L);
        FloatVector c40 = FloatVector.fromArray(SP, acc, a + 4 * lda), c41 = FloatVector.fromArray(SP, acc, a + 4 * lda + L);
        FloatVector c50 = FloatVector.fromArray(SP, acc, a + 5 * lda), c51 = FloatVector.fromArray(SP, acc, a + 5 * lda + L);
        FloatVector c60 = FloatVector.fromArray(SP, acc, a + 6 * lda), c61 = FloatVector.fromArray(SP, acc, a + 6 * lda + L);
        FloatVector c70 = FloatVector.fromArray(SP, acc, a + 7 * lda), c71 = FloatVector.fromArray(SP, acc, a + 7 * lda + L);
        FloatVector c80 = FloatVector.fromArray(SP, acc, a + 8 * lda), c81 = FloatVector.fromArray(SP, acc, a + 8 * lda + L);
        for (int p = p0, pe = p0 + count; p < pe; p++, d += NR) {
            int qw = qTab[p];
            FloatVector b0 = FloatVector.fromArray(SP, dyT, d), b1 = FloatVector.fromArray(SP, dyT, d + L);
            int q = o0 + qw;
            FloatVector v = FloatVector.broadcast(SP, xs[q]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(SP, xs[q + 1]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(SP, xs[q + 2]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            q = o1 + qw;
            v = FloatVector.broadcast(SP, xs[q]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(SP, xs[q + 1]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(SP, xs[q + 2]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            q = o2 + qw;
            v = FloatVector.broadcast(SP, xs[q]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(SP, xs[q + 1]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
            v = FloatVector.broadcast(SP, xs[q + 2]);
            c80 = v.fma(b0, c80); c81 = v.fma(b1, c81);
        }
        c00.intoArray(acc, a); c01.intoArray(acc, a + L);
        c10.intoArray(acc, a + lda); c11.intoArray(acc, a + lda + L);
        c20.intoArray(acc, a + 2 * lda); c21.intoArray(acc, a + 2 * lda + L);
        c30.intoArray(acc, a + 3 * lda); c31.intoArray(acc, a + 3 * lda + L);
        c40.intoArray(acc, a + 4 * lda); c41.intoArray(acc, a + 4 * lda + L);
        c50.intoArray(acc, a + 5 * lda); c51.intoArray(acc, a + 5 * lda + L);
        c60.intoArray(acc, a + 6 * lda); c61.intoArray(acc, a + 6 * lda + L);
        c70.intoArray(acc, a + 7 * lda); c71.intoArray(acc, a + 7 * lda + L);
        c80.intoArray(acc, a + 8 * lda); c81.intoArray(acc, a + 8 * lda + L);
    }

    /**
     * acc[MR x NR] += sum over the chunk pixels [p0, p0+count) of col rows o0..o7 (broadcast from
     * xs at o_i + qTab[p]) times the dy^T row (NR lanes at dyT[d + p*NR]). Fixed pixel order.
     */
    static void filterKernel(float[] xs, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7,
                             int p0, int count, int[] qTab, float[] dyT, int d, float[] acc, int a, int lda) {
        FloatVector c00 = FloatVector.fromArray(SP, acc, a), c01 = FloatVector.fromArray(SP, acc, a + L);
        FloatVector c10 = FloatVector.fromArray(SP, acc, a + lda), c11 = FloatVector.fromArray(SP, acc, a + lda + L);
        FloatVector c20 = FloatVector.fromArray(SP, acc, a + 2 * lda), c21 = FloatVector.fromArray(SP, acc, a + 2 * lda + L);
        FloatVector c30 = FloatVector.fromArray(SP, acc, a + 3 * lda), c31 = FloatVector.fromArray(SP, acc, a + 3 * lda + L);
        FloatVector c40 = FloatVector.fromArray(SP, acc, a + 4 * lda), c41 = FloatVector.fromArray(SP, acc, a + 4 * lda + L);
        FloatVector c50 = FloatVector.fromArray(SP, acc, a + 5 * lda), c51 = FloatVector.fromArray(SP, acc, a + 5 * lda + L);
        FloatVector c60 = FloatVector.fromArray(SP, acc, a + 6 * lda), c61 = FloatVector.fromArray(SP, acc, a + 6 * lda + L);
        FloatVector c70 = FloatVector.fromArray(SP, acc, a + 7 * lda), c71 = FloatVector.fromArray(SP, acc, a + 7 * lda + L);
        for (int p = p0, pe = p0 + count; p < pe; p++, d += NR) {
            int qw = qTab[p];
            FloatVector b0 = FloatVector.fromArray(SP, dyT, d), b1 = FloatVector.fromArray(SP, dyT, d + L);
            FloatVector v = FloatVector.broadcast(SP, xs[o0 + qw]);
            c00 = v.fma(b0, c00); c01 = v.fma(b1, c01);
            v = FloatVector.broadcast(SP, xs[o1 + qw]);
            c10 = v.fma(b0, c10); c11 = v.fma(b1, c11);
            v = FloatVector.broadcast(SP, xs[o2 + qw]);
            c20 = v.fma(b0, c20); c21 = v.fma(b1, c21);
            v = FloatVector.broadcast(SP, xs[o3 + qw]);
            c30 = v.fma(b0, c30); c31 = v.fma(b1, c31);
            v = FloatVector.broadcast(SP, xs[o4 + qw]);
            c40 = v.fma(b0, c40); c41 = v.fma(b1, c41);
            v = FloatVector.broadcast(SP, xs[o5 + qw]);
            c50 = v.fma(b0, c50); c51 = v.fma(b1, c51);
            v = FloatVector.broadcast(SP, xs[o6 + qw]);
            c60 = v.fma(b0, c60); c61 = v.fma(b1, c61);
            v = FloatVector.broadcast(SP, xs[o7 + qw]);
            c70 = v.fma(b0, c70); c71 = v.fma(b1, c71);
        }
        c00.intoArray(acc, a); c01.intoArray(acc, a + L);
        c10.intoArray(acc, a + lda); c11.intoArray(acc, a + lda + L);
        c20.intoArray(acc, a + 2 * lda); c21.intoArray(acc, a + 2 * lda + L);
        c30.intoArray(acc, a + 3 * lda); c31.intoArray(acc, a + 3 * lda + L);
        c40.intoArray(acc, a + 4 * lda); c41.intoArray(acc, a + 4 * lda + L);
        c50.intoArray(acc, a + 5 * lda); c51.intoArray(acc, a + 5 * lda + L);
        c60.intoArray(acc, a + 6 * lda); c61.intoArray(acc, a + 6 * lda + L);
        c70.intoArray(acc, a + 7 * lda); c71.intoArray(acc, a + 7 * lda + L);
    }
}
