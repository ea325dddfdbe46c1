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
 * sums blocks into {@link #FILTER_GROUPS} fixed image groups added in group order, so results do
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
    /**
     * Filter gradient: floats of one transformed block (4x the forward's: the GEMM works on one xi
     * at a time, so a block need not fit L2, and deeper blocks load and store the partial sums
     * fewer times), and the fixed image groups of the partial sums (fewer than the direct path's:
     * a group's partials are 16 x C x K floats, 1 MB at 128 channels, zeroed and summed per call).
     */
    static final int FILTER_BLOCK_FLOATS = 4 * BLOCK_FLOATS, FILTER_GROUPS = 8;

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

        Geom(int N, int H, int W, int channels, int blockFloats) {
            this.H = H;
            this.W = W;
            Ht = (H + 1) / 2;
            Wt = (W + 1) / 2;
            T = Ht * Wt;
            PS = (Ht + 1) * Wt + 2 * L;
            int target = Math.max(NR, blockFloats / (XI * channels));
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

        /**
         * Floats from one xi's rows to the next in V and M ({@code rows} rows of ldt): one line more
         * than the rows, since rows * ldt is often a multiple of 4 KB (64 x 80, 128 x 48 floats) and
         * put a tile's 16 values in one L1 set.
         */
        int xiStride(int rows) { return rows * ldt + L; }

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
        Parallel.range(M, 8, (m0, m1) -> {
            for (int m = m0; m < m1; m++)
                for (int d = 0; d < D; d++) {
                    int k = transposed ? d : m, c = transposed ? m : d;
                    weightTile(w, (k * C + c) * 9, transposed, ap, (m / MR) * D * MR + d * MR + m % MR, panel);
                }
        });
        return ap;
    }

    /**
     * u (4x4) = G g G^T of the 3x3 filter at w[off ..] (flipped when {@code flip}), in double, stored
     * as u[xi] at out[at + xi * stride].
     */
    static void weightTile(float[] w, int off, boolean flip, float[] out, int at, int stride) {
        double g00, g01, g02, g10, g11, g12, g20, g21, g22;
        if (flip) {
            g00 = w[off + 8]; g01 = w[off + 7]; g02 = w[off + 6];
            g10 = w[off + 5]; g11 = w[off + 4]; g12 = w[off + 3];
            g20 = w[off + 2]; g21 = w[off + 1]; g22 = w[off];
        } else {
            g00 = w[off]; g01 = w[off + 1]; g02 = w[off + 2];
            g10 = w[off + 3]; g11 = w[off + 4]; g12 = w[off + 5];
            g20 = w[off + 6]; g21 = w[off + 7]; g22 = w[off + 8];
        }
        // G g (4 x 3): rows g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2, per column
        double t10 = 0.5 * (g00 + g10 + g20), t11 = 0.5 * (g01 + g11 + g21), t12 = 0.5 * (g02 + g12 + g22);
        double t20 = 0.5 * (g00 - g10 + g20), t21 = 0.5 * (g01 - g11 + g21), t22 = 0.5 * (g02 - g12 + g22);
        weightRow(g00, g01, g02, out, at, stride);
        weightRow(t10, t11, t12, out, at + 4 * stride, stride);
        weightRow(t20, t21, t22, out, at + 8 * stride, stride);
        weightRow(g20, g21, g22, out, at + 12 * stride, stride);
    }

    /** One row of (G g) G^T: (a, (a + b + c) / 2, (a - b + c) / 2, c). */
    private static void weightRow(double a, double b, double c, float[] out, int at, int stride) {
        out[at] = (float) a;
        out[at + stride] = (float) (0.5 * (a + b + c));
        out[at + 2 * stride] = (float) (0.5 * (a - b + c));
        out[at + 3 * stride] = (float) c;
    }

    // ---------------------------------------------------------------- forward

    /**
     * y (N, M, H, W) = the 3x3 pad-1 conv of x (N, D, H, W) with the transformed filter {@code ap}
     * ({@link #transformWeights}); y overwritten.
     */
    static void forward(float[] x, float[] ap, int M, int D, float[] y, int N, int H, int W) {
        Geom g = new Geom(N, H, W, Math.max(M, D), BLOCK_FLOATS);
        int Mp = Gemm.roundUp(M, MR), panel = Mp * D, ldt = g.ldt, strips = (g.blockTiles + NR - 1) / NR;
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(g.blocks, Parallel.threads()), 1, (w0, w1) -> {
            float[] planes = planeScratch(g, Scratch.WINO_X);
            float[] v = Scratch.floats(Scratch.WINO_IN, XI * g.xiStride(D));
            float[] m = Scratch.floats(Scratch.WINO_OUT, XI * g.xiStride(Mp));
            float[] row = new float[4 * (g.T + L)];
            int[] blk = new int[4];
            for (int b; (b = next.getAndIncrement()) < g.blocks; ) {
                g.block(b, N, blk);
                inputTransformBlock(g, x, D, D, blk, planes, v, ldt);
                for (int xi = 0; xi < XI; xi++)
                    for (int s = 0; s < strips; s++)
                        for (int ip = 0; ip < Mp; ip += MR)
                            kernel(D, ap, xi * panel + ip * D, v, xi * g.xiStride(D) + s * NR, ldt,
                                    m, xi * g.xiStride(Mp) + ip * ldt + s * NR, ldt);
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

    /** V_xi[c][t] (at v[xi * g.xiStride(rows) + c * ldt + t]) for the tiles of one block, channels [0, D) of x. */
    private static void inputTransformBlock(Geom g, float[] x, int D, int rows, int[] blk, float[] planes, float[] v, int ldt) {
        int hw = g.H * g.W, t1 = blk[3] * g.Wt, xiStride = g.xiStride(rows);
        // x rows that bands [i0, i1) read: padded rows 2 i0 .. 2 i1 + 1
        int r0 = Math.max(0, 2 * blk[2] - 1), r1 = Math.min(g.H, 2 * blk[3] + 1);
        for (int n = blk[0], b0 = 0; n < blk[0] + blk[1]; n++, b0 += t1 - blk[2] * g.Wt)
            for (int c = 0; c < D; c++) {
                fillPlanes(g, x, (n * D + c) * hw, planes, r0, r1);
                inputRows01(planes, g.PS, g.Wt, blk[2] * g.Wt, t1, v, c * ldt + b0, xiStride);
                inputRows23(planes, g.PS, g.Wt, blk[2] * g.Wt, t1, v, c * ldt + b0, xiStride);
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
                fillRow2L(x, src, p, row, PS);
            } else if (W == L || (W == L / 2 && r + 1 < r1)) {
                // one vector: one row of 16, or rows r and r + 1 of 8 (the next row goes to the other parity)
                int rows = L / W;
                for (int q = 0; q < rows; q++) {
                    int pyq = (r + q + 1) & 1, rowq = ((r + q + 1) >> 1) * Wt + 4 * pyq * PS;
                    fillShifts(x, src, SHIFTS[rows - 1][q], SHIFT_ZEROS[rows - 1][q], p, rowq, PS);
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

    /** A row of 2L floats of x into the four shifted planes: even and odd columns split with two shuffles each. */
    private static void fillRow2L(float[] x, int src, float[] p, int row, int PS) {
        FloatVector v0 = FloatVector.fromArray(SP, x, src), v1 = FloatVector.fromArray(SP, x, src + L);
        FloatVector a = v0.rearrange(EVEN_LO), b = v1.rearrange(ODD_HI); // a = [e0 | o0], b = [o1 | e1]
        FloatVector xe = b.blend(a, LOW_HALF), xo = a.blend(b, LOW_HALF).rearrange(SWAP_HALVES);
        xo.rearrange(UP1).blend(0f, FIRST_LANE).intoArray(p, row);            // o = -1: x[2j - 1]
        xe.intoArray(p, row + PS);                                              // o = 0:  x[2j]
        xo.intoArray(p, row + 2 * PS);                                          // o = 1:  x[2j + 1]
        xe.rearrange(DOWN1).blend(0f, LAST_LANE).intoArray(p, row + 3 * PS);   // o = 2:  x[2j + 2]
    }

    /** One vector of x (at src) into the four shifted planes with the given shuffles and zero lanes (whole-vector stores). */
    private static void fillShifts(float[] x, int src, VectorShuffle<Float>[] shifts, VectorMask<Float>[] zeros, float[] p, int row, int PS) {
        FloatVector v = FloatVector.fromArray(SP, x, src);
        v.rearrange(shifts[0]).blend(0f, zeros[0]).intoArray(p, row);
        v.rearrange(shifts[1]).blend(0f, zeros[1]).intoArray(p, row + PS);
        v.rearrange(shifts[2]).blend(0f, zeros[2]).intoArray(p, row + 2 * PS);
        v.rearrange(shifts[3]).blend(0f, zeros[3]).intoArray(p, row + 3 * PS);
    }

    // JDK 17's C2 stops inlining Vector API calls once a compilation holds too many nodes
    // (NodeCountInliningCutoff), and a vector call left un-inlined runs the scalar fallback with
    // boxed vectors (a training-step profile showed the stores of a 64-operation transform method
    // in FloatVector.stOp). So each vector method here holds at most ~40 vector operations, loops
    // over its chunks itself, and is large enough in bytecode (> FreqInlineSize) to be compiled as
    // its own root rather than inlined into its caller next to another one. No vector is chosen
    // by a branch either (a phi of two vectors is not unboxed in JDK 17).

    /**
     * Rows 0 and 1 of V for tiles [t, t1) of one image, L at a time: V_xi at v[o + xi * s + lane].
     * Tile row y is plane row parity y % 2, one band further (+ Wt) for y >= 2; tile column x is
     * plane 4 (y % 2) + x. B^T over rows: row 0 = d0 - d2, row 1 = d1 + d2; then over columns
     * (x0 - x2, x1 + x2, x2 - x1, x1 - x3).
     */
    private static void inputRows01(float[] p, int PS, int Wt, int t, int t1, float[] v, int o, int s) {
        for (; t < t1; t += L, o += L) {
            int r0 = t, r1 = t + 4 * PS, r2 = t + Wt;
            FloatVector x0 = FloatVector.fromArray(SP, p, r0).sub(FloatVector.fromArray(SP, p, r2));
            FloatVector x1 = FloatVector.fromArray(SP, p, r0 + PS).sub(FloatVector.fromArray(SP, p, r2 + PS));
            FloatVector x2 = FloatVector.fromArray(SP, p, r0 + 2 * PS).sub(FloatVector.fromArray(SP, p, r2 + 2 * PS));
            FloatVector x3 = FloatVector.fromArray(SP, p, r0 + 3 * PS).sub(FloatVector.fromArray(SP, p, r2 + 3 * PS));
            x0.sub(x2).intoArray(v, o);
            x1.add(x2).intoArray(v, o + s);
            x2.sub(x1).intoArray(v, o + 2 * s);
            x1.sub(x3).intoArray(v, o + 3 * s);
            x0 = FloatVector.fromArray(SP, p, r1).add(FloatVector.fromArray(SP, p, r2));
            x1 = FloatVector.fromArray(SP, p, r1 + PS).add(FloatVector.fromArray(SP, p, r2 + PS));
            x2 = FloatVector.fromArray(SP, p, r1 + 2 * PS).add(FloatVector.fromArray(SP, p, r2 + 2 * PS));
            x3 = FloatVector.fromArray(SP, p, r1 + 3 * PS).add(FloatVector.fromArray(SP, p, r2 + 3 * PS));
            x0.sub(x2).intoArray(v, o + 4 * s);
            x1.add(x2).intoArray(v, o + 5 * s);
            x2.sub(x1).intoArray(v, o + 6 * s);
            x1.sub(x3).intoArray(v, o + 7 * s);
        }
    }

    /** Rows 2 and 3 of V (d2 - d1, d1 - d3), as {@link #inputRows01}. */
    private static void inputRows23(float[] p, int PS, int Wt, int t, int t1, float[] v, int o, int s) {
        for (; t < t1; t += L, o += L) {
            int r1 = t + 4 * PS, r2 = t + Wt, r3 = r1 + Wt;
            FloatVector x0 = FloatVector.fromArray(SP, p, r2).sub(FloatVector.fromArray(SP, p, r1));
            FloatVector x1 = FloatVector.fromArray(SP, p, r2 + PS).sub(FloatVector.fromArray(SP, p, r1 + PS));
            FloatVector x2 = FloatVector.fromArray(SP, p, r2 + 2 * PS).sub(FloatVector.fromArray(SP, p, r1 + 2 * PS));
            FloatVector x3 = FloatVector.fromArray(SP, p, r2 + 3 * PS).sub(FloatVector.fromArray(SP, p, r1 + 3 * PS));
            x0.sub(x2).intoArray(v, o + 8 * s);
            x1.add(x2).intoArray(v, o + 9 * s);
            x2.sub(x1).intoArray(v, o + 10 * s);
            x1.sub(x3).intoArray(v, o + 11 * s);
            x0 = FloatVector.fromArray(SP, p, r1).sub(FloatVector.fromArray(SP, p, r3));
            x1 = FloatVector.fromArray(SP, p, r1 + PS).sub(FloatVector.fromArray(SP, p, r3 + PS));
            x2 = FloatVector.fromArray(SP, p, r1 + 2 * PS).sub(FloatVector.fromArray(SP, p, r3 + 2 * PS));
            x3 = FloatVector.fromArray(SP, p, r1 + 3 * PS).sub(FloatVector.fromArray(SP, p, r3 + 3 * PS));
            x0.sub(x2).intoArray(v, o + 12 * s);
            x1.add(x2).intoArray(v, o + 13 * s);
            x2.sub(x1).intoArray(v, o + 14 * s);
            x1.sub(x3).intoArray(v, o + 15 * s);
        }
    }

    /** y for the tiles of one block from M_xi[m][t] (rows m < M of Mp). */
    private static void outputTransformBlock(Geom g, float[] mb, int Mp, int M, int[] blk, float[] y, float[] row) {
        int hw = g.H * g.W, xiStride = g.xiStride(Mp), t0 = blk[2] * g.Wt, t1 = blk[3] * g.Wt;
        for (int n = blk[0], b0 = 0; n < blk[0] + blk[1]; n++, b0 += t1 - t0)
            for (int k = 0; k < M; k++) {
                int plane = (n * M + k) * hw, m0 = k * g.ldt + b0 - t0;
                if (g.wholeChunks && g.Wt != L / 4) {
                    // rows 2i, 2i + 1 (Wt a multiple of L: columns 2j .. 2j + 2L) or rows 2i .. 2i + 3 (Wt = L / 2)
                    int gap = g.Wt == L / 2 ? 2 * L : L;
                    outputRows0(mb, m0, xiStride, t0, t1, g.Wt, g.W, y, plane, gap, false);
                    outputRows1(mb, m0, xiStride, t0, t1, g.Wt, g.W, y, plane + g.W, gap, false);
                } else if (g.wholeChunks) { // Wt = L / 4: both output rows through the scratch, then rows 2i .. 2i + 7
                    outputRows0(mb, m0, xiStride, t0, t1, g.Wt, g.W, row, 0, L, true);
                    outputRows1(mb, m0, xiStride, t0, t1, g.Wt, g.W, row, 2 * L, L, true);
                    outputQuarterBands(row, (t1 - t0) / L, y, plane + 2 * (t0 / g.Wt) * g.W);
                } else {
                    for (int i = blk[2]; i < blk[3]; i++)
                        for (int j = 0; j < g.Wt; j += L) outputTile(g, mb, m0 + i * g.Wt + j, xiStride, y, plane, i, j, row);
                }
            }
    }

    /**
     * Output row a = 0 of the chunks of L tiles in [t, t1) of one plane: s_q = m_0q + m_1q + m_2q,
     * then (s0 + s1 + s2, s1 - s2 - s3) per tile, the two columns interleaved; tiles [0, L/2) of a
     * chunk go to y[d ..], tiles [L/2, L) to y[d + gap ..], where d is the chunk's first output
     * (row 2i, column 2j; +W for output row 1) or, with {@code scratch}, chunk number * 4L.
     */
    private static void outputRows0(float[] mb, int m0, int s, int t, int t1, int Wt, int W, float[] y, int base, int gap,
                                    boolean scratch) {
        for (int t0 = t; t < t1; t += L) {
            int o = m0 + t, i = t / Wt, d = base + (scratch ? (t - t0) / L * 4 * L : 2 * i * W + 2 * (t - i * Wt));
            FloatVector s0 = FloatVector.fromArray(SP, mb, o).add(FloatVector.fromArray(SP, mb, o + 4 * s)).add(FloatVector.fromArray(SP, mb, o + 8 * s));
            FloatVector s1 = FloatVector.fromArray(SP, mb, o + s).add(FloatVector.fromArray(SP, mb, o + 5 * s)).add(FloatVector.fromArray(SP, mb, o + 9 * s));
            FloatVector s2 = FloatVector.fromArray(SP, mb, o + 2 * s).add(FloatVector.fromArray(SP, mb, o + 6 * s)).add(FloatVector.fromArray(SP, mb, o + 10 * s));
            FloatVector s3 = FloatVector.fromArray(SP, mb, o + 3 * s).add(FloatVector.fromArray(SP, mb, o + 7 * s)).add(FloatVector.fromArray(SP, mb, o + 11 * s));
            FloatVector c0 = s0.add(s1).add(s2), c1 = s1.sub(s2).sub(s3);
            c0.rearrange(SPREAD_LO).blend(c1.rearrange(SPREAD_LO), ODD_LANES).intoArray(y, d);
            c0.rearrange(SPREAD_HI).blend(c1.rearrange(SPREAD_HI), ODD_LANES).intoArray(y, d + gap);
        }
    }

    /** Output row a = 1 (s_q = m_1q - m_2q - m_3q), as {@link #outputRows0}; {@code base} includes the row's offset. */
    private static void outputRows1(float[] mb, int m0, int s, int t, int t1, int Wt, int W, float[] y, int base, int gap,
                                    boolean scratch) {
        for (int t0 = t; t < t1; t += L) {
            int o = m0 + t + 4 * s, i = t / Wt, d = base + (scratch ? (t - t0) / L * 4 * L : 2 * i * W + 2 * (t - i * Wt));
            FloatVector s0 = FloatVector.fromArray(SP, mb, o).sub(FloatVector.fromArray(SP, mb, o + 4 * s)).sub(FloatVector.fromArray(SP, mb, o + 8 * s));
            FloatVector s1 = FloatVector.fromArray(SP, mb, o + s).sub(FloatVector.fromArray(SP, mb, o + 5 * s)).sub(FloatVector.fromArray(SP, mb, o + 9 * s));
            FloatVector s2 = FloatVector.fromArray(SP, mb, o + 2 * s).sub(FloatVector.fromArray(SP, mb, o + 6 * s)).sub(FloatVector.fromArray(SP, mb, o + 10 * s));
            FloatVector s3 = FloatVector.fromArray(SP, mb, o + 3 * s).sub(FloatVector.fromArray(SP, mb, o + 7 * s)).sub(FloatVector.fromArray(SP, mb, o + 11 * s));
            FloatVector c0 = s0.add(s1).add(s2), c1 = s1.sub(s2).sub(s3);
            c0.rearrange(SPREAD_LO).blend(c1.rearrange(SPREAD_LO), ODD_LANES).intoArray(y, d);
            c0.rearrange(SPREAD_HI).blend(c1.rearrange(SPREAD_HI), ODD_LANES).intoArray(y, d + gap);
        }
    }

    /**
     * Wt = L / 4, per chunk c (4 bands): row[4cL ..] and row[4cL + L ..] hold output row 0 of bands
     * (0, 1) and (2, 3), row[4cL + 2L ..] and row[4cL + 3L ..] output row 1; y gets rows 2i .. 2i + 7
     * (L / 2 floats each), 4L contiguous floats per chunk from y[d ..].
     */
    private static void outputQuarterBands(float[] row, int chunks, float[] y, int d) {
        for (int c = 0, r = 0; c < chunks; c++, r += 4 * L, d += 4 * L) {
            FloatVector z0 = FloatVector.fromArray(SP, row, r), h0 = FloatVector.fromArray(SP, row, r + L);
            FloatVector z1 = FloatVector.fromArray(SP, row, r + 2 * L), h1 = FloatVector.fromArray(SP, row, r + 3 * L);
            z0.blend(z1.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(y, d);
            z0.rearrange(SWAP_HALVES).blend(z1, HIGH_HALF).intoArray(y, d + L);
            h0.blend(h1.rearrange(SWAP_HALVES), HIGH_HALF).intoArray(y, d + 2 * L);
            h0.rearrange(SWAP_HALVES).blend(h1, HIGH_HALF).intoArray(y, d + 3 * L);
        }
    }

    /**
     * Output rows 2i, 2i + 1 (columns 2j ..) of one plane from tiles [j, j + L) of band i, through
     * {@code row} (maps of other sizes): only the outputs inside H x W are written.
     */
    private static void outputTile(Geom g, float[] mb, int off, int s, float[] y, int plane, int i, int j, float[] row) {
        outputRows0(mb, off, s, 0, L, L, 0, row, 0, L, true);
        outputRows1(mb, off, s, 0, L, L, 0, row, 2 * L, L, true);
        int cols = Math.min(2 * L, g.W - 2 * j);
        for (int a = 0; a < 2 && 2 * i + a < g.H; a++)
            System.arraycopy(row, 2 * a * L, y, plane + (2 * i + a) * g.W + 2 * j, cols);
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

    // ---------------------------------------------------------------- backward filter

    /**
     * dw (K, C, 3, 3) = d(sum y * dy)/dw for the 3x3 pad-1 conv of x (N, C, H, W) giving dy (N, K,
     * H, W); dw overwritten. The filter gradient in the transformed domain is
     * dU_xi[c][k] = sum over tiles t of V_xi[c][t] * Dy_xi[t][k], Dy = A g A^T of each 2x2 tile g
     * of dy (A = [1 0; 1 1; 1 -1; 0 -1]), and dW = G^T dU G. V comes from the forward's input
     * transform (rows of tiles); dy is first transposed to pixel-major rows of channels, so that its
     * transform gives rows of output channels, the micro-kernel's B operand (a GEMM of depth =
     * tiles, which the direct filter gradient also is, with 2.25x fewer multiplications).
     * Partial sums per fixed image group, added in group order: independent of the thread count.
     */
    static void backwardFilter(float[] x, float[] dy, float[] dw, int N, int C, int H, int W, int K) {
        Geom g = new Geom(N, H, W, Math.max(C, K), FILTER_BLOCK_FLOATS);
        int groups = Math.min(N, FILTER_GROUPS), Cr = Gemm.roundUp(C, MR), Kc = Gemm.roundUp(K, NR);
        int ldt = g.ldt, partLen = XI * Cr * Kc, Wd = 2 * g.Wt, dyLen = 2 * g.Ht * Wd * Kc;
        // Dy_xi blocks (tiles x Kc) lie xiDt apart: a power of two (512 x 32) put the 16 stores of a
        // tile in one L1 set; 16 floats of padding spread them
        int xiDt = g.blockTiles * Kc + L;
        float[] partials = Scratch.floats(Scratch.FILTER_PARTIALS, groups * partLen);
        AtomicInteger next = new AtomicInteger();
        Parallel.range(Math.min(groups, Parallel.threads()), 1, (w0, w1) -> {
            float[] planes = planeScratch(g, Scratch.WINO_X);
            float[] v = Scratch.floats(Scratch.WINO_IN, XI * g.xiStride(Cr));
            float[] dt = Scratch.floats(Scratch.WINO_OUT, XI * xiDt);
            float[] dyT = Scratch.floats(Scratch.WINO_DY, dyLen), tmp = new float[L * L];
            Arrays.fill(dyT, 0, dyLen, 0f); // pixels past H, W and channels past K stay zero
            for (int xi = 0; xi < XI; xi++) Arrays.fill(v, xi * g.xiStride(Cr) + C * ldt, xi * g.xiStride(Cr) + Cr * ldt, 0f); // rows past C
            int[] blk = new int[4];
            for (int grp; (grp = next.getAndIncrement()) < groups; ) {
                int accOff = grp * partLen;
                int n0 = (int) ((long) N * grp / groups), n1 = (int) ((long) N * (grp + 1) / groups);
                // the group's blocks: runs of whole images, or band ranges of one image (fixed, whatever the thread count)
                int step = g.imagesPerBlock > 0 ? g.imagesPerBlock : 1, bands = g.imagesPerBlock > 0 ? g.Ht : g.bandsPerBlock;
                boolean first = true; // the group's first block overwrites its partial sums
                for (int n = n0; n < n1; n += step)
                    for (int i0 = 0; i0 < g.Ht; i0 += bands) {
                        blk[0] = n;
                        blk[1] = Math.min(step, n1 - n);
                        blk[2] = i0;
                        blk[3] = Math.min(g.Ht, i0 + bands);
                        inputTransformBlock(g, x, C, Cr, blk, planes, v, ldt);
                        int tiles = 0;
                        for (int m = n; m < n + blk[1]; m++) {
                            if (i0 == 0) transposeGrad(dy, (m * K) * H * W, K, H, W, dyT, Wd, Kc, tmp);
                            tiles = gradTransformImage(g, dyT, Wd, Kc, blk[2], blk[3], dt, tiles, xiDt);
                        }
                        for (int xi = 0; xi < XI; xi++)
                            for (int c = 0; c < Cr; c += MR)
                                for (int k = 0; k < Kc; k += NR)
                                    kernelRows(tiles, v, xi * g.xiStride(Cr) + c * ldt, ldt, dt, xi * xiDt + k, Kc,
                                            partials, accOff + (xi * Cr + c) * Kc + k, Kc, !first);
                        first = false;
                    }
            }
        });
        // dU = the groups summed in order (rows of the partials read contiguously), then dW = G^T dU G
        Parallel.range(C, 1, (c0, c1) -> {
            float[] rows = new float[XI * Kc];
            double[] u = new double[XI];
            for (int c = c0; c < c1; c++) {
                for (int xi = 0; xi < XI; xi++) {
                    int o = (xi * Cr + c) * Kc;
                    System.arraycopy(partials, o, rows, xi * Kc, Kc);
                    for (int grp = 1; grp < groups; grp++) {
                        int q = grp * partLen + o;
                        for (int k = 0; k < Kc; k++) rows[xi * Kc + k] += partials[q + k];
                    }
                }
                for (int k = 0; k < K; k++) {
                    for (int xi = 0; xi < XI; xi++) u[xi] = rows[xi * Kc + k];
                    filterTile(u, dw, (k * C + c) * 9);
                }
            }
        });
    }

    /** dw[off ..] (3x3) = G^T u G for one 4x4 u, in double. */
    static void filterTile(double[] u, float[] dw, int off) {
        // G^T u (3 x 4): rows u0 + (u1 + u2) / 2, (u1 - u2) / 2, (u1 + u2) / 2 + u3, per column
        for (int r = 0; r < 3; r++) {
            double a = filterRow(u, r, 0), b = filterRow(u, r, 1), c = filterRow(u, r, 2), d = filterRow(u, r, 3);
            dw[off + 3 * r] = (float) (a + 0.5 * (b + c));
            dw[off + 3 * r + 1] = (float) (0.5 * (b - c));
            dw[off + 3 * r + 2] = (float) (0.5 * (b + c) + d);
        }
    }

    /** Row r, column q of G^T u. */
    private static double filterRow(double[] u, int r, int q) {
        double a = u[q], b = u[4 + q], c = u[8 + q], d = u[12 + q];
        return r == 0 ? a + 0.5 * (b + c) : r == 1 ? 0.5 * (b - c) : 0.5 * (b + c) + d;
    }

    /**
     * dyT[(r * Wd + col) * Kc + k] = dy[off + (k * H + r) * W + col] for r < H, col < W, k < K: one
     * image's output gradient as rows of channels (16 x 16 blocks through registers where the
     * pixels are those of an even-width map; elsewhere scalars). Other positions are not written.
     */
    static void transposeGrad(float[] dy, int off, int K, int H, int W, float[] dyT, int Wd, int Kc, float[] tmp) {
        int hw = H * W, kv = W == Wd && L == 16 ? K - K % L : 0, pv = hw - hw % L; // transpose16 is written for 16 lanes
        for (int k = 0; k < kv; k += L)
            for (int p = 0; p < pv; p += L) transpose16(dy, off + k * hw + p, hw, dyT, p * Kc + k, Kc, tmp);
        for (int k = 0; k < K; k++)
            for (int p = k < kv ? pv : 0; p < hw; p++) dyT[((p / W) * Wd + p % W) * Kc + k] = dy[off + k * hw + p];
    }

    /**
     * Dy_xi[t][k] = (A g A^T)_xi for the tiles of bands [i0, i1) of one image (its transposed
     * gradient in dyT), written from block tile {@code t0} on: dt[xi * xiDt + t * Kc + k]. Returns
     * the block tile after the last one written.
     */
    private static int gradTransformImage(Geom g, float[] dyT, int Wd, int Kc, int i0, int i1, float[] dt, int t0, int xiDt) {
        int t = t0, s = xiDt, row = Wd * Kc;
        for (int i = i0; i < i1; i++)
            for (int j = 0; j < g.Wt; j++, t++) {
                int p = (2 * i * Wd + 2 * j) * Kc;
                for (int k = 0; k < Kc; k += L) gradTile(dyT, p + k, Kc, row, dt, t * Kc + k, s);
            }
        return t;
    }

    /** The 16 values of A g A^T of one tile for L channels: g[a][b] at p + a * row + b * col; outputs s apart. */
    private static void gradTile(float[] d, int p, int col, int row, float[] dt, int o, int s) {
        FloatVector g00 = FloatVector.fromArray(SP, d, p), g01 = FloatVector.fromArray(SP, d, p + col);
        FloatVector g10 = FloatVector.fromArray(SP, d, p + row), g11 = FloatVector.fromArray(SP, d, p + row + col);
        // A over rows: (g0, g1) -> (g0, g0 + g1, g0 - g1, -g1), for both columns
        FloatVector a1 = g00.add(g10), a2 = g00.sub(g10), a3 = g10.neg();
        FloatVector b1 = g01.add(g11), b2 = g01.sub(g11), b3 = g11.neg();
        // A over columns: (c0, c1) -> (c0, c0 + c1, c0 - c1, -c1)
        g00.intoArray(dt, o);                   g00.add(g01).intoArray(dt, o + s);
        g00.sub(g01).intoArray(dt, o + 2 * s);  g01.neg().intoArray(dt, o + 3 * s);
        a1.intoArray(dt, o + 4 * s);            a1.add(b1).intoArray(dt, o + 5 * s);
        a1.sub(b1).intoArray(dt, o + 6 * s);    b1.neg().intoArray(dt, o + 7 * s);
        a2.intoArray(dt, o + 8 * s);            a2.add(b2).intoArray(dt, o + 9 * s);
        a2.sub(b2).intoArray(dt, o + 10 * s);   b2.neg().intoArray(dt, o + 11 * s);
        a3.intoArray(dt, o + 12 * s);           a3.add(b3).intoArray(dt, o + 13 * s);
        a3.sub(b3).intoArray(dt, o + 14 * s);   b3.neg().intoArray(dt, o + 15 * s);
    }

    /**
     * C[MR x NR] (+)= sum over t < depth of a[aOff + i * lda + t] (rows i < MR, broadcast) times
     * b[bOff + t * ldb + 0..NR): the micro-kernel with the broadcast operand read down eight rows
     * of V in place and the vector operand from rows of the transposed gradient.
     */
    static void kernelRows(int depth, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] C, int cOff, int ldc,
                           boolean accumulate) {
        FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71;
        int c = cOff;
        if (accumulate) {
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
        int a0 = aOff, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda, a6 = a5 + lda, a7 = a6 + lda;
        for (int t = 0, bb = bOff; t < depth; t++, bb += ldb) {
            FloatVector b0 = FloatVector.fromArray(SP, b, bb), b1 = FloatVector.fromArray(SP, b, bb + L);
            FloatVector x = FloatVector.broadcast(SP, a[a0 + t]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(SP, a[a1 + t]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(SP, a[a2 + t]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(SP, a[a3 + t]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(SP, a[a4 + t]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(SP, a[a5 + t]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(SP, a[a6 + t]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(SP, a[a7 + t]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        c = cOff;
        c00.intoArray(C, c); c01.intoArray(C, c + L); c += ldc;
        c10.intoArray(C, c); c11.intoArray(C, c + L); c += ldc;
        c20.intoArray(C, c); c21.intoArray(C, c + L); c += ldc;
        c30.intoArray(C, c); c31.intoArray(C, c + L); c += ldc;
        c40.intoArray(C, c); c41.intoArray(C, c + L); c += ldc;
        c50.intoArray(C, c); c51.intoArray(C, c + L); c += ldc;
        c60.intoArray(C, c); c61.intoArray(C, c + L); c += ldc;
        c70.intoArray(C, c); c71.intoArray(C, c + L);
    }

    // ---------------------------------------------------------------- 16 x 16 transpose

    private static final VectorShuffle<Float>[] T_UP, T_DOWN;
    private static final VectorMask<Float>[] T_MASK;

    static {
        @SuppressWarnings("unchecked")
        VectorShuffle<Float>[] up = new VectorShuffle[4], down = new VectorShuffle[4];
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] mask = new VectorMask[4];
        for (int st = 0; st < 4; st++) {
            int k = (L / 2) >> st;
            int[] u = new int[L], d = new int[L];
            boolean[] m = new boolean[L];
            for (int l = 0; l < L; l++) {
                u[l] = (l - k + L) % L;
                d[l] = (l + k) % L;
                m[l] = (l & k) != 0;
            }
            up[st] = VectorShuffle.fromArray(SP, u, 0);
            down[st] = VectorShuffle.fromArray(SP, d, 0);
            mask[st] = VectorMask.fromArray(SP, m, 0);
        }
        T_UP = up;
        T_DOWN = down;
        T_MASK = mask;
    }

    /**
     * dst[doff + j * dstride + i] = src[off + i * stride + j] for i, j < L (L = 16): four rounds of
     * exchanging half-blocks between vector pairs (rearrange + blend), two rounds per call on groups
     * of four vectors (small compilations), through {@code tmp} (L * L floats) in between.
     */
    static void transpose16(float[] src, int off, int stride, float[] dst, int doff, int dstride, float[] tmp) {
        // pass 0: rows i, i+4, i+8, i+12 (i < 4) into tmp; pass 1: rows 4q .. 4q+3 (q < 4) into dst.
        // One call site, so that C2 inlines the vector code once.
        for (int pass = 0; pass < 2; pass++) {
            boolean first = pass == 0;
            exchange4(first ? src : tmp, first ? off : 0, first ? stride : 4 * L, first ? 4 * stride : L,
                    first ? tmp : dst, first ? 0 : doff, first ? L : 4 * dstride, first ? 4 * L : dstride, 2 * pass);
        }
    }

    /**
     * For q < 4: rounds {@code round} (pairs 0-2, 1-3) and round + 1 (pairs 0-1, 2-3) of the
     * transpose on the four vectors at src[o + q * outer + r * step] (r < 4), stored at
     * dst[d + q * douter + r * dstep].
     */
    private static void exchange4(float[] src, int o, int outer, int step, float[] dst, int d, int douter, int dstep, int round) {
        VectorShuffle<Float> u0 = T_UP[round], dn0 = T_DOWN[round], u1 = T_UP[round + 1], dn1 = T_DOWN[round + 1];
        VectorMask<Float> m0 = T_MASK[round], m1 = T_MASK[round + 1];
        for (int q = 0; q < 4; q++, o += outer, d += douter) {
            FloatVector v0 = FloatVector.fromArray(SP, src, o), v1 = FloatVector.fromArray(SP, src, o + step);
            FloatVector v2 = FloatVector.fromArray(SP, src, o + 2 * step), v3 = FloatVector.fromArray(SP, src, o + 3 * step);
            FloatVector a0 = v0.blend(v2.rearrange(u0), m0), a2 = v0.rearrange(dn0).blend(v2, m0);
            FloatVector a1 = v1.blend(v3.rearrange(u0), m0), a3 = v1.rearrange(dn0).blend(v3, m0);
            a0.blend(a1.rearrange(u1), m1).intoArray(dst, d);
            a0.rearrange(dn1).blend(a1, m1).intoArray(dst, d + dstep);
            a2.blend(a3.rearrange(u1), m1).intoArray(dst, d + 2 * dstep);
            a2.rearrange(dn1).blend(a3, m1).intoArray(dst, d + 3 * dstep);
        }
    }
}
