package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.GpuBackends;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU engine on cuDNN (convolution, batch norm) and cuBLAS (linear) against the CPU engine:
 * GPU only ({@code mvn test -Pgpu}; skipped with the reason under the emulator and without a GPU).
 * The libraries' algorithms sum in other orders than the CPU GEMM (FMA math, no TF32), so the
 * tolerances are looser than the fallback kernels' (GpuWideResNetTest):
 * <ul>
 *   <li>WRN-10-1, B = 2 x 3 views, 8x8, 2 steps: logits 1e-4, loss 1e-5, gradients 1e-3, running
 *       statistics 1e-4, parameters after SGD 1e-5;</li>
 *   <li>WRN-40-2, B = 128 x 3 views, 32x32 (the real JSD step), 1 step: logits 1e-3, loss 1e-4,
 *       gradients 1e-2 (the worst of 2.2M values over 40 layers), running statistics 1e-3, parameters 1e-4;</li>
 *   <li>with TF32 permitted (--tf32): WRN-10-2, 1 step, loss within 1e-2 and gradients within 1e-1,
 *       a sanity bound (TF32 keeps 10 mantissa bits); the accuracy of TF32 training is judged by a
 *       full run, not here.</li>
 * </ul>
 */
@Tag("gpu")
class GpuWideResNetLibrariesTest {
    private Gpu gpu;

    @BeforeEach
    void device() {
        gpu = DeviceTests.requireVendorLibraries("cuDNN and cuBLAS");
        Parallel.setThreads(0);
    }

    private static GpuBackends libraries(Gpu gpu, boolean tf32) {
        GpuBackends b = GpuBackends.select(gpu, GpuBackends.Choice.LIBRARIES, tf32);
        assertNotNull(b.cudnn(), b.notes().toString());
        assertNotNull(b.cublas(), b.notes().toString());
        return b;
    }

    @Test
    void tinyWrnMatchesTheCpuEngine() {
        try (GpuBackends b = libraries(gpu, false)) {
            GpuParity.Report r = GpuParity.run(gpu, b, 10, 1, 10, 2, 3, 8, 8, 2, 21, new GpuParity.Tolerance(1e-4, 1e-5, 1e-3, 1e-4, 1e-5));
            System.out.println("cuDNN/cuBLAS WRN-10-1 JSD parity: " + r + "; " + b.notes());
        }
    }

    @Test
    void wrn40x2JsdStepAtBatch128MatchesTheCpuEngine() {
        try (GpuBackends b = libraries(gpu, false)) {
            GpuParity.Report r = GpuParity.run(gpu, b, 40, 2, 10, 128, 3, 32, 32, 1, 22, new GpuParity.Tolerance(1e-3, 1e-4, 1e-2, 1e-3, 1e-4));
            System.out.println("cuDNN/cuBLAS WRN-40-2 B=128 JSD parity: " + r);
        }
    }

    @Test
    void tf32StaysCloseToFloat32() {
        try (GpuBackends b = libraries(gpu, true)) {
            GpuParity.Report r = GpuParity.run(gpu, b, 10, 2, 10, 8, 3, 32, 32, 1, 23, new GpuParity.Tolerance(1e-1, 1e-2, 1e-1, 1e-1, 1e-2));
            System.out.println("TF32 WRN-10-2 sanity: " + r);
        }
    }
}
