package org.augmix4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.selftest.SelfChecks.Outcome;
import org.augmix4j.selftest.SelfChecks.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code selftest}'s checks on the CUDA emulator ({@code mvn test}) or a real GPU
 * ({@code mvn test -Pgpu}): every kernel check passes; the cuDNN / cuBLAS checks pass on a GPU and
 * skip under the emulator, saying so.
 */
@Tag("emulated")
class SelftestEmulatedTest {
    @Test
    void everyCheckPassesOrSkipsForAStatedReason() {
        Gpu gpu = DeviceTests.requireDevice();
        List<Row> rows = SelfChecks.run(SelfChecks.ALL, 7, n -> true, false);
        for (Row r : rows) {
            System.out.println("[selftest] " + r.name() + ": " + r.outcome() + " " + r.detail());
            if (r.group().equals("kernel") || r.group().equals("CPU")) {
                assertEquals(Outcome.PASS, r.outcome(), r.name() + ": " + r.detail());
            } else if (gpu.isEmulated()) {
                assertEquals(Outcome.SKIP, r.outcome(), r.name());
                assertTrue(r.detail().startsWith("the CUDA emulator has no "), r.detail());
            } else {
                assertTrue(r.outcome() != Outcome.FAIL, r.name() + ": " + r.detail());
            }
        }
        assertTrue(rows.stream().filter(r -> r.group().equals("kernel")).count() >= 6);
    }
}
