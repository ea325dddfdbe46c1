package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * How a device test gets its GPU. Tests tagged {@code emulated} run in two Surefire executions:
 * {@code emulated} (default {@code mvn test}: the fake libcuda.so.1 of src/emulator, system property
 * augmix4j.expect=emulator) and {@code gpu} ({@code mvn test -Pgpu}: the real driver,
 * augmix4j.expect=gpu). A test never passes without running: it is skipped with the reason when
 * the emulator could not be built (no gcc) or no GPU is present, and it FAILS when the emulator was
 * built but the device layer cannot use it, or when it runs on the wrong kind of device.
 */
public final class DeviceTests {
    private DeviceTests() {}

    private static boolean warned;

    /** Skips the calling test with {@code reason}, said once on stderr too so that it shows in the build log. */
    private static void skipUnless(boolean condition, String reason) {
        if (condition) return;
        synchronized (DeviceTests.class) {
            if (!warned) System.err.println("[augmix4j] SKIPPING the device tests: " + reason);
            warned = true;
        }
        Assumptions.abort(reason);
    }

    /** The GPU (emulated or real) for a test, or a skip with the reason. */
    public static Gpu requireDevice() {
        String expect = System.getProperty("augmix4j.expect", "");
        if (expect.equals("emulator")) {
            String status = emulatorStatus();
            skipUnless(!status.startsWith("unavailable"), "CUDA emulator not built: " + status);
            GpuProbe p = Gpu.probe();
            if (!p.available()) fail("the CUDA emulator was built (" + status + ") but the device layer cannot use it: " + p);
            if (!Gpu.get().isEmulated()) fail("expected the CUDA emulator, found a real device: " + Gpu.get());
        } else {
            GpuProbe p = Gpu.probe();
            skipUnless(p.available(), "no GPU: " + p);
            if (expect.equals("gpu") && Gpu.get().isEmulated()) {
                fail("mvn test -Pgpu found the CUDA emulator instead of a real GPU (is target/emu/lib on LD_LIBRARY_PATH?)");
            }
        }
        return Gpu.get();
    }

    /** Skips unless running on the emulator (tests of the emulator itself). */
    public static Gpu requireEmulator() {
        Gpu gpu = requireDevice();
        Assumptions.assumeTrue(gpu.isEmulated(), "tests the CUDA emulator itself; on a real GPU there is nothing to test");
        return gpu;
    }

    /**
     * For cuDNN/cuBLAS tests: the GPU, or a skip when it is the emulator (the runtime API that JCudnn
     * and JCublas use does not route through the fake driver, so the libraries are unavailable there).
     */
    public static Gpu requireVendorLibraries(String which) {
        Gpu gpu = requireDevice();
        Assumptions.assumeFalse(gpu.isEmulated(), () -> which + " is not available under the CUDA emulator"
                + " (JCudnn/JCublas use the runtime API, which does not route through the fake libcuda.so.1);"
                + " run mvn test -Pgpu on a GPU machine");
        return gpu;
    }

    /** The emulator's build directory (target/emu). */
    public static Path emulatorDir() {
        return Path.of(System.getProperty("augmix4j.emu.dir", "target/emu"));
    }

    private static String emulatorStatus() {
        try {
            return Files.readString(emulatorDir().resolve("status"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return "unavailable: " + emulatorDir().resolve("status") + " missing (the build-emulator step did not run)";
        }
    }
}
