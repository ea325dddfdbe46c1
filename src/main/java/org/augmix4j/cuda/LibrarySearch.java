package org.augmix4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where cuDNN and cuBLAS are on this machine: a pure search over the file system (no library is
 * loaded here; {@link CudaLibraries} loads what this finds). The order, first match wins:
 * <ol>
 *   <li>an explicit path, {@code -Daugmix4j.cudnn=PATH} / {@code -Daugmix4j.cublas=PATH} (or the
 *       environment variables {@code AUGMIX4J_CUDNN} / {@code AUGMIX4J_CUBLAS}): the library file or
 *       its directory; then nothing else is searched. {@code none} disables the library;</li>
 *   <li>{@code $CUDA_HOME}, {@code $CUDA_PATH} (and for cuDNN {@code $CUDNN_HOME}, {@code $CUDNN_PATH}):
 *       {@code lib64}, {@code lib}, {@code targets/x86_64-linux/lib};</li>
 *   <li>each {@code $LD_LIBRARY_PATH} entry;</li>
 *   <li>NVIDIA's Python wheels: {@code <site-packages>/nvidia/<package>/lib} (nvidia-cudnn-cu13 and
 *       -cu12 install {@code nvidia/cudnn/lib}, nvidia-cublas (CUDA 13) {@code nvidia/cu13/lib},
 *       nvidia-cublas-cu12 {@code nvidia/cublas/lib}) in the site-packages that {@code python3} reports,
 *       {@code $VIRTUAL_ENV}, {@code $CONDA_PREFIX}, {@code ~/.local}, {@code /usr/local/lib},
 *       {@code /usr/lib}, {@code /opt/conda};</li>
 *   <li>{@code /usr/local/cuda/lib64}, then {@code /usr/local/cuda-<version>/lib64}, newest first;</li>
 *   <li>the system library directories ({@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, ...).</li>
 * </ol>
 * In each directory the newer major version is preferred: {@code libcudnn.so.9} (used through the
 * compatibility shim) before {@code libcudnn.so.8} (used directly); {@code libcublas.so.13} before
 * {@code libcublas.so.12}. Standard directories are resolved under a root, so tests search fake trees.
 */
public final class LibrarySearch {
    /** The two vendor libraries, their file stem, majors (newest first) and the major JCuda links. */
    public enum Library {
        CUDNN("cuDNN", "libcudnn", List.of(9, 8), 8, "augmix4j.cudnn", "AUGMIX4J_CUDNN", List.of("cudnn")),
        CUBLAS("cuBLAS", "libcublas", List.of(13, 12), 12, "augmix4j.cublas", "AUGMIX4J_CUBLAS", List.of("cu13", "cublas", "cu12"));

        private final String display, stem, property, envVar;
        private final List<Integer> majors;
        private final int linkedMajor;
        private final List<String> wheelDirs;

        Library(String display, String stem, List<Integer> majors, int linkedMajor, String property, String envVar,
                List<String> wheelDirs) {
            this.display = display;
            this.stem = stem;
            this.majors = majors;
            this.linkedMajor = linkedMajor;
            this.property = property;
            this.envVar = envVar;
            this.wheelDirs = wheelDirs;
        }

        /** "cuDNN" / "cuBLAS". */
        public String display() { return display; }

        /** The file name of one major version, e.g. libcudnn.so.9. */
        public String fileName(int major) { return stem + ".so." + major; }

        /** Majors we can use, newest first. */
        public List<Integer> majors() { return majors; }

        /** The major JCuda's JNI library was linked against (8 / 12): used directly, the others via a shim. */
        public int linkedMajor() { return linkedMajor; }

        /** The system property naming an explicit path. */
        public String property() { return property; }

        /** The environment variable naming an explicit path. */
        public String envVar() { return envVar; }
    }

    /** A directory searched, and why it was searched. */
    public record Place(Path dir, String source) {
        @Override
        public String toString() { return dir + " (" + source + ")"; }
    }

    /**
     * A library file found.
     *
     * @param major  the major version from its file name (9 for libcudnn.so.9)
     * @param source where it was found, for the report ("pip wheel in ...", "LD_LIBRARY_PATH", ...)
     */
    public record Candidate(Library library, Path file, int major, String source) {
        /** True when JCuda's JNI library can use it directly (cuDNN 8, cuBLAS 12), false when it needs the shim. */
        public boolean direct() { return major == library.linkedMajor(); }

        /** The version hinted by the file the name resolves to (libcudnn.so.9.24.0 gives "9.24.0"), else the major. */
        public String fileVersion() {
            try {
                String real = file.toRealPath().getFileName().toString();
                Matcher m = Pattern.compile(Pattern.quote(library.stem + ".so.") + "(\\d+(\\.\\d+)*)").matcher(real);
                if (m.matches() && m.group(1).startsWith(major + "")) return m.group(1);
            } catch (IOException | RuntimeException ignored) {
                // the name is enough
            }
            return Integer.toString(major);
        }
    }

    /**
     * The outcome of a search.
     *
     * @param candidates what was found, best first (empty when nothing was)
     * @param searched   every directory looked at, in order
     * @param explicit   the explicit setting ("-Daugmix4j.cudnn=/x"), or null when none was given
     * @param disabled   true when the explicit setting is "none"
     */
    public record Result(Library library, List<Candidate> candidates, List<Place> searched, String explicit, boolean disabled) {
        public boolean found() { return !candidates.isEmpty(); }
    }

    private final Map<String, String> env;
    private final Map<String, String> properties;
    private final Path root;
    private final Supplier<List<Path>> pythonSitePackages;

    /**
     * @param env                the environment (CUDA_HOME, LD_LIBRARY_PATH, HOME, VIRTUAL_ENV, ...)
     * @param properties         system properties (augmix4j.cudnn / augmix4j.cublas)
     * @param root               where the standard directories (/usr/local/cuda, ...) are resolved: "/" normally
     * @param pythonSitePackages the site-packages directories the Python interpreter reports
     */
    public LibrarySearch(Map<String, String> env, Map<String, String> properties, Path root,
                         Supplier<List<Path>> pythonSitePackages) {
        this.env = env;
        this.properties = properties;
        this.root = root;
        this.pythonSitePackages = pythonSitePackages;
    }

    /** The search of this process: its environment and properties, the real file system, python3. */
    public static LibrarySearch system() {
        Map<String, String> props = new LinkedHashMap<>();
        for (Library l : Library.values()) {
            String v = System.getProperty(l.property());
            if (v != null) props.put(l.property(), v);
        }
        String python = System.getProperty("augmix4j.python", System.getenv().getOrDefault("AUGMIX4J_PYTHON", "python3"));
        return new LibrarySearch(System.getenv(), props, Path.of("/"), () -> askPython(python));
    }

    /** Finds {@code library}. */
    public Result find(Library library) {
        String explicit = properties.get(library.property());
        String how = "-D" + library.property();
        if (explicit == null || explicit.isBlank()) {
            explicit = env.get(library.envVar());
            how = library.envVar();
        }
        if (explicit != null && !explicit.isBlank()) {
            String setting = how + "=" + explicit;
            if (explicit.equalsIgnoreCase("none") || explicit.equalsIgnoreCase("off")) {
                return new Result(library, List.of(), List.of(), setting, true);
            }
            Path p = Path.of(explicit);
            List<Candidate> found = new ArrayList<>();
            List<Place> searched = new ArrayList<>();
            if (Files.isDirectory(p)) {
                searched.add(new Place(p, setting));
                found.addAll(inDirectory(library, p, setting));
            } else {
                searched.add(new Place(p.getParent() == null ? p : p.getParent(), setting));
                int major = majorOf(library, p.getFileName() == null ? "" : p.getFileName().toString());
                if (major == 0 && Files.isRegularFile(p)) {  // e.g. the unversioned libcudnn.so -> libcudnn.so.9.24.0
                    try {
                        major = majorOf(library, p.toRealPath().getFileName().toString());
                    } catch (IOException ignored) {
                        // stays 0
                    }
                }
                if (Files.isRegularFile(p) && major > 0) found.add(new Candidate(library, p, major, setting));
            }
            return new Result(library, List.copyOf(found), List.copyOf(searched), setting, false);
        }
        List<Place> places = places(library);
        List<Candidate> found = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Place place : places) {
            for (Candidate c : inDirectory(library, place.dir(), place.source())) {
                Path key;
                try {
                    key = c.file().toRealPath();
                } catch (IOException e) {
                    key = c.file().toAbsolutePath().normalize();
                }
                if (seen.add(key)) found.add(c);
            }
        }
        return new Result(library, List.copyOf(found), places, null, false);
    }

    /** The directories searched for {@code library} when no explicit path is given, in order, without repeats. */
    public List<Place> places(Library library) {
        Map<Path, Place> places = new LinkedHashMap<>();
        List<String> homes = new ArrayList<>(List.of("CUDA_HOME", "CUDA_PATH"));
        if (library == Library.CUDNN) homes.addAll(0, List.of("CUDNN_HOME", "CUDNN_PATH"));
        for (String var : homes) {
            String home = env.get(var);
            if (home == null || home.isBlank()) continue;
            for (String sub : List.of("lib64", "lib", "targets/x86_64-linux/lib")) {
                add(places, Path.of(home).resolve(sub), "$" + var + "=" + home);
            }
        }
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            for (String entry : ld.split(":")) {
                if (!entry.isBlank()) add(places, Path.of(entry), "LD_LIBRARY_PATH");
            }
        }
        for (Path site : sitePackages()) {
            Path nvidia = site.resolve("nvidia");
            List<Path> libs = new ArrayList<>();
            for (String preferred : library.wheelDirs) libs.add(nvidia.resolve(preferred).resolve("lib"));
            try (Stream<Path> s = Files.list(nvidia)) {
                s.sorted().forEach(d -> libs.add(d.resolve("lib")));
            } catch (IOException e) {
                // no nvidia/ here
            }
            for (Path lib : libs) {
                if (Files.isDirectory(lib)) add(places, lib, "pip wheel in " + site);
            }
        }
        add(places, rooted("/usr/local/cuda/lib64"), "/usr/local/cuda");
        add(places, rooted("/usr/local/cuda/targets/x86_64-linux/lib"), "/usr/local/cuda");
        for (Path cuda : versionedCudaDirs()) {
            add(places, cuda.resolve("lib64"), "/usr/local/" + cuda.getFileName());
            add(places, cuda.resolve("targets/x86_64-linux/lib"), "/usr/local/" + cuda.getFileName());
        }
        for (String sys : List.of("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib")) {
            add(places, rooted(sys), "system library directory");
        }
        return List.copyOf(places.values());
    }

    /** Site-packages directories that exist: python3's answer, then the usual places. */
    List<Path> sitePackages() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String var : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            String prefix = env.get(var);
            if (prefix != null && !prefix.isBlank()) dirs.addAll(pythonLibDirs(Path.of(prefix).resolve("lib")));
        }
        try {
            dirs.addAll(pythonSitePackages.get());
        } catch (RuntimeException ignored) {
            // no python: the usual places below still count
        }
        String home = env.get("HOME");
        if (home != null && !home.isBlank()) dirs.addAll(pythonLibDirs(Path.of(home, ".local", "lib")));
        for (String lib : List.of("/usr/local/lib", "/usr/lib", "/usr/lib64", "/opt/conda/lib")) {
            dirs.addAll(pythonLibDirs(rooted(lib)));
        }
        dirs.add(rooted("/usr/lib/python3/dist-packages"));
        List<Path> out = new ArrayList<>();
        for (Path d : dirs) if (Files.isDirectory(d)) out.add(d);
        return out;
    }

    /** {@code <lib>/python3.*}/{site,dist}-packages, newest Python first. */
    private static List<Path> pythonLibDirs(Path lib) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(lib)) {
            s.filter(p -> p.getFileName().toString().matches("python3(\\.\\d+)?"))
                    .sorted(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString())).reversed())
                    .forEach(p -> {
                        out.add(p.resolve("site-packages"));
                        out.add(p.resolve("dist-packages"));
                    });
        } catch (IOException e) {
            // not there
        }
        return out;
    }

    /** /usr/local/cuda-13.0, /usr/local/cuda-12.8, ... newest first. */
    private List<Path> versionedCudaDirs() {
        try (Stream<Path> s = Files.list(rooted("/usr/local"))) {
            return s.filter(p -> p.getFileName().toString().matches("cuda-\\d+(\\.\\d+)*"))
                    .sorted(Comparator.comparing((Path p) -> versionKey(p.getFileName().toString())).reversed())
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A sortable key for the digits in a name: "cuda-12.10" after "cuda-12.9". */
    private static String versionKey(String name) {
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile("\\d+").matcher(name);
        while (m.find()) sb.append(String.format("%06d.", Long.parseLong(m.group())));
        return sb.toString();
    }

    private Path rooted(String absolute) { return root.resolve(absolute.substring(1)); }

    private static void add(Map<Path, Place> places, Path dir, String source) {
        places.putIfAbsent(dir.toAbsolutePath().normalize(), new Place(dir, source));
    }

    /** The candidates in one directory, newest major first. */
    static List<Candidate> inDirectory(Library library, Path dir, String source) {
        List<Candidate> out = new ArrayList<>();
        for (int major : library.majors()) {
            Path f = dir.resolve(library.fileName(major));
            if (Files.isRegularFile(f)) out.add(new Candidate(library, f, major, source));
        }
        return out;
    }

    /** The major version in a file name: 9 for libcudnn.so.9 or libcudnn.so.9.1.0, 0 when it is not one we use. */
    static int majorOf(Library library, String fileName) {
        Matcher m = Pattern.compile(Pattern.quote(library.stem + ".so.") + "(\\d+)(\\.\\d+)*").matcher(fileName);
        if (!m.matches()) return 0;
        int major = Integer.parseInt(m.group(1));
        return library.majors().contains(major) ? major : 0;
    }

    /** The site-packages directories {@code python} reports (empty when it is missing or slow). */
    static List<Path> askPython(String python) {
        if (python == null || python.isBlank() || python.equals("none")) return List.of();
        try {
            Process p = new ProcessBuilder(python, "-c",
                    "import site, sys\n"
                            + "d = list(getattr(site, 'getsitepackages', lambda: [])())\n"
                            + "d.append(site.getusersitepackages())\n"
                            + "d += [x for x in sys.path if x.endswith('-packages')]\n"
                            + "print('\\n'.join(d))")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {  // the answer is a few lines: it fits the pipe
                p.destroyForcibly();
                return List.of();
            }
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(1 << 16);
            }
            List<Path> dirs = new ArrayList<>();
            for (String line : new String(out, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) dirs.add(Path.of(line.trim()));
            }
            return dirs;
        } catch (IOException | RuntimeException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }
}
