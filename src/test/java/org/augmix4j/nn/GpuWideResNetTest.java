package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The GPU engine with OUR kernels (conv.cu, batchnorm.cu, linear.cu, ...) against the CPU engine,
 * on the emulator in {@code mvn test} and unchanged on a real GPU with {@code mvn test -Pgpu}:
 * WRN-10-1 (stem, three stages, two shortcut blocks, head) on tiny batches of 8x8 images.
 * Tolerances (norm-wise relative): logits 1e-5, loss 1e-5, every gradient 1e-4, running
 * statistics 1e-5, parameters after SGD 1e-5. The kernels' FMA order differs from the CPU
 * GEMM's, so agreement is to rounding, not bits.
 */
@Tag("emulated")
class GpuWideResNetTest {
    private static final GpuParity.Tolerance FALLBACK = new GpuParity.Tolerance(1e-5, 1e-5, 1e-4, 1e-5, 1e-5);
    private Gpu gpu;

    @BeforeEach
    void device() {
        gpu = DeviceTests.requireDevice();
        Parallel.setThreads(2);
    }

    @Test
    void twoJsdStepsMatchTheCpuEngine() {
        GpuParity.Report r = GpuParity.run(gpu, GpuBackends.kernels(), 10, 1, 10, 2, 3, 8, 8, 2, 11, FALLBACK);
        System.out.println("GpuWideResNetTest JSD (WRN-10-1, B=2 x 3 views, 8x8, 2 steps, our kernels): " + r);
    }

    @Test
    void aCrossEntropyStepWithAnOddBatchMatchesTheCpuEngine() {
        GpuParity.Report r = GpuParity.run(gpu, GpuBackends.kernels(), 10, 1, 7, 3, 1, 6, 10, 1, 12, FALLBACK);
        System.out.println("GpuWideResNetTest CE (WRN-10-1, B=3, 6x10, 7 classes, our kernels): " + r);
    }

    @Test
    void evaluationLogitsMatchTheCpuEngineAndStateRoundTrips() {
        WideResNet cpu = new WideResNet(new WideResNet.Config(10, 1, 10), 3);
        int n = 5, h = 8, w = 8;
        float[] x = GpuParity.images(new SplittableRandom(5), n, h, w);
        float[] want = cpu.forward(null, Tensor.of(x, n, 3, h, w), false).data();
        try (GpuWideResNet g = new GpuWideResNet(gpu, GpuBackends.kernels(), cpu, h, w); DeviceBuffer in = DeviceBuffer.of(gpu, x);
             DeviceBuffer out = DeviceBuffer.floats(gpu, n * 10)) {
            g.logits(in, n, out);
            Check.normClose("eval logits", out.toFloats(), want, 1e-5);
            // the state_dict round-trips exactly, and a CPU network loaded from it is the same network
            Map<String, Object> s = g.stateDict(), c = cpu.stateDict();
            assertEquals(c.keySet(), s.keySet());
            for (String k : c.keySet()) {
                if (c.get(k) instanceof float[] a) assertArrayEquals(a, (float[]) s.get(k), k);
                else assertArrayEquals((long[]) c.get(k), (long[]) s.get(k), k);
            }
            WideResNet other = new WideResNet(new WideResNet.Config(10, 1, 10), 99);
            g.store(other);
            assertArrayEquals(want, other.forward(null, Tensor.of(x, n, 3, h, w), false).data());
            // a smaller evaluation batch reuses the arena
            g.logits(in, 2, out);
            Check.normClose("eval logits, 2 images", java.util.Arrays.copyOf(out.toFloats(), 20), java.util.Arrays.copyOf(want, 20), 1e-5);
        }
    }

    @Test
    void shapesAreChecked() {
        WideResNet cpu = new WideResNet(new WideResNet.Config(10, 1, 10), 3);
        assertThrows(ShapeException.class, () -> new GpuWideResNet(gpu, GpuBackends.kernels(), cpu, 0, 8));
        try (GpuWideResNet g = new GpuWideResNet(gpu, GpuBackends.kernels(), cpu, 8, 8); DeviceBuffer in = DeviceBuffer.floats(gpu, 10);
             DeviceBuffer lab = DeviceBuffer.ints(gpu, 2)) {
            assertThrows(ShapeException.class, () -> g.forwardBackward(in, lab, 2, 3));
            assertThrows(ShapeException.class, () -> g.forwardBackward(in, lab, 2, 2));
        }
    }
}
