package org.augmix4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The project's kernels: the fatbin that kernels/build.sh compiles from every kernels/*.cu, shipped
 * on the classpath, loaded once per process into one {@link Module}.
 */
public final class Kernels {
    /** Classpath location of the fatbin. */
    public static final String FATBIN = "/org/augmix4j/kernels/augmix4j.fatbin";
    /** Classpath location of its recorded inputs (hash of the sources, nvcc version and flags). */
    public static final String INPUTS = FATBIN + ".inputs";

    private static Module module;

    private Kernels() {}

    /** The loaded module of the shipped fatbin (loaded on first use). */
    public static synchronized Module module(Gpu gpu) {
        if (module == null) module = Module.load(gpu, fatbin(), "augmix4j.fatbin");
        return module;
    }

    /** Whether the module is loaded already (for reports; does not load it). */
    static synchronized boolean loaded() { return module != null; }

    /** The fatbin's bytes. */
    public static byte[] fatbin() { return resource(FATBIN); }

    /** The text of the fatbin's .inputs file. */
    public static String inputs() { return new String(resource(INPUTS), java.nio.charset.StandardCharsets.UTF_8); }

    private static byte[] resource(String path) {
        try (InputStream in = Kernels.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the classpath: build it with kernels/build.sh"
                        + " (needs nvcc 13) and rebuild the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + path, e);
        }
    }
}
