package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.runtime.cudaStream_t;

/**
 * The process's cuDNN (through JCudnn, loaded by {@link CudaLibraries}): one handle bound to the
 * {@link Gpu#stream() compute stream}, the descriptors the network needs (created once per shape and
 * cached), a cache for per-shape decisions (the convolution algorithms, chosen once), the math mode,
 * and one workspace buffer that grows to the largest request. Created once by the GPU engine at
 * start-up ({@link #open}); ops never create cuDNN state of their own.
 *
 * <p>Math mode: without TF32 every convolution descriptor gets {@code CUDNN_FMA_MATH} ("restricted
 * to kernels that use FMA instructions"): {@code CUDNN_DEFAULT_MATH} is not enough for parity, since
 * cuDNN documents that on A100 and newer it permits TF32 tensor-core math for float32 data. With
 * {@code tf32} the descriptors get {@code CUDNN_TENSOR_OP_MATH} (tensor cores permitted: TF32 for
 * float32 data on Ampere and newer).
 *
 * <p>Every call is checked ({@link #check}) with cuDNN's status by name (both numberings), and with
 * {@link Launch#syncDebug} the stream is synchronised after it, so a fault names the call.
 */
public final class Cudnn implements AutoCloseable {
    /** cuDNN enum values (identical in cuDNN 8 and 9). */
    public static final int NCHW = 0, FLOAT = 0, CROSS_CORRELATION = 1, DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, FMA_MATH = 3,
            BATCHNORM_SPATIAL = 1;
    /** Host scalars for alpha/beta (cuDNN reads them before the call returns). */
    public static final Pointer ONE = Pointer.to(new float[] {1f}), ZERO = Pointer.to(new float[] {0f});

    /** Default largest workspace a convolution algorithm may ask for. */
    public static final long DEFAULT_WORKSPACE_LIMIT = 1L << 30;

    private final Gpu gpu;
    private final cudnnHandle handle;
    private final boolean tf32;
    private final long workspaceLimit;
    private final Map<List<Integer>, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<List<Integer>, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<List<Integer>, cudnnConvolutionDescriptor> convolutions = new HashMap<>();
    private final Map<Integer, cudnnTensorDescriptor> bnParams = new HashMap<>();
    private final Map<Object, Object> decisions = new HashMap<>();
    private final List<String> log = new ArrayList<>();
    private DeviceBuffer workspace;
    private boolean closed;

    private Cudnn(Gpu gpu, cudnnHandle handle, boolean tf32, long workspaceLimit) {
        this.gpu = gpu;
        this.handle = handle;
        this.tf32 = tf32;
        this.workspaceLimit = workspaceLimit;
    }

    /**
     * cuDNN on {@code gpu}'s compute stream. Throws an {@link IllegalStateException} naming what is
     * missing when cuDNN cannot be used (not found, not loadable, the emulator), or cuDNN's error
     * when cudnnCreate fails.
     */
    public static Cudnn open(Gpu gpu, boolean tf32, long workspaceLimit) {
        if (gpu.isEmulated()) {
            throw new IllegalStateException("cuDNN is not available under the CUDA emulator (JCudnn uses the runtime API,"
                    + " which does not route through the fake libcuda.so.1)");
        }
        CudaLibraries.Status s = CudaLibraries.cudnn();
        if (!s.usable()) throw new IllegalStateException(s.summary() + "; fix: " + s.fix());
        gpu.makeCurrent();
        cudnnHandle h = new cudnnHandle();
        CudnnStatus.check(JCudnn.cudnnCreate(h), "cudnnCreate");
        try {
            CudnnStatus.check(JCudnn.cudnnSetStream(h, new cudaStream_t(gpu.stream().handle())), "cudnnSetStream");
        } catch (RuntimeException e) {
            JCudnn.cudnnDestroy(h);
            throw e;
        }
        return new Cudnn(gpu, h, tf32, workspaceLimit);
    }

    public Gpu gpu() { return gpu; }

    public cudnnHandle handle() {
        if (closed) throw new IllegalStateException("Cudnn used after close()");
        return handle;
    }

    /** Whether TF32 tensor-core math is permitted (the --tf32 training option). */
    public boolean tf32() { return tf32; }

    /** The math type of every convolution descriptor: FMA_MATH, or TENSOR_OP_MATH with TF32. */
    public int mathType() { return tf32 ? TENSOR_OP_MATH : FMA_MATH; }

    /** The largest workspace an algorithm may use. */
    public long workspaceLimit() { return workspaceLimit; }

    /** Checks a cuDNN status; with --sync-debug also synchronises the stream, so a fault names this call. */
    public void check(int status, String what) {
        CudnnStatus.check(status, what);
        if (Launch.syncDebug) {
            CudaException.check(cuStreamSynchronize(gpu.stream().handle()), what + " failed; found by synchronising right after it");
        }
    }

    /** A 4-D NCHW float tensor descriptor (cached). */
    public synchronized cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
        return tensors.computeIfAbsent(List.of(n, c, h, w), k -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            CudnnStatus.check(JCudnn.cudnnSetTensor4dDescriptor(d, NCHW, FLOAT, n, c, h, w),
                    "cudnnSetTensor4dDescriptor(" + n + ", " + c + ", " + h + ", " + w + ")");
            return d;
        });
    }

    /** A (K, C, R, S) float filter descriptor (cached). */
    public synchronized cudnnFilterDescriptor filter(int k, int c, int r, int s) {
        return filters.computeIfAbsent(List.of(k, c, r, s), key -> {
            cudnnFilterDescriptor d = new cudnnFilterDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
            CudnnStatus.check(JCudnn.cudnnSetFilter4dDescriptor(d, FLOAT, NCHW, k, c, r, s),
                    "cudnnSetFilter4dDescriptor(" + k + ", " + c + ", " + r + ", " + s + ")");
            return d;
        });
    }

    /** A cross-correlation descriptor with the same pad and stride in both dimensions, float compute, this math type (cached). */
    public cudnnConvolutionDescriptor convolution(int pad, int stride) { return convolution(pad, stride, 1); }

    /**
     * As {@link #convolution(int, int)}, for a grouped convolution of {@code groups} groups
     * ({@code cudnnSetConvolutionGroupCount}; the filter descriptor is then (K, C/groups, R, S)).
     */
    public synchronized cudnnConvolutionDescriptor convolution(int pad, int stride, int groups) {
        if (groups < 1) throw new IllegalArgumentException("cuDNN convolution: groups = " + groups + " < 1");
        return convolutions.computeIfAbsent(List.of(pad, stride, groups), key -> {
            cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
            CudnnStatus.check(JCudnn.cudnnSetConvolution2dDescriptor(d, pad, pad, stride, stride, 1, 1, CROSS_CORRELATION, FLOAT),
                    "cudnnSetConvolution2dDescriptor(pad " + pad + ", stride " + stride + ")");
            CudnnStatus.check(JCudnn.cudnnSetConvolutionMathType(d, mathType()), "cudnnSetConvolutionMathType(" + mathType() + ")");
            if (groups != 1) {
                CudnnStatus.check(JCudnn.cudnnSetConvolutionGroupCount(d, groups), "cudnnSetConvolutionGroupCount(" + groups + ")");
            }
            return d;
        });
    }

    /** The (1, C, 1, 1) descriptor of batch norm's per-channel tensors in spatial mode (derived once per C). */
    public synchronized cudnnTensorDescriptor batchNormParams(int c) {
        return bnParams.computeIfAbsent(c, key -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            CudnnStatus.check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            CudnnStatus.check(JCudnn.cudnnDeriveBNTensorDescriptor(d, tensor(2, c, 1, 1), BATCHNORM_SPATIAL),
                    "cudnnDeriveBNTensorDescriptor(C = " + c + ")");
            return d;
        });
    }

    /**
     * A decision made once per key (e.g. a convolution shape's algorithms) and remembered for the
     * life of this handle; {@code decide} runs on the first request only.
     */
    @SuppressWarnings("unchecked")
    public synchronized <T> T decideOnce(Object key, Supplier<T> decide) {
        Object v = decisions.get(key);
        if (v == null) {
            v = decide.get();
            decisions.put(key, v);
        }
        return (T) v;
    }

    /** Every decision made so far, for reports. */
    public synchronized Map<Object, Object> decisions() { return Map.copyOf(decisions); }

    /** Notes for reports (e.g. which algorithm search was used). */
    public synchronized void note(String line) { log.add(line); }

    public synchronized List<String> notes() { return List.copyOf(log); }

    /**
     * A workspace of at least {@code bytes} (the same buffer every time, grown when needed; use it
     * only on the compute stream). Null for 0 bytes.
     */
    public synchronized DeviceBuffer workspace(long bytes) {
        if (bytes <= 0) return null;
        if (workspace == null || workspace.length() < bytes) {
            if (workspace != null) workspace.close();  // stream-ordered reuse: safe on the one compute stream
            workspace = DeviceBuffer.bytes(gpu, bytes);
        }
        return workspace;
    }

    /** The pointer of {@link #workspace(long)}, or a null pointer for 0 bytes. */
    public Pointer workspacePointer(long bytes) {
        DeviceBuffer w = workspace(bytes);
        return w == null ? new Pointer() : w.pointer();
    }

    /** cuDNN's version, e.g. "9.24.0". */
    public static String version() { return CudaLibraries.cudnnVersionString(JCudnn.cudnnGetVersion()); }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        gpu.makeCurrent();
        for (cudnnTensorDescriptor d : tensors.values()) JCudnn.cudnnDestroyTensorDescriptor(d);
        for (cudnnTensorDescriptor d : bnParams.values()) JCudnn.cudnnDestroyTensorDescriptor(d);
        for (cudnnFilterDescriptor d : filters.values()) JCudnn.cudnnDestroyFilterDescriptor(d);
        for (cudnnConvolutionDescriptor d : convolutions.values()) JCudnn.cudnnDestroyConvolutionDescriptor(d);
        if (workspace != null) workspace.close();
        JCudnn.cudnnDestroy(handle);
    }
}
