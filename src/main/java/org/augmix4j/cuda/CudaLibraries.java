package org.augmix4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import jcuda.jcublas.JCublas2;
import jcuda.jcudnn.JCudnn;
import org.augmix4j.cuda.LibrarySearch.Candidate;
import org.augmix4j.cuda.LibrarySearch.Library;

/**
 * Loads cuDNN and cuBLAS for JCudnn / JCublas2, on CUDA 12 and CUDA 13 machines alike, by absolute
 * path (no LD_LIBRARY_PATH needed), and says which compatibility path is in use.
 *
 * <p>JCudnn 11.7.0's JNI library needs {@code libcudnn.so.8} and JCublas2 12.6.0's needs
 * {@code libcublas.so.12}, with versioned symbols. For each library, {@link LibrarySearch} finds the
 * candidates; then:
 * <ul>
 *   <li><b>direct</b> (cuDNN 8, cuBLAS 12): {@code System.load} of the library itself; the JNI
 *       library's NEEDED entry is then satisfied by the loaded object's SONAME;</li>
 *   <li><b>compatibility shim</b> (cuDNN 9, cuBLAS 13): {@code System.load} of the real
 *       {@code libcudnn.so.9}, then of our shim {@code libcudnn.so.8} (src/compat, shipped in the jar,
 *       extracted to a private directory), whose constructor binds every function to the library
 *       already loaded; the 54 functions cuDNN 9 removed return CUDNN_STATUS_NOT_SUPPORTED.</li>
 * </ul>
 * Companions are loaded first from the same directory ({@code libcublasLt}, and cuDNN's
 * sub-libraries, best effort). Then the JNI library is loaded from a private directory
 * ({@link JCudaNatives}); for JCudnn with the native-name fix (the 11.7.0 file under the 12.6.0
 * name JCudnn asks for). Finally the library's own version is read back.
 *
 * <p>Call {@link #requireCudnn()} / {@link #requireCublas()} (or {@link #cudnn()} / {@link #cublas()})
 * before the first touch of a JCudnn / JCublas2 class: their own static initialisers cannot load
 * the JNI libraries on a CUDA 13 machine, and a failed class initialisation is permanent.
 *
 * <p>Each library is loaded at most once per process and the outcome cached. Without a usable
 * library the {@link Status} says which piece is missing and how to fix it; nothing throws. No
 * GPU or driver is needed to load the libraries (only to use them).
 */
public final class CudaLibraries {
    private CudaLibraries() {}

    /** How JCuda reaches the library. */
    public enum Route {
        /** cuDNN 8 / cuBLAS 12: what JCuda's JNI libraries were linked against. */
        DIRECT("used directly"),
        /** cuDNN 9 / cuBLAS 13 through our libcudnn.so.8 / libcublas.so.12 shim. */
        COMPAT("through the compatibility shim"),
        /** Not usable: see {@link Status#problem()}. */
        NONE("not usable");

        private final String words;

        Route(String words) { this.words = words; }

        public String words() { return words; }
    }

    /**
     * The outcome for one library.
     *
     * @param candidate what was loaded (or tried last); null when nothing was found
     * @param version   the version the loaded library reports, e.g. "9.24.0" ("" when not loaded)
     * @param problem   what is wrong ("" when usable)
     * @param fix       what to do about it ("" when usable)
     * @param notes     other facts for the report (stubs, companions not loaded, name fix applied)
     */
    public record Status(Library library, Route route, Candidate candidate, String version, String problem, String fix,
                         List<String> notes) {
        public boolean usable() { return route != Route.NONE; }

        /** One line: "cuDNN 9.24.0 through the compatibility shim: /x/libcudnn.so.9 (pip wheel in /y)". */
        public String summary() {
            if (!usable()) return library.display() + ": not usable: " + problem;
            String shim = route == Route.COMPAT ? " (" + library.fileName(library.linkedMajor()) + " -> "
                    + candidate.file().getFileName() + ")" : "";
            return library.display() + " " + version + " " + route.words() + shim + ": " + candidate.file()
                    + " (" + candidate.source() + ")";
        }

        /** The summary, then the fix or the notes, indented. */
        public String describe() {
            StringBuilder sb = new StringBuilder(summary()).append('\n');
            if (!usable()) sb.append("  fix: ").append(fix).append('\n');
            for (String n : notes) sb.append("  ").append(n).append('\n');
            return sb.toString();
        }
    }

    /** Classpath directory of the shims and their compat.properties (written by src/compat/build.sh). */
    static final String COMPAT_RESOURCES = "/org/augmix4j/cuda/compat/";

    private static Status cudnn, cublas;

    /** cuBLAS for JCublas2, loaded on first use (no GPU needed). */
    public static synchronized Status cublas() {
        if (cublas == null) cublas = load(Library.CUBLAS, LibrarySearch.system());
        return cublas;
    }

    /** cuDNN for JCudnn, loaded on first use after cuBLAS (cuDNN 9's sub-libraries need cuBLASLt). */
    public static synchronized Status cudnn() {
        cublas();
        if (cudnn == null) cudnn = load(Library.CUDNN, LibrarySearch.system());
        return cudnn;
    }

    /**
     * cuDNN, for code about to call JCudnn: call this before the first touch of any JCudnn class
     * (JCudnn's own loader cannot find its JNI library; this one applies the name fix).
     *
     * @throws LibraryUnavailableException with what is missing and how to fix it
     */
    public static Status requireCudnn() {
        Status s = cudnn();
        if (!s.usable()) throw new LibraryUnavailableException(s);
        return s;
    }

    /** cuBLAS, for code about to call JCublas2 (before its first touch); see {@link #requireCudnn()}. */
    public static Status requireCublas() {
        Status s = cublas();
        if (!s.usable()) throw new LibraryUnavailableException(s);
        return s;
    }

    /** cuDNN or cuBLAS cannot be used: the message says which piece is missing and how to fix it. */
    public static final class LibraryUnavailableException extends RuntimeException {
        private final transient Status status;

        public LibraryUnavailableException(Status status) {
            super(status.summary() + ". Fix: " + status.fix());
            this.status = status;
        }

        public Status status() { return status; }
    }

    /** Both, for {@code info}: loads them if not loaded yet. */
    public static String report() {
        return cublas().describe() + cudnn().describe();
    }

    // ---------------------------------------------------------------- loading

    /** Signals a failed attempt; {@code fatal} when something was loaded already (no other candidate may follow). */
    static final class Failure extends Exception {
        final String problem, fix;
        final boolean fatal;

        Failure(String problem, String fix, boolean fatal) {
            super(problem, null, false, false);
            this.problem = problem;
            this.fix = fix;
            this.fatal = fatal;
        }
    }

    static Status load(Library library, LibrarySearch search) {
        LibrarySearch.Result r = search.find(library);
        if (r.disabled()) return disabled(r);
        if (!r.found()) return notFound(r);
        List<String> attempts = new ArrayList<>();
        Failure last = null;
        for (Candidate c : r.candidates()) {
            List<String> notes = new ArrayList<>();
            try {
                String version = loadCandidate(c, notes);
                if (!attempts.isEmpty()) notes.add(0, "skipped: " + String.join("; ", attempts));
                return new Status(library, c.direct() ? Route.DIRECT : Route.COMPAT, c, version, "", "", List.copyOf(notes));
            } catch (Failure f) {
                last = f;
                attempts.add(c.file() + ": " + f.problem);
                if (f.fatal) return new Status(library, Route.NONE, c, "", f.problem, f.fix, List.copyOf(notes));
            }
        }
        Candidate c = r.candidates().get(r.candidates().size() - 1);
        List<String> notes = attempts.size() > 1 ? List.of("also tried: " + String.join("; ", attempts.subList(0, attempts.size() - 1)))
                : List.of();
        return new Status(library, Route.NONE, c, "", last.problem, last.fix, notes);
    }

    /** Loads one candidate; returns the version the library reports. */
    private static String loadCandidate(Candidate c, List<String> notes) throws Failure {
        Library lib = c.library();
        byte[] shim = null;
        Properties compat = compatProperties();
        if (!c.direct()) {
            shim = resource(COMPAT_RESOURCES + lib.fileName(lib.linkedMajor()));
            if (shim == null) throw noShim(c);
        }
        for (Path companion : companions(c)) {
            try {
                System.load(companion.toString());
            } catch (UnsatisfiedLinkError e) {
                notes.add("companion " + companion.getFileName() + " not preloaded (" + firstLine(e) + ")");
            }
        }
        try {
            System.load(c.file().toAbsolutePath().toString());
        } catch (UnsatisfiedLinkError e) {
            throw loadFailed(c, e);
        }
        if (shim != null) {
            String name = lib.fileName(lib.linkedMajor());
            try {
                Path file = JCudaNatives.extractFile(shim, name);
                System.load(file.toString());
                String functions = compat.getProperty(name + ".functions", "?");
                String stubs = compat.getProperty(name + ".stubs", "");
                int nStubs = stubs.isBlank() ? 0 : stubs.split(",").length;
                notes.add("shim " + file + ": the " + functions + " functions JCuda imports, forwarded to " + c.file().getFileName()
                        + (nStubs == 0 ? "" : "; " + nStubs + " of them are stubs: the cuDNN 8 functions cuDNN 9 removed (legacy RNN,"
                        + " algorithm descriptors, *VersionCheck) return " + CudnnStatus.describe(CudnnStatus.NOT_SUPPORTED_V9)
                        + " or success; AugMix4J does not call them"));
            } catch (IOException | UnsatisfiedLinkError e) {
                throw new Failure("the compatibility shim " + name + " could not be loaded: " + firstLine(e),
                        "check that java.io.tmpdir (" + System.getProperty("java.io.tmpdir") + ") is writable and not"
                                + " mounted noexec; set -Djava.io.tmpdir=DIR otherwise", true);
            }
        }
        String version;
        try {
            if (lib == Library.CUBLAS) {
                JCudaNatives.load("JCublas2", () -> JCublas2.setExceptionsEnabled(false));
                int[] v = new int[3];
                for (int i = 0; i < 3; i++) {
                    int[] one = {0};
                    CublasStatus.check(JCublas2.cublasGetProperty(i, one), "cublasGetProperty");
                    v[i] = one[0];
                }
                version = v[0] + "." + v[1] + "." + v[2];
                long cudart = JCublas2.cublasGetCudartVersion();
                if (cudart > 0) notes.add("built for CUDA runtime " + GpuProbe.versionString((int) cudart));
                if (v[0] != c.major()) notes.add("WARNING: the library reports version " + version + " but is named " + c.file().getFileName());
            } else {
                String from = JCudaNatives.load("JCudnn", jcudnnNativesVersion(), () -> JCudnn.setExceptionsEnabled(false));
                String wanted = JCudaNatives.fileName("JCudnn", jcuda.JCudaVersion.get());
                if (from != null && !from.equals(wanted)) {
                    notes.add("JCudnn native-name fix: " + from + " loaded as " + wanted + " (JCudnn " + jcudnnNativesVersion()
                            + " with JCuda " + jcuda.JCudaVersion.get() + ")");
                }
                version = cudnnVersionString(JCudnn.cudnnGetVersion());
                long cudart = JCudnn.cudnnGetCudartVersion();
                if (cudart > 0) notes.add("built for CUDA runtime " + GpuProbe.versionString((int) cudart));
                if (!version.startsWith(c.major() + ".")) {
                    notes.add("WARNING: the library reports version " + version + " but is named " + c.file().getFileName());
                }
            }
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | RuntimeException e) {
            String jni = lib == Library.CUBLAS ? "JCublas2" : "JCudnn";
            throw new Failure(lib.display() + " loaded, but JCuda's " + jni + " JNI library could not be: " + firstLine(e),
                    "rerun with -Djcuda.LibUtils.level=INFO for JCuda's loader trace; check that java.io.tmpdir is writable", true);
        }
        return version;
    }

    /** cuDNN's version number as text: 92400 is 9.24.0 (cuDNN 9: major*10000), 8907 is 8.9.7 (cuDNN 8: major*1000). */
    public static String cudnnVersionString(long v) {
        if (v >= 90000) return v / 10000 + "." + v % 10000 / 100 + "." + v % 100;
        return v / 1000 + "." + v % 1000 / 100 + "." + v % 100;
    }

    /**
     * Libraries to load before {@code c} from its directory: cuBLASLt for cuBLAS (a NEEDED entry that
     * may not be on the loader's path); for cuDNN the sub-libraries our ops use, which cuDNN opens by
     * name at run time, ordered so that each one's dependencies come first.
     */
    static List<Path> companions(Candidate c) {
        Path dir = c.file().toAbsolutePath().getParent();
        List<String> names = switch (c.library()) {
            case CUBLAS -> List.of("libcublasLt.so." + c.major());
            case CUDNN -> c.major() >= 9
                    ? List.of("libcudnn_graph", "libcudnn_engines_precompiled", "libcudnn_heuristic", "libcudnn_ops", "libcudnn_cnn")
                            .stream().map(n -> n + ".so." + c.major()).toList()
                    : List.of("libcudnn_ops_infer", "libcudnn_ops_train", "libcudnn_cnn_infer", "libcudnn_cnn_train")
                            .stream().map(n -> n + ".so." + c.major()).toList();
        };
        List<Path> out = new ArrayList<>();
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) out.add(p);
        }
        return out;
    }

    /** The jcudnn-natives version on the classpath (11.7.0), from its Maven metadata. */
    static String jcudnnNativesVersion() {
        byte[] b = resource("/META-INF/maven/org.jcuda/jcudnn-natives/pom.properties");
        if (b != null) {
            Matcher m = Pattern.compile("(?m)^version=(\\S+)").matcher(new String(b, java.nio.charset.StandardCharsets.ISO_8859_1));
            if (m.find()) return m.group(1);
        }
        return "11.7.0";
    }

    /** compat.properties of the shims in this build (empty when the build had no gcc). */
    public static Properties compatProperties() {
        Properties p = new Properties();
        byte[] b = resource(COMPAT_RESOURCES + "compat.properties");
        if (b != null) {
            try {
                p.load(new java.io.ByteArrayInputStream(b));
            } catch (IOException ignored) {
                // empty
            }
        }
        return p;
    }

    /** Whether this build carries the shim that {@code library}'s newer major needs. */
    public static boolean shimShipped(Library library) {
        return CudaLibraries.class.getResource(COMPAT_RESOURCES + library.fileName(library.linkedMajor())) != null;
    }

    private static byte[] resource(String path) {
        try (InputStream in = CudaLibraries.class.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- what to say when it does not work

    private static String install(Library lib) {
        return lib == Library.CUDNN
                ? "install cuDNN 9 for CUDA 13 (pip install nvidia-cudnn-cu13, or the distribution package libcudnn9-cuda-13)"
                        + " or cuDNN 8 for CUDA 12"
                : "install cuBLAS 13 (pip install nvidia-cublas, or the CUDA 13 toolkit) or cuBLAS 12";
    }

    private static String pointAt(Library lib) {
        return "-D" + lib.property() + "=/path/to/" + lib.fileName(lib.majors().get(0)) + " (or its directory)";
    }

    private static String consequence(Library lib) {
        return lib == Library.CUDNN ? "; until then convolution and batch norm use AugMix4J's own CUDA kernels (slower)"
                : "; until then the linear layer uses AugMix4J's own CUDA kernel";
    }

    static Status disabled(LibrarySearch.Result r) {
        return new Status(r.library(), Route.NONE, null, "", "disabled by " + r.explicit(),
                "remove " + r.explicit().substring(0, r.explicit().indexOf('=')) + " to use " + r.library().display(), List.of());
    }

    static Status notFound(LibrarySearch.Result r) {
        Library lib = r.library();
        String wanted = lib.fileName(lib.majors().get(0)) + " or " + lib.fileName(lib.majors().get(1));
        if (r.explicit() != null) {
            return new Status(lib, Route.NONE, null, "", r.explicit() + ": no " + wanted + " there",
                    "point it at " + wanted + " or at the directory holding it, or remove it to search the usual places",
                    List.of());
        }
        int n = r.searched().size();
        String where = n == 0 ? "nowhere" : n + " places, e.g. " + String.join(", ",
                r.searched().stream().limit(4).map(p -> p.dir().toString()).toList()) + (n > 4 ? ", ..." : "");
        return new Status(lib, Route.NONE, null, "", lib.display() + " (" + wanted + ") was not found (searched " + where + ")",
                install(lib) + ", or give its location with " + pointAt(lib) + consequence(lib), List.of());
    }

    static Failure noShim(Candidate c) {
        Library lib = c.library();
        return new Failure("found " + lib.display() + " " + c.major() + " (" + c.file() + "), which JCuda reaches only through"
                + " the compatibility shim " + lib.fileName(lib.linkedMajor()) + ", but this build has none (it was built"
                + " without gcc; see target/compat/status)",
                "rebuild AugMix4J with gcc and binutils installed (mvn package), or install " + lib.display() + " "
                        + lib.linkedMajor() + consequence(lib), false);
    }

    private static final Pattern MISSING_DEP = Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    static Failure loadFailed(Candidate c, Throwable e) {
        Library lib = c.library();
        String msg = String.valueOf(e.getMessage());
        String what = lib.display() + " at " + c.file() + " could not be loaded";
        Matcher m = MISSING_DEP.matcher(msg);
        if (m.find() && !m.group(1).equals(c.file().getFileName().toString())) {
            String dep = m.group(1);
            String fix = dep.startsWith("libcublasLt")
                    ? "cuDNN needs cuBLASLt of its CUDA major version: install it (pip install nvidia-cublas for CUDA 13), or"
                            + " put the directory holding " + dep + " on LD_LIBRARY_PATH before starting AugMix4J"
                    : "install the package that provides " + dep + ", or put the directory holding it on LD_LIBRARY_PATH"
                            + " before starting AugMix4J";
            return new Failure(what + ": it needs " + dep + ", which was not found", fix, false);
        }
        Matcher g = Pattern.compile("version `(GLIBC[^']*)' not found").matcher(msg);
        if (g.find()) {
            return new Failure(what + ": it needs " + g.group(1) + ", newer than this system's C library",
                    "use a " + lib.display() + " build for this Linux distribution, or a newer distribution", false);
        }
        if (msg.contains("wrong ELF class") || msg.contains("invalid ELF header") || msg.contains("file too short")) {
            return new Failure(what + ": it is not a 64-bit x86-64 Linux shared library (" + lastPart(msg) + ")",
                    "point " + pointAt(lib).replace(" (or its directory)", "") + " at the real library, or reinstall it", false);
        }
        return new Failure(what + ": " + lastPart(firstLine(e)), install(lib) + ", or point " + pointAt(lib) + " at a working copy",
                false);
    }

    private static String lastPart(String msg) {
        int i = msg.lastIndexOf(": ");
        return i < 0 ? msg : msg.substring(i + 2);
    }

    private static String firstLine(Throwable e) {
        String msg = String.valueOf(e.getMessage());
        return msg.lines().filter(l -> !l.isBlank()).findFirst().orElse(e.getClass().getSimpleName());
    }

    /** The shims' classpath file names, for tests and the report. */
    static List<String> shimNames() {
        return Stream.of(Library.values()).map(l -> l.fileName(l.linkedMajor())).toList();
    }
}
