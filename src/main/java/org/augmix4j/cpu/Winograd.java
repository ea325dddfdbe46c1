package org.augmix4j.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Winograd F(2x2, 3x3) convolution for the 3x3, stride-1, pad-1 convolutions of the CPU engine
 * (every body conv of a WideResNet): forward, backward data (the forward of dy with the flipped,
 * transposed filter) and backward filter, on NCHW float arrays. Each 4x4 input tile d (stride 2)
 * gives a 2x2 output tile
 *
 * <pre>
 *   y = A^T [ (G g G^T) . (B^T d B) ] A          (. : elementwise over the 16 points xi)
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1]
 * </pre>
 *
 * (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", CVPR 2016). The sums over
 * input channels become 16 independent GEMMs, U_xi (K, C) * V_xi (C, tiles), with 16 instead of 36
 * multiplications per output tile and channel pair (2.25x fewer). The filter gradient is the same
 * identity differentiated: dU_xi (K, C) = sum over tiles of (A dy A^T)_xi (K, tiles) * V_xi^T, then
 * dW = G^T dU G.
 *
 * <p>Layout: tiles are numbered row-major within an image (bands of Wt = ceil(W/2) tiles, Ht =
 * ceil(H/2) bands) and images follow each other, so the transformed operands V_xi[c][tile] and
 * M_xi[k][tile] hold tiles in contiguous lanes; the transforms work on vectors of 16 tiles of one
 * band (lanes past the band are computed and thrown away: their stores land on tiles written
 * later, or in row slack). The input plane of one channel is first copied padded and split into
 * even and odd columns, so that the stride-2 tile columns are contiguous lanes.
 *
 * <p>Work is cut into blocks of tiles of a fixed size (whole bands of one image, or whole images):
 * every block's transforms and GEMMs run on one thread in a fixed order, and the filter gradient
 * sums blocks into {@link ConvFilter#GROUPS} fixed image groups added in group order, so results do
 * not depend on the thread count. Rounding differs from the direct convolution (the transforms add
 * and halve before multiplying); WinogradTest bounds it against the float64 reference.
 */
final class Winograd {
    private static final VectorSpecies<Float> SP = Gemm.SP;
    private static final int L = Gemm.L, MR = Gemm.MR, NR = Gemm.NR;
    /** Fewest input and output channels for which the transforms pay (the 3-channel stem stays direct). */
    static final int MIN_CHANNELS = 8;
    /** Floats of one transformed operand block (16 x channels x tiles): about 256 KB, so V and M share L2. */
    static final int BLOCK_FLOATS = 64 * 1024;
    private static final int XI = 16;

    private static final VectorShuffle<Float> EVEN_LO, ODD_HI, SPREAD_LO, SPREAD_HI, SWAP_HALVES, UP1, DOWN1;
    private static final VectorMask<Float> LOW_HALF, ODD_LANES, HIGH_HALF, FIRST_LANE, LAST_LANE;
    /** [rows per vector - 1][row q][shift o + 1]: lane l <- x column 2l + o of row q (rows of L / rows floats), and the lanes that are 0. */
    private static final VectorShuffle<Float>[][][] SHIFTS;
    private static final VectorMask<Float>[][][] SHIFT_ZEROS;

    static {
        int[] a = new int[L], b = new int[L], c = new int[L], d = new int[L];
        for (int i = 0; i < L / 2; i++) {
            a[i] = 2 * i;              // evens of this vector in the low half
            a[i + L / 2] = 2 * i + 1;  // odds in the high half
            b[i] = 2 * i + 1;          // odds in the low half
            b[i + L / 2] = 2 * i;      // evens in the high half
        }
        for (int i = 0; i < L; i++) {
            c[i] = i / 2;              // lanes 0..L/2-1, each twice
            d[i] = L / 2 + i / 2;      // lanes L/2..L-1, each twice
        }
        EVEN_LO = VectorShuffle.fromArray(SP, a, 0);
        ODD_HI = VectorShuffle.fromArray(SP, b, 0);
        SPREAD_LO = VectorShuffle.fromArray(SP, c, 0);
        SPREAD_HI = VectorShuffle.fromArray(SP, d, 0);
        boolean[] low = new boolean[L], odd = new boolean[L];
        for (int i = 0; i < L; i++) {
            low[i] = i < L / 2;
            odd[i] = (i & 1) == 1;
        }
        LOW_HALF = VectorMask.fromArray(SP, low, 0);
        HIGH_HALF = LOW_HALF.not();
        ODD_LANES = VectorMask.fromArray(SP, odd, 0);
        int[] sw = new int[L], up = new int[L], down = new int[L];
        boolean[] first = new boolean[L], last = new boolean[L];
        for (int i = 0; i < L; i++) {
            sw[i] = (i + L / 2) % L;
            up[i] = Math.max(0, i - 1);
            down[i] = Math.min(L - 1, i + 1);
        }
        first[0] = true;
        last[L - 1] = true;
        SWAP_HALVES = VectorShuffle.fromArray(SP, sw, 0);
        UP1 = VectorShuffle.fromArray(SP, up, 0);
        DOWN1 = VectorShuffle.fromArray(SP, down, 0);
        FIRST_LANE = VectorMask.fromArray(SP, first, 0);
        LAST_LANE = VectorMask.fromArray(SP, last, 0);
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[][][] shifts = new VectorShuffle[2][2][4];
        @SuppressWarnings("unchecked")
        VectorMask<Float>[][][] zeros = new VectorMask[2][2][4];
        for (int rows = 1; rows <= 2; rows++) {
            int w = L / rows, wt = w / 2;
            for (int q = 0; q < rows; q++)
                for (int o = -1; o <= 2; o++) {
                    int[] idx = new int[L];
                    boolean[] z = new boolean[L];
                    for (int l = 0; l < L; l++) {
                        int col = 2 * l + o;
                        boolean inside = col >= 0 && col < w;
                        idx[l] = l < wt && inside ? q * w + col : l; // lanes past wt: whatever (overwritten later)
                        z[l] = l < wt && !inside;
                    }
                    shifts[rows - 1][q][o + 1] = VectorShuffle.fromArray(SP, idx, 0);
                    zeros[rows - 1][q][o + 1] = VectorMask.fromArray(SP, z, 0);
                }
        }
        SHIFTS = shifts;
        SHIFT_ZEROS = zeros;
    }

    private Winograd() {}

    /** Whether a conv of this geometry runs here. */
    static boolean applies(int C, int K, int R, int S, int stride, int pad) {
        return R == 3 && S == 3 && stride == 1 && pad == 1 && C >= MIN_CHANNELS && K >= MIN_CHANNELS;
    }

    // ---------------------------------------------------------------- geometry

    /** Tile geometry of an H x W map (pad 1): Ht bands of Wt tiles, T tiles per image. */
    static final class Geom {
        final int H, W, Ht, Wt, T, PS; // PS: floats per tile-major plane copy (fillPlanes), with slack
        /** Whether the output transform stores 16 tiles at once straight into y (even sizes, W = 8, 16 or a multiple of 32). */
        final boolean wholeChunks;
        /** Tiles per block, bands per block (when a block is part of one image) or images per block. */
        final int blockTiles, bandsPerBlock, imagesPerBlock, blocks, ldt; // ldt: row stride of V and M

        Geom(int N, int H, int W, int channels) {
            this.H = H;
            this.W = W;
            Ht = (H + 1) / 2;
            Wt = (W + 1) / 2;
            T = Ht * Wt;
            PS = (Ht + 1) * Wt + 2 * L;
            int target = Math.max(NR, BLOCK_FLOATS / (XI * channels));
            if (T <= target) {
                imagesPerBlock = Math.max(1, target / T);
                bandsPerBlock = Ht;
                blocks = (N + imagesPerBlock - 1) / imagesPerBlock;
                blockTiles = imagesPerBlock * T;
            } else {
                imagesPerBlock = 0;
                bandsPerBlock = Math.max(1, target / Wt);
                int per = (Ht + bandsPerBlock - 1) / bandsPerBlock;
                blocks = N * per;
                blockTiles = bandsPerBlock * Wt;
            }
            ldt = Gemm.roundUp(blockTiles, NR) + L;
            wholeChunks = H == 2 * Ht && W == 2 * Wt
                    && (Wt % L == 0 || ((Wt == L / 2 || Wt == L / 4) && T % L == 0 && imagesPerBlock > 0));
        }

        /** Blocks per image (when blocks are parts of one image). */
        int blocksPerImage() { return (Ht + bandsPerBlock - 1) / bandsPerBlock; }

        /** Fills {images, first band, bands} of block b: images [n0, n0 + count) whole, or bands [i0, i1) of image n0. */
        void block(int b, int N, int[] out) {
            if (imagesPerBlock > 0) {
                out[0] = b * imagesPerBlock;
                out[1] = Math.min(N, out[0] + imagesPerBlock) - out[0];
                out[2] = 0;
                out[3] = Ht;
            } else {
                int per = blocksPerImage();
                out[0] = b / per;
                out[1] = 1;
                out[2] = (b % per) * bandsPerBlock;
                out[3] = Math.min(Ht, out[2] + bandsPerBlock);
            }
        }
    }

    // ---------------------------------------------------------------- weights

    /**
     * U_xi = G g G^T of every filter, packed per xi as {@link Gemm#packA} panels: M rows (output
     * channels) of depth D (input channels). {@code transposed}: the filter of the backward-data
     * conv, g'[c][k] = g[k][c] flipped (M = C, D = K).
     */
    static float[] transformWeights(float[] w, int K, int C, boolean transposed) {
        int M = transposed ? C : K, D = transposed ? K : C, Mp = Gemm.roundUp(M, MR), panel = Mp * D;
        float[] ap = new float[XI * panel];
        double[] g = new double[9], u = new double[XI];
        for (int m = 0; m < M; m++)
            for (int d = 0; d < D; d++) {
                int k = transposed ? d : m, c = transposed ? m : d, base = (k * C + c) * 9;
                for (int i = 0; i < 9; i++) g[i] = transposed ? w[base + 8 - i] : w[base + i];
                weightTile(g, u);
                int at = (m / MR) * D * MR + d * MR + m % MR;
                for (int xi = 0; xi < XI; xi++) ap[xi * panel + at] = (float) u[xi];
            }
        return ap;
    }

    /** u (4x4) = G g G^T for one 3x3 filter g, in double. */
    static void weightTile(double[] g, double[] u) {
        double[] t = new double[12]; // G g: 4 x 3
        for (int s = 0; s < 3; s++) {
            double g0 = g[s], g1 = g[3 + s], g2 = g[6 + s];
            t[s] = g0;
            t[3 + s] = 0.5 * (g0 + g1 + g2);
            t[6 + s] = 0.5 * (g0 - g1 + g2);
            t[9 + s] = g2;
        }
        for (int r = 0; r < 4; r++) {
            double a = t[3 * r], b = t[3 * r + 1], c = t[3 * r + 2];
            u[4 * r] = a;
            u[4 * r + 1] = 0.5 * (a + b + c);
            u[4 * r + 2] = 0.5 * (a - b + c);
            u[4 * r + 3] = c;
        }
    }

    // ---------------------------------------------------------------- forward

    /**
     * y (N, M, H, W) = the 3x3 pad-1 conv of x (N, D, H, W) with the transformed filter {@code ap}
     * ({@link #transformWeights}); y overwritten.
     */
    static void forward(float[] x, float[] ap, int M, int D, float[] y, int N, int H, int W) {
        Geom g = new Geom(N, H, W, Math.max(M, D));
        int Mp = Gemm.roundUp(M, MR), panel = Mp * D, ldt = g.ldt, strips = (g.blockTiles + NR - 1) / NR;
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(g.blocks, Parallel.threads()), 1, (w0, w1) -> {
            float[] planes = planeScratch(g, Scratch.WINO_X);
            float[] v = Scratch.floats(Scratch.WINO_IN, XI * D * ldt);
            float[] m = Scratch.floats(Scratch.WINO_OUT, XI * Mp * ldt);
            float[] row = new float[2 * NR];
            int[] blk = new int[4];
            for (int b; (b = next.getAndIncrement()) < g.blocks; ) {
                g.block(b, N, blk);
                inputTransformBlock(g, x, D, D, blk, planes, v, ldt);
                for (int xi = 0; xi < XI; xi++)
                    for (int s = 0; s < strips; s++)
                        for (int ip = 0; ip < Mp; ip += MR)
                            kernel(D, ap, xi * panel + ip * D, v, xi * D * ldt + s * NR, ldt,
                                    m, (xi * Mp + ip) * ldt + s * NR, ldt);
                outputTransformBlock(g, m, Mp, M, blk, y, row);
            }
        });
    }

    /** This thread's plane scratch ({@link #fillPlanes}), zeroed: positions outside x are never written. */
    private static float[] planeScratch(Geom g, int slot) {
        int len = 8 * g.PS;
        float[] p = Scratch.floats(slot, len);
        Arrays.fill(p, 0, len, 0f);
        return p;
    }

    /** V_xi[c][t] (at v[(xi * rows + c) * ldt + t]) for the tiles of one block, channels [0, D) of x. */
    private static void inputTransformBlock(Geom g, float[] x, int D, int rows, int[] blk, float[] planes, float[] v, int ldt) {
        int hw = g.H * g.W, t1 = blk[3] * g.Wt, xiStride = rows * ldt;
        // x rows that bands [i0, i1) read: padded rows 2 i0 .. 2 i1 + 1
        int r0 = Math.max(0, 2 * blk[2] - 1), r1 = Math.min(g.H, 2 * blk[3] + 1);
        for (int n = blk[0], b0 = 0; n < blk[0] + blk[1]; n++, b0 += t1 - blk[2] * g.Wt)
            for (int c = 0; c < D; c++) {
                fillPlanes(g, x, (n * D + c) * hw, planes, r0, r1);
                for (int t = blk[2] * g.Wt, o = c * ldt + b0; t < t1; t += L, o += L) inputChunk(planes, g.PS, g.Wt, t, v, o, xiStride);
            }
    }

    /**
     * The padded channel plane as 8 tile-major copies, one per (row parity py, column shift o):
     * planes[(4 py + o + 1) * PS + i * Wt + j] = x[2i + py - 1][2j + o] (zero outside x), for
     * o = -1..2 and i = 0..Ht. Tile (i, j) then finds its value d[y][x] (padded row 2i + y, column
     * 2j + x) at plane 4 (y % 2) + x, position t + (y / 2) Wt with t = i Wt + j, so 16 consecutive
     * tiles (across bands) are one contiguous vector. Writes x rows [r0, r1); rows of W = 8, 16 or
     * 32 floats with vector shuffles (W = 8 and 16 store whole vectors whose tail lands on the
     * plane's next rows, written afterwards, or on rows outside x, zeroed again at the end).
     */
    static void fillPlanes(Geom g, float[] x, int off, float[] p, int r0, int r1) {
        int W = g.W, Wt = g.Wt, PS = g.PS;
        boolean spilled = false;
        for (int r = r0; r < r1; r++) {
            int src = off + r * W, py = (r + 1) & 1, row = ((r + 1) >> 1) * Wt + 4 * py * PS;
            if (W == 2 * L) {
                FloatVector v0 = FloatVector.fromArray(SP, x, src), v1 = FloatVector.fromArray(SP, x, src + L);
                FloatVector a = v0.rearrange(EVEN_LO), b = v1.rearrange(ODD_HI); // a = [e0 | o0], b = [o1 | e1]
                FloatVector xe = b.blend(a, LOW_HALF), xo = a.blend(b, LOW_HALF).rearrange(SWAP_HALVES);
                xo.rearrange(UP1).blend(0f, FIRST_LANE).intoArray(p, row);   // o = -1: x[2j - 1]
                xe.intoArray(p, row + PS);                                     // o = 0:  x[2j]
                xo.intoArray(p, row + 2 * PS);                                 // o = 1:  x[2j + 1]
                xe.rearrange(DOWN1).blend(0f, LAST_LANE).intoArray(p, row + 3 * PS); // o = 2: x[2j + 2]
            } else if (W == L || (W == L / 2 && r + 1 < r1)) {
                // one vector: one row of 16, or rows r and r + 1 of 8 (the next row goes to the other parity)
                FloatVector v = FloatVector.fromArray(SP, x, src);
                int rows = L / W;
                for (int q = 0; q < rows; q++) {
                    int pyq = (r + q + 1) & 1, rowq = ((r + q + 1) >> 1) * Wt + 4 * pyq * PS;
                    for (int o = 0; o < 4; o++)
                        v.rearrange(SHIFTS[rows - 1][q][o]).blend(0f, SHIFT_ZEROS[rows - 1][q][o]).intoArray(p, rowq + o * PS);
                }
                r += rows - 1;
                spilled = true;
            } else {
                for (int o = -1; o <= 2; o++)
                    for (int j = 0, d = row + (o + 1) * PS; j < Wt; j++) {
                        int col = 2 * j + o;
                        p[d + j] = col >= 0 && col < W ? x[src + col] : 0f;
                    }
            }
        }
        if (spilled) { // the row past the last x row (Wt < L here): zero again, a vector store may have run into it
            FloatVector zero = FloatVector.zero(SP);
            for (int py = 0; py < 2; py++)
                for (int i = Math.max(0, (g.H + 2 - py) / 2); i <= g.Ht; i++)
                    for (int o = 0; o < 4; o++) zero.intoArray(p, (4 * py + o) * PS + i * Wt);
        }
    }

    /**
     * The 16 transformed values of tiles [t, t + L) of one image: V_xi at v[vOff + xi * xiStride + lane].
     * Tile columns x = 0..3 are planes x (row parity 0) and 4 + x (parity 1); rows y = 2, 3 are one
     * band further (+ Wt).
     */
    private static void inputChunk(float[] p, int PS, int Wt, int t, float[] v, int vOff, int xiStride) {
        int r0 = t, r1 = t + 4 * PS, r2 = t + Wt, r3 = r1 + Wt;
        // B^T over rows (d0 - d2, d1 + d2, d2 - d1, d1 - d3), for each of the four tile columns
        FloatVector a, b, c, d;
        a = FloatVector.fromArray(SP, p, r0); b = FloatVector.fromArray(SP, p, r1);
        c = FloatVector.fromArray(SP, p, r2); d = FloatVector.fromArray(SP, p, r3);
        FloatVector e0 = a.sub(c), e1 = b.add(c), e2 = c.sub(b), e3 = b.sub(d);
        a = FloatVector.fromArray(SP, p, r0 + PS); b = FloatVector.fromArray(SP, p, r1 + PS);
        c = FloatVector.fromArray(SP, p, r2 + PS); d = FloatVector.fromArray(SP, p, r3 + PS);
        FloatVector o0 = a.sub(c), o1 = b.add(c), o2 = c.sub(b), o3 = b.sub(d);
        a = FloatVector.fromArray(SP, p, r0 + 2 * PS); b = FloatVector.fromArray(SP, p, r1 + 2 * PS);
        c = FloatVector.fromArray(SP, p, r2 + 2 * PS); d = FloatVector.fromArray(SP, p, r3 + 2 * PS);
        FloatVector f0 = a.sub(c), f1 = b.add(c), f2 = c.sub(b), f3 = b.sub(d);
        a = FloatVector.fromArray(SP, p, r0 + 3 * PS); b = FloatVector.fromArray(SP, p, r1 + 3 * PS);
        c = FloatVector.fromArray(SP, p, r2 + 3 * PS); d = FloatVector.fromArray(SP, p, r3 + 3 * PS);
        FloatVector q0 = a.sub(c), q1 = b.add(c), q2 = c.sub(b), q3 = b.sub(d);
        // B^T over columns: (x0, x1, x2, x3) = (e, o, f, q) -> (x0 - x2, x1 + x2, x2 - x1, x1 - x3)
        int s = xiStride;
        e0.sub(f0).intoArray(v, vOff);           o0.add(f0).intoArray(v, vOff + s);
        f0.sub(o0).intoArray(v, vOff + 2 * s);   o0.sub(q0).intoArray(v, vOff + 3 * s);
        e1.sub(f1).intoArray(v, vOff + 4 * s);   o1.add(f1).intoArray(v, vOff + 5 * s);
        f1.sub(o1).intoArray(v, vOff + 6 * s);   o1.sub(q1).intoArray(v, vOff + 7 * s);
        e2.sub(f2).intoArray(v, vOff + 8 * s);   o2.add(f2).intoArray(v, vOff + 9 * s);
        f2.sub(o2).intoArray(v, vOff + 10 * s);  o2.sub(q2).intoArray(v, vOff + 11 * s);
        e3.sub(f3).intoArray(v, vOff + 12 * s);  o3.add(f3).intoArray(v, vOff + 13 * s);
        f3.sub(o3).intoArray(v, vOff + 14 * s);  o3.sub(q3).intoArray(v, vOff + 15 * s);
    }

    /** y for the tiles of one block from M_xi[m][t] (rows m < M of Mp). */
    private static void outputTransformBlock(Geom g, float[] mb, int Mp, int M, int[] blk, float[] y, float[] row) {
        int hw = g.H * g.W, xiStride = Mp * g.ldt, t0 = blk[2] * g.Wt, t1 = blk[3] * g.Wt;
        for (int n = blk[0], b0 = 0; n < blk[0] + blk[1]; n++, b0 += t1 - t0)
            for (int k = 0; k < M; k++) {
                int plane = (n * M + k) * hw, m0 = k * g.ldt + b0 - t0;
                if (g.wholeChunks) {
                    for (int t = t0; t < t1; t += L) outputChunk(mb, m0 + t, xiStride, y, plane, t, g.Wt, g.W);
                } else {
                    for (int i = blk[2]; i < blk[3]; i++)
                        for (int j = 0; j < g.Wt; j += L) outputTile(g, mb, m0 + i * g.Wt + j, xiStride, y, plane, i, j, row);
                }
            }
    }

    /**
     * Output of tiles [t, t + L) (whole bands, or L tiles of one band) of one plane, stored as whole
     * vectors: with W = 2 Wt and H = 2 Ht, the 4 L outputs of L tiles are 4 L contiguous floats of y
     * (Wt = 4, 8) or two runs of 2 L (Wt a multiple of L).
     */
    private static void outputChunk(float[] mb, int off, int s, float[] y, int plane, int t, int Wt, int W) {
        FloatVector m0 = FloatVector.fromArray(SP, mb, off), m1 = FloatVector.fromArray(SP, mb, off + s);
        FloatVector m2 = FloatVector.fromArray(SP, mb, off + 2 * s), m3 = FloatVector.fromArray(SP, mb, off + 3 * s);
        FloatVector m4 = FloatVector.fromArray(SP, mb, off + 4 * s), m5 = FloatVector.fromArray(SP, mb, off + 5 * s);
        FloatVector m6 = FloatVector.fromArray(SP, mb, off + 6 * s), m7 = FloatVector.fromArray(SP, mb, off + 7 * s);
        FloatVector m8 = FloatVector.fromArray(SP, mb, off + 8 * s), m9 = FloatVector.fromArray(SP, mb, off + 9 * s);
        FloatVector m10 = FloatVector.fromArray(SP, mb, off + 10 * s), m11 = FloatVector.fromArray(SP, mb, off + 11 * s);
        FloatVector m12 = FloatVector.fromArray(SP, mb, off + 12 * s), m13 = FloatVector.fromArray(SP, mb, off + 13 * s);
        FloatVector m14 = FloatVector.fromArray(SP, mb, off + 14 * s), m15 = FloatVector.fromArray(SP, mb, off + 15 * s);
        FloatVector s00 = m0.add(m4).add(m8), s01 = m1.add(m5).add(m9), s02 = m2.add(m6).add(m10), s03 = m3.add(m7).add(m11);
        FloatVector s10 = m4.sub(m8).sub(m12), s11 = m5.sub(m9).sub(m13), s12 = m6.sub(m10).sub(m14), s13 = m7.sub(m11).sub(m15);
        FloatVector y00 = s00.add(s01).add(s02), y01 = s01.sub(s02).sub(s03);
        FloatVector y10 = s10.add(s11).add(s12), y11 = s11.sub(s12).sub(s13);
        // interleave the two output columns of each tile: z_a covers tiles [0, L/2), h_a tiles [L/2, L), of output row a
        FloatVector z0 = y00.rearrange(SPREAD_LO).blend(y01.rearrange(SPREAD_LO), ODD_LANES);
        FloatVector h0 = y00.rearrange(SPREAD_HI).blend(y01.rearrange(SPREAD_HI), ODD_LANES);
        FloatVector z1 = y10.rearrange(SPREAD_LO).blend(y11.rearrange(SPREAD_LO), ODD_LANES);
        FloatVector h1 = y10.rearrange(SPREAD_HI).blend(y11.rearrange(SPREAD_HI), ODD_LANES);
        int i = t / Wt, d = plane + 2 * i * W + 2 * (t - i * Wt);
        if (Wt % L == 0) { // rows 2i and 2i + 1, columns 2j .. 2j + 2L
            z0.intoArray(y, d);
            h0.intoArray(y, d + L);
            z1.intoArray(y, d + W);
            h1.intoArray(y, d + W + L);
        } else if (Wt == L / 2) { // two bands: rows 2i .. 2i + 3 of 2 Wt = L floats each
            z0.intoArray(y, d);
            z1.intoArray(y, d + L);
            h0.intoArray(y, d + 2 * L);
            h1.intoArray(y, d + 3 * L);
        } else { // Wt = L / 4, four bands: rows 2i .. 2i + 7 of L / 2 floats; z_a holds bands 0, 1 of row a, h_a bands 2, 3
            z0.blend(z1.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(y, d);
            z0.rearrange(SWAP_HALVES).blend(z1, HIGH_HALF).intoArray(y, d + L);
            h0.blend(h1.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(y, d + 2 * L);
            h0.rearrange(SWAP_HALVES).blend(h1, HIGH_HALF).intoArray(y, d + 3 * L);
        }
    }

    /** Output rows 2i, 2i + 1 (columns 2j ..) of one plane from tiles [j, j + L) of band i. */
    private static void outputTile(Geom g, float[] mb, int off, int s, float[] y, int plane, int i, int j, float[] row) {
        FloatVector m0 = FloatVector.fromArray(SP, mb, off), m1 = FloatVector.fromArray(SP, mb, off + s);
        FloatVector m2 = FloatVector.fromArray(SP, mb, off + 2 * s), m3 = FloatVector.fromArray(SP, mb, off + 3 * s);
        FloatVector m4 = FloatVector.fromArray(SP, mb, off + 4 * s), m5 = FloatVector.fromArray(SP, mb, off + 5 * s);
        FloatVector m6 = FloatVector.fromArray(SP, mb, off + 6 * s), m7 = FloatVector.fromArray(SP, mb, off + 7 * s);
        FloatVector m8 = FloatVector.fromArray(SP, mb, off + 8 * s), m9 = FloatVector.fromArray(SP, mb, off + 9 * s);
        FloatVector m10 = FloatVector.fromArray(SP, mb, off + 10 * s), m11 = FloatVector.fromArray(SP, mb, off + 11 * s);
        FloatVector m12 = FloatVector.fromArray(SP, mb, off + 12 * s), m13 = FloatVector.fromArray(SP, mb, off + 13 * s);
        FloatVector m14 = FloatVector.fromArray(SP, mb, off + 14 * s), m15 = FloatVector.fromArray(SP, mb, off + 15 * s);
        // A^T over rows: s0 = m_0q + m_1q + m_2q, s1 = m_1q - m_2q - m_3q
        FloatVector s00 = m0.add(m4).add(m8), s01 = m1.add(m5).add(m9), s02 = m2.add(m6).add(m10), s03 = m3.add(m7).add(m11);
        FloatVector s10 = m4.sub(m8).sub(m12), s11 = m5.sub(m9).sub(m13), s12 = m6.sub(m10).sub(m14), s13 = m7.sub(m11).sub(m15);
        // A^T over columns
        FloatVector y00 = s00.add(s01).add(s02), y01 = s01.sub(s02).sub(s03);
        FloatVector y10 = s10.add(s11).add(s12), y11 = s11.sub(s12).sub(s13);
        storeRow(g, y, plane, 2 * i, j, y00, y01, row);
        storeRow(g, y, plane, 2 * i + 1, j, y10, y11, row);
    }

    /** y[plane][r][2j + 2l + b] = (b == 0 ? ya0 : ya1)[l] for the tiles that are inside the W x H output. */
    private static void storeRow(Geom g, float[] y, int plane, int r, int j, FloatVector ya0, FloatVector ya1, float[] row) {
        if (r >= g.H) return;
        FloatVector lo = ya0.rearrange(SPREAD_LO).blend(ya1.rearrange(SPREAD_LO), ODD_LANES);
        int col = 2 * j, cols = Math.min(2 * L, g.W - col), d = plane + r * g.W + col;
        if (cols == 2 * L) {
            lo.intoArray(y, d);
            ya0.rearrange(SPREAD_HI).blend(ya1.rearrange(SPREAD_HI), ODD_LANES).intoArray(y, d + L);
        } else if (cols == L) {
            lo.intoArray(y, d);
        } else {
            lo.intoArray(row, 0);
            if (cols > L) ya0.rearrange(SPREAD_HI).blend(ya1.rearrange(SPREAD_HI), ODD_LANES).intoArray(row, L);
            System.arraycopy(row, 0, y, d, cols);
        }
    }

    // ---------------------------------------------------------------- GEMM micro-kernel (B rows strided)

    /**
     * C[MR x NR] = sum_k ap[k][0..MR) (outer) b[k * ldb + 0..NR): {@link Gemm#kernel} with the B
     * operand read in place from rows of V (stride ldb) instead of a packed strip; overwrites C.
     */
    static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, int ldb, float[] C, int cOff, int ldc) {
        FloatVector c00 = FloatVector.zero(SP), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00,
                c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
        int a = aOff, b = bOff;
        for (int k = 0; k < kc; k++, a += MR, b += ldb) {
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
}
