package org.augmix4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.selftest.SelfChecks.Outcome;
import org.augmix4j.selftest.SelfChecks.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code selftest}'s checks as JUnit tests, one dynamic test per check (the same code the command
 * runs, not a second copy), on the CUDA emulator ({@code mvn test}) or a real GPU
 * ({@code mvn test -Pgpu}): every kernel and CPU check passes; a cuDNN / cuBLAS check passes on a
 * GPU and is reported as skipped under the emulator, with the reason.
 */
@Tag("emulated")
class SelftestEmulatedTest {
    @TestFactory
    Stream<DynamicTest> everySelftestCheck() {
        Gpu gpu = DeviceTests.requireDevice();
        return SelfChecks.ALL.stream().map(check -> DynamicTest.dynamicTest(check.name(), () -> {
            Row r = SelfChecks.run(List.of(check), 7, n -> true, false).get(0);
            System.out.println("[selftest] " + r.name() + ": " + r.outcome() + " " + r.detail());
            if (r.group().equals("kernel") || r.group().equals("CPU")) {
                assertEquals(Outcome.PASS, r.outcome(), r.name() + ": " + r.detail());
            } else if (gpu.isEmulated()) {
                assertEquals(Outcome.SKIP, r.outcome(), r.name());
                assertTrue(r.detail().startsWith("the CUDA emulator has no "), r.detail());
                Assumptions.abort(r.detail());
            } else {
                assertTrue(r.outcome() != Outcome.FAIL, r.name() + ": " + r.detail());
                if (r.outcome() == Outcome.SKIP) Assumptions.abort(r.detail());
            }
        }));
    }

    @Test
    void theKernelChecksAreThere() {
        DeviceTests.requireDevice();
        assertTrue(SelfChecks.ALL.stream().filter(c -> c.needs() == SelfCheck.Needs.KERNELS).count() >= 6);
    }
}
