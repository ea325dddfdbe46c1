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

/** How --device is parsed and resolved, and what is said when no GPU can be used (no GPU, no JCuda needed). */
class DeviceTest {
    private static final GpuProbe NONE = new GpuProbe(false, "the NVIDIA driver library libcuda.so.1 was not found", "install a driver");
    private static final GpuProbe OK = new GpuProbe(true, "", "");

    @Test
    void autoFallsBackToTheCpuNamingWhatIsMissing() {
        String m = Device.AUTO.decide(NONE, null);
        assertTrue(m.startsWith("Device: CPU engine; --device auto found no usable GPU: the NVIDIA driver library libcuda.so.1 was not found"), m);
        assertTrue(m.endsWith("Fix: install a driver"), m);
        assertNull(Device.AUTO.decide(OK, null));
        assertTrue(Device.AUTO.decide(OK, "AugMix4J CPU emulator").contains("only the CUDA emulator"));
    }

    @Test
    void anExplicitGpuFailsWithTheSameReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Device.GPU.decide(NONE, null));
        assertEquals("--device gpu: no usable GPU: the NVIDIA driver library libcuda.so.1 was not found. Fix: install a driver"
                + " (or run on the CPU with --device cpu)", e.getMessage());
        assertNull(Device.GPU.decide(OK, null));
        assertNull(Device.GPU.decide(OK, "AugMix4J CPU emulator"));
    }

    @Test
    void parsingNamesTheFlag() {
        assertEquals(Device.GPU, Device.parse("GPU"));
        assertEquals(Device.CPU, Device.parse(" cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertEquals("--device must be cpu, gpu or auto, got tpu", e.getMessage());
    }

    @Test
    void cpuAndTheCpuTestJvmsAutoNeverProbe() {
        // this JVM sets augmix4j.autoDevice=cpu (pom.xml), so auto resolves to the CPU without loading JCuda
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
        assertNull(Device.CPU.resolve(out));
        assertEquals("Device: CPU engine (--device cpu)", log.toString(StandardCharsets.UTF_8).strip());
        if ("cpu".equals(System.getProperty("augmix4j.autoDevice"))) {
            assertNull(Device.AUTO.resolve(out));
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("augmix4j.autoDevice=cpu"));
        }
    }
}
