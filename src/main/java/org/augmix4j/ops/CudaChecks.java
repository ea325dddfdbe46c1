package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Kernels;
import org.augmix4j.cuda.Launch;
import org.augmix4j.cuda.Module;
import org.augmix4j.cuda.Stream;
import org.augmix4j.tensor.ShapeException;

/** Argument checks and launch helpers shared by the ops' GPU launchers (the *Cuda classes). */
final class CudaChecks {
    private CudaChecks() {}

    /** Fails unless {@code b} holds at least {@code need} elements (and need fits a kernel's int sizes). */
    static void length(String op, String name, DeviceBuffer b, long need, String shape) {
        ShapeException.check(need <= Integer.MAX_VALUE, op, name + " " + shape + " has more than 2^31-1 elements; split the batch");
        if (b.length() < need) {
            throw new ShapeException(op + ": " + name + " is " + b + " but " + shape + " needs " + need + " elements");
        }
    }

    /** Fails unless every size is positive. */
    static void positive(String op, String what, int... sizes) {
        for (int s : sizes) ShapeException.check(s > 0, op, "sizes must be positive, got " + what);
    }

    /**
     * Fails unless {@code n >= 0} and each buffer, named in the space-separated {@code names}, holds
     * at least n elements: the check of the flat elementwise launchers (gelu, dropout).
     */
    static void flat(String op, int n, String names, DeviceBuffer... buffers) {
        ShapeException.check(n >= 0, op, "n = " + n + " < 0; pass the element count");
        String[] name = names.split(" ");
        for (int i = 0; i < buffers.length; i++) length(op, name[i], buffers[i], n, "(n) = (" + n + ")");
    }

    /** The compute stream of the buffer's GPU. */
    static Stream stream(DeviceBuffer b) { return b.gpu().stream(); }

    /** A launch with an explicit 1-D grid of {@code grid} blocks of {@code block} threads. */
    static void grid(org.augmix4j.cuda.Kernel k, DeviceBuffer first, int grid, int block, Object... args) {
        Gpu gpu = first.gpu();
        Module m = Kernels.module(gpu);
        Launch.run(m, k, gpu.stream(), Launch.Dim.of(grid), Launch.Dim.of(block), 0, args);
    }
}
