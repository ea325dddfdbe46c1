package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.NativePointerObject;
import jcuda.Pointer;

/**
 * Launches a declared {@link Kernel}: checks the arguments against its declaration, packs them
 * for cuLaunchKernel (a {@link DeviceBuffer} becomes its device pointer, Integer/Float/Long/Double
 * their values) and checks the launch's result with the kernel's name in the message. Launch errors
 * (bad geometry, missing kernel) appear here; faults inside a kernel appear at the next
 * synchronisation, or right after the launch when {@link #syncDebug} is on.
 */
public final class Launch {
    /**
     * Synchronise and check after every launch, so a fault is reported with the kernel that caused it
     * (slow; for debugging). Also set by {@code -Daugmix4j.cuda.syncDebug=true} and {@code --sync-debug}.
     */
    public static volatile boolean syncDebug = Boolean.getBoolean("augmix4j.cuda.syncDebug");

    /** Launch geometry in one dimension set. */
    public record Dim(int x, int y, int z) {
        public static Dim of(int x) { return new Dim(x, 1, 1); }

        public static Dim of(int x, int y) { return new Dim(x, y, 1); }

        @Override
        public String toString() { return "(" + x + "," + y + "," + z + ")"; }
    }

    private Launch() {}

    /**
     * One thread per element of {@code [0, n)}: a 1-D grid of ceil(n / block) blocks of the project's
     * kernels on {@code stream}. Nothing is launched when n is 0.
     */
    public static void linear(Kernel kernel, Stream stream, long n, int block, Object... args) {
        if (n < 0) throw new IllegalArgumentException("kernel " + kernel.name() + ": negative element count " + n);
        if (n == 0) return;
        long grid = (n + block - 1) / block;
        if (grid > Integer.MAX_VALUE) throw new IllegalArgumentException("kernel " + kernel.name() + ": " + n + " elements need too many blocks");
        run(Kernels.module(stream.gpu()), kernel, stream, Dim.of((int) grid), Dim.of(block), 0, args);
    }

    /** The general form: any module, 3-D geometry and dynamic shared memory. */
    public static void run(Module module, Kernel kernel, Stream stream, Dim grid, Dim block, int sharedBytes, Object... args) {
        kernel.checkArgs(args);
        Pointer params = Pointer.to(pack(args));
        Gpu gpu = module.gpu();
        gpu.makeCurrent();
        int rc = cuLaunchKernel(module.function(kernel.name()), grid.x(), grid.y(), grid.z(), block.x(), block.y(), block.z(),
                sharedBytes, stream.handle(), params, null);
        if (rc != 0) {
            throw new CudaException(rc, "launch of kernel " + kernel.name() + " (grid " + grid + ", block " + block
                    + ", " + sharedBytes + " B dynamic shared memory)");
        }
        if (syncDebug) {
            CudaException.check(cuStreamSynchronize(stream.handle()), "kernel " + kernel.name() + " (grid " + grid
                    + ", block " + block + ") failed; found by synchronising right after its launch");
        }
    }

    private static NativePointerObject[] pack(Object[] args) {
        NativePointerObject[] p = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof DeviceBuffer b) p[i] = Pointer.to(b.pointer());
            else if (a instanceof Integer v) p[i] = Pointer.to(new int[] {v});
            else if (a instanceof Float v) p[i] = Pointer.to(new float[] {v});
            else if (a instanceof Long v) p[i] = Pointer.to(new long[] {v});
            else if (a instanceof Double v) p[i] = Pointer.to(new double[] {v});
            else throw new IllegalArgumentException("cannot pass " + a + " to a kernel");
        }
        return p;
    }
}
