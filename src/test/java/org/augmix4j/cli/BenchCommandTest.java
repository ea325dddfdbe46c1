package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code bench --quick --json}: every section runs and writes valid {name, value, unit, device} entries. */
class BenchCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void quickJsonHasValidEntries() throws Exception {
        Path json = dir.resolve("out/bench.json"), full = dir.resolve("runs.json");
        // the smallest WRN keeps the test fast; the names of other models follow the same pattern
        Result r = run("bench", "--quick", "--models", "10-2", "--device", "cpu", "--json", json.toString(), "--runs-json", full.toString());
        assertEquals(0, r.code(), r.err());

        JsonArray entries = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        Set<String> names = new TreeSet<>();
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            assertEquals(Set.of("name", "value", "unit", "device"), o.keySet(), "entry keys: " + o);
            String name = o.get("name").getAsString();
            assertTrue(name.matches("[a-z0-9_]+"), "stable snake_case name: " + name);
            assertTrue(names.add(name), "names are unique: " + name);
            double v = o.get("value").getAsDouble();
            assertTrue(Double.isFinite(v) && v > 0, name + " = " + v);
            assertTrue(List.of("samples/s", "images/s", "ms", "s").contains(o.get("unit").getAsString()), name + " unit");
            assertEquals("cpu", o.get("device").getAsString());
            String unit = o.get("unit").getAsString();
            if (name.endsWith("_per_s")) assertTrue(unit.endsWith("/s"), name + " is a rate: " + unit);
            if (name.endsWith("_ms")) assertEquals("ms", unit);
        }
        List<String> want = new ArrayList<>(List.of("augmix_jsd_samples_per_s_1thread", "augmix_jsd_samples_per_s",
                "augmix_nojsd_samples_per_s", "eval_wrn10_2_images_per_s", "cifar10c_eval_estimate_wrn10_2_s", "corrupt_images_per_s"));
        for (String mode : List.of("jsd", "nojsd", "noaugmix")) {
            want.add("train_step_wrn10_2_" + mode + "_samples_per_s");
            want.add("train_step_wrn10_2_" + mode + "_ms");
            want.add("epoch_estimate_wrn10_2_" + mode + "_s");
        }
        assertEquals(new TreeSet<>(want), names);

        JsonObject doc = JsonParser.parseString(Files.readString(full)).getAsJsonObject();
        assertTrue(doc.get("quick").getAsBoolean());
        assertEquals(entries.size(), doc.getAsJsonArray("figures").size());
        for (JsonElement e : doc.getAsJsonArray("figures")) {
            JsonObject o = e.getAsJsonObject();
            int runs = o.get("runs").getAsInt();
            assertEquals(runs, o.getAsJsonArray("values").size());
            if (runs > 0) {
                assertEquals(2, runs, "--quick times 2 runs");
                assertTrue(o.get("min").getAsDouble() <= o.get("value").getAsDouble() && o.get("value").getAsDouble() <= o.get("max").getAsDouble());
            }
        }
        assertTrue(r.out().contains("train_step_wrn10_2_jsd_samples_per_s"), "prints the table");
    }

    @Test
    void selectsSectionsAndRejectsUnknownOnes() throws Exception {
        Path json = dir.resolve("aug.json");
        Result r = run("bench", "--quick", "--only", "corrupt", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        JsonArray entries = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        assertEquals(1, entries.size());
        assertEquals("corrupt_images_per_s", entries.get(0).getAsJsonObject().get("name").getAsString());
        assertTrue(r.out().contains("corrupt [gpu]") && r.out().contains("skipped"), "auto lists the GPU figures it cannot make");

        r = run("bench", "--only", "augmnet");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("unknown section 'augmnet'"), r.err());
        r = run("bench", "--models", "40x");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("depth-widen"), r.err());
        r = run("bench", "--quick", "--only", "corrupt", "--device", "gpu");
        assertNotEquals(0, r.code());
        assertTrue(r.err().contains("--device gpu") && r.err().contains("--device cpu"), r.err());
    }

    @Test
    void fullTimesARealEpoch() throws Exception {
        Path json = dir.resolve("full.json");
        // 5 samples in batches of 2: two full batches and a last one of 1 (drop_last false)
        Result r = run("bench", "--quick", "--only", "train", "--models", "10-2", "--modes", "noaugmix", "--full", "--epoch-size", "5",
                "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        Set<String> names = new TreeSet<>();
        for (JsonElement e : JsonParser.parseString(Files.readString(json)).getAsJsonArray()) names.add(e.getAsJsonObject().get("name").getAsString());
        assertTrue(names.contains("epoch_wrn10_2_noaugmix_s"), names.toString());
        assertTrue(r.out().contains("one real epoch of 5 synthetic samples"), r.out());
    }

    @Test
    void modelAndModeNames() {
        assertEquals(40, ((org.augmix4j.nn.WideResNet.Config) BenchCommand.parseModel("WRN-40-2")).depth());
        assertEquals(2, ((org.augmix4j.nn.WideResNet.Config) BenchCommand.parseModel("16-2")).widen());
        assertEquals("resnext", BenchCommand.modelKey(BenchCommand.parseModel("ResNeXt")));
        assertEquals("wrn16_2", BenchCommand.modelKey(BenchCommand.parseModel("16-2")));
        assertEquals("DenseNet-40-12", BenchCommand.parseModel("densenet").label());
        assertEquals("noaugmix", BenchCommand.modeKey(BenchCommand.parseMode("no-augmix")));
        assertEquals("nojsd", BenchCommand.modeKey(BenchCommand.parseMode("no-jsd")));
        assertEquals(3.0, BenchFigures.median(new double[] {5, 1, 3}));
        assertEquals(2.5, BenchFigures.median(new double[] {4, 1, 2, 3}));
        assertEquals(1235.0, BenchFigures.round(1234.56));
    }
}
