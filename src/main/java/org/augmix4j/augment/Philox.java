package org.augmix4j.augment;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11; the
 * Random123 reference algorithm) and the counter layout every AugMix4J random draw uses.
 *
 * <h2>The generator</h2>
 * A pure function of a 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)}
 * returning four 32-bit words. Ten rounds of
 * <pre>
 *   (hi0, lo0) = 0xD2511F53 * c0      (32x32 -> 64-bit unsigned product)
 *   (hi1, lo1) = 0xCD9E8D57 * c2
 *   (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * </pre>
 * with the key bumped ({@code k0 += 0x9E3779B9, k1 += 0xBB67AE85}, mod 2^32) before rounds 2..10.
 * Only integer multiply, xor and add: bit-identical in Java and CUDA ({@code __umulhi}).
 * Verified against Random123's {@code kat_vectors} (see PhiloxTest).
 *
 * <h2>Counter layout (the contract shared with the CUDA kernel)</h2>
 * <pre>
 *   key  k0 = (uint32) seed,  k1 = (uint32) (seed >>> 32)        (seed = the run seed, 64 bit)
 *   c0 = sample   (the dataset index of the image, uint32)
 *   c1 = epoch    (uint32)
 *   c2 = tag &lt;&lt; 24 | view &lt;&lt; 16 | chain &lt;&lt; 8 | step              (each field 8 bits)
 *   c3 = draw     (block number inside the sub-stream, 0, 1, 2, ...)
 * </pre>
 * Tags and what each block's four words {@code w0..w3} mean:
 * <table>
 * <caption>sub-streams</caption>
 * <tr><th>tag</th><th>(view, chain, step)</th><th>use</th></tr>
 * <tr><td>{@link #TAG_STEP} 1</td><td>(v, i, j): AugMix view v &ge; 1, chain i, step j</td>
 *   <td>draw 0: op = {@code uniformInt(w0, nOps)}; level = {@code 0.1 + (severity - 0.1) * u53(w1, w2)};
 *   sign flip iff {@code w3 >>> 31 == 1}</td></tr>
 * <tr><td>{@link #TAG_DEPTH} 2</td><td>(v, i, 0)</td><td>draw 0: depth = {@code 1 + uniformInt(w0, 3)} (when depth &le; 0)</td></tr>
 * <tr><td>{@link #TAG_DIRICHLET} 3</td><td>(v, k, 0): component k of w</td>
 *   <td>the uniform sequence of the gamma draw for w_k (see below)</td></tr>
 * <tr><td>{@link #TAG_BETA} 4</td><td>(v, k, 0): k = 0, 1 (the two gammas of m)</td>
 *   <td>uniform sequence; alpha = 1 uses only the first uniform of k = 0: m = U_0</td></tr>
 * <tr><td>{@link #TAG_CROP} 5</td><td>(0, 0, 0)</td>
 *   <td>draw 0: flip iff {@code w0 >>> 31 == 1}; top = {@code uniformInt(w1, 2 pad + 1)};
 *   left = {@code uniformInt(w2, 2 pad + 1)}; shared by all views of the sample</td></tr>
 * <tr><td>{@link #TAG_SHUFFLE} 6</td><td>c0 = block b, c1 = epoch, c2 = 6 &lt;&lt; 24</td>
 *   <td>the epoch permutation (see {@link #shuffle})</td></tr>
 * <tr><td>{@link #TAG_DROPOUT} 7</td><td>c0 = i &gt;&gt;&gt; 2, c1 = (uint32) counter, c2 = 7 &lt;&lt; 24,
 *   c3 = (uint32) (counter &gt;&gt;&gt; 32)</td>
 *   <td>dropout masks ({@code ops.Dropout.mask}, kernels/dropout.cu): element i keeps iff
 *   {@code u24(w[i & 3]) >= p}; the caller's seed and 64-bit counter name the mask</td></tr>
 * </table>
 * A <em>uniform sequence</em> U_0, U_1, ... of a sub-stream: {@code U_k = u53(w[2(k&1)], w[2(k&1)+1])}
 * of block {@code draw = k >>> 1}. Different (tag, epoch, sample, view, chain, step, draw) give
 * different counters, hence independent draws.
 *
 * <h2>Conversions (exact; integer ops and one exact double multiply)</h2>
 * <ul>
 * <li>{@link #u53}: {@code ((a >>> 5) * 2^26 + (b >>> 6)) * 2^-53}, a double in [0, 1) with 53
 *     random bits (every value exactly representable).</li>
 * <li>{@link #u24}: {@code (a >>> 8) * 2^-24}, a float in [0, 1).</li>
 * <li>{@link #uniformInt}: {@code (a * n) >>> 32} on unsigned 64-bit: an integer in [0, n), bias
 *     below n / 2^32.</li>
 * <li>{@link #uniformInt64}: {@code floor(x * n / 2^64)} for a 64-bit {@code x = a << 32 | b}, bias
 *     below n / 2^64.</li>
 * </ul>
 */
public final class Philox {
    public static final int M0 = 0xD2511F53, M1 = 0xCD9E8D57;
    public static final int W0 = 0x9E3779B9, W1 = 0xBB67AE85;

    public static final int TAG_STEP = 1;
    public static final int TAG_DEPTH = 2;
    public static final int TAG_DIRICHLET = 3;
    public static final int TAG_BETA = 4;
    public static final int TAG_CROP = 5;
    public static final int TAG_SHUFFLE = 6;
    public static final int TAG_DROPOUT = 7;

    private Philox() {}

    /**
     * Philox4x32 with {@code rounds} rounds (10 is the standard; other counts only for the
     * known-answer vectors). Writes the four output words to {@code out[0..3]}.
     */
    public static void philox4x32(int rounds, int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int r = 0; r < rounds; r++) {
            if (r > 0) {
                k0 += W0;
                k1 += W1;
            }
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int hi0 = (int) (p0 >>> 32), lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32), lo1 = (int) p1;
            int n0 = hi1 ^ c1 ^ k0;
            int n2 = hi0 ^ c3 ^ k1;
            c0 = n0;
            c1 = lo1;
            c2 = n2;
            c3 = lo0;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Philox4x32-10 of one counter under the key derived from {@code seed}. */
    public static void block(long seed, int c0, int c1, int c2, int c3, int[] out) {
        philox4x32(10, c0, c1, c2, c3, (int) seed, (int) (seed >>> 32), out);
    }

    /** The {@code c2} word: {@code tag << 24 | view << 16 | chain << 8 | step}. */
    public static int c2(int tag, int view, int chain, int step) {
        if ((tag | view | chain | step) >>> 8 != 0) {
            throw new IllegalArgumentException("Philox counter field out of 0..255: tag " + tag + ", view " + view
                    + ", chain " + chain + ", step " + step);
        }
        return tag << 24 | view << 16 | chain << 8 | step;
    }

    /** The block {@code draw} of sub-stream (tag, view, chain, step) of (sample, epoch). */
    public static void draw(long seed, int epoch, int sample, int tag, int view, int chain, int step, int draw, int[] out) {
        block(seed, sample, epoch, c2(tag, view, chain, step), draw, out);
    }

    /** A double in [0, 1) from two words: 27 high bits of a, 26 high bits of b. */
    public static double u53(int a, int b) {
        long hi = (a >>> 5), lo = (b >>> 6);
        return (hi * 67108864L + lo) * 0x1.0p-53;
    }

    /** A float in [0, 1) from the 24 high bits of a. */
    public static float u24(int a) {
        return (a >>> 8) * 0x1.0p-24f;
    }

    /** An integer in [0, n) from one word: {@code (a * n) >>> 32}, n in [1, 2^31). */
    public static int uniformInt(int a, int n) {
        return (int) (((a & 0xFFFFFFFFL) * n) >>> 32);
    }

    /** An integer in [0, n) from a 64-bit word {@code hi << 32 | lo}: {@code floor(x * n / 2^64)}. */
    public static int uniformInt64(int hi, int lo, int n) {
        long h = (hi & 0xFFFFFFFFL) * n;
        long l = ((lo & 0xFFFFFFFFL) * n) >>> 32;
        return (int) ((h + l) >>> 32);
    }

    /**
     * A sequential reader of the uniform sequence U_0, U_1, ... of one sub-stream (see class doc):
     * U_k comes from block {@code draw = k >>> 1}, words {@code 2(k&1), 2(k&1)+1}. Not thread-safe;
     * cheap to create.
     */
    public static final class Uniforms {
        private final long seed;
        private final int c0, c1, c2;
        private final int[] buf = new int[4];
        private int k;

        public Uniforms(long seed, int epoch, int sample, int tag, int view, int chain, int step) {
            this.seed = seed;
            this.c0 = sample;
            this.c1 = epoch;
            this.c2 = c2(tag, view, chain, step);
        }

        /** U_k in [0, 1), then k++. */
        public double next() {
            if ((k & 1) == 0) block(seed, c0, c1, c2, k >>> 1, buf);
            int o = 2 * (k & 1);
            k++;
            return u53(buf[o], buf[o + 1]);
        }

        /** How many uniforms have been read. */
        public int count() { return k; }
    }

    /** Flip and crop offsets of the CIFAR train transform for (sample, epoch). */
    public record Crop(boolean flip, int top, int left) {}

    /** The train-transform draws of (sample, epoch): flip p = 0.5, top/left uniform in 0..2 pad. */
    public static Crop crop(long seed, int epoch, int sample, int pad) {
        int[] w = new int[4];
        draw(seed, epoch, sample, TAG_CROP, 0, 0, 0, 0, w);
        int n = 2 * pad + 1;
        return new Crop((w[0] >>> 31) == 1, uniformInt(w[1], n), uniformInt(w[2], n));
    }

    /**
     * The epoch's permutation of {@code 0..n-1} (sampling order of the training set): Fisher-Yates,
     * for i = n-1 down to 1 swap entries i and j = {@code uniformInt64(x_i, i + 1)} where the 64-bit
     * x_i = words {@code (2(i&1), 2(i&1)+1)} of block {@code (c0 = i >>> 1, c1 = epoch, c2 = TAG_SHUFFLE << 24, c3 = 0)}.
     */
    public static int[] shuffle(long seed, int epoch, int n) {
        if (n < 0) throw new IllegalArgumentException("shuffle: negative size " + n);
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        int[] w = new int[4];
        int c2 = TAG_SHUFFLE << 24;
        int loaded = -1;
        for (int i = n - 1; i >= 1; i--) {
            int b = i >>> 1;
            if (b != loaded) {
                block(seed, b, epoch, c2, 0, w);
                loaded = b;
            }
            int o = 2 * (i & 1);
            int j = uniformInt64(w[o], w[o + 1], i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
