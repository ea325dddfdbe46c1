package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.augmix4j.train.Charts;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train}: the embedded default end to end (its own code path, with a smaller
 * configuration), everything a run directory holds, the log lines off a terminal, the official
 * flags, and {@code --resume} taking the checkpoint's configuration.
 */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void embeddedDefaultEndToEnd() throws Exception {
        ByteCapture cap = ByteCapture.start();
        int code;
        try {
            code = TrainCommand.runEmbedded("--layers", "10", "--widen-factor", "1", "--epochs", "1", "--train-limit", "40",
                    "--test-limit", "40", "--corrupted-limit", "2", "--print-freq", "1", "--save", dir.toString());
        } finally {
            cap.stop();
        }
        assertEquals(0, code);
        String out = cap.text();
        Path run;
        try (Stream<Path> s = Files.list(dir)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(run.getFileName().toString().startsWith("fashion-mnist-wrn10-1-jsd-"), run.toString());
        for (String f : List.of(Trainer.CHECKPOINT, "checkpoint.json", "checkpoint.optim.safetensors", "config.json", "training_log.csv",
                "training_log.jsonl", "report.json", Charts.TRAINING_CURVES, Charts.CORRUPTION_ERRORS, "EMBEDDED_DEFAULT")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), "run directory lacks " + f);
        }
        // off a terminal: periodic lines with loss, accuracy, samples/s and ETA (--print-freq 1, 2 steps)
        assertTrue(out.contains("Epoch 1 step 1/2 | loss ") && out.contains("samples/s | epoch ETA"), out);
        assertTrue(out.contains("Mean corruption error"), out);
        JsonObject report = json(run.resolve("report.json"));
        assertEquals(15, report.getAsJsonArray("corruptions").size());
        assertEquals(2, report.get("corrupted_images_per_severity").getAsInt());
        assertEquals(40, report.get("test_images").getAsInt());
        JsonObject config = json(run.resolve("config.json"));
        assertEquals("fashion-mnist", config.get("dataset").getAsString(), "the embedded default trains on real images");
        assertEquals("data/fashion-mnist-sample", config.get("data").getAsString());
        assertEquals(10, config.get("layers").getAsInt());
        assertEquals("JSD", config.get("mode").getAsString());
        JsonObject env = config.getAsJsonObject("environment");
        for (String k : List.of("java", "os", "cpu", "cores", "augmix4j", "git_commit", "started")) assertTrue(env.has(k), "environment." + k);
        assertEquals("cpu", config.get("engine").getAsString(), "the run record names the engine that ran");
        assertEquals(2, Files.readAllLines(run.resolve("training_log.csv")).size());
        assertEquals(1, Checkpoint.readMeta(run.resolve(Trainer.CHECKPOINT)).epoch());
        EvalCommandTest.assertPng(run.resolve(Charts.TRAINING_CURVES), 900, 820);
        EvalCommandTest.assertPng(run.resolve(Charts.CORRUPTION_ERRORS), 1100, 620);

        // --resume with nothing else continues with the checkpoint's configuration (WRN-10-1 on
        // synthetic, not the official WRN-40-2 on CIFAR-10); here one more epoch is asked for
        CliRun r = CliRun.of("train", "--resume", run.resolve(Trainer.CHECKPOINT).toString(), "--epochs", "2", "--corrupted", "none");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Warning: resuming with settings that differ") && r.out().contains("--epochs 2 (checkpoint: 1)"), r.out());
        assertTrue(r.out().contains("WRN-10-1") && r.out().contains("Resuming"), r.out());
        List<String> csv = Files.readAllLines(run.resolve("training_log.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(2).startsWith("2,"));
        assertEquals(2, Checkpoint.readMeta(run.resolve(Trainer.CHECKPOINT)).epoch());

        // --evaluate (official): only evaluates the checkpoint, with the run's dataset and settings
        r = CliRun.of("train", "--resume", run.resolve(Trainer.CHECKPOINT).toString(), "--evaluate");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Evaluating") && r.out().contains("Clean: error") && r.out().contains("(40 images"), r.out());
        assertEquals(3, Files.readAllLines(run.resolve("training_log.csv")).size(), "no training");

        // plot redraws the charts of a run directory
        Path charts = dir.resolve("charts");
        r = CliRun.of("plot", "--run", run.toString(), "--out", charts.toString());
        assertEquals(0, r.code(), r.toString());
        EvalCommandTest.assertPng(charts.resolve(Charts.TRAINING_CURVES), 900, 820);
        assertFalse(Files.exists(charts.resolve(Charts.CORRUPTION_ERRORS)), "the resumed run was evaluated with --corrupted none");
    }

    /**
     * A real process stopped by a signal (SIGTERM, as Ctrl-C's SIGINT, runs the shutdown hooks)
     * after its first checkpoint: it says which epoch the checkpoint holds, and the run directory
     * holds a valid checkpoint with as many log rows as checkpointed epochs and no temp files.
     */
    @Test
    void signalLeavesAResumableCheckpoint() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--dataset", "synthetic", "--layers", "10", "--widen-factor", "1", "--epochs", "50",
                "--batch-size", "8", "--train-limit", "16", "--test-limit", "10", "--corrupted", "none", "--num-workers", "1",
                "--save", dir.toString()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.startsWith("Epoch   1 |")) p.toHandle().destroy(); // SIGTERM; Process.destroy would also close our end of its output
            }
        }
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        String text = out.toString();
        assertTrue(text.contains("Interrupted. The last complete checkpoint (epoch "), text);
        Path run;
        try (Stream<Path> s = Files.list(dir)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        int epoch = Checkpoint.readMeta(run.resolve(Trainer.CHECKPOINT)).epoch();
        assertTrue(epoch >= 1 && text.contains("(epoch " + epoch + " of 50)"), text);
        assertEquals(epoch + 1, Files.readAllLines(run.resolve("training_log.csv")).size());
        try (Stream<Path> s = Files.list(run)) {
            // the run directory's lock file (.lock) stays by design; temp and .partial files must not
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".") && !f.getFileName().toString().equals(".lock")),
                    "no temp files left");
        }
    }

    @Test
    void noArgumentsAndNoCifarMeansTheEmbeddedDefault() {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs();
        t.eval.data = dir; // no CIFAR-10 here
        assertTrue(t.isEmbeddedDefault());
        TrainCommand u = new TrainCommand();
        new CommandLine(u).parseArgs("--epochs", "3");
        u.eval.data = dir;
        assertFalse(u.isEmbeddedDefault(), "any option means the user's configuration");
    }

    @Test
    void officialFlagsAndDefaults() {
        TrainCommand t = new TrainCommand();
        new CommandLine(t).parseArgs("-e", "7", "-lr", "0.05", "-b", "64", "-wd", "0.001", "-nj", "-all", "-s", "x", "-m", "wrn");
        assertEquals(7, t.epochs);
        assertEquals(0.05, t.learningRate);
        assertEquals(64, t.batchSize);
        assertEquals(0.001, t.decay);
        assertTrue(t.noJsd && t.allOps);
        TrainCommand d = new TrainCommand();
        new CommandLine(d).parseArgs();
        assertEquals(100, d.config().epochs());
        assertEquals(0.0005, d.config().decay());
        assertEquals("wrn", d.config().model());
        assertEquals(0.1, d.learningRate);
        assertEquals(128, d.batchSize);
        assertEquals(1000, d.eval.evalBatchSize);
        assertEquals(0.9, d.momentum);
        // the official per-model defaults (README of google-research/augmix): -e 200 for resnext and densenet, -wd 0.0001 for densenet
        for (String[] m : new String[][] {{"allconv", "100", "5.0E-4"}, {"densenet", "200", "1.0E-4"}, {"resnext", "200", "5.0E-4"}}) {
            TrainCommand z = new TrainCommand();
            new CommandLine(z).parseArgs("-m", m[0]);
            assertEquals(m[0], z.config().model());
            assertEquals(Integer.parseInt(m[1]), z.config().epochs(), m[0]);
            assertEquals(Double.parseDouble(m[2]), z.config().decay(), m[0]);
        }
        TrainCommand given = new TrainCommand();
        new CommandLine(given).parseArgs("-m", "densenet", "-e", "3", "-wd", "0.002");
        assertEquals(3, given.config().epochs(), "a given -e wins over the per-model default");
        assertEquals(0.002, given.config().decay());
        assertEquals(40, d.layers);
        assertEquals(2, d.widenFactor);
        assertEquals(0.0, d.droprate);
        assertEquals(3, d.mixtureWidth);
        assertEquals(-1, d.mixtureDepth);
        assertEquals(3, d.augSeverity);
        assertEquals(50, d.printFreq);
        assertEquals(Path.of("snapshots"), d.save);
        String help = new CommandLine(new TrainCommand()).getUsageMessage();
        for (String flag : List.of("--dataset", "--model", "--epochs", "--learning-rate", "--batch-size", "--eval-batch-size", "--momentum",
                "--decay", "--layers", "--widen-factor", "--droprate", "--mixture-width", "--mixture-depth", "--aug-severity", "--no-jsd",
                "--all-ops", "--save", "--resume", "--evaluate", "--print-freq", "--num-workers", "--no-augmix", "--seed", "--device",
                "--data", "--train-limit", "--test-limit", "--corrupted", "--corrupted-limit")) {
            assertTrue(help.contains(flag), "--help lists " + flag);
        }
    }

    @Test
    void badTrainArguments() {
        CliRun r = CliRun.of("train", "--dataset", "synthetic", "--layers", "12", "--save", dir.toString());
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("6n+4"), r.err());
        r = CliRun.of("train", "--resume", dir.resolve("none.safetensors").toString());
        assertEquals(1, r.code(), r.toString());
        r = CliRun.of("train", "--no-jsd", "--no-augmix", "--dataset", "synthetic");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("pick one"), r.err());
    }

    static JsonObject json(Path f) throws Exception { return new Gson().fromJson(Files.readString(f), JsonObject.class); }

    /** Captures System.out while the embedded default runs outside the picocli command line. */
    static final class ByteCapture {
        private final java.io.PrintStream saved = System.out;
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        static ByteCapture start() {
            ByteCapture c = new ByteCapture();
            System.setOut(new java.io.PrintStream(c.bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            return c;
        }

        void stop() {
            System.setOut(saved);
            saved.print(text());
        }

        String text() { return bytes.toString(java.nio.charset.StandardCharsets.UTF_8); }
    }
}
