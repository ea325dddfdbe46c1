package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;

import java.nio.charset.StandardCharsets;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * The process's GPU: device 0, its primary context, one compute stream and the caching allocator.
 *
 * <p>The primary context is the one the runtime API uses, so JCublas and JCudnn handles created
 * later see the same device pointers. It is retained once and made current on every thread that
 * touches the device ({@link #makeCurrent()}, called by this package before each driver call that
 * needs it). The compute stream is a blocking stream, so the synchronous copies (legacy default
 * stream) stay ordered with the kernels launched on it.
 *
 * <p>CPU-only runs never load this class: {@link #probe()} is the first touch of JCuda, and a failed
 * probe leaves the CPU path untouched (JCuda's classes are then unusable, nothing else is).
 */
public final class Gpu {
    private static GpuProbe probe;
    private static Gpu instance;

    private final CUdevice device;
    private final CUcontext context;
    private final String name;
    private final int driverVersion;
    private final int ccMajor, ccMinor, multiprocessors;
    private final long totalMemory;
    private final boolean emulated;
    private final CachingAllocator allocator;
    private final Stream stream;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    /** Device names the fake driver of src/emulator reports start with this. */
    static final String EMULATOR_NAME_PREFIX = "AugMix4J CPU emulator";

    private Gpu(int ordinal) {
        device = new CUdevice();
        CudaException.check(cuDeviceGet(device, ordinal), "cuDeviceGet(" + ordinal + ")");
        byte[] buf = new byte[256];
        CudaException.check(cuDeviceGetName(buf, buf.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < buf.length && buf[len] != 0) len++;
        name = new String(buf, 0, len, StandardCharsets.UTF_8);
        int[] v = new int[1];
        CudaException.check(cuDriverGetVersion(v), "cuDriverGetVersion");
        driverVersion = v[0];
        ccMajor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long[] total = new long[1];
        CudaException.check(cuDeviceTotalMem(total, device), "cuDeviceTotalMem");
        totalMemory = total[0];
        emulated = name.startsWith(EMULATOR_NAME_PREFIX);
        context = new CUcontext();
        CudaException.check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        allocator = new CachingAllocator(this);
        stream = Stream.create(this);
    }

    /**
     * Whether this process can use a GPU, and if not, why. The first call loads JCuda's driver
     * library (from a private directory, see {@link JCudaNatives}) and opens device 0; the answer is
     * cached for the life of the process.
     */
    public static synchronized GpuProbe probe() {
        if (probe != null) return probe;
        try {
            JCudaNatives.load("JCudaDriver", () -> JCudaDriver.setExceptionsEnabled(false));
            int init = cuInit(0);
            int[] count = {0};
            if (init == 0) init = cuDeviceGetCount(count);
            probe = GpuProbe.fromInit(init, count[0]);
            if (probe.available()) {
                int[] version = {0};
                CudaException.check(cuDriverGetVersion(version), "cuDriverGetVersion");
                probe = GpuProbe.fromDriverVersion(version[0]);
            }
            if (probe.available()) instance = new Gpu(0);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            probe = GpuProbe.fromLinkError(e);
        } catch (CudaException e) {
            probe = new GpuProbe(false, "opening device 0 failed: " + e.getMessage(),
                    "check nvidia-smi; or use --device cpu");
        } catch (RuntimeException e) {
            probe = new GpuProbe(false, "JCuda could not be set up: " + e.getMessage(), "see the message; or use --device cpu");
        }
        return probe;
    }

    /** The GPU; throws {@link GpuUnavailableException} (with the probe's reason and fix) if there is none. */
    public static Gpu get() {
        GpuProbe p = probe();
        if (!p.available()) throw new GpuUnavailableException(p);
        synchronized (Gpu.class) {
            return instance;
        }
    }

    /** Makes the primary context current on the calling thread (once per thread). */
    public void makeCurrent() {
        if (current.get()) return;
        CudaException.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        current.set(true);
    }

    /** Waits for all work on the device; asynchronous kernel faults surface here. */
    public void synchronize() {
        makeCurrent();
        CudaException.check(cuCtxSynchronize(), "cuCtxSynchronize (an earlier kernel or copy failed)");
    }

    /** A device attribute (CUdevice_attribute constant). */
    public int attribute(int attribute) {
        int[] v = new int[1];
        CudaException.check(cuDeviceGetAttribute(v, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return v[0];
    }

    /** {free, total} device memory in bytes. */
    public long[] memoryInfo() {
        makeCurrent();
        long[] free = new long[1], total = new long[1];
        CudaException.check(cuMemGetInfo(free, total), "cuMemGetInfo");
        return new long[] {free[0], total[0]};
    }

    public String name() { return name; }

    /** The driver's CUDA version, e.g. 13000 for 13.0. */
    public int driverVersion() { return driverVersion; }

    /** "9.0" style compute capability. */
    public String computeCapability() { return ccMajor + "." + ccMinor; }

    public int multiprocessors() { return multiprocessors; }

    public long totalMemory() { return totalMemory; }

    /**
     * True when the "GPU" is the CPU emulator of src/emulator (the fake libcuda.so.1 of the emulated
     * tests): kernels then run on CPU threads, and cuDNN/cuBLAS are not available.
     */
    public boolean isEmulated() { return emulated; }

    /** The stream every op of the engine launches on unless told otherwise. */
    public Stream stream() { return stream; }

    public CachingAllocator allocator() { return allocator; }

    CUcontext context() { return context; }

    @Override
    public String toString() {
        return name + " (compute " + computeCapability() + ", " + multiprocessors + " SMs, "
                + totalMemory / (1L << 20) + " MiB, driver CUDA " + GpuProbe.versionString(driverVersion)
                + (emulated ? ", EMULATED on the CPU" : "") + ")";
    }
}
