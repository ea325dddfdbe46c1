package org.augmix4j.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Test helper: the kernels that CUDA sources define, parsed from their {@code extern "C" __global__} lines. */
final class KernelSources {
    /**
     * The convention kernels/README.md states (and the emulator's build script relies on), with an
     * optional {@code __launch_bounds__(...)} before the name.
     */
    static final Pattern KERNEL = Pattern.compile(
            "(?m)^extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\) )?([A-Za-z_][A-Za-z0-9_]*)\\(([^)]*)\\)");
    private static final Pattern GLOBAL = Pattern.compile("\\b__global__\\b");

    private KernelSources() {}

    /** kernels/ of the checkout (Surefire passes its path). */
    static Path kernelsDir() { return Path.of(System.getProperty("augmix4j.kernels.dir", "kernels")); }

    /** The test kernels' directory, src/test/kernels. */
    static Path testKernelsDir() { return kernelsDir().resolveSibling("src").resolve("test").resolve("kernels"); }

    /** Name to parsed signature, for every .cu in {@code dir}, in file then source order. */
    static Map<String, Kernel> parse(Path dir) {
        Map<String, Kernel> kernels = new LinkedHashMap<>();
        for (Path f : cuFiles(dir)) {
            String src = read(f);
            Matcher m = KERNEL.matcher(src);
            while (m.find()) {
                Kernel k = Kernel.parse(m.group(1) + "(" + m.group(2).replaceAll("\\s+", " ") + ")");
                if (kernels.put(k.name(), k) != null) throw new AssertionError("kernel " + k.name() + " defined twice");
            }
        }
        return kernels;
    }

    /** How many times {@code __global__} appears in the code (outside comments) of the .cu files. */
    static int globalCount(Path dir) {
        int n = 0;
        for (Path f : cuFiles(dir)) {
            String code = read(f).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
            Matcher m = GLOBAL.matcher(code);
            while (m.find()) n++;
        }
        return n;
    }

    static List<Path> cuFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + dir + " (run the tests from the checkout)", e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
