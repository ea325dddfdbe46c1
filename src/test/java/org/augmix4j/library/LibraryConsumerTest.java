package org.augmix4j.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.augmix4j.image.ImageFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A downstream project as a user has it: docs/examples/LibraryExample.java compiled with javac against
 * ONLY the library packages of target/classes (augment, corrupt, image: nothing from tensor, cpu, cuda,
 * cli, no other jar) and run with plain {@code java}, without {@code --add-modules jdk.incubator.vector}.
 * Plus: those packages hold no reference to the Vector API or JCuda (except the GPU class
 * CorruptionsCuda), and the engine says which flag it needs when it is missing.
 */
class LibraryConsumerTest {
    static final Path CLASSES = Path.of("target/classes/org/augmix4j");
    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir Path dir;

    /** target/classes/org/augmix4j/{augment,corrupt,image} copied to {@code dir/lib}, nothing else. */
    Path libraryOnly() throws IOException {
        Path lib = dir.resolve("lib");
        for (String pkg : new String[] {"augment", "corrupt", "image"}) {
            Path src = CLASSES.resolve(pkg);
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Path t = lib.resolve("org/augmix4j").resolve(pkg).resolve(src.relativize(f).toString());
                    if (Files.isDirectory(f)) Files.createDirectories(t);
                    else Files.copy(f, t);
                }
            }
        }
        return lib;
    }

    static void javac(Path out, String classPath, Path source) {
        JavaCompiler jc = ToolProvider.getSystemJavaCompiler();
        int rc = jc.run(null, null, null, "-d", out.toString(), "-cp", classPath, "--release", "17", source.toString());
        assertEquals(0, rc, "javac " + source + " against " + classPath);
    }

    static String java(String classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(JAVA.toString(), "-Xmx256m", "-cp", classPath));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "java " + cmd + " timed out");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theDocumentedExampleRunsWithOnlyTheLibraryPackages() throws Exception {
        Path lib = libraryOnly(), app = dir.resolve("app");
        javac(app, lib.toString(), Path.of("docs/examples/LibraryExample.java"));
        String cp = lib + java.io.File.pathSeparator + app;

        // a grey 50x40 PNG (ImageNet-C tables) and an ARGB 32x32 PNG (CIFAR-C tables)
        BufferedImage grey = new BufferedImage(50, 40, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) grey.getRaster().setSample(x, y, 0, (x * 5 + y * 3) & 255);
        ImageFiles.writePng(dir.resolve("grey.png"), grey);
        BufferedImage argb = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) argb.setRGB(x, y, (x * 8) << 24 | (x * 7) << 16 | (y * 8) << 8 | 99);
        ImageFiles.writePng(dir.resolve("argb.png"), argb);

        String g = java(cp, "LibraryExample", dir.resolve("grey.png").toString(), dir.resolve("g").toString());
        assertTrue(g.contains("augmented 50x40 type 10") && g.contains("jsd views 3 x 6000 floats")
                && g.contains("fog type 10") && g.contains("vector module false"), g);
        BufferedImage aug = ImageFiles.read(dir.resolve("g/augmented.png"));
        assertEquals(50, aug.getWidth());
        assertFalse(java.util.Arrays.equals(grey.getRaster().getSamples(0, 0, 50, 40, 0, (int[]) null),
                aug.getRaster().getSamples(0, 0, 50, 40, 0, (int[]) null)), "AugMix changed the image");

        String a = java(cp, "LibraryExample", dir.resolve("argb.png").toString(), dir.resolve("a").toString());
        assertTrue(a.contains("augmented 32x32") && a.contains("jsd views 3 x 3072 floats") && a.contains("vector module false"), a);
        BufferedImage fog = ImageFiles.read(dir.resolve("a/fog3.png"));
        assertTrue(fog.getColorModel().hasAlpha());
        assertEquals(argb.getRGB(5, 7) >>> 24, fog.getRGB(5, 7) >>> 24, "alpha kept");
    }

    @Test
    void libraryPackagesReferenceNeitherTheVectorApiNorJcuda() throws IOException {
        int checked = 0;
        for (String pkg : new String[] {"augment", "corrupt", "image"}) {
            try (Stream<Path> files = Files.list(CLASSES.resolve(pkg))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (!name.endsWith(".class") || name.startsWith("CorruptionsCuda")) continue;
                    String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                    assertFalse(bytes.contains("jdk/incubator/vector"), f + " uses the Vector API");
                    assertFalse(bytes.contains("jcuda/") || bytes.contains("org/augmix4j/cuda/"), f + " uses JCuda");
                    checked++;
                }
            }
        }
        assertTrue(checked > 20, "only " + checked + " classes found");
    }

    @Test
    void theEngineNamesTheFlagWhenTheVectorModuleIsMissing() throws Exception {
        Path src = dir.resolve("Probe.java"), app = dir.resolve("probe");
        Files.writeString(src, "public class Probe { public static void main(String[] a) {"
                + " try { Class.forName(\"org.augmix4j.ops.Conv\"); System.out.println(\"loaded\"); }"
                + " catch (Throwable t) { System.out.println(t.getCause()); } } }");
        javac(app, "target/classes", src);
        String out = java("target/classes" + java.io.File.pathSeparator + app, "Probe");
        assertTrue(out.contains("IllegalStateException") && out.contains("--add-modules jdk.incubator.vector"), out);
    }
}
