package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.cuda.Event;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.WideResNet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bench's GPU training step ({@link GpuEngine} through {@link StepRunner}): on the emulator a
 * tiny WRN steps, is timed with CUDA events and leaves a finite loss; on a GPU ({@code -Pgpu},
 * tag gpu) the WRN-40-2 JSD step at batch 128 and a whole 50,000-sample epoch are printed for
 * bench/results.
 */
class GpuBenchTest {
    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** Milliseconds per step of {@code steps} steps between two CUDA events. */
    static double millisPerStep(Gpu gpu, StepRunner r, int steps) {
        try (Event start = Event.create(gpu, true); Event end = Event.create(gpu, true)) {
            start.record(gpu.stream());
            for (int i = 0; i < steps; i++) r.step();
            end.record(gpu.stream());
            return end.millisSince(start) / steps;
        }
    }

    static GpuEngine engine(Gpu gpu, int depth, int widen, int batch, int size) {
        Training t = new Training(0.9, 5e-4, 1, AugMixConfig.defaults(), batch);
        return Engines.onGpu(gpu, Engines.Options.of(Device.GPU, 1000), new WideResNet(new WideResNet.Config(depth, widen, 10), 1), size, size, t,
                QUIET);
    }

    @Test
    @Tag("emulated")
    void aStepRunsAndIsTimed() {
        Gpu gpu = DeviceTests.requireDevice();
        Dataset set = Synthetic.generate("bench", 1, 0, 4);
        try (GpuEngine e = engine(gpu, 10, 1, 2, 32)) {
            StepRunner r = new StepRunner(e, set, 1, 2, 0.01);
            double ms = millisPerStep(gpu, r, 1);
            Engine.Stats s = e.stats("bench");
            assertEquals(2, s.samples());
            assertTrue(ms > 0 && Double.isFinite(s.meanLoss()), ms + " ms, " + s);
            System.out.println("GpuBenchTest (emulated, meaningless as a speed): " + ms + " ms per step");
        }
    }

    @Test
    @Tag("gpu")
    void wrn40x2JsdStepAndEpochOnTheGpu() {
        Gpu gpu = DeviceTests.requireDevice();
        if (gpu.isEmulated()) return;  // the emulated execution never runs gpu-tagged tests
        Parallel.setThreads(0);
        Dataset set = Synthetic.generate("bench", 1, 0, 50_000);
        try (GpuEngine e = engine(gpu, 40, 2, 128, 32)) {
            StepRunner r = new StepRunner(e, Synthetic.generate("bench", 1, 0, 512), 1, 128, 0.1);
            for (int i = 0; i < 3; i++) r.step();  // allocations and cuDNN's algorithm choice
            double ms = millisPerStep(gpu, r, 20);
            System.out.printf("[gpu bench] WRN-40-2 JSD step, batch 128: %.2f ms/step, %.0f samples/s (%s)%n", ms, 128_000 / ms, e.describe());
            long t0 = System.nanoTime();
            r.epoch(set, 0);
            gpu.synchronize();
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("[gpu bench] WRN-40-2 JSD epoch of 50,000 samples: %.1f s, %.0f samples/s%n", secs, 50_000 / secs);
            assertTrue(Double.isFinite(e.stats("gpu bench").meanLoss()));
        }
    }
}
