package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.augmix4j.cuda.GpuProbe;
import org.junit.jupiter.api.Test;

/** How --device is resolved and what is said when no GPU can be used (no GPU, no JCuda needed). */
class GpuTrainerDecisionTest {
    private static final GpuProbe NONE = new GpuProbe(false, "the NVIDIA driver library libcuda.so.1 was not found", "install a driver");
    private static final GpuProbe OK = new GpuProbe(true, "", "");

    @Test
    void autoFallsBackToTheCpuNamingWhatIsMissing() {
        String m = GpuTrainer.decide("auto", NONE, null);
        assertTrue(m.startsWith("Device: CPU engine; --device auto found no usable GPU: the NVIDIA driver library libcuda.so.1 was not found"), m);
        assertTrue(m.endsWith("Fix: install a driver"), m);
        assertNull(GpuTrainer.decide("auto", OK, null));
        assertTrue(GpuTrainer.decide("auto", OK, "AugMix4J CPU emulator").contains("only the CUDA emulator"));
    }

    @Test
    void anExplicitGpuFailsWithTheSameReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GpuTrainer.decide("gpu", NONE, null));
        assertEquals("--device gpu: no usable GPU: the NVIDIA driver library libcuda.so.1 was not found. Fix: install a driver"
                + " (or run on the CPU with --device cpu)", e.getMessage());
        assertNull(GpuTrainer.decide("gpu", OK, null));
        assertNull(GpuTrainer.decide("gpu", OK, "AugMix4J CPU emulator"));
        assertThrows(IllegalArgumentException.class, () -> GpuTrainer.decide("tpu", OK, null));
    }

    @Test
    void cpuAndTheCpuTestJvmsAutoNeverProbe() {
        // this JVM sets augmix4j.autoDevice=cpu (pom.xml), so auto resolves to the CPU without loading JCuda
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertNull(GpuTrainer.open(GpuTrainerTest.config("cpu"), GpuTrainer.Options.defaults(), out));
        assertEquals("", log.toString(StandardCharsets.UTF_8));
        if ("cpu".equals(System.getProperty("augmix4j.autoDevice"))) {
            assertNull(GpuTrainer.open(GpuTrainerTest.config("auto"), GpuTrainer.Options.defaults(), out));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("augmix4j.autoDevice=cpu"));
        }
    }
}
