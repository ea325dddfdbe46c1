package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.PreviewRenderer;
import org.augmix4j.corrupt.TestImages;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Npy;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.TestCheckpoints;
import org.augmix4j.train.Report;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The {@code corrupt} command on small generated inputs: the CIFAR-C layout (severity-major rows,
 * int64 labels repeated per severity) with the reference's bytes, reading back through CifarC and
 * {@code eval --corrupted DIR}, equality with {@code eval --corrupted builtin}'s on-the-fly images,
 * the preview and manifest, severity subsets, and clear errors for bad inputs. CPU only
 * ({@code --device cpu}); the GPU path is CorruptCommandGpuTest.
 */
class CorruptCommandTest {
    @TempDir
    Path tmp;

    /** Exit code, stdout and stderr of one command line. */
    record Run(int code, String out, String err) {
        String all() { return out + err; }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static final int N = 7;

    /** 7 procedural test pictures and labels 0..6 mod 3, as .npy files. */
    private Path[] writeInput() {
        Path x = tmp.resolve("x.npy"), y = tmp.resolve("y.npy");
        Npy.writeImages(x, TestImages.batch(4, N));
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) labels[i] = i % 3;
        Npy.writeLabels(y, labels);
        return new Path[] {x, y};
    }

    private static byte[] rows(ImageBatch b, int from, int count) {
        return Arrays.copyOfRange(b.pixels(), from * 3072, (from + count) * 3072);
    }

    @Test
    void writesTheCifarCLayoutWithTheReferenceBytesAndItLoadsBack() throws IOException {
        Path[] in = writeInput();
        Path dir = tmp.resolve("out-C");
        Run r = run("corrupt", "--input", in[0].toString(), "--labels", in[1].toString(), "--out", dir.toString(),
                "--corruptions", "gaussian_noise,fog,jpeg_compression,contrast", "--seed", "3", "--device", "cpu");
        assertEquals(0, r.code(), r.all());
        ImageBatch x = TestImages.batch(4, N);
        List<Corruption> list = Corruption.parseList("gaussian_noise,fog,jpeg_compression,contrast");
        CifarC c = CifarC.open(dir);
        assertEquals(N, c.perSeverity());
        for (Corruption k : list) {
            Npy.Header h = Npy.readHeader(dir.resolve(k.stem() + ".npy"));
            assertEquals("|u1", h.descr());
            assertArrayEquals(new long[] {5 * N, 32, 32, 3}, h.shape());
            ImageBatch all = Npy.readImages(dir.resolve(k.stem() + ".npy"), new int[] {32, 32, 3});
            for (int s = 1; s <= 5; s++) {
                byte[] want = Corruptions.corrupt(x, k, s, 3L, 0L, null).pixels();
                assertArrayEquals(want, rows(all, (s - 1) * N, N), k + " severity " + s + " rows");
                assertArrayEquals(want, c.images(k.stem(), s).pixels(), k + " severity " + s + " via CifarC");
            }
        }
        Npy.Header lh = Npy.readHeader(dir.resolve("labels.npy"));
        assertEquals("<i8", lh.descr());
        assertArrayEquals(new long[] {5 * N}, lh.shape());
        for (int s = 1; s <= 5; s++) assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2, 0}, c.labels(s));

        BufferedImage png = ImageIO.read(dir.resolve("preview.png").toFile());
        BufferedImage want = PreviewRenderer.render(x, 0, list, 3L, null, 3);
        assertEquals(want.getWidth(), png.getWidth());
        assertEquals(want.getHeight(), png.getHeight());
        for (int yy = 0; yy < want.getHeight(); yy += 7) {
            for (int xx = 0; xx < want.getWidth(); xx += 5) assertEquals(want.getRGB(xx, yy), png.getRGB(xx, yy), "preview pixel");
        }
        JsonObject m = JsonParser.parseString(Files.readString(dir.resolve("corrupt.json"))).getAsJsonObject();
        assertEquals(3, m.get("seed").getAsLong());
        assertEquals("procedural", m.get("frost").getAsString());
        assertEquals(N, m.get("images").getAsInt());
        assertEquals(4, m.getAsJsonArray("files").size());
        assertTrue(r.out().contains("images/s") && r.out().contains("ETA"), r.out());
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "temporary files left behind");
        }
    }

    /** An IDX file: big-endian magic and dims, then the bytes. */
    private static void idx(Path file, int magic, int[] dims, byte[] data) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        b.put(data);
        Files.createDirectories(file.getParent());
        Files.write(file, b.array());
    }

    /** A tiny MNIST in DIR/mnist: 3 train and 4 test 28x28 grey images (a diagonal bar and a gradient). */
    private Path tinyMnist() throws IOException {
        Path data = tmp.resolve("data"), d = data.resolve("mnist");
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? 3 : 4;
            byte[] px = new byte[n * 784], y = new byte[n];
            for (int i = 0; i < n; i++) {
                y[i] = (byte) (i * 3 % 10);
                for (int p = 0; p < 784; p++) px[i * 784 + p] = (byte) (Math.abs(p / 28 - p % 28 - i) < 3 ? 255 : (p * (i + 1)) % 97);
            }
            idx(d.resolve(split + "-images-idx3-ubyte"), 0x803, new int[] {n, 28, 28}, px);
            idx(d.resolve(split + "-labels-idx1-ubyte"), 0x801, new int[] {n}, y);
        }
        return data;
    }

    @Test
    void datasetTestSplitEqualsEvalsBuiltinImagesAndEvalReadsTheDirectory() throws IOException {
        Path data = tinyMnist(), dir = tmp.resolve("mnist-C");
        Run r = run("corrupt", "--dataset", "MNIST", "--data", data.toString(), "--out", dir.toString(),
                "--corruptions", "benchmark", "--device", "cpu", "--no-preview", "--seed", "1");
        assertEquals(0, r.code(), r.all());
        assertFalse(Files.exists(dir.resolve("preview.png")));
        Dataset test = Datasets.load("mnist", data).test();
        CifarC c = CifarC.open(dir);
        assertEquals(CifarC.BENCHMARK, c.available());
        assertEquals(test.size(), c.perSeverity());
        for (String name : CifarC.BENCHMARK) {
            for (int s = 1; s <= 5; s++) {
                assertArrayEquals(Report.builtin(test, 1L, 0).images(name, s).pixels(), c.images(name, s).pixels(), name + " s" + s);
            }
        }
        for (int s = 1; s <= 5; s++) assertArrayEquals(test.labels(), c.labels(s));
        assertTrue(r.out().contains("4 images from mnist test split"), r.out());

        // eval --corrupted DIR on the written directory (a tiny untrained WRN)
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, test.numClasses()), 1);
        Path ckpt = tmp.resolve("tiny.safetensors");
        TestCheckpoints.save(ckpt, net, new Sgd(net.parameters(), 0.9f, 5e-4f, true), 0, 0, 1, new JsonObject());
        Path json = tmp.resolve("eval.json");
        Run e = run("eval", "--checkpoint", ckpt.toString(), "--dataset", "mnist", "--data", data.toString(), "--corrupted",
                dir.toString(), "--json", json.toString());
        assertEquals(0, e.code(), e.all());
        JsonObject report = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(dir.toString(), report.get("corrupted_source").getAsString());
        assertEquals(15, report.getAsJsonArray("corruptions").size());
    }

    @Test
    void limitTakesTheFirstImagesOfTheTestSplit() throws IOException {
        Path data = tinyMnist(), dir = tmp.resolve("limit-C");
        Run r = run("corrupt", "--dataset", "mnist", "--data", data.toString(), "--out", dir.toString(), "--limit", "3",
                "--corruptions", "motion_blur", "--severities", "4", "--device", "cpu", "--no-preview", "--seed", "77");
        assertEquals(0, r.code(), r.all());
        Dataset test = Datasets.load("mnist", data).test();
        ImageBatch first3 = new ImageBatch(Arrays.copyOf(test.images().pixels(), 3 * 3072), 3, 32, 32, 3);
        assertArrayEquals(Corruptions.corrupt(first3, Corruption.MOTION_BLUR, 4, 77L, 0L, null).pixels(),
                Npy.readImages(dir.resolve("motion_blur.npy"), new int[] {32, 32, 3}).pixels());
    }

    @Test
    void severitySubsetsAreAscendingAndWriteNoLabels() throws IOException {
        Path[] in = writeInput();
        Path dir = tmp.resolve("sub");
        Run r = run("corrupt", "--input", in[0].toString(), "--labels", in[1].toString(), "--out", dir.toString(),
                "--corruptions", "impulse-noise", "--severities", "5,2", "--device", "cpu", "--preview-index", "6");
        assertEquals(0, r.code(), r.all());
        ImageBatch all = Npy.readImages(dir.resolve("impulse_noise.npy"), new int[] {32, 32, 3});
        assertEquals(2 * N, all.count());
        ImageBatch x = TestImages.batch(4, N);
        assertArrayEquals(Corruptions.corrupt(x, Corruption.IMPULSE_NOISE, 2, 1L, 0L, null).pixels(), rows(all, 0, N));
        assertArrayEquals(Corruptions.corrupt(x, Corruption.IMPULSE_NOISE, 5, 1L, 0L, null).pixels(), rows(all, N, N));
        assertFalse(Files.exists(dir.resolve("labels.npy")));
        assertTrue(r.out().contains("no labels.npy"), r.out());
    }

    @Test
    void noLabelsMeansNoLabelsFileAndStaleFilesAreReported() throws IOException {
        Path[] in = writeInput();
        Path dir = tmp.resolve("nolabels");
        Files.createDirectories(dir);
        Npy.writeImages(dir.resolve("snow.npy"), TestImages.batch(1, 3));
        Run r = run("corrupt", "--input", in[0].toString(), "--out", dir.toString(), "--corruptions", "saturate", "--device", "cpu",
                "--limit", "2");
        assertEquals(0, r.code(), r.all());
        assertEquals(10, Npy.readHeader(dir.resolve("saturate.npy")).shape()[0]);
        assertFalse(Files.exists(dir.resolve("labels.npy")));
        assertTrue(r.out().contains("--labels not given"), r.out());
        assertTrue(r.out().contains("snow.npy (3 rows)"), r.out());
    }

    @Test
    void helpExplainsEveryFlag() {
        Run r = run("corrupt", "--help");
        assertEquals(0, r.code());
        CommandLine cl = new CommandLine(new CorruptCommand());
        for (OptionSpec o : cl.getCommandSpec().options()) {
            assertTrue(r.out().contains(o.longestName()), "help lacks " + o.longestName());
            assertTrue(o.description().length > 0 && !o.description()[0].isBlank(), o.longestName() + " has no description");
        }
        for (String s : List.of("severity-major", "labels.npy", "preview.png", "benchmark", "eval --corrupted")) {
            assertTrue(r.out().contains(s), "help lacks " + s);
        }
        assertTrue(run("--help").out().contains("corrupt"), "corrupt is not listed in the top-level help");
    }

    // ---------------------------------------------------------------- errors

    /** A .npy with any descr and shape (data zero-filled). */
    private Path npy(String name, String descr, long[] shape, int itemSize) throws IOException {
        StringBuilder sh = new StringBuilder("(");
        long n = 1;
        for (long d : shape) {
            sh.append(d).append(", ");
            n *= d;
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh.toString().replaceAll(", $", shape.length == 1 ? "," : "") + "), }";
        StringBuilder header = new StringBuilder(dict);
        while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] file = new byte[10 + h.length + (int) (n * itemSize)];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) h.length, (byte) (h.length >> 8)};
        System.arraycopy(magic, 0, file, 0, 10);
        System.arraycopy(h, 0, file, 10, h.length);
        Path p = tmp.resolve(name);
        Files.write(p, file);
        return p;
    }

    private static void assertFails(Run r, String... fragments) {
        assertTrue(r.code() != 0, "expected a failure: " + r.all());
        for (String f : fragments) assertTrue(r.all().contains(f), "message lacks '" + f + "': " + r.all());
    }

    @Test
    void badInputsAreClearErrors() throws IOException {
        Path[] in = writeInput();
        String out = tmp.resolve("err-out").toString();
        assertFails(run("corrupt", "--out", out), "give either --input IMAGES.npy or --dataset NAME", "neither");
        assertFails(run("corrupt", "--input", in[0].toString(), "--dataset", "synthetic", "--out", out), "not both");
        assertFails(run("corrupt", "--dataset", "synthetic", "--labels", in[1].toString(), "--out", out), "--labels goes with --input");
        assertFails(run("corrupt", "--input", tmp.resolve("missing.npy").toString(), "--out", out, "--device", "cpu"),
                "missing.npy", "no such file");
        assertFails(run("corrupt", "--input", npy("grey.npy", "|u1", new long[] {2, 28, 28}, 1).toString(), "--out", out, "--device", "cpu"),
                "grey.npy", "(2, 28, 28)", "28x28 grey", "np.pad", "--dataset fashion-mnist");
        assertFails(run("corrupt", "--input", npy("chw.npy", "|u1", new long[] {2, 3, 32, 32}, 1).toString(), "--out", out, "--device", "cpu"),
                "channels first", "transpose");
        assertFails(run("corrupt", "--input", npy("f.npy", "<f4", new long[] {2, 32, 32, 3}, 4).toString(), "--out", out, "--device", "cpu"),
                "f.npy", "dtype is '<f4'", "astype(np.uint8)");
        assertFails(run("corrupt", "--input", npy("small.npy", "|u1", new long[] {2, 16, 16, 3}, 1).toString(), "--out", out, "--device", "cpu"),
                "(2, 16, 16, 3)", "32x32");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", out, "--corruptions", "fog,nope", "--device", "cpu"),
                "--corruptions: unknown corruption 'nope'", "gaussian_noise", "saturate");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", out, "--severities", "0-3", "--device", "cpu"),
                "--severities: severity must be 1..5");
        Path y3 = tmp.resolve("y3.npy");
        Npy.writeLabels(y3, new int[] {1, 2, 3});
        assertFails(run("corrupt", "--input", in[0].toString(), "--labels", y3.toString(), "--out", out, "--device", "cpu"),
                "y3.npy", "holds 3 labels but --input has 7 images");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", in[1].toString(), "--device", "cpu"), "is a file");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", out, "--frost", tmp.toString(), "--device", "cpu"),
                "--frost", "frost image missing");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", out, "--preview-index", "7", "--device", "cpu"),
                "--preview-index 7 is outside the 7 images");
        assertFails(run("corrupt", "--input", in[0].toString(), "--out", out, "--device", "tpu"), "--device must be cpu, gpu or auto");
        assertFails(run("corrupt", "--dataset", "imagenet", "--out", out, "--device", "cpu"), "unknown dataset 'imagenet'");
        assertFalse(Files.exists(Path.of(out)), "a failed run must not leave an output directory");
    }
}
