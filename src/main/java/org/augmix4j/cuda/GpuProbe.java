package org.augmix4j.cuda;

import jcuda.driver.CUresult;

/**
 * The answer to "can this process use a GPU?", and if not, which piece is missing and how to fix
 * it. Produced once per process by {@link Gpu#probe()}; the explanations are pure functions of
 * what failed, so they are tested without a GPU.
 *
 * @param available whether {@link Gpu#get()} will succeed
 * @param problem   what is missing ("" when available)
 * @param fix       what to do about it ("" when available)
 */
public record GpuProbe(boolean available, String problem, String fix) {

    /** The minimum driver API version our kernels load on: CUDA 13.0 (driver R580). */
    public static final int MIN_DRIVER_VERSION = 13000;

    static GpuProbe ok() { return new GpuProbe(true, "", ""); }

    /** JCuda's driver JNI library (or what it needs) could not be loaded. */
    static GpuProbe fromLinkError(Throwable e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("libcuda.so")) {
            return new GpuProbe(false, "the NVIDIA driver library libcuda.so.1 was not found (no NVIDIA driver"
                    + " installed, or the driver's libraries are not on the loader path)",
                    "install an NVIDIA driver R580 or newer (CUDA 13); in a container run with the NVIDIA container"
                            + " toolkit (docker run --gpus all); or use --device cpu");
        }
        String first = msg.lines().filter(l -> !l.isBlank()).findFirst().orElse(msg);
        return new GpuProbe(false, "JCuda's native driver library could not be loaded: " + first,
                "JCuda 12.6.0 ships natives for linux-x86_64 only; check java.io.tmpdir is writable and"
                        + " rerun with -Djcuda.LibUtils.level=INFO for details; or use --device cpu");
    }

    /** cuInit or cuDeviceGetCount failed or found nothing. */
    static GpuProbe fromInit(int result, int deviceCount) {
        if (result == CUresult.CUDA_SUCCESS && deviceCount > 0) return ok();
        if (result == CUresult.CUDA_SUCCESS || result == CUresult.CUDA_ERROR_NO_DEVICE) {
            return new GpuProbe(false, "the NVIDIA driver is installed but found no CUDA device",
                    "check nvidia-smi, CUDA_VISIBLE_DEVICES and (in a container) --gpus; or use --device cpu");
        }
        if (result == CUresult.CUDA_ERROR_STUB_LIBRARY) {
            return new GpuProbe(false, "the libcuda.so.1 found is the CUDA toolkit's stub library, not a driver",
                    "install an NVIDIA driver R580 or newer, and keep .../cuda/lib64/stubs off LD_LIBRARY_PATH");
        }
        if (result == CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH
                || result == CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE) {
            return new GpuProbe(false, "the NVIDIA user-space driver does not match the kernel module ("
                    + CUresult.stringFor(result) + ")", "reinstall the NVIDIA driver (R580 or newer) and reboot");
        }
        if (result == CUresult.CUDA_ERROR_DEVICE_UNAVAILABLE) {
            return new GpuProbe(false, "the GPU is busy or unavailable (exclusive-process mode, or in use)",
                    "check nvidia-smi for other processes and the compute mode");
        }
        return new GpuProbe(false, "cuInit failed: " + CUresult.stringFor(result) + " (" + result + ")",
                "check nvidia-smi and the kernel log (dmesg) for driver errors; or use --device cpu");
    }

    /** The driver works but is older than what the shipped fatbin needs. */
    static GpuProbe fromDriverVersion(int version) {
        if (version >= MIN_DRIVER_VERSION) return ok();
        return new GpuProbe(false, "the NVIDIA driver supports CUDA " + versionString(version)
                + ", but the kernels are built by nvcc 13 (PTX 9.0, sm_75+) and need CUDA 13.0",
                "install an NVIDIA driver R580 or newer; or use --device cpu");
    }

    /** "13.0" for 13000. */
    public static String versionString(int driverVersion) {
        return driverVersion / 1000 + "." + driverVersion % 1000 / 10;
    }

    @Override
    public String toString() {
        return available ? "GPU available" : "no usable GPU: " + problem + ". Fix: " + fix + ".";
    }
}
