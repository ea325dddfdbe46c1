package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.AvgPool;
import org.augmix4j.ops.AvgPoolCuda;
import org.augmix4j.ops.Concat;
import org.augmix4j.ops.ConcatCuda;
import org.augmix4j.ops.MaxPool;
import org.augmix4j.ops.MaxPoolCuda;

/**
 * The model zoo's pooling and concatenation kernels (kernels/maxpool.cu, avgpool.cu, concat.cu)
 * through their launchers against the CPU references {@link MaxPool}, {@link AvgPool},
 * {@link Concat}, BIT FOR BIT (the kernels do the reference's operations in its order; see each .cu's
 * contract), on small shapes that are not multiples of the block size, with overlapping windows
 * (k > s), gaps (k < s) and floor cropping; the backward outputs start from non-zero values, since
 * every backward accumulates.
 */
final class ZooPoolChecks {
    private ZooPoolChecks() {}

    /** {n, c, h, w, k, s}: overlapping k=3 s=2 on 7x9, DenseNet's 2x2 on an odd map, AvgPool2d(8) on 10x10, k < s. */
    private static final int[][] POOL_SHAPES = {{3, 5, 7, 9, 3, 2}, {2, 3, 15, 17, 2, 2}, {2, 7, 10, 10, 8, 8}, {2, 3, 9, 10, 2, 3}};

    static List<SelfCheck> all() { return List.of(maxPool(), avgPool(), concat()); }

    private interface Body {
        /** Adds {got, want} pairs (and their names) for the context's GPU. */
        void run(Gpu gpu, SplittableRandom r, List<String> names, List<float[][]> outs);
    }

    private static SelfCheck check(String name, Set<String> kernels, String detail, Body body) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return Needs.KERNELS; }

            @Override public Set<String> kernels() { return kernels; }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                List<String> names = new ArrayList<>();
                List<float[][]> outs = new ArrayList<>();
                body.run(gpu, ctx.random(name), names, outs);
                for (int i = 0; i < outs.size(); i++) {
                    float[] got = outs.get(i)[0], want = outs.get(i)[1];
                    int bad = Compare.firstBitMismatch(got, want, want.length);
                    if (bad >= 0) {
                        double[] e = Compare.errors(got, want, want.length, 1);
                        return new Result(e[0], e[1], "bit-exact", false, names.get(i) + ": first mismatch at " + bad + ": want "
                                + want[bad] + ", got " + got[bad]);
                    }
                }
                return new Result(0, 0, "bit-exact", true, detail);
            }
        };
    }

    static SelfCheck maxPool() {
        return check("max pool kernels (fwd, bwd)", Set.of("max_pool_forward", "max_pool_backward"),
                "4 shapes incl. k > s, k < s, 8x8 on 10x10; ties and NaN", (gpu, r, names, outs) -> {
                    for (int[] sh : POOL_SHAPES) {
                        int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
                        int nx = n * c * h * w, ny = n * c * ((h - k) / s + 1) * ((w - k) / s + 1);
                        float[] x = Compare.uniform(r, nx, -2, 2);
                        for (int i = 0; i < nx; i++) x[i] = i % 97 == 0 ? Float.NaN : Math.round(x[i] * 4) / 4f;  // ties
                        float[] dy = Compare.uniform(r, ny, -1, 1), dx0 = Compare.uniform(r, nx, -1, 1), y = new float[ny], dx = dx0.clone();
                        MaxPool.forward(x, y, n, c, h, w, k, s);
                        MaxPool.backward(x, dy, dx, n, c, h, w, k, s);
                        try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dY = DeviceBuffer.floats(gpu, ny);
                             DeviceBuffer dDy = DeviceBuffer.of(gpu, dy); DeviceBuffer dDx = DeviceBuffer.of(gpu, dx0)) {
                            MaxPoolCuda.forward(dX, dY, n, c, h, w, k, s);
                            MaxPoolCuda.backward(dX, dDy, dDx, n, c, h, w, k, s);
                            String tag = java.util.Arrays.toString(sh).replace(" ", "");
                            names.addAll(List.of("y " + tag, "dx " + tag));
                            outs.add(new float[][] {dY.toFloats(), y});
                            outs.add(new float[][] {dDx.toFloats(), dx});
                        }
                    }
                });
    }

    static SelfCheck avgPool() {
        return check("avg pool kernels (fwd, bwd)", Set.of("avg_pool_forward", "avg_pool_backward"),
                "4 shapes incl. k > s, k < s, 8x8 on 10x10", (gpu, r, names, outs) -> {
                    for (int[] sh : POOL_SHAPES) {
                        int n = sh[0], c = sh[1], h = sh[2], w = sh[3], k = sh[4], s = sh[5];
                        int nx = n * c * h * w, ny = n * c * ((h - k) / s + 1) * ((w - k) / s + 1);
                        float[] x = Compare.uniform(r, nx, -3, 3), dy = Compare.uniform(r, ny, -1, 1), dx0 = Compare.uniform(r, nx, -1, 1);
                        float[] y = new float[ny], dx = dx0.clone();
                        AvgPool.forward(x, y, n, c, h, w, k, s);
                        AvgPool.backward(dy, dx, n, c, h, w, k, s);
                        try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dY = DeviceBuffer.floats(gpu, ny);
                             DeviceBuffer dDy = DeviceBuffer.of(gpu, dy); DeviceBuffer dDx = DeviceBuffer.of(gpu, dx0)) {
                            AvgPoolCuda.forward(dX, dY, n, c, h, w, k, s);
                            AvgPoolCuda.backward(dDy, dDx, n, c, h, w, k, s);
                            String tag = java.util.Arrays.toString(sh).replace(" ", "");
                            names.addAll(List.of("y " + tag, "dx " + tag));
                            outs.add(new float[][] {dY.toFloats(), y});
                            outs.add(new float[][] {dDx.toFloats(), dx});
                        }
                    }
                });
    }

    static SelfCheck concat() {
        return check("concat kernels (fwd, bwd)", Set.of("concat_forward", "concat_backward"),
                "(N, Ca, Cb, HW) = (3, 24, 12, 64), (2, 5, 3, 63)", (gpu, r, names, outs) -> {
                    for (int[] sh : new int[][] {{3, 24, 12, 64}, {2, 5, 3, 63}}) {
                        int n = sh[0], ca = sh[1], cb = sh[2], hw = sh[3], ny = n * (ca + cb) * hw;
                        float[] a = Compare.uniform(r, n * ca * hw, -1, 1), b = Compare.uniform(r, n * cb * hw, -1, 1);
                        float[] dy = Compare.uniform(r, ny, -1, 1), da0 = Compare.uniform(r, a.length, -1, 1), db0 = Compare.uniform(r, b.length, -1, 1);
                        float[] y = new float[ny], da = da0.clone(), db = db0.clone();
                        Concat.forward(a, ca, b, cb, y, n, hw);
                        Concat.backward(dy, da, db, n, ca, cb, hw);
                        try (DeviceBuffer dA = DeviceBuffer.of(gpu, a); DeviceBuffer dB = DeviceBuffer.of(gpu, b);
                             DeviceBuffer dY = DeviceBuffer.floats(gpu, ny); DeviceBuffer dDy = DeviceBuffer.of(gpu, dy);
                             DeviceBuffer dDa = DeviceBuffer.of(gpu, da0); DeviceBuffer dDb = DeviceBuffer.of(gpu, db0)) {
                            ConcatCuda.forward(dA, ca, dB, cb, dY, n, hw);
                            ConcatCuda.backward(dDy, dDa, dDb, n, ca, cb, hw);
                            String tag = java.util.Arrays.toString(sh).replace(" ", "");
                            names.addAll(List.of("y " + tag, "da " + tag, "db " + tag));
                            outs.add(new float[][] {dY.toFloats(), y});
                            outs.add(new float[][] {dDa.toFloats(), da});
                            outs.add(new float[][] {dDb.toFloats(), db});
                        }
                    }
                });
    }
}
