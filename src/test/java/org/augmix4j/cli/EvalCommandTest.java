package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Npy;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.TestCheckpoints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval} end to end on generated files: a checkpoint of ours and PyTorch-made weights, on the
 * synthetic test set, a directory in the CIFAR-C layout, the built-in corruptions, and the JSON
 * report with its chart; and every bad input failing with a message that says what is wrong.
 */
class EvalCommandTest {
    @TempDir
    static Path dir;
    static Path ckpt, cifarC;
    static final int M = 6; // images per severity in the generated CIFAR-C directory

    @BeforeAll
    static void files() throws Exception {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 2);
        ckpt = dir.resolve("run/checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 10, 1, new JsonObject());
        // a CIFAR-10-C layout directory: the first M synthetic test images, darkened a little more per severity
        Dataset test = Synthetic.generate("synthetic-test", Synthetic.DEFAULT_SEED, 1, Synthetic.DEFAULT_TEST).slice(0, M);
        cifarC = dir.resolve("CIFAR-10-C");
        Files.createDirectories(cifarC);
        int bytes = test.images().imageBytes();
        for (String name : CifarC.BENCHMARK) {
            byte[] px = new byte[5 * M * bytes];
            for (int s = 0; s < 5; s++) {
                for (int i = 0; i < M * bytes; i++) px[s * M * bytes + i] = (byte) ((test.images().pixels()[i] & 0xFF) * (10 - s) / 10);
            }
            Npy.writeImages(cifarC.resolve(name + ".npy"), new ImageBatch(px, 5 * M, 32, 32, 3));
        }
        int[] labels = new int[5 * M];
        for (int s = 0; s < 5; s++) System.arraycopy(test.labels(), 0, labels, s * M, M);
        Npy.writeLabels(cifarC.resolve(CifarC.LABELS), labels);
    }

    static JsonObject json(Path f) throws Exception { return new Gson().fromJson(Files.readString(f), JsonObject.class); }

    @Test
    void cleanOnlyOnTheSyntheticSet() throws Exception {
        Path report = dir.resolve("clean.json");
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "none",
                "--test-limit", "40", "--json", report.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject o = json(report);
        assertEquals(40, o.get("test_images").getAsInt());
        assertEquals("WRN-10-1", o.get("model").getAsString());
        assertEquals("from its sidecar", o.get("architecture_source").getAsString());
        double err = o.get("clean_error").getAsDouble();
        assertTrue(err >= 0 && err <= 100);
        assertTrue(o.has("rms_calibration_error"));
        assertFalse(o.has("corruptions"));
        assertFalse(Files.exists(dir.resolve("clean-corruption_errors.png")), "no corrupted results, no corruption chart");
        assertTrue(r.out().contains("Clean: error"), r.out());
    }

    @Test
    void aCifarCLayoutDirectoryWithReportAndChart() throws Exception {
        Path report = dir.resolve("reports/cifarc.json");
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", cifarC.toString(),
                "--test-limit", "20", "--json", report.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject o = json(report);
        assertEquals(15, o.getAsJsonArray("corruptions").size());
        assertEquals(M, o.get("corrupted_images_per_severity").getAsInt());
        assertEquals(cifarC.toString(), o.get("corrupted_source").getAsString());
        double sumAcc = 0;
        for (JsonElement e : o.getAsJsonArray("corruptions")) {
            JsonObject row = e.getAsJsonObject();
            double pooled = 0;
            for (JsonElement s : row.getAsJsonArray("error_per_severity")) pooled += s.getAsDouble() / 5;
            assertEquals(pooled, row.get("error").getAsDouble(), 1e-9, "equal-sized severities: pooled error = mean over severities");
            sumAcc += (100 - row.get("error").getAsDouble()) / 100;
        }
        assertEquals(100 - 100 * sumAcc / 15, o.get("mean_corruption_error").getAsDouble(), 1e-9);
        Path png = dir.resolve("reports/cifarc-corruption_errors.png");
        assertPng(png, 1100, 620);
        assertTrue(r.out().contains("Mean corruption error"), r.out());
        for (String name : CifarC.BENCHMARK) assertTrue(r.out().contains(name), "table row for " + name);
    }

    @Test
    void builtinCorruptionsAndAuto() throws Exception {
        Path report = dir.resolve("builtin.json");
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "builtin",
                "--test-limit", "10", "--corrupted-limit", "3", "--json", report.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject o = json(report);
        assertEquals(3, o.get("corrupted_images_per_severity").getAsInt());
        assertTrue(o.get("corrupted_source").getAsString().startsWith("builtin"), o.toString());
        assertEquals(15, o.getAsJsonArray("corruptions").size());
        assertPng(dir.resolve("builtin-corruption_errors.png"), 1100, 620);
        // auto: no published -C files for the synthetic set, so the built-in corruptions
        r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--test-limit", "10", "--corrupted-limit", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Corrupted (builtin"), r.out());
    }

    /** PyTorch-made weights with DataParallel's prefix and without num_batches_tracked, no sidecar: the architecture is inferred. */
    @Test
    void pytorchExportedWeightsEvaluate() throws Exception {
        Path src = Path.of(getClass().getResource("/fixtures/pytorch/wrn10-2/model.safetensors").toURI());
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        Safetensors.read(src).tensors().forEach((k, e) -> {
            if (!k.endsWith("num_batches_tracked")) out.put("module." + k, e);
        });
        Path f = dir.resolve("from-pytorch.safetensors");
        Safetensors.write(f, out, Map.of("format", "pt"));
        Path report = dir.resolve("pt.json");
        CliRun r = CliRun.of("eval", "--checkpoint", f.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "20",
                "--json", report.toString());
        assertEquals(0, r.code(), r.toString());
        JsonObject o = json(report);
        assertEquals("WRN-10-2", o.get("model").getAsString());
        assertEquals("inferred from the tensors", o.get("architecture_source").getAsString());
    }

    // ------------------------------------------------------------ bad inputs

    static void assertFails(String expectedInMessage, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains(expectedInMessage), "expected '" + expectedInMessage + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), "a message, not a stack trace: " + r.err());
    }

    @Test
    void missingCheckpoint() {
        assertFails("no such file", "eval", "--checkpoint", dir.resolve("nope.safetensors").toString(), "--dataset", "synthetic");
    }

    @Test
    void wrongClassCount() throws Exception {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 100), 2);
        Path f = dir.resolve("c100/checkpoint.safetensors");
        TestCheckpoints.save(f, net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 1, 1, new JsonObject());
        assertFails("has 100 output classes (fc.bias) but synthetic has 10", "eval", "--checkpoint", f.toString(), "--dataset", "synthetic",
                "--corrupted", "none");
    }

    @Test
    void corruptFiles() throws Exception {
        Path garbage = dir.resolve("garbage.safetensors");
        Files.write(garbage, "this is not a checkpoint at all".getBytes());
        assertFails("not a valid safetensors file", "eval", "--checkpoint", garbage.toString(), "--dataset", "synthetic");

        Path truncated = dir.resolve("truncated.safetensors");
        byte[] b = Files.readAllBytes(ckpt);
        Files.write(truncated, Arrays.copyOf(b, b.length - 100));
        assertFails("truncated", "eval", "--checkpoint", truncated.toString(), "--dataset", "synthetic");

        Path modified = dir.resolve("modified/checkpoint.safetensors");
        Files.createDirectories(modified.getParent());
        for (Path p : new Path[] {ckpt, Checkpoint.sidecar(ckpt), Checkpoint.optimFile(ckpt)}) {
            Files.copy(p, modified.resolveSibling(p.getFileName()));
        }
        byte[] m = Files.readAllBytes(modified);
        m[m.length - 1] ^= 0x40;
        Files.write(modified, m);
        assertFails("checksum mismatch", "eval", "--checkpoint", modified.toString(), "--dataset", "synthetic");
    }

    @Test
    void badCorruptedInputs() throws Exception {
        assertFails("no such directory", "eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted",
                dir.resolve("missing-dir").toString());
        // a -C directory whose images file is cut short
        Path bad = dir.resolve("bad-c");
        Files.createDirectories(bad);
        Files.copy(cifarC.resolve(CifarC.LABELS), bad.resolve(CifarC.LABELS));
        byte[] img = Files.readAllBytes(cifarC.resolve("gaussian_noise.npy"));
        Files.write(bad.resolve("gaussian_noise.npy"), Arrays.copyOf(img, img.length / 2));
        CliRun r = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", bad.toString(), "--test-limit", "5");
        assertEquals(1, r.code(), r.toString());
        assertTrue(r.err().contains("gaussian_noise.npy"), r.err());
        // labels outside the model's classes (a CIFAR-100-C directory for a 10-class model)
        Path c100 = dir.resolve("c100-c");
        Files.createDirectories(c100);
        Files.copy(cifarC.resolve("gaussian_noise.npy"), c100.resolve("gaussian_noise.npy"));
        int[] labels = new int[5 * M];
        Arrays.fill(labels, 57);
        Npy.writeLabels(c100.resolve(CifarC.LABELS), labels);
        assertFails("has label 57 but the model has 10 classes", "eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic",
                "--corrupted", c100.toString(), "--test-limit", "5");
    }

    static void assertPng(Path png, int w, int h) throws Exception {
        assertTrue(Files.isRegularFile(png), png + " missing");
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(w, img.getWidth());
        assertEquals(h, img.getHeight());
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < h; y += 7) for (int x = 0; x < w; x += 7) colours.add(img.getRGB(x, y));
        assertTrue(colours.size() > 8, "a drawn chart, not a blank image: " + colours.size() + " colours");
    }
}
