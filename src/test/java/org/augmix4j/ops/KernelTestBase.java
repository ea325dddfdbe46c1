package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * What every kernel test starts from: the device (the CUDA emulator in {@code mvn test}, a real GPU
 * with -Pgpu; {@link DeviceTests#requireDevice} fails loudly when neither is there) and its
 * {@link DeviceArrays} helper, fresh for each test. Tagged {@code emulated}, so the tests run in
 * that surefire execution.
 */
@Tag("emulated")
abstract class KernelTestBase {
    protected Gpu gpu;
    protected DeviceArrays dev;

    @BeforeEach
    void device() {
        gpu = DeviceTests.requireDevice();
        dev = new DeviceArrays(gpu);
    }
}
