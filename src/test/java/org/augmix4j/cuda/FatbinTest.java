package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped fatbin against the sources and the Java launchers, with no GPU and no nvcc: it
 * holds SASS for every supported architecture plus compute_90 PTX; every kernel of kernels/*.cu is
 * in every entry and nothing else is; every kernel the Java code declares is there with the same
 * signature as in its .cu; and its recorded input hash matches the sources (else it is stale: run
 * kernels/build.sh).
 */
class FatbinTest {
    private static List<Fatbin.Entry> entries;
    private static Map<String, Kernel> sources;

    @BeforeAll
    static void parse() throws Exception {
        entries = Fatbin.parse(Kernels.fatbin());
        sources = KernelSources.parse(KernelSources.kernelsDir());
        loadLaunchers();
    }

    /** Packages whose *Cuda classes hold launches (ops/ElementwiseCuda, corrupt/CorruptionsCuda, ...). */
    private static final List<String> LAUNCHER_PACKAGES = List.of("ops", "corrupt");

    /** Initialises every class with launches (ops/*Cuda, corrupt/*Cuda), so that their Kernel constants are declared. */
    private static void loadLaunchers() throws IOException, ClassNotFoundException, URISyntaxException {
        ClassLoader loader = FatbinTest.class.getClassLoader();
        for (String pkg : LAUNCHER_PACKAGES) {
            for (URL dir : Collections.list(loader.getResources("org/augmix4j/" + pkg))) {
                if (!dir.getProtocol().equals("file")) continue;
                try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
                    for (Path f : files.filter(p -> p.getFileName().toString().matches("[A-Za-z]+Cuda\\.class")).toList()) {
                        Class.forName("org.augmix4j." + pkg + "." + f.getFileName().toString().replace(".class", ""), true, loader);
                    }
                }
            }
        }
    }

    @Test
    void holdsEverySupportedArchitecture() {
        assertEquals("[sm_75, sm_80, sm_86, sm_89, sm_90, compute_90]", entries.toString());
    }

    @Test
    void holdsExactlyTheKernelsOfTheSources() {
        Set<String> names = new TreeSet<>(sources.keySet());
        assertFalse(names.isEmpty());
        for (Fatbin.Entry e : entries) assertEquals(names, e.kernels(), "kernels in " + e + " (stale fatbin? run kernels/build.sh)");
    }

    @Test
    void everyKernelFollowsTheOneLineDeclarationConvention() {
        assertEquals(KernelSources.globalCount(KernelSources.kernelsDir()), sources.size(),
                "every __global__ in kernels/*.cu must start a line as `extern \"C\" __global__ void name(`"
                        + " with its parameters on that line (the emulator's build and these tests parse it)");
    }

    @Test
    void everyDeclaredKernelIsInTheFatbinWithTheSourceSignature() {
        List<Kernel> declared = Kernel.declared();
        assertFalse(declared.isEmpty(), "no ops/*Cuda class declared a kernel");
        Set<String> common = Fatbin.commonKernels(entries);
        for (Kernel k : declared) {
            assertTrue(common.contains(k.name()), k.name() + " is launched from Java but not in the fatbin");
            assertEquals(String.valueOf(sources.get(k.name())), k.toString(), "Java declaration vs kernels/*.cu");
        }
    }

    @Test
    void recordedHashMatchesTheSources() throws IOException {
        FatbinInputs inputs = FatbinInputs.parse(Kernels.inputs());
        assertEquals(inputs.inputsSha256(), inputs.recomputedSha256(), "augmix4j.fatbin.inputs is inconsistent");
        assertEquals(inputs.expectedFor(KernelSources.kernelsDir()), inputs.hashedLines(),
                "kernels/*.cu or *.cuh changed since the fatbin was built: run kernels/build.sh and commit the fatbin"
                        + " and its .inputs file");
        assertEquals(inputs.fatbinSha256(), FatbinInputs.sha256(Kernels.fatbin()), "the fatbin's bytes do not match its recorded sha256");
    }

    @Test
    void reportDescribesTheFatbinWithoutAGpu() {
        String report = DeviceReport.fatbin();
        assertTrue(report.startsWith("fatbin: ") && report.contains(sources.size() + " kernels"), report);
        assertFalse(report.contains("WARNING"), report);
    }
}
