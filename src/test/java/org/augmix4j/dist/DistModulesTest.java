package org.augmix4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The jlinked runtime of the dist bundle (tools/dist/build-dist.sh, {@code modules=}) holds every
 * JDK module our classes use, as {@code jdeps --print-module-deps} computes it from
 * target/classes. A module missing there fails only on the GPU machine, at run time (it once did:
 * java.management, used by the run record, the run lock and the bench's CPU-time figures).
 */
class DistModulesTest {
    @Test
    void theBundlesRuntimeHasEveryModuleTheCodeUses() throws Exception {
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        Assumptions.assumeTrue(Files.isExecutable(jdeps), "no jdeps in " + System.getProperty("java.home") + " (a JRE): cannot check");
        Process p = new ProcessBuilder(jdeps.toString(), "--multi-release", "17", "--ignore-missing-deps", "--print-module-deps",
                "--add-modules", "jdk.incubator.vector", "target/classes").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        String last = out.lines().reduce((a, b) -> b).orElse("");
        Set<String> used = new TreeSet<>(Arrays.asList(last.split(",")));
        String line = Files.readAllLines(Path.of("tools/dist/build-dist.sh")).stream().filter(l -> l.startsWith("modules=")).findFirst().orElseThrow();
        List<String> bundled = Arrays.asList(line.substring("modules=".length()).split(","));
        assertTrue(used.contains("java.base"), "jdeps printed: " + out);
        used.removeAll(bundled);
        assertTrue(used.isEmpty(), "the dist runtime lacks " + used + "; add them to modules= in tools/dist/build-dist.sh");
    }
}
