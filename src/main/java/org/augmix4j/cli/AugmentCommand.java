package org.augmix4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.SampleImages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code augment}: a PNG grid of AugMix samples, one row per image: the image, then several
 * independent AugMix views of it (augment-and-mix output mapped back from [-1, 1] to 0..255).
 */
@Command(name = "augment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Render a PNG grid of AugMix samples: one row per image, the original then --views independent",
            "AugMix views (the float32 augment-and-mix output mapped back to 0..255 for display).",
            "Images come from PNG files given as arguments, or, with none, from built-in drawings",
            "(landscape, house, checkerboard, rings; 32x32).",
            "Example: augment --views 6 --seed 3 --out grid.png a.png b.png"},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:grid written", "1:an image could not be read or the grid not written", "2:bad usage"})
public final class AugmentCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "IMAGE.png",
            description = "PNG/JPEG images (any size; grey, alpha, palette and 16-bit are converted to RGB as PIL's convert('RGB')); none: the built-in 32x32 drawings.")
    List<Path> inputs = new ArrayList<>();

    @Option(names = "--views", defaultValue = "5", description = "AugMix views per image (1..64; default ${DEFAULT-VALUE}).")
    int views;

    @Option(names = "--seed", defaultValue = "1", description = "Run seed of the Philox generator (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--epoch", defaultValue = "0", description = "Epoch index fed to the generator (default ${DEFAULT-VALUE}).")
    int epoch;

    @Option(names = {"--severity", "--aug-severity"}, defaultValue = "3",
            description = "Severity of the ops, 1..10 (default ${DEFAULT-VALUE}).")
    int severity;

    @Option(names = {"--width", "--mixture-width"}, defaultValue = "3",
            description = "Augmentation chains mixed per view (default ${DEFAULT-VALUE}).")
    int width;

    @Option(names = {"--depth", "--mixture-depth"}, defaultValue = "-1",
            description = "Ops per chain; -1 = uniform in 1..3 (default ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--alpha", defaultValue = "1.0",
            description = "Dirichlet/Beta concentration of the mixing weights (default ${DEFAULT-VALUE}).")
    double alpha;

    @Option(names = {"--all-ops", "-all"}, description = "Use all 13 ops (adds color, contrast, brightness, sharpness).")
    boolean allOps;

    @Option(names = "--train-transform",
            description = "Apply the CIFAR train transform (flip p=0.5, pad 4 + random crop) before AugMix, as in training.")
    boolean trainTransform;

    @Option(names = "--scale", defaultValue = "0",
            description = "Integer zoom of each cell (nearest neighbour); 0 = automatic (cells about 128 px).")
    int scale;

    @Option(names = "--out", defaultValue = "augment_grid.png", paramLabel = "GRID.png",
            description = "Output PNG file, written atomically (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        if (views < 1 || views > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--views must be in 1..64; got " + views);
        }
        if (scale < 0 || scale > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--scale must be in 0..64; got " + scale);
        }
        AugMixConfig cfg;
        try {
            cfg = new AugMixConfig(AugMixConfig.Mode.AUGMIX, width, depth, severity, alpha, allOps, trainTransform);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        try {
            OutputFiles.checkWritable("--out", out); // before rendering anything
        } catch (IllegalArgumentException e) {
            err.println("augment: " + e.getMessage());
            err.flush();
            return 1;
        }
        List<PngImages.Rgb> images = new ArrayList<>();
        try {
            if (inputs.isEmpty()) {
                for (int i = 0; i < SampleImages.NAMES.length; i++) images.add(new PngImages.Rgb(32, 32, SampleImages.draw(i, 32)));
            } else {
                for (Path p : inputs) {
                    org.augmix4j.image.RgbImage rgb = org.augmix4j.image.ImageFiles.readRgb(p); // any type, bomb-checked
                    images.add(new PngImages.Rgb(rgb.height(), rgb.width(), rgb.pixels()));
                }
            }
        } catch (IllegalArgumentException e) {
            err.println("augment: " + e.getMessage());
            err.flush();
            return 1;
        }
        int cellH = images.stream().mapToInt(PngImages.Rgb::height).max().orElse(1);
        int cellW = images.stream().mapToInt(PngImages.Rgb::width).max().orElse(1);
        int z = scale > 0 ? scale : Math.max(1, 128 / Math.max(cellH, cellW));
        int gap = 2, cols = views + 1, rows = images.size();
        int gh = rows * cellH * z + (rows + 1) * gap, gw = cols * cellW * z + (cols + 1) * gap;
        if ((long) gh * gw * 3 > Integer.MAX_VALUE - 16) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the grid would be too large (" + gw + "x" + gh
                    + " pixels); use fewer --views, a smaller --scale or smaller images");
        }
        byte[] grid = new byte[gh * gw * 3];
        Arrays.fill(grid, (byte) 255);
        for (int r = 0; r < rows; r++) {
            PngImages.Rgb img = images.get(r);
            int h = img.height(), w = img.width();
            paste(grid, gw, gap + r * (cellH * z + gap), gap, img.pixels(), h, w, z);
            // row r is sample r; its views 1..N share the (optional) train transform, as a JSD sample's views do
            byte[] x = AugMix.transformedInput(img.pixels(), h, w, r, seed, epoch, cfg);
            for (int v = 1; v <= views; v++) {
                float[] chw = AugMix.augmentAndMix(x, h, w, AugMix.program(seed, epoch, r, v, cfg, h, w));
                paste(grid, gw, gap + r * (cellH * z + gap), gap + v * (cellW * z + gap), toBytes(chw, h, w), h, w, z);
            }
        }
        try {
            OutputFiles.writePng(out, gh, gw, grid);
        } catch (RuntimeException e) {
            err.println("augment: " + e.getMessage());
            err.flush();
            return 1;
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + gw + "x" + gh + "): " + rows + " image(s) x (original + "
                + views + " AugMix views), seed " + seed + ", severity " + severity + ", width " + width + ", depth " + depth
                + (allOps ? ", all ops" : ""));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /** CHW normalised floats back to HWC bytes: round((v + 1) * 127.5), clamped. */
    static byte[] toBytes(float[] chw, int h, int w) {
        int hw = h * w;
        byte[] b = new byte[hw * 3];
        for (int c = 0; c < 3; c++)
            for (int q = 0; q < hw; q++) {
                long u = Math.round((chw[c * hw + q] + 1.0) * 127.5);
                b[q * 3 + c] = (byte) Math.max(0, Math.min(255, u));
            }
        return b;
    }

    private static void paste(byte[] grid, int gw, int top, int left, byte[] img, int h, int w, int z) {
        for (int y = 0; y < h * z; y++)
            for (int x = 0; x < w * z; x++) {
                int s = ((y / z) * w + x / z) * 3, d = ((top + y) * gw + left + x) * 3;
                grid[d] = img[s];
                grid[d + 1] = img[s + 1];
                grid[d + 2] = img[s + 2];
            }
    }
}
