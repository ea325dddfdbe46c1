package org.augmix4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.nn.Network;

/** The resolved configuration, versions and hardware saved with every run. */
public final class RunInfo {
    private RunInfo() {}

    /** The run's configuration with the architecture's class and parameter counts and the engine that runs it. */
    public static JsonObject configJson(TrainConfig c, Network net, Engine engine) {
        JsonObject o = c.toJson();
        o.addProperty("architecture", net.arch().label());
        o.addProperty("classes", net.arch().classes());
        o.addProperty("parameters", net.parameterCount());
        o.addProperty("engine", engine.kind());
        o.addProperty("engine_detail", engine.describe());
        return o;
    }

    /** Adds versions and hardware: JVM, OS, CPU model and cores. */
    public static JsonObject withEnvironment(JsonObject config) {
        JsonObject o = config.deepCopy();
        JsonObject env = new JsonObject();
        env.addProperty("augmix4j", RunInfo.class.getPackage().getImplementationVersion() == null ? "dev" : RunInfo.class.getPackage().getImplementationVersion());
        env.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        env.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        env.addProperty("cpu", cpuModel());
        env.addProperty("cores", Runtime.getRuntime().availableProcessors());
        env.addProperty("cpu_threads_used", org.augmix4j.cpu.Parallel.threads());
        env.addProperty("max_heap_mb", Runtime.getRuntime().maxMemory() >> 20);
        env.addProperty("git_commit", gitCommit());
        env.addProperty("load_average_at_start", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        env.addProperty("started", java.time.OffsetDateTime.now().withNano(0).toString());
        o.add("environment", env);
        return o;
    }

    /**
     * The run's config.json after a resume: the original (with its environment) plus an entry in
     * "resumed" for this continuation (epoch, time, environment).
     */
    public static JsonObject resumed(Path existing, JsonObject config, int epoch) {
        JsonObject o;
        try {
            o = Files.isRegularFile(existing) ? new com.google.gson.Gson().fromJson(Files.readString(existing), JsonObject.class) : null;
        } catch (IOException | RuntimeException e) {
            o = null;
        }
        if (o == null) o = withEnvironment(config);
        com.google.gson.JsonArray list = o.has("resumed") ? o.getAsJsonArray("resumed") : new com.google.gson.JsonArray();
        JsonObject r = new JsonObject();
        r.addProperty("from_epoch", epoch);
        r.add("environment", withEnvironment(new JsonObject()).get("environment"));
        list.add(r);
        o.add("resumed", list);
        return o;
    }

    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }

    public static void writeJson(Path file, JsonObject o) {
        try (AtomicFile f = AtomicFile.create(file)) {
            f.write(new GsonBuilder().setPrettyPrinting().create().toJson(o).getBytes(StandardCharsets.UTF_8));
            f.commit();
        }
    }

    /**
     * The commit the running code was built from: the {@code Git-Commit} manifest entry of a packaged
     * jar, else {@code git rev-parse HEAD} in the working directory (with "+dirty" for uncommitted
     * changes), else "unknown".
     */
    public static String gitCommit() {
        String v = RunInfo.class.getPackage().getImplementationVersion() != null ? manifestCommit() : null;
        if (v != null) return v;
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String head = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || !head.matches("[0-9a-f]{40}")) return "unknown";
            Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true).start();
            boolean dirty = !new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).isBlank();
            d.waitFor();
            return head + (dirty ? "+dirty" : "");
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static String manifestCommit() {
        try (var in = RunInfo.class.getResourceAsStream("/META-INF/MANIFEST.MF")) {
            if (in == null) return null;
            String c = new java.util.jar.Manifest(in).getMainAttributes().getValue("Git-Commit");
            return c == null || c.isBlank() ? null : c;
        } catch (IOException e) {
            return null;
        }
    }
}
