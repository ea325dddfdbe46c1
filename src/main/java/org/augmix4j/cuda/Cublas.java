package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.cudaStream_t;

/**
 * The process's cuBLAS (through JCublas2, loaded by {@link CudaLibraries}): one handle bound to the
 * {@link Gpu#stream() compute stream}, host pointer mode, its math mode, and a vector of ones (for
 * the bias broadcast and the bias gradient of the linear layer) that grows to the largest batch.
 * Created once by the GPU engine at start-up ({@link #open}).
 *
 * <p>Math mode: {@code CUBLAS_DEFAULT_MATH} without TF32 (float32 SGEMM stays float32: cuBLAS uses
 * TF32 for float32 data only in {@code CUBLAS_TF32_TENSOR_OP_MATH} or with a fast-TF32 compute type),
 * {@code CUBLAS_TF32_TENSOR_OP_MATH} with TF32 (the --tf32 training option).
 */
public final class Cublas implements AutoCloseable {
    /** cublasMath_t values. */
    public static final int DEFAULT_MATH = 0, PEDANTIC_MATH = 2, TF32_TENSOR_OP_MATH = 3;
    public static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    private final Gpu gpu;
    private final cublasHandle handle;
    private final boolean tf32;
    private DeviceBuffer ones;
    private boolean closed;

    private Cublas(Gpu gpu, cublasHandle handle, boolean tf32) {
        this.gpu = gpu;
        this.handle = handle;
        this.tf32 = tf32;
    }

    /** cuBLAS on {@code gpu}'s compute stream; throws {@link IllegalStateException} naming what is missing. */
    public static Cublas open(Gpu gpu, boolean tf32) {
        if (gpu.isEmulated()) {
            throw new IllegalStateException("cuBLAS is not available under the CUDA emulator (JCublas2 uses the runtime API,"
                    + " which does not route through the fake libcuda.so.1)");
        }
        CudaLibraries.Status s = CudaLibraries.cublas();
        if (!s.usable()) throw new IllegalStateException(s.summary() + "; fix: " + s.fix());
        gpu.makeCurrent();
        cublasHandle h = new cublasHandle();
        CublasStatus.check(JCublas2.cublasCreate(h), "cublasCreate");
        try {
            CublasStatus.check(JCublas2.cublasSetStream(h, new cudaStream_t(gpu.stream().handle())), "cublasSetStream");
            int mode = tf32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH;
            CublasStatus.check(JCublas2.cublasSetMathMode(h, mode), "cublasSetMathMode(" + mode + ")");
        } catch (RuntimeException e) {
            JCublas2.cublasDestroy(h);
            throw e;
        }
        return new Cublas(gpu, h, tf32);
    }

    public Gpu gpu() { return gpu; }

    public cublasHandle handle() {
        if (closed) throw new IllegalStateException("Cublas used after close()");
        return handle;
    }

    public boolean tf32() { return tf32; }

    /** Checks a cuBLAS status; with --sync-debug also synchronises the stream, so a fault names this call. */
    public void check(int status, String what) {
        CublasStatus.check(status, what);
        if (Launch.syncDebug) {
            CudaException.check(cuStreamSynchronize(gpu.stream().handle()), what + " failed; found by synchronising right after it");
        }
    }

    /** A device vector of at least {@code n} ones (grown when needed; filled on the compute stream). */
    public synchronized DeviceBuffer ones(int n) {
        if (ones == null || ones.length() < n) {
            if (ones != null) ones.close();
            int len = Math.max(n, 1024);
            float[] host = new float[len];
            java.util.Arrays.fill(host, 1f);
            ones = DeviceBuffer.of(gpu, host);
        }
        return ones;
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        gpu.makeCurrent();
        if (ones != null) ones.close();
        JCublas2.cublasDestroy(handle);
    }
}
