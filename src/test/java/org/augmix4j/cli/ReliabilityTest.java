package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.Npy;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.RunLock;
import org.augmix4j.train.TestCheckpoints;
import org.augmix4j.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless inputs through the command line (issue 13's fault cases): each is refused
 * before any work with a sentence naming the file or flag, the problem and the fix, or, where the
 * work was under way, without losing or poisoning what was there.
 */
class ReliabilityTest {
    @TempDir
    static Path dir;
    static Path ckpt;

    @BeforeAll
    static void checkpoint() throws Exception {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 2);
        ckpt = dir.resolve("run/checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 10, 1, new JsonObject());
    }

    /** A copy of the checkpoint's weights (no sidecar) with one tensor's shape replaced. */
    static Path withShape(String name, String key, long... shape) throws Exception {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(Safetensors.read(ckpt).tensors());
        Safetensors.Entry e = t.get(key);
        t.put(key, new Safetensors.Entry(e.dtype(), shape, e.values()));
        Path f = dir.resolve(name + "/weights.safetensors");
        Files.createDirectories(f.getParent());
        Safetensors.write(f, t, Map.of());
        return f;
    }

    @Test
    void aTransposedOrFlattenedTensorOfTheRightSizeIsRefused() throws Exception {
        // block2.layer.0.conv1.weight of WRN-10-1 is (32, 16, 3, 3): the transposed (16, 32, 3, 3) has as many values
        Path transposed = withShape("transposed", "block2.layer.0.conv1.weight", 16, 32, 3, 3);
        CliRun r = CliRun.of("eval", "--checkpoint", transposed.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("block2.layer.0.conv1.weight has shape [16, 32, 3, 3], expected [32, 16, 3, 3]"), r.toString());
        assertFalse(r.out().contains("Clean:"), "nothing was evaluated");
        Path flat = withShape("flat", "fc.weight", 640);
        r = CliRun.of("eval", "--checkpoint", flat.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("fc.weight has shape [640], expected [10, 64]"), r.toString());
    }

    @Test
    void nonFiniteWeightsAreNotEvaluated() throws Exception {
        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(Safetensors.read(ckpt).tensors());
        float[] v = t.get("bn1.running_var").floats().clone();
        v[3] = Float.POSITIVE_INFINITY;
        t.put("bn1.running_var", Safetensors.Entry.f32(v, v.length));
        Path f = dir.resolve("inf/weights.safetensors");
        Files.createDirectories(f.getParent());
        Safetensors.write(f, t, Map.of());
        CliRun r = CliRun.of("eval", "--checkpoint", f.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("bn1.running_var holds NaN or Inf"), r.toString());
    }

    /** A CIFAR-10-C layout folder with only {@code names} (M = 2 images per severity). */
    static Path partialCifarC(String folder, List<String> names) throws Exception {
        Path c = dir.resolve(folder);
        Files.createDirectories(c);
        ImageBatch img = Synthetic.generate("synthetic-test", Synthetic.DEFAULT_SEED, 1, Synthetic.DEFAULT_TEST).slice(0, 2).images();
        byte[] px = new byte[10 * img.imageBytes()];
        for (int s = 0; s < 5; s++) System.arraycopy(img.pixels(), 0, px, s * 2 * img.imageBytes(), 2 * img.imageBytes());
        for (String n : names) Npy.writeImages(c.resolve(n + ".npy"), new ImageBatch(px, 10, 32, 32, 3));
        Npy.writeLabels(c.resolve(CifarC.LABELS), new int[10]);
        return c;
    }

    @Test
    void aPartialCorruptionFolderIsRefusedOrLabelledPartial() throws Exception {
        Path c = partialCifarC("partial-C", CifarC.BENCHMARK.subList(0, 12));
        Files.createDirectories(c.resolve(CifarC.BENCHMARK.get(12) + ".npy"));  // a directory where a file should be
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", c.toString(), "--test-limit", "4");
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("3 of the 15 benchmark corruption files are missing") && r.err().contains("--allow-partial")
                && r.err().contains(CifarC.BENCHMARK.get(12) + ".npy"), r.toString());
        assertFalse(r.out().contains("Clean:"), "refused before any evaluation");

        Path json = dir.resolve("partial.json");
        r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", c.toString(), "--test-limit", "4",
                "--allow-partial", "--json", json.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Mean corruption error (PARTIAL)") && r.out().contains("PARTIAL: the mean is over 12 of the 15"), r.out());
        JsonObject o = EvalCommandTest.json(json);
        assertTrue(o.get("mean_corruption_error_partial").getAsBoolean());
        assertEquals(3, o.getAsJsonArray("missing_corruptions").size());
        assertEquals(12, o.getAsJsonArray("corruptions").size());
    }

    @Test
    void trainValidatesCorruptedBeforeTheFirstEpoch() throws Exception {
        Path c = partialCifarC("partial-train-C", CifarC.BENCHMARK.subList(0, 14));
        CliRun r = CliRun.of("train", "--dataset", "synthetic", "--layers", "10", "--widen-factor", "1", "--epochs", "1", "--batch-size", "4",
                "--train-limit", "8", "--test-limit", "4", "--corrupted", c.toString(), "--save", dir.resolve("snap-c").toString());
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("1 of the 15 benchmark corruption files are missing"), r.toString());
        assertFalse(r.out().contains("Epoch   1"), "refused before training");
    }

    @Test
    void anAbsurdBatchSizeIsASentenceAndLeavesNoRunDirectory() {
        Path save = dir.resolve("snap-b");
        CliRun r = CliRun.of("train", "--dataset", "synthetic", "--batch-size", "100000000", "--save", save.toString());
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("--batch-size 100000000: one step would hold 300000000 images"), r.toString());
        assertFalse(Files.exists(save), "no run directory");
        r = CliRun.of("train", "--dataset", "synthetic", "--layers", "1000000", "--save", save.toString());
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("--layers 1000000 is outside 10..10000"), r.toString());
        assertFalse(Files.exists(save), "no run directory");
    }

    @Test
    void aDivergingRunStopsWithoutSavingNonFiniteWeights() throws Exception {
        Path save = dir.resolve("snap-d");
        CliRun r = CliRun.of("train", "--dataset", "synthetic", "--layers", "10", "--widen-factor", "1", "--epochs", "3", "--batch-size", "8",
                "--train-limit", "64", "--test-limit", "8", "--corrupted", "none", "--learning-rate", "1000", "--no-jsd", "--save", save.toString(),
                "--num-workers", "2", "--print-freq", "1");
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("diverged") || r.err().contains("NaN"), r.toString());
        try (Stream<Path> runs = Files.list(save)) {
            for (Path run : runs.toList()) {
                Path c = run.resolve(Trainer.CHECKPOINT);
                if (Files.exists(c)) Checkpoint.readState(c, new WideResNet.Config(10, 1, 10));  // throws on NaN/Inf
            }
        }
    }

    @Test
    void anUnwritableJsonTargetFailsBeforeTheEvaluation() throws Exception {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4",
                "--json", file.resolve("report.json").toString());
        assertNotEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("--json") && r.err().contains("is a file, not a directory"), r.toString());
        assertFalse(r.out().contains("Clean:"), "refused before the evaluation");
    }

    @Test
    void aSecondWriterOfARunDirectoryIsRefusedNamingTheHolder() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path save = dir.resolve("snap-lock");
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "-Daugmix4j.autoDevice=cpu", Main.class.getName(), "train", "--dataset", "synthetic", "--layers", "10", "--widen-factor", "1",
                "--epochs", "50", "--batch-size", "8", "--train-limit", "16", "--test-limit", "8", "--corrupted", "none", "--num-workers", "1",
                "--save", save.toString()).redirectErrorStream(true).start();
        try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
            for (String line; (line = in.readLine()) != null; ) if (line.startsWith("Epoch   1 |")) break;
            Path run;
            try (Stream<Path> s = Files.list(save)) {
                run = s.findFirst().orElseThrow();
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RunLock.acquire(run));
            assertTrue(e.getMessage().contains("in use by another training process (pid " + p.pid()), e.getMessage());
            CliRun r = CliRun.of("train", "--resume", run.resolve(Trainer.CHECKPOINT).toString(), "--corrupted", "none");
            assertNotEquals(0, r.code(), r.toString());
            assertTrue(r.err().contains("in use by another training process"), r.toString());
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }
}
