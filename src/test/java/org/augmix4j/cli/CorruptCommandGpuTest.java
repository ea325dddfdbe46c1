package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.augmix4j.corrupt.TestImages;
import org.augmix4j.cuda.DeviceTests;
import org.augmix4j.data.Npy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corrupt --device gpu} writes the same bytes as {@code --device cpu}: GPU corruptions
 * (CorruptionsCuda) and the CPU-only ones mixed in one run, small shapes for the emulator. Runs on
 * the emulator in {@code mvn test} and on a real GPU in {@code mvn test -Pgpu}.
 */
@Tag("emulated")
class CorruptCommandGpuTest {
    @TempDir
    Path tmp;

    @Test
    void gpuRunWritesTheSameFilesAsTheCpuRun() throws IOException {
        boolean emulated = DeviceTests.requireDevice().isEmulated();
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        Npy.writeImages(x, TestImages.batch(8, 5));
        Npy.writeLabels(y, new int[] {4, 3, 2, 1, 0});
        String list = "gaussian_noise,shot_noise,glass_blur,fog,elastic_transform,pixelate,snow";
        CorruptCommandTest.Run gpu = CorruptCommandTest.run("corrupt", "--input", x.toString(), "--labels", y.toString(), "--out",
                tmp.resolve("gpu").toString(), "--corruptions", list, "--seed", "11", "--device", "gpu");
        assertEquals(0, gpu.code(), gpu.all());
        assertTrue(gpu.out().contains("Device: GPU"), gpu.out());
        assertTrue(gpu.out().contains("(gpu)") && gpu.out().contains("(cpu)"), gpu.out());
        CorruptCommandTest.Run cpu = CorruptCommandTest.run("corrupt", "--input", x.toString(), "--labels", y.toString(), "--out",
                tmp.resolve("cpu").toString(), "--corruptions", list, "--seed", "11", "--device", "cpu", "--no-preview");
        assertEquals(0, cpu.code(), cpu.all());
        for (String stem : (list + ",labels").split(",")) {
            assertArrayEquals(Files.readAllBytes(tmp.resolve("cpu").resolve(stem + ".npy")),
                    Files.readAllBytes(tmp.resolve("gpu").resolve(stem + ".npy")), stem + ".npy differs between --device gpu and cpu");
        }
        if (emulated) {  // auto does not take the emulator for a GPU
            CorruptCommandTest.Run auto = CorruptCommandTest.run("corrupt", "--input", x.toString(), "--out", tmp.resolve("auto").toString(),
                    "--corruptions", "contrast", "--no-preview");
            assertEquals(0, auto.code(), auto.all());
            assertTrue(auto.out().contains("Device: CPU") && auto.out().contains("no usable GPU"), auto.out());
        }
    }
}
