package org.augmix4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.nn.WideResNet;

/** The resolved configuration, versions and hardware saved with every run. */
public final class RunInfo {
    private RunInfo() {}

    public static JsonObject configJson(TrainConfig c, WideResNet net) {
        JsonObject o = new JsonObject();
        o.addProperty("dataset", c.dataset());
        o.addProperty("data", c.dataDir().toString());
        o.addProperty("model", "wrn");
        o.addProperty("layers", c.layers());
        o.addProperty("widen_factor", c.widenFactor());
        o.addProperty("classes", net.config().classes());
        o.addProperty("parameters", net.parameterCount());
        o.addProperty("epochs", c.epochs());
        o.addProperty("learning_rate", c.learningRate());
        o.addProperty("batch_size", c.batchSize());
        o.addProperty("eval_batch_size", c.evalBatchSize());
        o.addProperty("momentum", c.momentum());
        o.addProperty("decay", c.decay());
        o.addProperty("mode", c.augmix().mode().name());
        o.addProperty("mixture_width", c.augmix().width());
        o.addProperty("mixture_depth", c.augmix().depth());
        o.addProperty("aug_severity", c.augmix().severity());
        o.addProperty("all_ops", c.augmix().allOps());
        o.addProperty("jsd_weight", 12);
        o.addProperty("seed", c.seed());
        o.addProperty("device", c.device());
        o.addProperty("threads", c.threads());
        o.addProperty("train_limit", c.trainLimit());
        o.addProperty("corrupted", c.corrupted());
        o.addProperty("corrupted_limit", c.corruptedLimit());
        o.addProperty("test_limit", c.testLimit());
        o.addProperty("print_freq", c.printFreq());
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
        env.addProperty("engine", "cpu");
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
}
