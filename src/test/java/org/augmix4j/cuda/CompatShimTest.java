package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA 13 compatibility shims that src/compat/build.sh built into target/classes (no GPU
 * needed): exported symbols, version nodes and dependencies (nm/readelf on the built .so against
 * the JNI libraries in the natives jars), the stub list, and, with gcc, an end-to-end load in a
 * child JVM: fake libcudnn.so.9 / libcublas.so.13 (src/test/compat) behind the shims, reached
 * through the real unmodified JCudnn 11.7.0 and JCublas2 12.6.0 JNI libraries and
 * {@link CudaLibraries}. Skipped, with the reason, where the shims were not built.
 */
class CompatShimTest {
    static Path classesCompat;
    static Properties compat;

    @BeforeAll
    static void shims() throws IOException, URISyntaxException {
        Path status = Path.of("target/compat/status");
        String s = Files.exists(status) ? Files.readString(status).trim() : "unavailable: " + status + " missing (build-compat did not run)";
        URL props = CompatShimTest.class.getResource(CudaLibraries.COMPAT_RESOURCES + "compat.properties");
        Assumptions.assumeTrue(s.startsWith("ok") && props != null, "compatibility shims not built: " + s);
        classesCompat = Path.of(props.toURI()).getParent();
        compat = CudaLibraries.compatProperties();
        for (String tool : List.of("nm", "readelf")) {
            Assumptions.assumeTrue(run(List.of("which", tool)).rc == 0, tool + " not found (binutils)");
        }
    }

    record Out(int rc, String text) {}

    static Out run(List<String> cmd) {
        return run(cmd, Map.of());
    }

    static Out run(List<String> cmd, Map<String, String> env) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Out(-1, "timeout");
            }
            return new Out(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Out(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Out(-1, e.toString());
        }
    }

    /** A JNI library from the natives jars on the classpath, written to dir. */
    static Path jni(String name, Path dir) throws IOException {
        try (InputStream in = CompatShimTest.class.getResourceAsStream("/lib/" + name)) {
            assertTrue(in != null, "/lib/" + name + " is not on the test classpath");
            Path f = dir.resolve(name);
            Files.write(f, in.readAllBytes());
            return f;
        }
    }

    /** Undefined dynamic symbols with the given prefix, name -> version ("cudnnCreate" -> "libcudnn.so.8"). */
    static Map<String, String> imports(Path so, String prefix) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String line : run(List.of("nm", "-D", "--undefined-only", so.toString())).text.split("\n")) {
            String sym = line.trim().replaceAll(".*\\s", "");
            if (!sym.startsWith(prefix)) continue;
            int at = sym.indexOf('@');
            m.put(at < 0 ? sym : sym.substring(0, at), at < 0 ? "" : sym.substring(at).replace("@", ""));
        }
        return m;
    }

    /** Defined dynamic symbols of type T: name -> "@@version". */
    static Map<String, String> exports(Path so) {
        Map<String, String> m = new java.util.TreeMap<>();
        for (String line : run(List.of("nm", "-D", "--defined-only", so.toString())).text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) continue;
            int at = f[2].indexOf('@');
            m.put((at < 0 ? f[2] : f[2].substring(0, at)) + " " + f[1], at < 0 ? "" : f[2].substring(at));
        }
        return m;
    }

    void checkShim(String soname, Map<String, String> wantedImports) throws IOException {
        Path so = classesCompat.resolve(soname);
        Map<String, String> exp = exports(so);
        TreeSet<String> functions = new TreeSet<>(), other = new TreeSet<>();
        exp.forEach((k, v) -> {
            String[] nt = k.split(" ");
            if (nt[1].equals("T")) {
                functions.add(nt[0]);
                assertEquals("@@" + soname, v, nt[0] + " must be defined in version node " + soname);
            } else {
                other.add(k);
            }
        });
        assertEquals(new TreeSet<>(wantedImports.keySet()), functions, soname + " exports exactly what the JNI libraries import");
        assertEquals(new TreeSet<>(List.of(soname + " A")), other, "nothing else is exported but the version node");
        for (Map.Entry<String, String> e : wantedImports.entrySet()) {
            assertEquals(soname, e.getValue(), "the JNI library imports " + e.getKey() + " from version node " + soname);
        }

        String dyn = run(List.of("readelf", "-d", so.toString())).text;
        assertTrue(dyn.contains("Library soname: [" + soname + "]"), dyn);
        List<String> needed = new ArrayList<>();
        Matcher m = Pattern.compile("Shared library: \\[([^]]+)]").matcher(dyn);
        while (m.find()) needed.add(m.group(1));
        assertEquals(List.of("libdl.so.2", "libc.so.6"), needed, "needs only the C library (not the CUDA library it forwards to)");

        String ver = run(List.of("readelf", "-V", so.toString())).text;
        assertTrue(Pattern.compile("Flags: none\\s+Index: 2\\s+Cnt: 1\\s+Name: " + Pattern.quote(soname)).matcher(ver).find(),
                "version definition node " + soname + ":\n" + ver);
        Matcher glibc = Pattern.compile("Name: GLIBC_2\\.(\\d+)").matcher(ver);
        while (glibc.find()) {
            assertTrue(Integer.parseInt(glibc.group(1)) <= 17, "needs GLIBC_2." + glibc.group(1)
                    + ": newer than what the JCuda natives need (2.17)\n" + ver);
        }
        Properties p = compat;
        assertEquals(Integer.toString(wantedImports.size()), p.getProperty(soname + ".functions"));
        assertEquals(FatbinInputs.sha256(Files.readAllBytes(so)), p.getProperty(soname + ".sha256"));
    }

    @Test
    void cudnnShimExportsEveryJCudnnImportInVersionNodeLibcudnnSo8(@TempDir Path tmp) throws IOException {
        Map<String, String> imports = imports(jni("libJCudnn-11.7.0-linux-x86_64.so", tmp), "cudnn");
        assertEquals(260, imports.size(), "JCudnn 11.7.0 imports 260 cuDNN functions (nm -D of its JNI library; src/compat/README.md)");
        checkShim("libcudnn.so.8", imports);
        assertEquals("libcudnn.so.9", compat.getProperty("libcudnn.so.8.target"));
    }

    @Test
    void cublasShimExportsEveryJCublas2AndJCublasImportInVersionNodeLibcublasSo12(@TempDir Path tmp) throws IOException {
        Map<String, String> imports = imports(jni("libJCublas2-12.6.0-linux-x86_64.so", tmp), "cublas");
        assertEquals(494, imports.size());
        Map<String, String> legacy = imports(jni("libJCublas-12.6.0-linux-x86_64.so", tmp), "cublas");
        assertEquals(163, legacy.size());
        imports.putAll(legacy);
        checkShim("libcublas.so.12", imports);
        assertEquals("libcublas.so.13", compat.getProperty("libcublas.so.12.target"));
        assertEquals("", compat.getProperty("libcublas.so.12.stubs"), "cuBLAS 13 exports everything JCublas imports");
    }

    @Test
    void theStubsAreTheFiftyFourFunctionsCudnn9Removed(@TempDir Path tmp) throws IOException {
        TreeSet<String> removed = new TreeSet<>();
        for (String l : Files.readAllLines(Path.of("src/compat/cudnn9-removed.txt"))) {
            if (!l.isBlank() && !l.startsWith("#")) removed.add(l.trim());
        }
        assertEquals(54, removed.size());
        TreeSet<String> stubs = new TreeSet<>(List.of(compat.getProperty("libcudnn.so.8.stubs").split(",")));
        assertEquals(removed, stubs);
        assertTrue(imports(jni("libJCudnn-11.7.0-linux-x86_64.so", tmp), "cudnn").keySet().containsAll(stubs));
        assertEquals(6, stubs.stream().filter(s -> s.endsWith("VersionCheck")).count());
        // the generated source marks exactly these as known-removed, the VersionCheck ones as 'V' (return 0)
        String c = Files.readString(Path.of("target/compat/gen/libcudnn.so.8.c"));
        assertTrue(c.contains("static int shim_missing(void) { return 3000; }"), "removed functions return CUDNN_STATUS_NOT_SUPPORTED");
        assertTrue(c.contains("static int shim_success(void) { return 0; }"));
    }

    // ---------------------------------------------------------------- end to end, with fake libraries

    /** Builds the fake cuDNN 9 / cuBLAS 13 into dir (gcc), or skips. */
    static void buildFakes(Path dir) {
        Assumptions.assumeTrue(run(List.of("which", "gcc")).rc == 0, "gcc not found: the end-to-end shim test needs it");
        Path src = Path.of("src/test/compat");
        List<List<String>> cmds = List.of(
                List.of("gcc", "-shared", "-fPIC", "-O1", "-o", dir.resolve("libcublasLt.so.13").toString(),
                        "-Wl,-soname,libcublasLt.so.13", src.resolve("fake_cublasLt13.c").toString()),
                List.of("gcc", "-shared", "-fPIC", "-O1", "-o", dir.resolve("libcudnn.so.9").toString(), "-Wl,-soname,libcudnn.so.9",
                        "-Wl,--version-script=" + versionScript(dir, "libcudnn.so.9"), src.resolve("fake_cudnn9.c").toString()),
                List.of("gcc", "-shared", "-fPIC", "-O1", "-o", dir.resolve("libcublas.so.13").toString(), "-Wl,-soname,libcublas.so.13",
                        "-Wl,--version-script=" + versionScript(dir, "libcublas.so.13"), src.resolve("fake_cublas13.c").toString(),
                        "-L" + dir, "-l:libcublasLt.so.13"));
        for (List<String> cmd : cmds) {
            Out o = run(cmd);
            assertEquals(0, o.rc, String.join(" ", cmd) + "\n" + o.text);
        }
    }

    private static String versionScript(Path dir, String node) {
        Path f = dir.resolve(node + ".map");
        try {
            Files.writeString(f, node + " { global: *; };\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return f.toString();
    }

    /** Runs CompatProbe (or another main) in a child JVM with the test classpath. */
    static Out childJvm(Path tmp, List<String> props, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("jtmp"))));
        cmd.addAll(props);
        cmd.add(main);
        cmd.addAll(List.of(args));
        return run(cmd, Map.of("AUGMIX4J_SHIM_VERBOSE", "1"));
    }

    static Map<String, String> keyValues(String text) {
        Map<String, String> m = new java.util.HashMap<>();
        for (String l : text.split("\n")) {
            int eq = l.indexOf('=');
            if (eq > 0 && l.substring(0, eq).matches("[\\w.]+")) m.put(l.substring(0, eq), l.substring(eq + 1).trim());
        }
        return m;
    }

    @Test
    void jcudnnAndJCublas2RunOnFakeCudnn9AndCublas13ThroughTheShims(@TempDir Path tmp) throws IOException {
        Path fakes = Files.createDirectories(tmp.resolve("fakes"));
        buildFakes(fakes);
        Out o = childJvm(tmp, List.of("-Daugmix4j.cudnn=" + fakes, "-Daugmix4j.cublas=" + fakes.resolve("libcublas.so.13")),
                CompatProbe.class.getName());
        System.out.println(o.text);
        assertEquals(0, o.rc, o.text);
        Map<String, String> kv = keyValues(o.text);
        assertEquals("COMPAT", kv.get("cublas.route"), o.text);
        assertEquals("13.1.1", kv.get("cublas.version"), "cublasGetProperty through the shim:\n" + o.text);
        assertEquals("1", kv.get("cublasCreate"), "CUBLAS_STATUS_NOT_INITIALIZED from the fake");
        assertEquals("COMPAT", kv.get("cudnn.route"), o.text);
        assertEquals("9.24.0", kv.get("cudnn.version"));
        assertEquals("92400", kv.get("cudnnGetVersion"));
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED (fake cuDNN 9)", kv.get("cudnnGetErrorString"));
        assertEquals("1001", kv.get("cudnnCreate"));
        assertEquals("0 8,16,32,31", kv.get("cudnnGetConvolution2dForwardOutputDim"), "arguments and outputs pass through");
        assertEquals("0", kv.get("cudnnOpsInferVersionCheck"), "removed *VersionCheck: success");
        assertEquals("3000", kv.get("cudnnCreateAlgorithmDescriptor"), "removed: CUDNN_STATUS_NOT_SUPPORTED");
        assertEquals("3000", kv.get("cudnnDestroy"), "absent from the fake: stubbed, not a dead JVM");
        assertTrue(o.text.contains("JCudnn native-name fix: libJCudnn-11.7.0-linux-x86_64.so loaded as libJCudnn-12.6.0-linux-x86_64.so"), o.text);
        assertTrue(o.text.contains("cuDNN 9.24.0 through the compatibility shim (libcudnn.so.8 -> libcudnn.so.9)"), o.text);
        assertTrue(o.text.contains("54 of them are stubs"), o.text);
        // the shim's own report (AUGMIX4J_SHIM_VERBOSE): it found the library Java had loaded by absolute path
        assertTrue(o.text.contains("[augmix4j shim libcudnn.so.8] 5 of 260 functions forwarded to " + fakes.resolve("libcudnn.so.9")), o.text);
        assertTrue(o.text.contains("[augmix4j shim libcublas.so.12] 2 of 649 functions forwarded to " + fakes.resolve("libcublas.so.13")), o.text);
        assertTrue(o.text.contains("done"), o.text);
    }

    @Test
    void infoReportsVersionsAndTheCompatibilityPath(@TempDir Path tmp) throws IOException {
        Path fakes = Files.createDirectories(tmp.resolve("fakes"));
        buildFakes(fakes);
        Path json = tmp.resolve("info.json");
        Out o = childJvm(tmp, List.of("--add-modules", "jdk.incubator.vector", "-Daugmix4j.cudnn=" + fakes, "-Daugmix4j.cublas=" + fakes),
                "org.augmix4j.cli.Main", "info", "--json", json.toString());
        assertEquals(0, o.rc, o.text);
        assertTrue(o.text.contains("  cuBLAS 13.1.1 through the compatibility shim (libcublas.so.12 -> libcublas.so.13): "), o.text);
        assertTrue(o.text.contains("  cuDNN 9.24.0 through the compatibility shim (libcudnn.so.8 -> libcudnn.so.9): "), o.text);
        assertTrue(o.text.contains("compatibility shims in this build (for cuDNN 9 / cuBLAS 13): libcudnn.so.8 -> libcudnn.so.9"
                + " (260 functions, 54 stubs), libcublas.so.12 -> libcublas.so.13 (649 functions)"), o.text);
        assertTrue(o.text.contains("What runs where\n  data, AugMix augmentation"), o.text);
        String j = Files.readString(json);
        assertTrue(j.contains("\"route\": \"COMPAT\"") && j.contains("\"version\": \"9.24.0\""), j);
    }

    /**
     * The real libraries, where the normal search finds cuDNN 9 and cuBLAS 13 (e.g. run
     * {@code VIRTUAL_ENV=/path/to/venv mvn test} with pip's nvidia-cudnn-cu13 and nvidia-cublas in that
     * venv); skipped elsewhere. No GPU needed: versions, descriptors, shapes and a removed function.
     */
    @Test
    void realCudnn9AndCublas13WhereTheSearchFindsThem(@TempDir Path tmp) throws IOException {
        Out o = childJvm(tmp, List.of(), RealLibraryProbe.class.getName());
        assertEquals(0, o.rc, o.text);
        Map<String, String> kv = keyValues(o.text);
        Assumptions.assumeTrue("COMPAT".equals(kv.get("cudnn.route")) && "COMPAT".equals(kv.get("cublas.route")),
                "no cuDNN 9 + cuBLAS 13 found on this machine (e.g. pip install nvidia-cudnn-cu13 nvidia-cublas into a venv"
                        + " and set VIRTUAL_ENV):\n" + o.text);
        System.out.println(o.text);
        assertTrue(kv.get("cublasGetProperty.major").equals("0 13"), o.text);
        assertTrue(kv.get("cudnnGetVersion").startsWith("9"), o.text);
        assertEquals("0", kv.get("descriptors"), o.text);
        assertEquals("98304", kv.get("tensorBytes"));
        assertEquals("0 8,16,32,32", kv.get("outputDim"));
        assertEquals("1,3,1,1", kv.get("bnShape"));
        assertEquals("3000", kv.get("cudnnCreateAlgorithmDescriptor"), "removed in cuDNN 9: the shim's stub");
        assertEquals("CUDNN_STATUS_NOT_SUPPORTED", kv.get("cudnnGetErrorString.3000"), "cuDNN 9 itself names its codes");
        assertTrue(o.text.contains("] 206 of 260 functions forwarded to "), "cuDNN 9 lacks exactly the 54 removed ones:\n" + o.text);
        assertTrue(o.text.contains("(0 not known to be removed)"), o.text);
    }

    @Test
    void anExplicitDirectoryWithoutTheLibrarySaysSo(@TempDir Path tmp) throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Out o = childJvm(tmp, List.of("-Daugmix4j.cudnn=" + empty, "-Daugmix4j.cublas=none"), CompatProbe.class.getName());
        assertEquals(0, o.rc, o.text);
        assertTrue(o.text.contains("cuBLAS: not usable: disabled by -Daugmix4j.cublas=none"), o.text);
        assertTrue(o.text.contains("cuDNN: not usable: -Daugmix4j.cudnn=" + empty + ": no libcudnn.so.9 or libcudnn.so.8 there"), o.text);
        assertTrue(o.text.contains("cudnn.route=NONE"), o.text);
    }

    @Test
    void aBrokenLibraryIsReportedNotFatal(@TempDir Path tmp) throws IOException {
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(bad.resolve("libcudnn.so.9"), "not an ELF file, long enough to have a header .....................");
        Out o = childJvm(tmp, List.of("-Daugmix4j.cudnn=" + bad, "-Daugmix4j.cublas=none"), CompatProbe.class.getName());
        assertEquals(0, o.rc, o.text);
        assertTrue(o.text.contains("is not a 64-bit x86-64 Linux shared library"), o.text);
        assertTrue(o.text.contains("done"), o.text);
    }
}
