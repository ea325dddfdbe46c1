package org.augmix4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.augmix4j.augment.Op;
import org.augmix4j.cpu.Parallel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code apply}: one AugMix op, Pillow-exact, with an explicit parameter, on PNG files; singly or
 * as a batch listed in a TSV file.
 */
@Command(name = "apply", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Apply one AugMix operation, bit-exact to Pillow, with an explicit parameter to 8-bit RGB PNG images.",
            "Ops and parameters (each means what it means in the Pillow call of the official augmentations.py):",
            "  autocontrast, equalize            parameter ignored",
            "  posterize                         bits kept, integer 0..8",
            "  rotate                            degrees, counter-clockwise positive (bilinear, fill 0)",
            "  solarize                          threshold 0..256 (values >= threshold are inverted)",
            "  shear_x, shear_y                  affine coefficient (|s| <= 10)",
            "  translate_x, translate_y          affine offset in pixels (positive moves content left / up)",
            "  color, contrast, brightness, sharpness   enhance factor 0..10 (1 = unchanged)",
            "Single:  apply --op rotate --param 5 --in a.png --out b.png",
            "Batch:   apply --batch list.tsv   (lines: input.png<TAB>op<TAB>parameter<TAB>output.png)"},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:all images written", "1:an image could not be read, processed or written", "2:bad usage or a malformed batch file"})
public final class ApplyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--op", paramLabel = "NAME",
            description = "Operation name: autocontrast, equalize, posterize, rotate, solarize, shear_x, shear_y, "
                    + "translate_x, translate_y, color, contrast, brightness, sharpness.")
    String op;

    @Option(names = "--param", paramLabel = "V",
            description = "The op's parameter (see above); may be omitted for autocontrast and equalize.")
    Double param;

    @Option(names = "--in", paramLabel = "A.png", description = "Input image: an 8-bit RGB PNG (no alpha, no palette).")
    Path in;

    @Option(names = "--out", paramLabel = "B.png",
            description = "Output PNG (8-bit RGB), written atomically (an existing file is replaced only by a complete one); "
                    + "parent directories are created.")
    Path out;

    @Option(names = "--batch", paramLabel = "FILE.tsv",
            description = "Apply a list of ops: one job per line, 4 tab-separated fields: input.png, op, parameter, "
                    + "output.png. Relative paths are resolved against the TSV file's directory; blank lines and "
                    + "lines starting with # are skipped; the parameter may be empty for autocontrast/equalize. "
                    + "The whole file is checked before any image is processed.")
    Path batch;

    /** One job of a batch: where it came from and what to do. */
    record Job(String where, Path in, Op op, double param, Path out) {}

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        List<Job> jobs;
        if (batch != null) {
            if (op != null || param != null || in != null || out != null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--batch cannot be combined with --op/--param/--in/--out: list each job in the TSV file instead");
            }
            List<String> problems = new ArrayList<>();
            jobs = parseBatch(batch, problems);
            if (!problems.isEmpty()) {
                problems.forEach(err::println);
                err.println("apply: " + problems.size() + " malformed line(s) in " + batch + "; nothing was processed."
                        + " Each line needs 4 tab-separated fields: input.png, op, parameter, output.png");
                err.flush();
                return 2;
            }
            if (jobs.isEmpty()) {
                err.println("apply: " + batch + " lists no jobs (every line is blank or a # comment); add lines "
                        + "'input.png<TAB>op<TAB>parameter<TAB>output.png'");
                err.flush();
                return 2;
            }
        } else {
            if (op == null || in == null || out == null) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "give --op, --in and --out (and --param for ops that take one), or --batch FILE.tsv");
            }
            Op o;
            try {
                o = Op.byName(op);
                if (o.hasParam() && param == null) {
                    throw new IllegalArgumentException("op " + o + " needs --param (" + paramHint(o) + ")");
                }
                double p = param == null ? 0.0 : param;
                o.checkParam(p);
                jobs = List.of(new Job("--in " + in, in, o, p, out));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        List<String> unwritable = new ArrayList<>();
        for (Job j : jobs) {
            try {
                OutputFiles.checkWritable(batch != null ? j.where() + ": output" : "--out", j.out());
            } catch (IllegalArgumentException e) {
                unwritable.add(e.getMessage());
            }
        }
        if (!unwritable.isEmpty()) { // checked before any image is processed, so nothing is half done
            unwritable.forEach(err::println);
            err.println("apply: " + unwritable.size() + " output path(s) cannot be written; nothing was processed");
            err.flush();
            return 1;
        }
        AtomicInteger failed = new AtomicInteger();
        String[] messages = new String[jobs.size()];
        Parallel.range(jobs.size(), 1, (s, e) -> {
            for (int i = s; i < e; i++) {
                Job j = jobs.get(i);
                try {
                    PngImages.Rgb img = PngImages.read(j.in());
                    byte[] res = j.op().apply(img.pixels(), img.height(), img.width(), j.param());
                    OutputFiles.writePng(j.out(), img.height(), img.width(), res);
                } catch (IllegalArgumentException | UncheckedIOException ex) {
                    messages[i] = j.where() + ": " + ex.getMessage();
                    failed.incrementAndGet();
                }
            }
        });
        for (String m : messages) if (m != null) err.println(m);
        if (failed.get() > 0) {
            err.println("apply: " + failed.get() + " of " + jobs.size() + " job(s) failed");
            err.flush();
            return 1;
        }
        err.flush();
        return 0;
    }

    static String paramHint(Op o) {
        return switch (o) {
            case POSTERIZE -> "bits kept, 0..8";
            case ROTATE -> "degrees, counter-clockwise";
            case SOLARIZE -> "threshold, 0..256";
            case SHEAR_X, SHEAR_Y -> "affine coefficient";
            case TRANSLATE_X, TRANSLATE_Y -> "offset in pixels";
            case AUTOCONTRAST, EQUALIZE -> "ignored";
            default -> "enhance factor, 1 = unchanged";
        };
    }

    /** Parses and checks a batch file; malformed lines are reported as "file:line: reason". */
    static List<Job> parseBatch(Path file, List<String> problems) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            problems.add(file + ": cannot read the batch file (" + e.getMessage() + ")");
            return List.of();
        }
        Path base = file.toAbsolutePath().getParent();
        List<Job> jobs = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n);
            String where = file + ":" + (n + 1);
            if (line.isBlank() || line.stripLeading().startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length != 4) {
                problems.add(where + ": expected 4 tab-separated fields (input.png, op, parameter, output.png), found "
                        + f.length + (f.length == 1 ? " (are the fields separated by spaces instead of tabs?)" : ""));
                continue;
            }
            String inS = f[0].strip(), opS = f[1].strip(), pS = f[2].strip(), outS = f[3].strip();
            if (inS.isEmpty() || outS.isEmpty()) {
                problems.add(where + ": empty " + (inS.isEmpty() ? "input" : "output") + " path");
                continue;
            }
            Op o;
            try {
                o = Op.byName(opS);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                continue;
            }
            double p = 0.0;
            if (pS.isEmpty() || pS.equals("-")) {
                if (o.hasParam()) {
                    problems.add(where + ": op " + o + " needs a parameter (" + paramHint(o) + ")");
                    continue;
                }
            } else {
                try {
                    p = Double.parseDouble(pS);
                } catch (NumberFormatException e) {
                    if (o.hasParam()) {
                        problems.add(where + ": parameter '" + pS + "' is not a number (" + paramHint(o) + ")");
                        continue;
                    }
                }
            }
            try {
                o.checkParam(p);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
                continue;
            }
            jobs.add(new Job(where, base.resolve(inS), o, p, base.resolve(outS)));
        }
        return jobs;
    }
}
