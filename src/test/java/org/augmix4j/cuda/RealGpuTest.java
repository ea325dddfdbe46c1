package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.augmix4j.ops.ElementwiseCuda;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What only real hardware can show (tag {@code gpu}: runs in {@code mvn test -Pgpu} only): the
 * fatbin has code for this GPU, the kernels run there, and event timing gives a plausible figure.
 */
@Tag("gpu")
class RealGpuTest {
    @Test
    void theFatbinHasCodeForThisGpuAndItRuns() {
        Gpu gpu = DeviceTests.requireDevice();
        assertFalse(gpu.isEmulated(), "tag gpu needs real hardware");
        List<Fatbin.Entry> entries = Fatbin.parse(Kernels.fatbin());
        String sm = "sm_" + gpu.computeCapability().replace(".", "");
        boolean sass = entries.stream().anyMatch(e -> e.toString().equals(sm));
        boolean ptx = entries.stream().anyMatch(e -> e.ptx() && e.arch() <= Integer.parseInt(sm.substring(3)));
        assertTrue(sass || ptx, "no SASS for " + sm + " and no PTX it can JIT in " + entries);
        System.out.println("[RealGpuTest] " + gpu + ": " + (sass ? "SASS " + sm : "PTX JIT") + " from the fatbin");

        int n = 1 << 26;
        try (DeviceBuffer x = DeviceBuffer.floats(gpu, n); DeviceBuffer y = DeviceBuffer.floats(gpu, n);
             Event start = Event.create(gpu, true); Event end = Event.create(gpu, true)) {
            ElementwiseCuda.fill(x, -1.5f, n);
            ElementwiseCuda.reluForward(x, y, n);  // warm-up
            start.record(gpu.stream());
            for (int i = 0; i < 10; i++) ElementwiseCuda.reluForward(x, y, n);
            end.record(gpu.stream());
            float ms = end.millisSince(start) / 10;
            System.out.printf("[RealGpuTest] relu_forward on %d floats: %.3f ms, %.0f GB/s%n", n, ms, 8.0 * n / ms / 1e6);
            assertTrue(ms > 0, "event timing");
            float[] head = new float[4];
            y.copyTo(0, head, 0, 4);
            assertTrue(head[0] == 0f && head[3] == 0f);
        }
    }
}
