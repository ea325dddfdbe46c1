package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import jcuda.driver.CUresult;
import org.augmix4j.cuda.Launch.Dim;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Tests of the CUDA emulator itself, with the kernels of src/test/kernels/emulator_selftest.cu run
 * through the real device layer: three planted bugs (wrong index, missing barrier, swapped
 * parameters) must be caught by comparison with a Java reference while their correct twins pass;
 * and the emulator's semantics (warp primitives, common.cuh's reductions, atomics, dynamic shared
 * memory, early exit before a barrier, shared-memory poison, red zones, fp16/bf16 rounding) must
 * match what a GPU does. Skipped on a real GPU (the test kernels are not in the fatbin).
 */
@Tag("emulated")
class EmulatorSelfTest {
    private static final int BLOCK = 256;
    private static Gpu gpu;
    private static Module module;
    private static Map<String, Kernel> kernels;

    @BeforeEach
    void load() {
        gpu = DeviceTests.requireEmulator();
        if (module != null) return;
        String ref = "AUGMIX4J-EMU-MODULE " + DeviceTests.emulatorDir().resolve("libaugmix4j_testkernels_emu.so") + "\0";
        module = Module.load(gpu, ref.getBytes(StandardCharsets.UTF_8), "the emulator self-test kernels");
        kernels = KernelSources.parse(KernelSources.testKernelsDir());
    }

    @AfterAll
    static void unload() {
        if (module != null) module.close();
    }

    private static void launch(String kernel, int n, int sharedBytes, Object... args) {
        Kernel k = kernels.get(kernel);
        if (k == null) throw new AssertionError("no kernel " + kernel + " in src/test/kernels");
        Launch.run(module, k, gpu.stream(), Dim.of(Math.max(1, (n + BLOCK - 1) / BLOCK)), Dim.of(BLOCK), sharedBytes, args);
    }

    /** Small integers as floats: every sum below is exact in any order. */
    private static float[] smallInts(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(17) - 8;
        return a;
    }

    // ---------------------------------------------------------------- planted bug 1: wrong index

    private static float[] scale(String kernel, float[] x, float a) {
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer dy = DeviceBuffer.of(gpu, new float[x.length])) {
            launch(kernel, x.length, 0, dx, dy, a, x.length);
            return dy.toFloats();
        }
    }

    @Test
    void wrongIndexIsCaughtAndTheFixPasses() {
        float[] x = new float[1000], want = new float[x.length];
        for (int i = 0; i < x.length; i++) want[i] = 3f * (x[i] = i + 1);
        assertArrayEquals(want, scale("selftest_scale", x, 3f), 0f);
        float[] bug = scale("selftest_scale_bug", x, 3f);
        assertNotEquals(Arrays.toString(want), Arrays.toString(bug), "the planted wrong index was not caught");
        assertEquals(BLOCK, firstMismatch(want, bug), "the bug leaves every block but the first unwritten");
    }

    private static int firstMismatch(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) if (Float.compare(a[i], b[i]) != 0) return i;
        return -1;
    }

    // ---------------------------------------------------------------- planted bug 2: missing barrier

    private static float blockSum(String kernel, float[] x) {
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer out = DeviceBuffer.of(gpu, new float[1])) {
            launch(kernel, x.length, 0, dx, out, x.length);
            return out.toFloats()[0];
        }
    }

    @Test
    void missingBarrierIsCaughtAndTheFixPasses() {
        float[] x = smallInts(2, 4099);  // 17 blocks: barriers cost ~3 us per thread on the emulator
        double want = 0;
        for (float v : x) want += v;
        for (int run = 0; run < 3; run++) assertEquals(want, blockSum("selftest_block_sum", x), 0.0, "correct reduction, run " + run);
        // The threads of a block really run in parallel, so the race's outcome can vary: run it
        // until it shows (it shows on the first run in practice; all runs agreeing would be a miss).
        int caught = 0;
        for (int run = 0; run < 5 && caught == 0; run++) if (blockSum("selftest_block_sum_bug", x) != want) caught++;
        assertTrue(caught > 0, "the planted missing __syncthreads() was not caught in 5 runs");
    }

    // ---------------------------------------------------------------- planted bug 3: parameter order

    /** Launches y = a*x + y; {@code swapped} passes y and x in the wrong order (the planted bug). */
    private static float[] axpy(float[] x, float[] y, boolean swapped) {
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer dy = DeviceBuffer.of(gpu, y)) {
            if (swapped) launch("selftest_axpy", x.length, 0, 2f, dy, dx, x.length);
            else launch("selftest_axpy", x.length, 0, 2f, dx, dy, x.length);
            return dy.toFloats();
        }
    }

    @Test
    void swappedParametersAreCaughtAndTheFixPasses() {
        float[] x = smallInts(3, 777), y = smallInts(4, 777), want = new float[777];
        for (int i = 0; i < want.length; i++) want[i] = 2f * x[i] + y[i];
        assertArrayEquals(want, axpy(x, y, false), 0f);
        assertNotEquals(Arrays.toString(want), Arrays.toString(axpy(x, y, true)), "the swapped buffers were not caught");
    }

    @Test
    void wrongArgumentTypesAreRejectedBeforeLaunching() {
        try (DeviceBuffer dx = DeviceBuffer.floats(gpu, 4); DeviceBuffer ints = DeviceBuffer.ints(gpu, 4)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> launch("selftest_axpy", 4, 0, 2, dx, dx, 4));  // int where float a is declared
            assertTrue(e.getMessage().contains("argument 0 (a) must be a Float"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> launch("selftest_axpy", 4, 0, 2f, ints, dx, 4));
            assertTrue(e.getMessage().contains("argument 1 (x) must be a float DeviceBuffer"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> launch("selftest_axpy", 4, 0, 2f, dx, dx));
        }
    }

    // ---------------------------------------------------------------- semantics

    @Test
    void commonBlockReductionsMatchTheReference() {
        for (int n : new int[] {1, 255, 257, 1500}) {
            float[] x = smallInts(n, n);
            int blocks = (n + BLOCK - 1) / BLOCK;
            float[] wantSums = new float[2 * blocks], wantMax = new float[blocks];
            Arrays.fill(wantMax, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < n; i++) {
                wantSums[2 * (i / BLOCK)] += x[i];
                wantSums[2 * (i / BLOCK) + 1] += 2 * x[i];
                wantMax[i / BLOCK] = Math.max(wantMax[i / BLOCK], x[i]);
            }
            try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer sums = DeviceBuffer.floats(gpu, 2L * blocks);
                 DeviceBuffer maxes = DeviceBuffer.floats(gpu, blocks)) {
                launch("selftest_block_reduce", n, 0, dx, sums, maxes, n);
                assertArrayEquals(wantSums, sums.toFloats(), 0f, "block sums, n=" + n);
                assertArrayEquals(wantMax, maxes.toFloats(), 0f, "block maxima, n=" + n);
            }
        }
    }

    @Test
    void warpPrimitivesFollowCudaSemantics() {
        int n = 300;  // the last block's last warps run past n with v = 0
        SplittableRandom r = new SplittableRandom(5);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = r.nextInt(201) - 100;
        int blocks = (n + BLOCK - 1) / BLOCK;
        int[] v = Arrays.copyOf(x, blocks * BLOCK), want = new int[6 * n];
        for (int i = 0; i < n; i++) {
            int lane = i % 32, warp = i - lane, ballot = 0;
            for (int l = 0; l < 32; l++) if (v[warp + l] > 0) ballot |= 1 << l;
            int seg = lane & ~7;
            want[6 * i] = lane + 1 < 32 ? v[i + 1] : v[i];
            want[6 * i + 1] = lane >= 3 ? v[i - 3] : v[i];
            want[6 * i + 2] = v[warp + 7];
            want[6 * i + 3] = v[warp + (lane ^ 5)];
            want[6 * i + 4] = ballot;
            want[6 * i + 5] = lane + 2 < seg + 8 ? v[i + 2] : v[i];
        }
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer out = DeviceBuffer.ints(gpu, 6L * n)) {
            launch("selftest_warp", n, 0, dx, out, n);
            assertArrayEquals(want, out.toInts());
        }
    }

    @Test
    void atomicsCountEveryThread() {
        int n = 10_001;
        SplittableRandom r = new SplittableRandom(6);
        int[] x = new int[n];
        int max = Integer.MIN_VALUE, min = Integer.MAX_VALUE, sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = r.nextInt(2001) - 1000;
            max = Math.max(max, x[i]);
            min = Math.min(min, x[i]);
            sum += x[i];
        }
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer stats = DeviceBuffer.of(gpu, new int[] {0, Integer.MIN_VALUE, Integer.MAX_VALUE, 0})) {
            launch("selftest_atomics", n, 0, dx, stats, n);
            assertArrayEquals(new int[] {n, max, min, sum}, stats.toInts());
        }
    }

    @Test
    void dynamicSharedMemoryAndEarlyExitBeforeABarrier() {
        int n = 600;
        float[] x = smallInts(7, n), reversed = new float[n], pairs = new float[n];
        for (int i = 0; i < n; i++) {
            int base = i / BLOCK * BLOCK, j = base + BLOCK - 1 - (i - base);
            if (j < n) reversed[j] = x[i];
            boolean next = (i + 1) % BLOCK != 0 && i + 1 < n;
            pairs[i] = x[i] + (next ? x[i + 1] : 0f);
        }
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, x); DeviceBuffer y = DeviceBuffer.of(gpu, new float[n])) {
            launch("selftest_reverse_dynamic", n, BLOCK * Float.BYTES, dx, y, n);
            assertArrayEquals(reversed, y.toFloats(), 0f);  // slots whose mirror lies past n get 0, as y held
            launch("selftest_early_exit", n, 0, dx, y, n);
            assertArrayEquals(pairs, y.toFloats(), 0f);
        }
    }

    @Test
    void sharedMemoryNobodyWroteReadsAsNaN() {
        try (DeviceBuffer y = DeviceBuffer.of(gpu, new float[32])) {
            Launch.run(module, kernels.get("selftest_read_unwritten_shared"), gpu.stream(), Dim.of(1), Dim.of(32), 0, y);
            for (float v : y.toFloats()) assertTrue(Float.isNaN(v), "the emulator poisons shared memory before each block");
        }
    }

    @Test
    void writingPastTheEndIsAnIllegalAddressNamingTheKernel() {
        int n = 128;  // 512 bytes: exactly one size class, so y[n] lands in the emulator's red zone
        try (DeviceBuffer y = DeviceBuffer.floats(gpu, n)) {
            CudaException e = assertThrows(CudaException.class, () -> launch("selftest_write_past_end", n + 1, 0, y, n));
            assertEquals(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, e.result());
            assertTrue(e.getMessage().contains("selftest_write_past_end"), e.getMessage());
        }
    }

    @Test
    void halfAndBfloat16RoundToNearestEven() {
        float[] x = {0f, -0f, 1f, 1.0009765625f, 1.00048828125f, 1.00146484375f, 65504f, 65519.99f, 65520f, -70000f,
            6.1035156e-05f, 5.9604645e-08f, 2.9802322e-08f, 2.9802326e-08f, 8.940697e-08f, 1e-10f, 3.3895314e38f,
            Float.MAX_VALUE, Float.MIN_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            1.00390625f, 1.01171875f, 1.005859375f, -3.1415927f};
        SplittableRandom r = new SplittableRandom(8);
        float[] all = Arrays.copyOf(x, x.length + 5000);
        for (int i = x.length; i < all.length; i++) all[i] = Float.intBitsToFloat(r.nextInt());
        int n = all.length;
        try (DeviceBuffer dx = DeviceBuffer.of(gpu, all); DeviceBuffer h = DeviceBuffer.floats(gpu, n); DeviceBuffer b = DeviceBuffer.floats(gpu, n)) {
            launch("selftest_round_half_bf16", n, 0, dx, h, b, n);
            float[] gotH = h.toFloats(), gotB = b.toFloats();
            for (int i = 0; i < n; i++) {
                assertSame(roundHalf(all[i]), gotH[i], "fp16 of " + all[i]);
                assertSame(roundBf16(all[i]), gotB[i], "bf16 of " + all[i]);
            }
        }
    }

    private static void assertSame(float want, float got, String what) {
        if (Float.isNaN(want) ? !Float.isNaN(got) : Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
            throw new AssertionError(what + ": want " + want + ", got " + got);
        }
    }

    /** fp16 round to nearest even, computed independently in double: a multiple of the ulp at x's binade. */
    static float roundHalf(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x)) return x;
        double ulp = Math.scalb(1.0, Math.max(Math.getExponent(x), -14) - 10);
        double q = Math.rint(x / ulp) * ulp;
        return Math.abs(q) > 65504 ? Math.copySign(Float.POSITIVE_INFINITY, x) : (float) Math.copySign(q, x);
    }

    /** bf16 round to nearest even: 8 significant bits. */
    static float roundBf16(float x) {
        if (Float.isNaN(x) || Float.isInfinite(x)) return x;
        double ulp = Math.scalb(1.0, Math.max(Math.getExponent(x), -126) - 7);
        double q = Math.rint(x / ulp) * ulp;
        return Math.abs(q) > Float.MAX_VALUE ? Math.copySign(Float.POSITIVE_INFINITY, x) : (float) Math.copySign(q, x);
    }
}
