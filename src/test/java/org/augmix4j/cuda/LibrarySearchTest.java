package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.cuda.LibrarySearch.Candidate;
import org.augmix4j.cuda.LibrarySearch.Library;
import org.augmix4j.cuda.LibrarySearch.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the loader looks for cuDNN and cuBLAS, on fake directory trees (no library is loaded). */
class LibrarySearchTest {
    @TempDir Path root;

    private Path touch(String relative) throws IOException {
        Path f = root.resolve(relative);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "fake");
        return f;
    }

    private LibrarySearch search(Map<String, String> env, Map<String, String> props, List<Path> python) {
        return new LibrarySearch(env, props, root, () -> python);
    }

    private LibrarySearch search(Map<String, String> env) { return search(env, Map.of(), List.of()); }

    private static String sources(Result r) {
        return String.join("\n", r.candidates().stream().map(c -> c.file() + " <- " + c.source()).toList());
    }

    @Test
    void nothingAnywhere() {
        Result r = search(Map.of()).find(Library.CUDNN);
        assertFalse(r.found());
        assertTrue(r.searched().stream().anyMatch(p -> p.dir().equals(root.resolve("usr/local/cuda/lib64"))), r.searched().toString());
        assertTrue(r.searched().stream().anyMatch(p -> p.dir().equals(root.resolve("usr/lib/x86_64-linux-gnu"))));
        CudaLibraries.Status s = CudaLibraries.notFound(r);
        assertFalse(s.usable());
        assertTrue(s.problem().startsWith("cuDNN (libcudnn.so.9 or libcudnn.so.8) was not found (searched "), s.problem());
        assertTrue(s.fix().contains("pip install nvidia-cudnn-cu13") && s.fix().contains("-Daugmix4j.cudnn=/path/to/libcudnn.so.9"), s.fix());
        assertTrue(s.describe().contains("cuDNN: not usable: ") && s.describe().contains("\n  fix: "), s.describe());
        assertTrue(CudaLibraries.notFound(search(Map.of()).find(Library.CUBLAS)).fix().contains("pip install nvidia-cublas"));
        String msg = new CudaLibraries.LibraryUnavailableException(s).getMessage();
        assertTrue(msg.startsWith("cuDNN: not usable: cuDNN (libcudnn.so.9 or libcudnn.so.8) was not found") && msg.contains(". Fix: install cuDNN 9"), msg);
    }

    @Test
    void theOrderIsCudaHomeLdLibraryPathWheelsCudaDirsSystem() throws IOException {
        Path system = touch("usr/lib/x86_64-linux-gnu/libcudnn.so.8");
        Path cuda12 = touch("usr/local/cuda-12.8/lib64/libcudnn.so.8");
        Path cuda13 = touch("usr/local/cuda-13.0/lib64/libcudnn.so.9");
        Path cuda = touch("usr/local/cuda/lib64/libcudnn.so.9");
        Path site = root.resolve("venv/lib/python3.12/site-packages");
        Path wheel = touch("venv/lib/python3.12/site-packages/nvidia/cudnn/lib/libcudnn.so.9");
        Path ld = touch("opt/ld/libcudnn.so.9");
        Path home = touch("opt/cuda-home/lib64/libcudnn.so.8");
        Map<String, String> env = Map.of("CUDA_HOME", root.resolve("opt/cuda-home").toString(),
                "LD_LIBRARY_PATH", root.resolve("nothing") + "::" + root.resolve("opt/ld"));
        Result r = search(env, Map.of(), List.of(site)).find(Library.CUDNN);
        List<Path> files = r.candidates().stream().map(Candidate::file).toList();
        assertEquals(List.of(home, ld, wheel, cuda, cuda13, cuda12, system), files, sources(r));
        assertTrue(r.candidates().get(0).source().startsWith("$CUDA_HOME="), sources(r));
        assertEquals("LD_LIBRARY_PATH", r.candidates().get(1).source());
        assertEquals("pip wheel in " + site, r.candidates().get(2).source());
        assertEquals("/usr/local/cuda-13.0", r.candidates().get(4).source());
        assertEquals("system library directory", r.candidates().get(6).source());
        assertTrue(r.candidates().get(0).direct(), "cuDNN 8 is used directly");
        assertFalse(r.candidates().get(1).direct(), "cuDNN 9 needs the shim");
    }

    @Test
    void inOneDirectoryTheNewerMajorComesFirstAndSymlinksCountOnce() throws IOException {
        Path v9 = touch("usr/lib/x86_64-linux-gnu/libcudnn.so.9.24.0");
        Files.createSymbolicLink(root.resolve("usr/lib/x86_64-linux-gnu/libcudnn.so.9"), v9.getFileName());
        touch("usr/lib/x86_64-linux-gnu/libcudnn.so.8");
        Files.createDirectories(root.resolve("usr/lib64"));
        Files.createSymbolicLink(root.resolve("usr/lib64/libcudnn.so.9"), v9);  // the same file again
        Result r = search(Map.of()).find(Library.CUDNN);
        assertEquals(List.of(9, 8), r.candidates().stream().map(Candidate::major).toList(), sources(r));
        assertEquals("9.24.0", r.candidates().get(0).fileVersion());
        assertEquals("8", r.candidates().get(1).fileVersion());
    }

    @Test
    void wheelsAreFoundThroughPythonVirtualEnvUserSiteAndTheUsualPlaces() throws IOException {
        Path cu13 = touch("usr/local/lib/python3.11/dist-packages/nvidia/cu13/lib/libcublas.so.13");
        touch("usr/local/lib/python3.11/dist-packages/nvidia/cu13/lib/libcublasLt.so.13");
        Path cu12 = touch("home/u/.local/lib/python3.10/site-packages/nvidia/cublas/lib/libcublas.so.12");
        Path venv = touch("work/venv/lib/python3.12/site-packages/nvidia/cu13/lib/libcublas.so.13");
        Path conda = touch("conda/lib/python3.9/site-packages/nvidia/cublas/lib/libcublas.so.12");
        Path reported = touch("somewhere/site-packages/nvidia/cu13/lib/libcublas.so.13");
        Map<String, String> env = Map.of("VIRTUAL_ENV", root.resolve("work/venv").toString(),
                "CONDA_PREFIX", root.resolve("conda").toString(), "HOME", root.resolve("home/u").toString());
        Result r = search(env, Map.of(), List.of(root.resolve("somewhere/site-packages"), root.resolve("does/not/exist")))
                .find(Library.CUBLAS);
        assertEquals(List.of(venv, conda, reported, cu12, cu13), r.candidates().stream().map(Candidate::file).toList(), sources(r));
        assertTrue(r.candidates().stream().allMatch(c -> c.source().startsWith("pip wheel in ")));
    }

    @Test
    void anExplicitPathWinsAndIsTheOnlyPlaceLookedAt() throws IOException {
        touch("usr/local/cuda/lib64/libcudnn.so.9");
        Path mine = touch("mine/libcudnn.so.8");
        Result dir = search(Map.of(), Map.of("augmix4j.cudnn", root.resolve("mine").toString()), List.of()).find(Library.CUDNN);
        assertEquals(List.of(mine), dir.candidates().stream().map(Candidate::file).toList());
        assertEquals("-Daugmix4j.cudnn=" + root.resolve("mine"), dir.candidates().get(0).source());

        Path versioned = touch("other/libcudnn.so.9.1.0");
        Result file = search(Map.of("AUGMIX4J_CUDNN", versioned.toString())).find(Library.CUDNN);
        assertEquals(9, file.candidates().get(0).major());
        assertEquals("AUGMIX4J_CUDNN=" + versioned, file.explicit());

        Files.createSymbolicLink(root.resolve("other/libcudnn.so"), versioned.getFileName());
        Result unversioned = search(Map.of(), Map.of("augmix4j.cudnn", root.resolve("other/libcudnn.so").toString()), List.of())
                .find(Library.CUDNN);
        assertEquals(9, unversioned.candidates().get(0).major(), "the unversioned name counts by what it points to");

        Result wrong = search(Map.of(), Map.of("augmix4j.cudnn", root.resolve("usr/local").toString()), List.of()).find(Library.CUDNN);
        assertFalse(wrong.found(), "an explicit directory is not searched recursively, and nothing else is searched");
        CudaLibraries.Status s = CudaLibraries.notFound(wrong);
        assertEquals("-Daugmix4j.cudnn=" + root.resolve("usr/local") + ": no libcudnn.so.9 or libcudnn.so.8 there", s.problem());

        Result off = search(Map.of(), Map.of("augmix4j.cublas", "none"), List.of()).find(Library.CUBLAS);
        assertTrue(off.disabled());
        assertEquals("disabled by -Daugmix4j.cublas=none", CudaLibraries.disabled(off).problem());
        assertEquals("remove -Daugmix4j.cublas to use cuBLAS", CudaLibraries.disabled(off).fix());
    }

    @Test
    void majorsFromFileNames() {
        assertEquals(9, LibrarySearch.majorOf(Library.CUDNN, "libcudnn.so.9"));
        assertEquals(8, LibrarySearch.majorOf(Library.CUDNN, "libcudnn.so.8.9.7"));
        assertEquals(0, LibrarySearch.majorOf(Library.CUDNN, "libcudnn.so.7"));
        assertEquals(0, LibrarySearch.majorOf(Library.CUDNN, "libcudnn_ops.so.9"));
        assertEquals(13, LibrarySearch.majorOf(Library.CUBLAS, "libcublas.so.13.1.1.3"));
        assertEquals(0, LibrarySearch.majorOf(Library.CUBLAS, "libcublasLt.so.13"));
    }

    @Test
    void companionsComeFromTheSameDirectory() throws IOException {
        Path cublas = touch("w/libcublas.so.13");
        Path lt = touch("w/libcublasLt.so.13");
        touch("w/libcublasLt.so.12");
        assertEquals(List.of(lt), CudaLibraries.companions(new Candidate(Library.CUBLAS, cublas, 13, "x")));
        Path cudnn = touch("d/libcudnn.so.9");
        Path graph = touch("d/libcudnn_graph.so.9");
        Path cnn = touch("d/libcudnn_cnn.so.9");
        touch("d/libcudnn_adv.so.9");  // RNN and attention: not ours
        assertEquals(List.of(graph, cnn), CudaLibraries.companions(new Candidate(Library.CUDNN, cudnn, 9, "x")));
    }

    @Test
    void loadFailuresSayWhichPieceIsMissing() {
        Candidate c = new Candidate(Library.CUDNN, Path.of("/w/nvidia/cudnn/lib/libcudnn.so.9"), 9, "x");
        Map<String, String> cases = new HashMap<>();
        cases.put("/w/nvidia/cudnn/lib/libcudnn.so.9: libcublasLt.so.13: cannot open shared object file: No such file or directory",
                "it needs libcublasLt.so.13, which was not found");
        cases.put("/w/nvidia/cudnn/lib/libcudnn.so.9: libz.so.1: cannot open shared object file: No such file or directory",
                "it needs libz.so.1, which was not found");
        cases.put("/w/nvidia/cudnn/lib/libcudnn.so.9: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found",
                "it needs GLIBC_2.38, newer than this system's C library");
        cases.put("/w/nvidia/cudnn/lib/libcudnn.so.9: /w/nvidia/cudnn/lib/libcudnn.so.9: invalid ELF header",
                "it is not a 64-bit x86-64 Linux shared library (invalid ELF header)");
        cases.put("/w/nvidia/cudnn/lib/libcudnn.so.9: something else", "something else");
        cases.forEach((msg, want) -> {
            String problem = CudaLibraries.loadFailed(c, new UnsatisfiedLinkError(msg)).problem;
            assertEquals("cuDNN at /w/nvidia/cudnn/lib/libcudnn.so.9 could not be loaded: " + want, problem);
        });
        assertTrue(CudaLibraries.loadFailed(c, new UnsatisfiedLinkError(
                "x: libcublasLt.so.13: cannot open shared object file")).fix.contains("pip install nvidia-cublas"));
        String noShim = CudaLibraries.noShim(c).problem;
        assertTrue(noShim.contains("only through the compatibility shim libcudnn.so.8, but this build has none"), noShim);
        assertTrue(CudaLibraries.noShim(c).fix.contains("rebuild AugMix4J with gcc"));
    }

    @Test
    void cudnnVersionNumbers() {
        assertEquals("9.24.0", CudaLibraries.cudnnVersionString(92400));
        assertEquals("9.1.1", CudaLibraries.cudnnVersionString(90101));
        assertEquals("8.9.7", CudaLibraries.cudnnVersionString(8907));
        assertEquals("8.4.1", CudaLibraries.cudnnVersionString(8401));
    }
}
