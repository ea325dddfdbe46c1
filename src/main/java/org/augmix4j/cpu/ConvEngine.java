package org.augmix4j.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The CPU convolution engine behind {@code ops.Conv}: NCHW float32, no bias, arguments already
 * validated there. All three passes are GEMMs on the {@link Gemm} micro-kernel over an implicit
 * im2col of a <em>padded, stride-phase-split</em> copy {@code xs} of one image:
 *
 * <pre>
 *   xs[a*S' + b][c][i][j] = x[c][stride*i + a - padH][stride*j + b - padW]   (0 outside x)
 *   col[(c,r,s)][(h,w)]   = xs[off(c,r,s) + h*Wq + w],  off = plane(r%st, s%st) + c*Hq*Wq + (r/st)*Wq + s/st
 * </pre>
 *
 * so every im2col row is a run of contiguous floats whatever the stride, and packing is plain
 * vector copies. Passes:
 * <ul>
 *   <li>forward: y_n (K, P) = W (K, CRS) * col_n; B strips of NR pixels are packed from xs.</li>
 *   <li>backwardData, stride 1: the forward of dy with W' (C, K, R, S) = W flipped and transposed
 *       and padding R-1-pad; stride > 1: dcol = W^T * dy_n, then col2im.</li>
 *   <li>backwardFilter: dW^T (CRS, K) += col_n * dy_n^T with the col operand broadcast straight
 *       from xs (no im2col copy) and dy_n^T packed; per-group partial sums over fixed image
 *       groups, added in group order, so the result does not depend on the thread count.</li>
 * </ul>
 * Parallel over images (forward, backwardData) or image groups (backwardFilter).
 */
public final class ConvEngine {
    private static final VectorSpecies<Float> SP = Gemm.SP;
    private static final int L = Gemm.L, MR = Gemm.MR, NR = Gemm.NR;
    /** Image groups of backwardFilter's partial sums: fixed, so results do not depend on threads. */
    static final int GROUPS = 16;
    /** Forward blocking (floats): k-slices of a strip block, and whole packed strips of a block. */
    static final int BLOCK_SLICE_FLOATS = 64 * 1024, BLOCK_FLOATS = 512 * 1024;
    /** backwardFilter: output pixels per kernel call (a 16 KB dyT block per NR-strip). */
    static int FILTER_PIXELS = 128;
    static int TAPS3 = 1;

    private ConvEngine() {}

    // ---------------------------------------------------------------- geometry

    /** One conv's im2col geometry for one image of its input. */
    static final class Geom {
        final int C, H, W, R, S, st, padH, padW, Ho, Wo, P, CRS, Hq, Wq, plane, xsLen;
        final int[] off; // (CRS) tap offsets into xs
        final int maxOff;
        /** True when xs is the image itself (1x1 kernel, stride 1, no padding). */
        final boolean identity;

        Geom(int C, int H, int W, int R, int S, int st, int padH, int padW) {
            this.C = C; this.H = H; this.W = W; this.R = R; this.S = S; this.st = st;
            this.padH = padH; this.padW = padW;
            Ho = (H + 2 * padH - R) / st + 1;
            Wo = (W + 2 * padW - S) / st + 1;
            P = Ho * Wo;
            CRS = C * R * S;
            Hq = Ho + (R - 1) / st;
            Wq = Wo + (S - 1) / st;
            plane = C * Hq * Wq;
            xsLen = st * st * plane;
            identity = st == 1 && padH == 0 && padW == 0 && Hq == H && Wq == W;
            off = new int[CRS];
            for (int c = 0, t = 0; c < C; c++)
                for (int r = 0; r < R; r++)
                    for (int s = 0; s < S; s++, t++)
                        off[t] = ((r % st) * st + s % st) * plane + c * Hq * Wq + (r / st) * Wq + s / st;
            maxOff = Arrays.stream(off).max().getAsInt();
        }
    }

    /**
     * Fills xs[xsOff ..] (xsLen floats) from image x[xOff ..] (C, H, W); see the class comment.
     * Writes only the positions that hold x: the padding must already be zero, i.e. xs is a fresh
     * array or was last filled by buildXs for the same geometry (pads never change, so per image
     * only the interior rows are copied).
     */
    static void buildXs(Geom g, float[] x, int xOff, float[] xs, int xsOff) {
        int st = g.st, Hq = g.Hq, Wq = g.Wq, W = g.W;
        // phase planes that some tap reads (a 1x1 stride-2 conv reads only plane (0, 0))
        for (int a = 0; a < Math.min(st, g.R); a++)
            for (int b = 0; b < Math.min(st, g.S); b++) {
                // xs rows i / columns j whose source row st*i + a - padH / column st*j + b - padW is in x
                int ilo = Math.max(0, (g.padH - a + st - 1) / st), ihi = Math.min(Hq, (g.H - 1 + g.padH - a) / st + 1);
                int jlo = Math.max(0, (g.padW - b + st - 1) / st), jhi = Math.min(Wq, (W - 1 + g.padW - b) / st + 1);
                if (jhi <= jlo) continue;
                for (int c = 0; c < g.C; c++)
                    for (int i = ilo; i < ihi; i++) {
                        int d = xsOff + (a * st + b) * g.plane + (c * Hq + i) * Wq + jlo;
                        int src = xOff + (c * g.H + st * i + a - g.padH) * W + st * jlo + b - g.padW;
                        if (st == 1) copyRow(x, src, xs, d, jhi - jlo);
                        else for (int j = jlo; j < jhi; j++, d++, src += st) xs[d] = x[src];
                    }
            }
    }

    /** dst[d .. d+len) = src[s .. s+len): full vectors, then scalars (no call per row). */
    private static void copyRow(float[] src, int s, float[] dst, int d, int len) {
        int i = 0;
        for (; i + L <= len; i += L) FloatVector.fromArray(SP, src, s + i).intoArray(dst, d + i);
        for (; i < len; i++) dst[d + i] = src[s + i];
    }

    /**
     * Packs output pixels [p0, p0+nr) of col into one B strip {@code bp[bOff + crs * NR + (p - p0)]}
     * (columns past nr zero). Pixels form runs along output rows; each run is one contiguous copy.
     */
    static void packStrip(Geom g, float[] xs, int xsOff, int p0, int nr, float[] bp, int bOff) {
        int Wo = g.Wo, Wq = g.Wq;
        if (nr == NR && p0 % Wo + NR <= Wo) { // one run of 32 (a 32-wide output row)
            packTwoVectors(g.off, g.CRS, xs, xsOff + (p0 / Wo) * Wq + p0 % Wo, L, bp, bOff);
        } else if (nr == NR && p0 % Wo == 0 && Wo == L) { // two rows of 16 (WRN stage 2)
            packTwoVectors(g.off, g.CRS, xs, xsOff + (p0 / Wo) * Wq, Wq, bp, bOff);
        } else if (nr == NR && p0 % Wo == 0 && Wo == 8 && L == 16
                && xsOff + g.maxOff + (p0 / Wo + 3) * Wq + L <= xs.length && bp.length >= bOff + g.CRS * NR + L) {
            packFourRows8(g.off, g.CRS, xs, xsOff + (p0 / Wo) * Wq, Wq, bp, bOff); // four rows of 8 (WRN stage 3)
        } else {
            for (int p = p0; p < p0 + nr; ) {
                int h = p / Wo, w = p % Wo, len = Math.min(Wo - w, p0 + nr - p);
                int q = xsOff + h * Wq + w, d0 = p - p0;
                for (int t = 0; t < g.CRS; t++) System.arraycopy(xs, g.off[t] + q, bp, bOff + t * NR + d0, len);
                p += len;
            }
            if (nr < NR) for (int t = 0; t < g.CRS; t++) Arrays.fill(bp, bOff + t * NR + nr, bOff + (t + 1) * NR, 0f);
        }
    }

    // Each vector loop lives in its own small method: when one C2 compilation holds several, a
    // recompilation after a profile change can exceed the inlining budget, box the vectors and run
    // 20x slower (seen when one JVM ran the 32-, 16- and 8-wide shapes in turn).

    /** bp[t][0..L) = xs[off[t] + q ..], bp[t][L..2L) = xs[off[t] + q + delta ..]. */
    private static void packTwoVectors(int[] off, int CRS, float[] xs, int q, int delta, float[] bp, int bOff) {
        for (int t = 0; t < CRS; t++) {
            int s = off[t] + q, d = bOff + t * NR;
            FloatVector.fromArray(SP, xs, s).intoArray(bp, d);
            FloatVector.fromArray(SP, xs, s + delta).intoArray(bp, d + L);
        }
    }

    /**
     * bp[t][8i..8i+8) = xs[off[t] + q + i*delta ..] for i < 4 (NR = 32), with full-width vectors
     * whose upper 8 lanes are overwritten by the next store (bp and xs need L floats of slack).
     * Not 256-bit vectors: mixing species in one JVM (JDK 17) pollutes the Vector API's shared
     * profiles and left every pack loop 15x slower once the 8-wide shape had run.
     */
    private static void packFourRows8(int[] off, int CRS, float[] xs, int q, int delta, float[] bp, int bOff) {
        for (int t = 0; t < CRS; t++) {
            int s = off[t] + q, d = bOff + t * NR;
            FloatVector.fromArray(SP, xs, s).intoArray(bp, d);
            FloatVector.fromArray(SP, xs, s + delta).intoArray(bp, d + 8);
            FloatVector.fromArray(SP, xs, s + 2 * delta).intoArray(bp, d + 16);
            FloatVector.fromArray(SP, xs, s + 3 * delta).intoArray(bp, d + 24);
        }
    }

    // ---------------------------------------------------------------- forward (and stride-1 backward data)

    /**
     * y (N, M, Ho, Wo) = conv of x (N, C, H, W) with the packed filter {@code ap} (M rows of CRS,
     * packed by {@link Gemm#packA}); y overwritten.
     *
     * <p>Each thread walks its images' strips (NR output pixels each) in blocks: it packs a block of
     * strips (across image boundaries), then for each k-block runs every strip of the block
     * against every A panel. The A k-block (M x kc) is thus reused by all strips of the block from
     * L2, and each strip's k-slice by all A panels from L1; without blocking, a 128-channel filter
     * (590 KB packed) was streamed once per strip and lost ~40% to L2 misses.
     */
    static void forwardPacked(Geom g, float[] x, float[] ap, int M, float[] y, int N) {
        int inLen = g.C * g.H * g.W, outLen = M * g.P, CRS = g.CRS, P = g.P;
        int spi = (P + NR - 1) / NR, stripLen = CRS * NR;
        int kb = Gemm.kBlock(CRS);
        Parallel.range(N, 1, (n0, n1) -> {
            int total = (n1 - n0) * spi;
            // block: up to ~64K floats of k-slices (kb x NR per strip) and ~512K floats of packed strips
            int sb = Math.max(1, Math.min(total, Math.min(BLOCK_SLICE_FLOATS / (kb * NR), BLOCK_FLOATS / stripLen)));
            float[] xs = g.identity ? null : new float[g.xsLen + L]; // + L: slack for packFourRows8
            float[] bp = new float[sb * stripLen + L], tile = new float[MR * NR];
            int[] yOff = new int[sb], nrs = new int[sb];
            int built = -1;
            for (int s0 = 0; s0 < total; s0 += sb) {
                int cnt = Math.min(sb, total - s0);
                for (int j = 0; j < cnt; j++) {
                    int n = n0 + (s0 + j) / spi, p0 = ((s0 + j) % spi) * NR;
                    if (!g.identity && n != built) {
                        buildXs(g, x, n * inLen, xs, 0);
                        built = n;
                    }
                    nrs[j] = Math.min(NR, P - p0);
                    yOff[j] = n * outLen + p0;
                    if (g.identity) packStrip(g, x, n * inLen, p0, nrs[j], bp, j * stripLen);
                    else packStrip(g, xs, 0, p0, nrs[j], bp, j * stripLen);
                }
                for (int pc = 0; pc < CRS; pc += kb) {
                    int kc = Math.min(kb, CRS - pc);
                    for (int j = 0; j < cnt; j++)
                        for (int ir = 0; ir < M; ir += MR)
                            Gemm.tile(kc, ap, ir * CRS + pc * MR, bp, j * stripLen + pc * NR, y, yOff[j] + ir * P, P,
                                    Math.min(MR, M - ir), nrs[j], pc > 0, tile);
                }
            }
        });
    }

    /** C (M, nr) = A (packed panels, M x K) * one packed B strip (K x NR), k-blocked by Gemm.kBlock. */
    static void panelsTimesStrip(int M, int K, float[] ap, float[] bp, int nr, float[] C, int cOff, int ldc,
                                 float[] tile) {
        for (int pc = 0, kb = Gemm.kBlock(K); pc < K; pc += kb) {
            int kc = Math.min(kb, K - pc);
            for (int ir = 0; ir < M; ir += MR)
                Gemm.tile(kc, ap, ir * K + pc * MR, bp, pc * NR, C, cOff + ir * ldc, ldc,
                        Math.min(MR, M - ir), nr, pc > 0, tile);
        }
    }

    /** Conv forward: y (N, K, Ho, Wo) = x (N, C, H, W) * w (K, C, R, S). */
    public static void forward(float[] x, float[] w, float[] y, int N, int C, int H, int W, int K, int R, int S,
                               int stride, int pad) {
        Geom g = new Geom(C, H, W, R, S, stride, pad, pad);
        float[] ap = new float[Gemm.roundUp(K, MR) * g.CRS];
        Gemm.packA(false, w, 0, g.CRS, 0, K, 0, g.CRS, ap, 0);
        forwardPacked(g, x, ap, K, y, N);
    }

    // ---------------------------------------------------------------- backward data

    /** dx (N, C, H, W) = conv-transpose of dy (N, K, Ho, Wo) with w (K, C, R, S); dx overwritten. */
    public static void backwardData(float[] dy, float[] w, float[] dx, int N, int C, int H, int W, int K, int R,
                                    int S, int stride, int pad) {
        int CRS = C * R * S, KRS = K * R * S;
        if (stride == 1 && pad <= R - 1 && pad <= S - 1) {
            // full correlation of dy with the flipped, transposed filter: W'[c][k][r][s] = W[k][c][R-1-r][S-1-s]
            int Ho = H + 2 * pad - R + 1, Wo = W + 2 * pad - S + 1;
            Geom g = new Geom(K, Ho, Wo, R, S, 1, R - 1 - pad, S - 1 - pad);
            float[] wt = new float[C * KRS];
            for (int k = 0; k < K; k++)
                for (int c = 0; c < C; c++)
                    for (int r = 0; r < R; r++)
                        for (int s = 0; s < S; s++)
                            wt[((c * K + k) * R + r) * S + s] = w[((k * C + c) * R + R - 1 - r) * S + S - 1 - s];
            float[] ap = new float[Gemm.roundUp(C, MR) * KRS];
            Gemm.packA(false, wt, 0, KRS, 0, C, 0, KRS, ap, 0);
            forwardPacked(g, dy, ap, C, dx, N);
            return;
        }
        // strided: dcol (CRS, P) = W^T (CRS, K) * dy_n (K, P), then scatter-add into dx_n
        Geom g = new Geom(C, H, W, R, S, stride, pad, pad);
        int P = g.P, inLen = C * H * W;
        float[] ap = new float[Gemm.roundUp(CRS, MR) * K];
        Gemm.packA(true, w, 0, CRS, 0, CRS, 0, K, ap, 0);
        Parallel.range(N, 1, (n0, n1) -> {
            float[] dcol = new float[CRS * P], bp = new float[K * NR], tile = new float[MR * NR];
            for (int n = n0; n < n1; n++) {
                for (int p0 = 0; p0 < P; p0 += NR) {
                    int nr = Math.min(NR, P - p0);
                    Gemm.packB(false, dy, n * K * P, P, 0, K, p0, nr, bp);
                    panelsTimesStrip(CRS, K, ap, bp, nr, dcol, p0, P, tile);
                }
                col2im(g, dcol, dx, n * inLen);
            }
        });
    }

    /** dx_n (C, H, W) = sum over taps of dcol (CRS, P) at their input positions; dx_n overwritten. */
    static void col2im(Geom g, float[] dcol, float[] dx, int dxOff) {
        Arrays.fill(dx, dxOff, dxOff + g.C * g.H * g.W, 0f);
        for (int c = 0, t = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
                for (int s = 0; s < g.S; s++, t++)
                    for (int oh = 0; oh < g.Ho; oh++) {
                        int ih = oh * g.st - g.padH + r;
                        if (ih < 0 || ih >= g.H) continue;
                        int d = dxOff + (c * g.H + ih) * g.W, src = t * g.P + oh * g.Wo;
                        for (int ow = 0; ow < g.Wo; ow++) {
                            int iw = ow * g.st - g.padW + s;
                            if (iw >= 0 && iw < g.W) dx[d + iw] += dcol[src + ow];
                        }
                    }
    }

    // ---------------------------------------------------------------- backward filter

    /**
     * dw (K, C, R, S) = sum_n dy_n (K, P) * col_n^T (P, CRS); dw overwritten.
     *
     * <p>Images are taken in chunks of about {@link #FILTER_PIXELS} output pixels (several small
     * images at once), whose xs copies lie side by side and whose dy is transposed into dyT
     * (Kp/NR strips of (pixels, NR)). The pixels are then walked in blocks of FILTER_PIXELS, so the
     * dyT block (16 KB per strip) stays in L1 while every 8-row tile of col passes over it.
     */
    public static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad) {
        Geom g = new Geom(C, H, W, R, S, stride, pad, pad);
        int CRS = g.CRS, P = g.P, Kp = Gemm.roundUp(K, NR), CRSp = Gemm.roundUp(CRS, MR);
        int groups = Math.min(N, GROUPS), inLen = C * H * W;
        int ib = Math.max(1, Math.min(FILTER_PIXELS / P, (N + groups - 1) / groups)); // images per chunk
        int xsStride = g.identity ? inLen : g.xsLen;
        // 3x3 stride 1: the nine taps of a channel sit at three row offsets + 0, 1, 2
        boolean taps3 = R == 3 && S == 3 && stride == 1 && TAPS3 != 0;
        float[][] part = new float[groups][]; // (CRSp, Kp) each: dW^T of one image group
        Parallel.range(groups, 1, (g0, g1) -> {
            float[] xs = g.identity ? null : new float[ib * xsStride];
            float[] dyT = new float[Kp * ib * P];
            int[] o = new int[MR];
            for (int grp = g0; grp < g1; grp++) {
                float[] acc = new float[CRSp * Kp];
                part[grp] = acc;
                int end = (int) ((long) N * (grp + 1) / groups);
                for (int n = (int) ((long) N * grp / groups); n < end; n += ib) {
                    int cnt = Math.min(ib, end - n), pt = cnt * P;
                    float[] src = g.identity ? x : xs;
                    int base = g.identity ? n * inLen : 0;
                    for (int i = 0; i < cnt; i++) {
                        if (!g.identity) buildXs(g, x, (n + i) * inLen, xs, i * xsStride);
                        transposeDy(dy, (n + i) * K * P, K, P, dyT, i * P, pt);
                    }
                    for (int pb = 0; pb < pt; pb += FILTER_PIXELS) {
                        int pc = Math.min(FILTER_PIXELS, pt - pb);
                        for (int ks = 0; ks < Kp; ks += NR)
                            if (taps3) {
                                for (int c = 0; c < C; c++) {
                                    int oc = base + g.off[9 * c];
                                    filterKernel3x3(src, oc, oc + g.Wq, oc + 2 * g.Wq, pb, pc, g.Ho, g.Wo, g.Wq,
                                            xsStride, dyT, ks * pt + pb * NR, acc, 9 * c * Kp + ks, Kp);
                                }
                            } else {
                                for (int t = 0; t < CRS; t += MR) {
                                    for (int i = 0; i < MR; i++) o[i] = base + g.off[Math.min(t + i, CRS - 1)];
                                    filterKernel(src, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], pb, pc, g.Ho,
                                            g.Wo, g.Wq, xsStride, dyT, ks * pt + pb * NR, acc, t * Kp + ks, Kp);
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
                System.arraycopy(part[0], t * Kp, row, 0, Kp);
                for (int grp = 1; grp < groups; grp++) {
                    float[] pg = part[grp];
                    for (int k = 0; k < Kp; k++) row[k] += pg[t * Kp + k];
                }
                for (int k = 0; k < K; k++) dw[k * CRS + t] = row[k];
            }
        });
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
     */
    static void filterKernel3x3(float[] xs, int o0, int o1, int o2, int p0, int count, int Ho, int Wo, int Wq,
                                int xsStride, float[] dyT, int d, float[] acc, int a, int lda) {
        int P = Ho * Wo, img = p0 / P, h = p0 % P / Wo, w = p0 % Wo;
        int qw = img * xsStride + h * Wq + w, rowSkip = Wq - Wo, imgSkip = xsStride - Ho * Wq;
        FloatVector c00 = FloatVector.fromArray(SP, acc, a), c01 = FloatVector.fromArray(SP, acc, a + L);
        FloatVector c10 = FloatVector.fromArray(SP, acc, a + lda), c11 = FloatVector.fromArray(SP, acc, a + lda + L);
        FloatVector c20 = FloatVector.fromArray(SP, acc, a + 2 * lda), c21 = FloatVector.fromArray(SP, acc, a + 2 * lda + L);
        FloatVector c30 = FloatVector.fromArray(SP, acc, a + 3 * lda), c31 = FloatVector.fromArray(SP, acc, a + 3 * lda + L);
        FloatVector c40 = FloatVector.fromArray(SP, acc, a + 4 * lda), c41 = FloatVector.fromArray(SP, acc, a + 4 * lda + L);
        FloatVector c50 = FloatVector.fromArray(SP, acc, a + 5 * lda), c51 = FloatVector.fromArray(SP, acc, a + 5 * lda + L);
        FloatVector c60 = FloatVector.fromArray(SP, acc, a + 6 * lda), c61 = FloatVector.fromArray(SP, acc, a + 6 * lda + L);
        FloatVector c70 = FloatVector.fromArray(SP, acc, a + 7 * lda), c71 = FloatVector.fromArray(SP, acc, a + 7 * lda + L);
        FloatVector c80 = FloatVector.fromArray(SP, acc, a + 8 * lda), c81 = FloatVector.fromArray(SP, acc, a + 8 * lda + L);
        for (int p = 0; p < count; p++, d += NR) {
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
            qw++;
            if (++w == Wo) {
                w = 0;
                qw += rowSkip;
                if (++h == Ho) {
                    h = 0;
                    qw += imgSkip;
                }
            }
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
     * xs at o_i + img*xsStride + h*Wq + w) times the dy^T row (NR lanes at dyT[d + p*NR]). Fixed
     * pixel order.
     */
    static void filterKernel(float[] xs, int o0, int o1, int o2, int o3, int o4, int o5, int o6, int o7,
                             int p0, int count, int Ho, int Wo, int Wq, int xsStride, float[] dyT, int d,
                             float[] acc, int a, int lda) {
        int P = Ho * Wo, img = p0 / P, h = p0 % P / Wo, w = p0 % Wo;
        int qw = img * xsStride + h * Wq + w, rowSkip = Wq - Wo, imgSkip = xsStride - Ho * Wq;
        FloatVector c00 = FloatVector.fromArray(SP, acc, a), c01 = FloatVector.fromArray(SP, acc, a + L);
        FloatVector c10 = FloatVector.fromArray(SP, acc, a + lda), c11 = FloatVector.fromArray(SP, acc, a + lda + L);
        FloatVector c20 = FloatVector.fromArray(SP, acc, a + 2 * lda), c21 = FloatVector.fromArray(SP, acc, a + 2 * lda + L);
        FloatVector c30 = FloatVector.fromArray(SP, acc, a + 3 * lda), c31 = FloatVector.fromArray(SP, acc, a + 3 * lda + L);
        FloatVector c40 = FloatVector.fromArray(SP, acc, a + 4 * lda), c41 = FloatVector.fromArray(SP, acc, a + 4 * lda + L);
        FloatVector c50 = FloatVector.fromArray(SP, acc, a + 5 * lda), c51 = FloatVector.fromArray(SP, acc, a + 5 * lda + L);
        FloatVector c60 = FloatVector.fromArray(SP, acc, a + 6 * lda), c61 = FloatVector.fromArray(SP, acc, a + 6 * lda + L);
        FloatVector c70 = FloatVector.fromArray(SP, acc, a + 7 * lda), c71 = FloatVector.fromArray(SP, acc, a + 7 * lda + L);
        // one flat loop over pixels with a row-wrap branch: in JDK 17, C2 boxes vector accumulators
        // that flow through the phis of a nested (h, w) loop pair (measured 5 vs 100 GFLOP/s)
        for (int p = 0; p < count; p++, d += NR) {
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
            qw++;
            if (++w == Wo) { // next output row; after the last row, the next image's xs
                w = 0;
                qw += rowSkip;
                if (++h == Ho) {
                    h = 0;
                    qw += imgSkip;
                }
            }
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
