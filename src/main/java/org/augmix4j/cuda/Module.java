package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.util.concurrent.ConcurrentHashMap;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

/**
 * A loaded CUDA module (cuModuleLoadData of a fatbin) and its functions, looked up once each.
 * The project's kernels are in one module, {@link Kernels#module}.
 */
public final class Module implements AutoCloseable {
    private final Gpu gpu;
    private final String label;
    private CUmodule module;
    private final ConcurrentHashMap<String, CUfunction> functions = new ConcurrentHashMap<>();

    private Module(Gpu gpu, String label, CUmodule module) {
        this.gpu = gpu;
        this.label = label;
        this.module = module;
    }

    /** Loads {@code image} (a fatbin, cubin or NUL-terminated PTX); {@code label} names it in errors. */
    public static Module load(Gpu gpu, byte[] image, String label) {
        gpu.makeCurrent();
        CUmodule m = new CUmodule();
        CudaException.check(cuModuleLoadData(m, image), "cuModuleLoadData(" + label + ", " + image.length + " bytes)");
        return new Module(gpu, label, m);
    }

    /** The function {@code name}; a missing one is an error naming the kernel and the module. */
    public CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f != null) return f;
        gpu.makeCurrent();
        CUfunction n = new CUfunction();
        int rc = cuModuleGetFunction(n, handle(), name);
        if (rc == CUresult.CUDA_ERROR_NOT_FOUND) {
            throw new CudaException(rc, "kernel '" + name + "' is not in " + label
                    + " (a new kernel without a rebuilt fatbin? run kernels/build.sh)");
        }
        CudaException.check(rc, "cuModuleGetFunction(" + name + ") in " + label);
        f = functions.putIfAbsent(name, n);
        return f != null ? f : n;
    }

    public Gpu gpu() { return gpu; }

    public String label() { return label; }

    private CUmodule handle() {
        if (module == null) throw new IllegalStateException("Module " + label + " used after close()");
        return module;
    }

    @Override
    public void close() {
        if (module == null) return;
        gpu.makeCurrent();
        CudaException.check(cuModuleUnload(module), "cuModuleUnload(" + label + ")");
        module = null;
        functions.clear();
    }
}
