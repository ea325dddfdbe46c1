package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench scripts (bench/peers, bench/results): the Pillow peer writes the same
 * {name, value, unit, device} entries as {@code bench}, and bench/results/README.md is what
 * summarize.py makes of the result files. Skipped where Debian's Python with Pillow is missing.
 */
class BenchScriptsTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path dir;

    record Run(int code, String out) {}

    static Run python(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Run(p.exitValue(), out);
    }

    static boolean pythonHas(String module) throws Exception {
        return Files.isExecutable(PYTHON) && python("-c", "import " + module).code() == 0;
    }

    @Test
    void pillowPeerWritesBenchEntries() throws Exception {
        assumeTrue(pythonHas("PIL, numpy"), "needs /usr/bin/python3 with Pillow and NumPy (apt-get install -y python3-pil python3-numpy)");
        Path json = dir.resolve("p.json"), runs = dir.resolve("p.runs.json");
        Run r = python("bench/peers/pillow_augmix.py", "--quick", "--json", json.toString(), "--runs-json", runs.toString());
        assertEquals(0, r.code(), r.out());
        JsonArray entries = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        List<String> names = new ArrayList<>();
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            assertEquals(Set.of("name", "value", "unit", "device"), o.keySet());
            assertEquals("samples/s", o.get("unit").getAsString());
            assertEquals("cpu", o.get("device").getAsString());
            assertTrue(o.get("value").getAsDouble() > 0);
            names.add(o.get("name").getAsString());
        }
        assertTrue(names.contains("augmix_jsd_samples_per_s_1thread"), names.toString());
        JsonObject doc = JsonParser.parseString(Files.readString(runs)).getAsJsonObject();
        assertEquals(2, doc.getAsJsonArray("figures").get(0).getAsJsonObject().get("runs").getAsInt());
        assertTrue(doc.get("load_before").getAsString().matches("[0-9. ]+|unknown"));
    }

    @Test
    void resultsSummaryIsUpToDate() throws Exception {
        assumeTrue(Files.isExecutable(PYTHON), "needs /usr/bin/python3");
        Run r = python("bench/results/summarize.py", "--check");
        assertEquals(0, r.code(), r.out());
    }
}
