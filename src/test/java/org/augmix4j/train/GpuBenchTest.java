package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.ops.GpuBackends;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bench command's GPU hooks: {@link GpuTrainer.StepBench} on a tiny WRN (emulated: it runs,
 * times with CUDA events and names its figure), and on a GPU ({@code -Pgpu}, tag gpu) the figures
 * the issue asks for: a WRN-40-2 JSD step at batch 128 and a whole epoch with the trainer's pipeline,
 * printed for bench/results.
 */
class GpuBenchTest {
    @Test
    @Tag("emulated")
    void aStepBenchRunsAndTimes() {
        DeviceTests.requireDevice();
        try (GpuTrainer.StepBench b = new GpuTrainer.StepBench(10, 1, 2, AugMixConfig.Mode.JSD, 8,
                new GpuTrainer.Options(false, false, GpuBackends.Choice.AUTO))) {
            b.run(0);  // queues nothing, synchronises
            GpuTrainer.BenchResult r = b.time(1);
            assertEquals("gpu_train_step_wrn10_1_jsd_b2", r.name());
            assertTrue(r.samplesPerSecond() > 0 && r.millisPerStep() > 0, r.toString());
            System.out.println("GpuBenchTest (emulated, meaningless as a speed): " + r);
        }
    }

    @Test
    @Tag("gpu")
    void wrn40x2JsdStepAndEpochOnTheGpu() {
        if (DeviceTests.requireDevice().isEmulated()) return;  // the emulated execution never runs gpu-tagged tests
        Parallel.setThreads(0);
        GpuTrainer.BenchResult step = GpuTrainer.benchStep(40, 2, 128, AugMixConfig.Mode.JSD, 20);
        System.out.printf("[gpu bench] %s: %.0f samples/s, %.2f ms/step, CIFAR epoch estimate %.1f s (%s)%n", step.name(),
                step.samplesPerSecond(), step.millisPerStep(), step.cifarEpochSeconds(), step.device());
        GpuTrainer.BenchResult epoch = GpuTrainer.benchEpoch(40, 2, 128, AugMixConfig.Mode.JSD, 50_000, GpuTrainer.Options.defaults());
        System.out.printf("[gpu bench] %s: %.0f samples/s, epoch of 50,000 samples in %.1f s (%s)%n", epoch.name(), epoch.samplesPerSecond(),
                50_000 / epoch.samplesPerSecond(), epoch.device());
        assertTrue(step.samplesPerSecond() > 0 && epoch.samplesPerSecond() > 0);
    }
}
