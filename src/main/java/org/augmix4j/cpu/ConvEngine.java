package org.augmix4j.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
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
 *   <li>backwardFilter ({@link ConvFilter}): dW^T (CRS, K) += col_n * dy_n^T with the col operand
 *       broadcast straight from xs (no im2col copy); fixed image groups summed in order.</li>
 * </ul>
 * Threads claim images (or image groups) in turn from a counter; every output element is still
 * computed by one thread in a fixed order, so results are bitwise independent of the thread count
 * and of scheduling. The Vector API code uses one species only (see packFourRows8).
 */
public final class ConvEngine {
    private static final VectorSpecies<Float> SP = Gemm.SP;
    private static final int L = Gemm.L, MR = Gemm.MR, NR = Gemm.NR;
    /** Forward blocking (floats): k-slices of a strip block, and whole packed strips of a block. */
    static final int BLOCK_SLICE_FLOATS = 64 * 1024, BLOCK_FLOATS = 512 * 1024;

    /** Whether the 3x3 stride-1 pad-1 convs run as Winograd F(2x2, 3x3) ({@link Winograd}); see {@link #setWinograd}. */
    private static volatile boolean winograd = true;

    private ConvEngine() {}

    /**
     * Chooses the algorithm of the 3x3 stride-1 pad-1 convolutions with at least
     * {@link Winograd#MIN_CHANNELS} input and output channels: Winograd F(2x2, 3x3) (true, the
     * default) or the im2col GEMM (false). For benchmarks and tests that compare the two; both are
     * deterministic, but they round differently.
     */
    public static void setWinograd(boolean on) { winograd = on; }

    /** Whether {@link #setWinograd} is on. */
    public static boolean winograd() { return winograd; }

    private static boolean useWinograd(int C, int K, int R, int S, int stride, int pad) {
        return winograd && Winograd.applies(C, K, R, S, stride, pad);
    }

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

    // Vector loops live in small methods of their own, so each C2 compilation stays well inside
    // the inlining budget (a vector op left un-inlined boxes its vectors and runs ~20x slower).

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
     * <p>Threads claim units of whole images and walk their strips (NR output pixels each) in
     * blocks: pack a block of strips (across image boundaries), then for each k-block run every
     * strip of the block against every A panel. The A k-block (M x kc) is thus reused by all strips of the block from
     * L2, and each strip's k-slice by all A panels from L1; without blocking, a 128-channel filter
     * (590 KB packed) was streamed once per strip and lost ~40% to L2 misses.
     */
    static void forwardPacked(Geom g, float[] x, float[] ap, int M, float[] y, int N) {
        int inLen = g.C * g.H * g.W, outLen = M * g.P, CRS = g.CRS, P = g.P;
        int spi = (P + NR - 1) / NR, stripLen = CRS * NR;
        int kb = Gemm.kBlock(CRS);
        // block: up to ~64K floats of k-slices (kb x NR per strip) and ~512K floats of packed strips;
        // units of whole images are claimed in turn (load balance under other CPU load)
        int sb = Math.max(1, Math.min(BLOCK_SLICE_FLOATS / (kb * NR), BLOCK_FLOATS / stripLen));
        int ipu = Math.max(1, sb / spi), units = (N + ipu - 1) / ipu;
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(units, Parallel.threads()), 1, (w0, w1) -> {
            float[] xs = null;
            if (!g.identity) { // + L: slack for packFourRows8; pads must be zero (buildXs writes only the interior)
                xs = Scratch.floats(Scratch.FORWARD_XS, g.xsLen + L);
                Arrays.fill(xs, 0, g.xsLen + L, 0f);
            }
            float[] bp = Scratch.floats(Scratch.FORWARD_PACKED, sb * stripLen + L), tile = new float[MR * NR];
            int[] yOff = new int[sb], nrs = new int[sb];
            int built = -1;
            for (int u; (u = next.getAndIncrement()) < units; ) {
                int n0 = u * ipu, total = (Math.min(N, n0 + ipu) - n0) * spi;
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
                                Gemm.tile(kc, ap, ir * CRS + pc * MR, bp, j * stripLen + pc * NR, y, yOff[j] + ir * P,
                                        P, Math.min(MR, M - ir), nrs[j], pc > 0, tile);
                    }
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
        if (useWinograd(C, K, R, S, stride, pad)) {
            Winograd.forward(x, Winograd.transformWeights(w, K, C, false), K, C, y, N, H, W);
            return;
        }
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
        if (useWinograd(C, K, R, S, stride, pad)) { // the forward of dy with the flipped, transposed filter
            Winograd.forward(dy, Winograd.transformWeights(w, K, C, true), C, K, dx, N, H, W);
            return;
        }
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
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(N, Parallel.threads()), 1, (w0, w1) -> {
            float[] dcol = new float[CRS * P], bp = new float[K * NR], tile = new float[MR * NR];
            for (int n; (n = next.getAndIncrement()) < N; ) {
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
        int st = g.st;
        for (int c = 0, t = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
                for (int s = 0; s < g.S; s++, t++) {
                    // output columns whose input column ow*st - padW + s lies in [0, W)
                    int olo = Math.max(0, (g.padW - s + st - 1) / st), ohi = Math.min(g.Wo, (g.W - 1 + g.padW - s) / st + 1);
                    for (int oh = 0; oh < g.Ho; oh++) {
                        int ih = oh * st - g.padH + r;
                        if (ih < 0 || ih >= g.H) continue;
                        int d = dxOff + (c * g.H + ih) * g.W - g.padW + s, src = t * g.P + oh * g.Wo;
                        for (int ow = olo; ow < ohi; ow++) dx[d + ow * st] += dcol[src + ow];
                    }
                }
    }

    // ---------------------------------------------------------------- backward filter

    /** dw (K, C, R, S) = sum_n dy_n (K, P) * col_n^T (P, CRS); dw overwritten. See {@link ConvFilter}. */
    public static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K, int R,
                                      int S, int stride, int pad) {
        if (useWinograd(C, K, R, S, stride, pad)) {
            Winograd.backwardFilter(x, dy, dw, N, C, H, W, K);
            return;
        }
        ConvFilter.backwardFilter(x, dy, dw, N, C, H, W, K, R, S, stride, pad);
    }
}
