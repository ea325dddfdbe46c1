package org.augmix4j.cuda;

import jcuda.driver.CUresult;

/**
 * A failed CUDA driver call: the result code, its name, and what was being done (for a launch,
 * the kernel's name). {@link #check} is how every driver call in this package is checked; JCuda's
 * own exceptions stay disabled so that messages say which call and which kernel failed.
 */
public class CudaException extends RuntimeException {
    private final int result;

    public CudaException(int result, String what) {
        super(what + ": " + CUresult.stringFor(result) + " (" + result + ")" + hint(result));
        this.result = result;
    }

    /** The driver's CUresult code. */
    public int result() { return result; }

    /** Throws a {@link CudaException} when {@code result} is not CUDA_SUCCESS. */
    public static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) throw new CudaException(result, what);
    }

    private static String hint(int result) {
        return switch (result) {
            case CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU, CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION,
                 CUresult.CUDA_ERROR_INVALID_PTX ->
                    ". The kernels are built by nvcc 13 (SASS sm_75..sm_90, PTX 9.0): they need an NVIDIA"
                            + " driver R580 or newer (CUDA 13) and a GPU of compute capability 7.5 or higher";
            case CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED ->
                    ". A kernel faulted; the context is unusable now. Rerun with -Daugmix4j.cuda.syncDebug=true"
                            + " (or --sync-debug) to find the launch, and compute-sanitizer to find the access";
            case CUresult.CUDA_ERROR_OUT_OF_MEMORY -> ". Lower the batch size or free cached memory";
            default -> "";
        };
    }
}
