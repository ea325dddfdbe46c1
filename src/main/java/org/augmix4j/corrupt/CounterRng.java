package org.augmix4j.corrupt;

/**
 * Counter-based random numbers for the corruptions: draw {@code k} (1, 2, 3, ...) of a stream is
 * {@code mix64(key + k * GAMMA)} (the SplitMix64 output function applied to a Weyl sequence), so
 * any draw can be computed without the ones before it and a CUDA kernel can reproduce a stream.
 *
 * <p>Every image gets its own stream, keyed by {@link #key(long, String, int, long)} from (seed,
 * corruption name, severity, image index): results never depend on threading or batch size.
 *
 * <p>Samplers: {@link #nextDouble()} is {@code (bits >>> 11) * 2^-53} in [0, 1);
 * {@link #nextGaussian()} is Box–Muller (cosine branch only) over two consecutive draws,
 * {@link #gaussianAt} uses both branches of each pair;
 * {@link #nextPoisson(double)} is the multiplication method for lambda &lt; 10 and Hörmann's PTRS
 * (transformed rejection with squeeze) above, both exact in distribution.
 *
 * <p>Not thread-safe: one instance per image (cheap: two longs).
 */
public final class CounterRng {
    /** The golden-ratio Weyl increment of SplitMix64. */
    public static final long GAMMA = 0x9E3779B97F4A7C15L;

    private long key;
    private long counter;

    public CounterRng(long key) { this.key = key; }

    /** Re-keys this instance and rewinds it to draw 1 (avoids allocation in per-value streams). */
    public CounterRng reset(long newKey) {
        this.key = newKey;
        this.counter = 0;
        return this;
    }

    public long key() { return key; }

    /** Number of 64-bit draws taken so far. */
    public long position() { return counter; }

    /** SplitMix64's finaliser (Stafford variant 13). */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** 64-bit FNV-1a of the UTF-16 code units of {@code s} (ASCII names: of their bytes). */
    public static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001B3L;
        }
        return h;
    }

    /**
     * The stream key of one image: {@code k0 = mix64(seed + G); k1 = mix64(k0 ^ fnv1a64(name));
     * k2 = mix64(k1 + severity * G); key = mix64(k2 ^ mix64(index + G))}.
     */
    public static long key(long seed, String corruption, int severity, long index) {
        return imageKey(severityKey(seed, corruption, severity), index);
    }

    /**
     * The first three steps of {@link #key}, shared by every image of one (seed, corruption,
     * severity): {@code k2} above. The CUDA kernels receive it and finish the key per image.
     */
    public static long severityKey(long seed, String corruption, int severity) {
        long k = mix64(seed + GAMMA);
        k = mix64(k ^ fnv1a64(corruption));
        return mix64(k + severity * GAMMA);
    }

    /** The last step of {@link #key}: {@code mix64(severityKey ^ mix64(index + G))}. */
    public static long imageKey(long severityKey, long index) { return mix64(severityKey ^ mix64(index + GAMMA)); }

    /** Key of sub-stream {@code j} of stream {@code key} (e.g. one per pixel value). */
    public static long subKey(long key, long j) { return mix64(key ^ mix64(j * GAMMA + 0x632BE59BD9B4E019L)); }

    /** Draw {@code k} (1-based) of stream {@code key}, without state. */
    public static long at(long key, long k) { return mix64(key + k * GAMMA); }

    /** Uniform double in [0,1) made from draw {@code k} of stream {@code key}. */
    public static double uniformAt(long key, long k) { return (at(key, k) >>> 11) * 0x1.0p-53; }

    /**
     * Standard normal value {@code j} of stream {@code key}: Box–Muller on pair p = j/2, draws
     * 2p+1 (u1 in (0,1]) and 2p+2 (u2 in [0,1)); r·cos(2πu2) for even j, r·sin(2πu2) for odd j.
     */
    public static double gaussianAt(long key, long j) {
        long p = j >>> 1;
        double u1 = ((at(key, 2 * p + 1) >>> 11) + 1) * 0x1.0p-53;
        double u2 = (at(key, 2 * p + 2) >>> 11) * 0x1.0p-53;
        double r = Math.sqrt(-2.0 * Math.log(u1)), t = 2.0 * Math.PI * u2;
        return (j & 1) == 0 ? r * Math.cos(t) : r * Math.sin(t);
    }

    /** Fills {@code out[0..n)} with {@code gaussianAt(key, 0..n-1)} (both branches per pair). */
    public static void gaussians(long key, double[] out, int n) {
        for (int j = 0; j < n; j += 2) {
            long p = j >>> 1;
            double u1 = ((at(key, 2 * p + 1) >>> 11) + 1) * 0x1.0p-53;
            double u2 = (at(key, 2 * p + 2) >>> 11) * 0x1.0p-53;
            double r = Math.sqrt(-2.0 * Math.log(u1)), t = 2.0 * Math.PI * u2;
            out[j] = r * Math.cos(t);
            if (j + 1 < n) out[j + 1] = r * Math.sin(t);
        }
    }

    public long nextLong() { return mix64(key + (++counter) * GAMMA); }

    /** Uniform in [0, 1). */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [lo, hi) as NumPy computes it: lo + (hi - lo) * u. */
    public double uniform(double lo, double hi) { return lo + (hi - lo) * nextDouble(); }

    /** Uniform integer in [lo, hiExclusive) (floor of a 53-bit uniform times the range; bias &lt; 2^-40). */
    public int nextInt(int lo, int hiExclusive) {
        int n = hiExclusive - lo;
        if (n <= 0) throw new IllegalArgumentException("empty range [" + lo + ", " + hiExclusive + ")");
        return lo + (int) (nextDouble() * n);
    }

    /** Standard normal: Box–Muller on the next two draws (cosine branch). */
    public double nextGaussian() {
        double u1 = ((nextLong() >>> 11) + 1) * 0x1.0p-53;
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Normal with mean {@code mu} and standard deviation {@code sd}. */
    public double nextGaussian(double mu, double sd) { return mu + sd * nextGaussian(); }

    /** Poisson(lambda) sample, exact in distribution for any lambda &ge; 0 (tested up to 10^4). */
    public long nextPoisson(double lambda) {
        if (!(lambda >= 0)) throw new IllegalArgumentException("Poisson lambda must be >= 0: " + lambda);
        if (lambda == 0) return 0;
        if (lambda < 10) {
            double limit = Math.exp(-lambda), p = 1.0;
            long k = 0;
            while (true) {
                p *= nextDouble();
                if (p <= limit) return k;
                k++;
            }
        }
        // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random
        // variables", Insurance: Mathematics and Economics 12 (1993).
        double slam = Math.sqrt(lambda), loglam = Math.log(lambda);
        double b = 0.931 + 2.53 * slam;
        double a = -0.059 + 0.02483 * b;
        double invAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = nextDouble() - 0.5;
            double v = nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + lambda + 0.43);
            if (us >= 0.07 && v <= vr) return k;
            if (k < 0 || (us < 0.013 && v > us)) continue;
            if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b)
                    <= -lambda + k * loglam - logFactorial(k)) {
                return k;
            }
        }
    }

    private static final int LOG_FACT_TABLE = 1024;
    private static final double[] LOG_FACT = new double[LOG_FACT_TABLE];

    static {
        double s = 0;
        for (int i = 1; i < LOG_FACT_TABLE; i++) {
            s += Math.log(i);
            LOG_FACT[i] = s;
        }
    }

    /** A copy of the log(k!) table for k &lt; 1024 (the CUDA shot-noise kernel gets the same values). */
    static double[] logFactorialTable() { return LOG_FACT.clone(); }

    /** log(k!) : table below 1024, Stirling's series above (error &lt; 1e-15 relative). */
    static double logFactorial(long k) {
        if (k < LOG_FACT_TABLE) return LOG_FACT[(int) k];
        double n = k + 1.0; // lgamma(n)
        double inv = 1.0 / n, inv2 = inv * inv;
        return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI)
                + inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 / 1680)));
    }
}
