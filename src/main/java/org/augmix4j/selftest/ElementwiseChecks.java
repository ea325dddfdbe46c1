package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Elementwise;
import org.augmix4j.ops.ElementwiseCuda;

/**
 * The kernels of kernels/elementwise.cu through {@link ElementwiseCuda}, against {@link Elementwise},
 * bit for bit, at sizes that are not multiples of the block size, with special values in the input.
 */
final class ElementwiseChecks {
    private ElementwiseChecks() {}

    private static final int[] SIZES = {1, 255, 257, 100_003};

    /** The op on both sides: {@code cpu} on Java arrays, {@code gpu} on device buffers; args[0..] are the inputs/outputs. */
    private interface Op {
        void cpu(float[][] a, int n, float scalar);

        void gpu(DeviceBuffer[] a, int n, float scalar);
    }

    private static SelfCheck check(String kernel, int arrays, Op op) {
        return new SelfCheck() {
            @Override public String name() { return kernel; }

            @Override public Needs needs() { return Needs.KERNELS; }

            @Override public Set<String> kernels() { return Set.of(kernel); }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                SplittableRandom r = ctx.random(kernel);
                for (int n : SIZES) {
                    float scalar = (float) (r.nextDouble() * 4 - 2);
                    float[][] want = new float[arrays][], start = new float[arrays][];
                    for (int i = 0; i < arrays; i++) {
                        start[i] = random(r, n);
                        want[i] = start[i].clone();
                    }
                    op.cpu(want, n, scalar);
                    List<DeviceBuffer> bufs = new ArrayList<>();
                    try {
                        for (float[] s : start) bufs.add(DeviceBuffer.of(gpu, s));
                        op.gpu(bufs.toArray(new DeviceBuffer[0]), n, scalar);
                        for (int i = 0; i < arrays; i++) {
                            float[] got = bufs.get(i).toFloats();
                            int bad = Compare.firstBitMismatch(got, want[i], n);
                            if (bad >= 0) {
                                double[] e = Compare.errors(got, want[i], n, 1e-30);
                                return new Result(e[0], e[1], "bit-exact", false, "n=" + n + ", array " + i + ": first mismatch at "
                                        + bad + ": want " + want[i][bad] + ", got " + got[bad]);
                            }
                        }
                    } finally {
                        for (DeviceBuffer b : bufs) b.close();
                    }
                }
                return new Result(0, 0, "bit-exact", true, "n in " + java.util.Arrays.toString(SIZES));
            }
        };
    }

    /** Floats in [-4, 4) with signed zeros, infinities, NaN and subnormals sprinkled in. */
    static float[] random(SplittableRandom r, int n) {
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, -1e-40f};
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(16) == 0 ? special[r.nextInt(special.length)] : (float) (r.nextDouble() * 8 - 4);
        return a;
    }

    static List<SelfCheck> all() {
        return List.of(
                check("relu_forward", 2, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.reluForward(a[0], a[1], n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.reluForward(a[0], a[1], n); }
                }),
                check("relu_backward", 3, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.reluBackward(a[0], a[1], a[2], n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.reluBackward(a[0], a[1], a[2], n); }
                }),
                check("relu_mask_backward", 2, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.reluMask(a[0], a[1], n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.reluMask(a[0], a[1], n); }
                }),
                check("add_forward", 3, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.add(a[0], a[1], a[2], n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.add(a[0], a[1], a[2], n); }
                }),
                check("accumulate_forward", 2, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.accumulate(a[0], a[1], n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.accumulate(a[0], a[1], n); }
                }),
                check("fill_forward", 1, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.fill(a[0], s, n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.fill(a[0], s, n); }
                }),
                check("scale_forward", 1, new Op() {
                    public void cpu(float[][] a, int n, float s) { Elementwise.scale(a[0], s, n); }

                    public void gpu(DeviceBuffer[] a, int n, float s) { ElementwiseCuda.scale(a[0], s, n); }
                }));
    }
}
