package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.driver.CUresult;
import org.junit.jupiter.api.Test;

/** What the program says when a piece of the GPU stack is missing (no GPU needed). */
class GpuProbeTest {
    @Test
    void missingDriverLibrary() {
        GpuProbe p = GpuProbe.fromLinkError(new UnsatisfiedLinkError("Error while loading native library "
                + "\"JCudaDriver-12.6.0-linux-x86_64\"\n.../libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file"));
        assertFalse(p.available());
        assertTrue(p.problem().contains("libcuda.so.1 was not found"), p.problem());
        assertTrue(p.fix().contains("R580"), p.fix());
        assertTrue(p.toString().startsWith("no usable GPU: the NVIDIA driver library libcuda.so.1"), p.toString());
    }

    @Test
    void otherLinkErrorsQuoteTheirFirstLine() {
        GpuProbe p = GpuProbe.fromLinkError(new UnsatisfiedLinkError("\nno JCudaDriver in java.library.path\nmore"));
        assertEquals("JCuda's native driver library could not be loaded: no JCudaDriver in java.library.path", p.problem());
    }

    @Test
    void noDeviceStubLibraryAndOldDriver() {
        assertTrue(GpuProbe.fromInit(CUresult.CUDA_ERROR_NO_DEVICE, 0).problem().contains("found no CUDA device"));
        assertTrue(GpuProbe.fromInit(CUresult.CUDA_SUCCESS, 0).problem().contains("found no CUDA device"));
        assertTrue(GpuProbe.fromInit(CUresult.CUDA_ERROR_STUB_LIBRARY, 0).problem().contains("stub library"));
        assertTrue(GpuProbe.fromInit(CUresult.CUDA_SUCCESS, 1).available());
        GpuProbe old = GpuProbe.fromDriverVersion(12040);
        assertFalse(old.available());
        assertTrue(old.problem().contains("supports CUDA 12.4") && old.problem().contains("CUDA 13.0"), old.problem());
        assertTrue(GpuProbe.fromDriverVersion(13000).available());
        assertEquals("13.1", GpuProbe.versionString(13010));
    }
}
