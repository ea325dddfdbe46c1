package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.autograd.Var;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.SgdState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoint commit is atomic: a process killed at any point of {@link Checkpoint#save} leaves
 * the directory holding the previous checkpoint or the new one, never files of two different steps,
 * and the next read (eval, --resume) completes an interrupted commit. In-process: a fault at every
 * stage of the commit (after the commit point and after each rename). Across processes: a child JVM
 * saving checkpoint after checkpoint is killed with SIGKILL at random moments, then the directory
 * is read. Each checkpoint k holds weights and momentum all equal to k, so a mix is visible.
 */
class CheckpointCommitTest {
    @TempDir
    Path dir;

    /** A CPU engine whose every weight and momentum value is {@code k}, after {@code k} steps. */
    static CpuEngine stateK(int k) {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 1);
        CpuEngine e = new CpuEngine(net, new Training(0.9, 5e-4, 1, AugMixConfig.defaults(), 2));
        Map<String, Object> s = net.stateDict();
        Map<String, float[]> m = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> en : s.entrySet()) if (en.getValue() instanceof float[] f) Arrays.fill(f, k);
        for (Var v : net.parameters()) {
            float[] b = new float[v.value().numel()];
            Arrays.fill(b, k);
            m.put(v.name(), b);
        }
        e.load(s, new SgdState(m, k));
        return e;
    }

    /** Every tensor of the checkpoint, the momentum buffers and the sidecar agree on one k; returns it. */
    static int consistentEpoch(Path ckpt) throws IOException {
        Checkpoint.Meta meta = Checkpoint.readMeta(ckpt);  // recovers an interrupted commit, verifies the checksums
        int k = meta.epoch();
        for (Map.Entry<String, Object> e : Checkpoint.readState(ckpt, new WideResNet.Config(10, 1, 10)).entrySet()) {
            if (e.getValue() instanceof float[] f) for (float v : f) assertEquals(k, v, 0f, e.getKey() + " is from another checkpoint than the sidecar's epoch " + k);
        }
        SgdState o = Checkpoint.readOptimizer(ckpt);
        assertEquals(k, o.steps());
        for (Map.Entry<String, float[]> e : o.momentum().entrySet()) for (float v : e.getValue()) assertEquals(k, v, 0f, "momentum " + e.getKey());
        return k;
    }

    @ParameterizedTest
    @ValueSource(strings = {"committed", "optimizer renamed", "weights renamed"})
    void aKillAtEveryStageOfTheCommitIsCompletedOnTheNextRead(String stage) throws IOException {
        Path ckpt = dir.resolve("checkpoint.safetensors");
        Checkpoint.save(ckpt, stateK(1), 1, 1, 1, new JsonObject());
        assertThrows(Killed.class, () -> Checkpoint.save(ckpt, stateK(2), 2, 2, 1, new JsonObject(), s -> {
            if (s.equals(stage)) throw new Killed();
        }));
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.anyMatch(f -> f.getFileName().toString().endsWith(".partial")), "the kill left the commit unfinished");
        }
        assertEquals(2, consistentEpoch(ckpt), "the committed checkpoint is the one read");
        try (Stream<Path> s = Files.list(dir)) {
            List<String> names = s.map(f -> f.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.startsWith(".")), "nothing left over: " + names);
        }
    }

    /** Stands for a kill: nothing after it runs. */
    static final class Killed extends RuntimeException {}

    /** Child process: saves checkpoint 1, 2, 3, ... into args[0] until killed. */
    public static void main(String[] args) throws IOException {
        Path ckpt = Path.of(args[0]);
        CpuEngine[] states = {stateK(1), stateK(2)};  // alternate two prepared states: the loop only writes
        for (int k = 1; ; k++) {
            CpuEngine e = states[k % 2];
            Map<String, Object> s = e.stateDict();
            for (Object v : s.values()) if (v instanceof float[] f) Arrays.fill(f, k);
            SgdState o = e.optimizerState();
            for (float[] b : o.momentum().values()) Arrays.fill(b, k);
            e.load(s, new SgdState(o.momentum(), k));
            Checkpoint.save(ckpt, e, k, k, 1, new JsonObject());
            if (k == 1) System.out.println("first checkpoint written");
        }
    }

    @Test
    void sigkillAtRandomMomentsNeverLeavesAMixedCheckpoint() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        int lastSeen = 0;
        for (int round = 0; round < 6; round++) {
            Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    CheckpointCommitTest.class.getName(), ckpt.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try {
                String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream())).readLine();
                assertEquals("first checkpoint written", first);
                Thread.sleep(20 + r.nextInt(400));
            } finally {
                p.destroyForcibly();  // SIGKILL: no shutdown hook, no finally; also when an assertion above failed
                assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            }
            int k = consistentEpoch(ckpt);
            assertTrue(k >= 1, "epoch " + k);
            lastSeen = k;
            Files.deleteIfExists(Checkpoint.sidecar(ckpt));  // the next child starts from 1 again
        }
        System.out.println("CheckpointCommitTest: 6 SIGKILLs, the last at checkpoint " + lastSeen + ", every read consistent");
    }
}
