package org.augmix4j.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.corrupt.FrostTiles;
import org.augmix4j.corrupt.PreviewRenderer;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.data.CifarC;
import org.augmix4j.data.DataException;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Datasets;
import org.augmix4j.data.Npy;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.RunInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code corrupt}: writes a corrupted copy of a 32x32 RGB image set in the CIFAR-10-C layout, so
 * that {@code eval --corrupted DIR}, {@link CifarC} and other tools (NumPy, RobustBench-style
 * loaders) can read it: {@code DIR/<stem>.npy} uint8 (S*N, 32, 32, 3), severity-major (all N images
 * at the first severity, then the next), {@code DIR/labels.npy} int64 (the labels repeated once per
 * severity), {@code DIR/preview.png} (one image, clean and at severities 1-5, for every chosen
 * corruption) and {@code DIR/corrupt.json} (what was generated: source, seed, severities, frost
 * source, device). Every file is written atomically. With the same seed the images equal those that
 * {@code eval --corrupted builtin --seed S} generates on the fly.
 */
@Command(name = "corrupt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a corrupted copy of a 32x32 RGB image set in the CIFAR-10-C layout: DIR/<corruption>.npy "
                + "(uint8, severity-major: all N images at the first severity, then the next), DIR/labels.npy (int64, the labels "
                + "repeated per severity) when labels exist, DIR/preview.png and DIR/corrupt.json. The result loads with "
                + "'eval --corrupted DIR' and anything that reads CIFAR-10-C."},
        footer = {"", "Examples:",
                "  augmix4j corrupt --dataset cifar10 --data data --out cifar10-C-builtin",
                "  augmix4j corrupt --input x.npy --labels y.npy --out x-C --corruptions benchmark",
                "  augmix4j corrupt --dataset fashion-mnist --out fmnist-C --corruptions fog,contrast",
                "  augmix4j corrupt --dataset cifar10 --out fog3 --corruptions fog --severities 3",
                "",
                "Corruptions (CIFAR-C file stems, official order): " + "gaussian_noise, shot_noise, impulse_noise, defocus_blur, "
                        + "glass_blur, motion_blur, zoom_blur, snow, frost, fog, brightness, contrast, elastic_transform, pixelate, "
                        + "jpeg_compression; extras: speckle_noise, gaussian_blur, spatter, saturate.",
                "Random corruptions draw from a counter-based generator keyed by (seed, corruption, severity, image index): "
                        + "the same seed gives the same files on any machine, thread count or device."})
public final class CorruptCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--input", paramLabel = "IMAGES.npy",
            description = "Images to corrupt: a NumPy .npy file of uint8 (N, 32, 32, 3), RGB, HWC (e.g. a CIFAR test set). "
                    + "Give this or --dataset.")
    Path input;
    @Option(names = "--labels", paramLabel = "LABELS.npy",
            description = "With --input: their integer labels (N,), written to DIR/labels.npy repeated per severity. "
                    + "Without labels no labels.npy is written (eval needs one).")
    Path labels;
    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Corrupt the test split of a dataset instead: cifar10 | cifar100 | fashion-mnist | mnist | synthetic "
                    + "(28x28 grey sets are padded to 32x32 and replicated to RGB, as for training). Labels come with it.")
    String dataset;
    @Option(names = "--data", paramLabel = "DIR", description = "Dataset directory for --dataset; layouts in data/README.md (default: ${DEFAULT-VALUE})")
    Path data = Datasets.DEFAULT_DIR;
    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Output directory (created if needed). Files of the same name are replaced atomically; other files stay.")
    Path out;
    @Option(names = "--corruptions", paramLabel = "LIST",
            description = "Comma-separated corruption names (CIFAR-C stems, '-' or '_'), or all (the 19), benchmark (the 15 of the "
                    + "mean corruption error), extra (the 4 held-out ones); groups and names mix (default: ${DEFAULT-VALUE})")
    String corruptions = "all";
    @Option(names = "--severities", paramLabel = "LIST",
            description = "Severities to write (each file holds them in ascending order): e.g. 1-5, 3, 1,3,5 or 2-3,5. Only 1-5 makes a "
                    + "CIFAR-C directory that eval reads; with fewer, no labels.npy is written (default: ${DEFAULT-VALUE})")
    String severities = "1-5";
    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random corruptions; eval --corrupted builtin uses 1 too (default: ${DEFAULT-VALUE})")
    long seed = 1;
    @Option(names = "--limit", paramLabel = "N", description = "Corrupt only the first N images (0 = all) (default: ${DEFAULT-VALUE})")
    int limit = 0;
    @Option(names = "--frost", paramLabel = "DIR",
            description = "Directory with the original frost pictures (frost1.png frost2.png frost3.png frost4.jpg frost5.jpg, "
                    + "ImageNet-C repository) to use instead of the built-in procedural frost (default: procedural)")
    Path frost;
    @Option(names = "--device", paramLabel = "cpu|gpu|auto", description = "cpu | gpu | auto: gpu runs the 15 corruptions that have CUDA kernels on the GPU "
            + "(snow, frost, spatter, jpeg_compression stay on the CPU); auto uses a GPU when one is present (default: ${DEFAULT-VALUE})")
    String device = "auto";
    @Option(names = "--preview-index", paramLabel = "I", description = "Dataset index of the image shown in preview.png (default: ${DEFAULT-VALUE})")
    int previewIndex = 0;
    @Option(names = "--no-preview", description = "Do not write preview.png")
    boolean noPreview;
    @Option(names = "--num-workers", paramLabel = "N", description = "CPU threads; 0 = all cores (default: ${DEFAULT-VALUE})")
    int numWorkers = 0;

    /** Images per CPU work unit (progress granularity); the GPU takes larger pieces. */
    static final int CPU_CHUNK = 2000, GPU_CHUNK = 10_000;
    private static final int VALUES = 32 * 32 * 3;

    /** Corrupts images [from, from + count) of the input into dst[0, count * 3072). */
    interface Engine extends AutoCloseable {
        void corrupt(Corruption c, int severity, int from, int count, byte[] dst);

        /** "cpu" or "gpu" for {@code c}. */
        String device(Corruption c);

        int chunk();

        @Override
        void close();
    }

    /** The reference implementation on all cores. */
    static Engine cpuEngine(ImageBatch images, long seed, FrostTiles frost) {
        return new Engine() {
            public void corrupt(Corruption c, int severity, int from, int count, byte[] dst) {
                ImageBatch part = from == 0 && count == images.count() ? images : images.slice(from, from + count);
                Corruptions.corruptInto(part, c, severity, seed, from, frost, dst, 0);
            }

            public String device(Corruption c) { return "cpu"; }

            public int chunk() { return CPU_CHUNK; }

            public void close() {}
        };
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter con = spec.commandLine().getOut();
        if ((input == null) == (dataset == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "give either --input IMAGES.npy or --dataset NAME (with --data DIR), not " + (input == null ? "neither" : "both"));
        }
        if (labels != null && input == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--labels goes with --input (a --dataset brings its own labels)");
        }
        List<Corruption> list = parse("--corruptions", () -> Corruption.parseList(corruptions));
        int[] sev = parse("--severities", () -> Corruption.parseSeverities(severities));
        if (limit < 0) throw new IllegalArgumentException("--limit must be >= 0 (0 = all images), got " + limit);
        if (numWorkers < 0) throw new IllegalArgumentException("--num-workers must be >= 0 (0 = all cores), got " + numWorkers);
        String dev = device.toLowerCase(Locale.ROOT);
        if (!dev.equals("cpu") && !dev.equals("gpu") && !dev.equals("auto")) {
            throw new IllegalArgumentException("--device must be cpu, gpu or auto, got '" + device + "'");
        }
        OutputFiles.checkWritableDirectory("--out", out); // before loading or corrupting anything
        FrostTiles frostTiles = FrostTiles.procedural();
        if (frost != null) {
            try {
                frostTiles = FrostTiles.fromDirectory(frost);
            } catch (IOException e) {
                throw new IllegalArgumentException("--frost " + frost + ": " + e.getMessage(), e);
            }
        }
        Parallel.setThreads(numWorkers);

        // ---- the images and their labels
        ImageBatch images;
        int[] y = null;
        String source;
        if (input != null) {
            images = readInput(input);
            if (labels != null) y = readLabels(labels, images.count());
            source = input.toString();
        } else {
            Dataset test = Datasets.load(dataset, data).test();
            images = test.images();
            y = test.labels();
            String name = Datasets.canonical(dataset);
            source = name + " test split (" + (name.equals("synthetic") ? "generated" : data) + ")";
        }
        if (limit > 0 && limit < images.count()) {
            images = images.slice(0, limit);
            if (y != null) y = Arrays.copyOf(y, limit);
        }
        int n = images.count();
        if (!noPreview && (previewIndex < 0 || previewIndex >= n)) {
            throw new IllegalArgumentException("--preview-index " + previewIndex + " is outside the " + n + " images (0.." + (n - 1) + ")");
        }
        boolean full = sev.length == Corruption.MAX_SEVERITY;
        Files.createDirectories(out);

        con.printf("corrupt: %d images from %s -> %s: %d corruption(s) x severities %s = %,d images, seed %d, frost %s%n", n, source,
                out, list.size(), Arrays.toString(sev), (long) n * sev.length * list.size(), seed, frostTiles.source());
        con.flush();
        try (Engine engine = engine(dev, images, frostTiles, con)) {
            if (y != null && full) {
                int[] rep = new int[n * sev.length];
                for (int k = 0; k < sev.length; k++) System.arraycopy(y, 0, rep, k * n, n);
                Npy.writeLabels(out.resolve(CifarC.LABELS), rep);
            }
            JsonArray files = generate(engine, images, list, sev, con);
            if (!noPreview) writePreview(images, list, frostTiles);
            JsonObject manifest = manifest(source, n, list, sev, frostTiles, files, y != null && full);
            RunInfo.writeJson(out.resolve("corrupt.json"), manifest);
        }
        con.println("Wrote " + out + ": " + list.stream().map(c -> c.stem() + ".npy").collect(Collectors.joining(", "))
                + (y != null && full ? ", " + CifarC.LABELS : "") + (noPreview ? "" : ", preview.png") + ", corrupt.json");
        if (y == null) {
            con.println("note: no labels (--labels not given), so no labels.npy: 'eval --corrupted " + out + "' needs one");
        } else if (!full) {
            con.println("note: severities " + Arrays.toString(sev) + " only, so no labels.npy: eval and CifarC read only complete "
                    + "1-5 directories (each file holds the " + n + " images once per severity, in ascending order)");
        }
        warnAboutStaleFiles(list, (long) n * sev.length, full, con);
        con.flush();
        return 0;
    }

    // ---------------------------------------------------------------- generation

    private JsonArray generate(Engine engine, ImageBatch images, List<Corruption> list, int[] sev, PrintWriter con) {
        int n = images.count();
        long total = (long) n * sev.length * list.size(), done = 0;
        boolean interactive = System.console() != null;
        JsonArray files = new JsonArray();
        long t0 = System.nanoTime();
        try (ProgressBar bar = progressBar(total, interactive)) {
            int k = 0;
            for (Corruption c : list) {
                k++;
                Path file = out.resolve(c.stem() + ".npy");
                long tc = System.nanoTime();
                int chunk = Math.min(engine.chunk(), n);
                byte[] buf = new byte[chunk * VALUES];
                try (Npy.ImageWriter w = Npy.openImageWriter(file, n * sev.length, 32, 32, 3)) {
                    for (int s : sev) {
                        for (int from = 0; from < n; from += chunk) {
                            int m = Math.min(chunk, n - from);
                            byte[] dst = m == chunk ? buf : new byte[m * VALUES];
                            engine.corrupt(c, s, from, m, dst);
                            w.write(new ImageBatch(dst, m, 32, 32, 3));
                            bar.stepBy(m);
                            done += m;
                            bar.setExtraMessage(" " + c.stem() + " s" + s);
                        }
                    }
                    w.commit();
                }
                double secs = (System.nanoTime() - tc) / 1e9, all = (System.nanoTime() - t0) / 1e9;
                double eta = done > 0 ? all / done * (total - done) : 0;
                String line = String.format(Locale.ROOT, "[%2d/%d] %-17s %,9d images %7.1f s %,9.0f images/s (%s)  ETA %s", k, list.size(),
                        c.stem(), (long) n * sev.length, secs, n * sev.length / Math.max(secs, 1e-9), engine.device(c), duration(eta));
                if (interactive) bar.setExtraMessage(" " + c.stem() + " done");
                else con.println(line);
                con.flush();
                JsonObject f = new JsonObject();
                f.addProperty("corruption", c.stem());
                f.addProperty("file", file.getFileName().toString());
                f.addProperty("device", engine.device(c));
                f.addProperty("seconds", Math.round(secs * 1000) / 1000.0);
                files.add(f);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        con.printf(Locale.ROOT, "Generated %,d images in %.1f s (%,.0f images/s)%n", total, secs, total / Math.max(secs, 1e-9));
        return files;
    }

    private static ProgressBar progressBar(long total, boolean interactive) {
        ProgressBarBuilder pb = new ProgressBarBuilder().setTaskName("corrupt").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(interactive ? 250 : 60_000).showSpeed().setUnit(" img", 1);
        if (!interactive) pb.setConsumer(new DelegatingProgressBarConsumer(line -> { }));
        return pb.build();
    }

    static String duration(double secs) {
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    /** The chosen engine: the GPU class is touched only when a GPU is asked for (CPU runs never load JCuda). */
    private Engine engine(String dev, ImageBatch images, FrostTiles frostTiles, PrintWriter con) {
        if (!dev.equals("cpu")) {
            Engine gpu = CorruptGpuEngine.open(images, seed, frostTiles, dev.equals("gpu"), con);
            if (gpu != null) return gpu;
        }
        con.println("Device: CPU, " + Parallel.threads() + " thread(s)" + (dev.equals("auto") ? " (no usable GPU found)" : ""));
        return cpuEngine(images, seed, frostTiles);
    }

    // ---------------------------------------------------------------- inputs

    /** Reads --input, with a message that says what to do for the usual wrong shapes. */
    static ImageBatch readInput(Path file) {
        Npy.Header h = Npy.readHeader(file);
        long[] s = h.shape();
        String fix = "corrupt needs uint8 images of shape (N, 32, 32, 3) (RGB, height x width x channels)";
        if (!h.descr().endsWith("u1")) {
            throw DataException.badFile(file, "dtype is '" + h.descr() + "', but " + fix,
                    "Convert it, e.g. np.save(path, np.clip(np.round(x * 255), 0, 255).astype(np.uint8)) for floats in [0, 1]");
        }
        boolean grey28 = (s.length == 3 && s[1] == 28 && s[2] == 28) || (s.length == 4 && s[1] == 28 && s[2] == 28 && s[3] == 1);
        if (grey28) {
            throw DataException.badFile(file, "shape is " + h.shapeString() + " (28x28 grey), but " + fix,
                    "Pad to 32x32 and replicate to RGB, e.g. np.repeat(np.pad(x.reshape(-1, 28, 28), ((0, 0), (2, 2), (2, 2)))[..., None], 3, axis=3)"
                            + ", or use --dataset fashion-mnist / mnist, which does this");
        }
        if (s.length == 4 && s[1] == 3 && s[2] == 32 && s[3] == 32) {
            throw DataException.badFile(file, "shape is " + h.shapeString() + " (channels first), but " + fix,
                    "Transpose it: np.save(path, np.ascontiguousarray(x.transpose(0, 2, 3, 1)))");
        }
        if (s.length != 4 || s[1] != 32 || s[2] != 32 || s[3] != 3) {
            throw DataException.badFile(file, "shape is " + h.shapeString() + ", but " + fix,
                    "The built-in corruptions use the CIFAR (32x32) parameter tables: resize or pad your images to 32x32 RGB first");
        }
        if (s[0] == 0) throw DataException.badFile(file, "holds no images (shape " + h.shapeString() + ")", "Give a file with at least one image");
        return Npy.readImages(file, new int[] {32, 32, 3});
    }

    static int[] readLabels(Path file, int n) {
        int[] y = Npy.readLabels(file);
        if (y.length != n) {
            throw DataException.badFile(file, "holds " + y.length + " labels but --input has " + n + " images",
                    "Give the labels of exactly these images, in the same order");
        }
        return y;
    }

    private interface Parser<T> {
        T parse();
    }

    private static <T> T parse(String flag, Parser<T> p) {
        try {
            return p.parse();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- outputs

    private void writePreview(ImageBatch images, List<Corruption> list, FrostTiles frostTiles) {
        BufferedImage im = PreviewRenderer.render(images, previewIndex, list, seed, frostTiles, 3);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(im, "png", png)) throw new IOException("no PNG writer in this JDK");
        } catch (IOException e) {
            throw new UncheckedIOException("preview.png: " + e.getMessage(), e);
        }
        try (AtomicFile f = AtomicFile.create(out.resolve("preview.png"))) {
            f.write(png.toByteArray());
            f.commit();
        }
    }

    private JsonObject manifest(String source, int n, List<Corruption> list, int[] sev, FrostTiles frostTiles, JsonArray files,
                                boolean wroteLabels) {
        JsonObject m = new JsonObject();
        m.addProperty("tool", "augmix4j corrupt");
        m.addProperty("source", source);
        m.addProperty("images", n);
        JsonArray s = new JsonArray();
        for (int v : sev) s.add(v);
        m.add("severities", s);
        JsonArray c = new JsonArray();
        for (Corruption x : list) c.add(x.stem());
        m.add("corruptions", c);
        m.addProperty("seed", seed);
        m.addProperty("frost", frostTiles.source());
        m.addProperty("layout", "<corruption>.npy: uint8 (" + (long) n * sev.length + ", 32, 32, 3), row = k * " + n
                + " + i for the k-th severity listed and image i");
        m.addProperty("labels", wroteLabels ? CifarC.LABELS + ": int64, the labels repeated once per severity" : "none");
        m.addProperty("rng", "image i of severity s: CounterRng.key(seed, corruption, s, i)");
        m.addProperty("preview", noPreview ? "none" : "preview.png: image " + previewIndex + ", clean and severities 1-5");
        m.add("files", files);
        m.addProperty("created", java.time.Instant.now().toString());
        return m;
    }

    /** Other .npy files in --out whose row count no longer matches (a CIFAR-C reader would reject the directory). */
    private void warnAboutStaleFiles(List<Corruption> written, long rows, boolean full, PrintWriter con) {
        List<String> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".npy")).sorted().toList()) {
                String name = p.getFileName().toString();
                if (written.stream().anyMatch(c -> name.equals(c.stem() + ".npy"))) continue;
                if (full && name.equals(CifarC.LABELS)) continue;
                try {
                    long r = Npy.readHeader(p).shape().length > 0 ? Npy.readHeader(p).shape()[0] : -1;
                    if (r != rows) stale.add(name + " (" + r + " rows)");
                } catch (DataException e) {
                    stale.add(name + " (unreadable)");
                }
            }
        } catch (IOException e) {
            return;  // only a warning
        }
        if (!stale.isEmpty()) {
            con.println("warning: " + out + " also holds " + String.join(", ", stale) + " from an earlier run, but these files have "
                    + rows + " rows: remove or regenerate them, or 'eval --corrupted " + out + "' will reject the directory");
        }
    }
}
