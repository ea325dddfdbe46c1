package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.augmix4j.cuda.DeviceTests;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code bench --device gpu} through the real device layer: on the CUDA emulator (the kernels run on
 * CPU threads, so the figures mean nothing as speeds) the GPU rows are produced under the CPU
 * rows' names with device "gpu" for every section (augment, train, eval, corrupt), each workload
 * having matched the CPU reference first.
 */
class BenchGpuTest {
    @TempDir
    Path dir;

    @Test
    @Tag("emulated")
    void gpuFiguresOnTheDevice() throws Exception {
        DeviceTests.requireDevice();
        Path json = dir.resolve("gpu.json");
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("bench", "--quick", "--device", "gpu", "--only", "augment,train,eval,corrupt", "--models", "10-1", "--modes", "jsd",
                "--runs", "1", "--json", json.toString());
        assertEquals(0, code, err + "\n" + out);
        Set<String> names = new TreeSet<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(json)).getAsJsonArray()) {
            JsonObject o = e.getAsJsonObject();
            assertEquals("gpu", o.get("device").getAsString(), o.toString());
            assertTrue(o.get("value").getAsDouble() > 0, o.toString());
            names.add(o.get("name").getAsString());
        }
        assertEquals(new TreeSet<>(Set.of("augmix_jsd_samples_per_s", "augmix_nojsd_samples_per_s", "train_step_wrn10_1_jsd_samples_per_s",
                "train_step_wrn10_1_jsd_ms", "epoch_estimate_wrn10_1_jsd_s", "eval_wrn10_1_images_per_s", "cifar10c_eval_estimate_wrn10_1_s",
                "corrupt_images_per_s")), names);
        System.out.println(out);
    }
}
