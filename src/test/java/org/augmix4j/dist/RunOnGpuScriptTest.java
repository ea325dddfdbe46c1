package org.augmix4j.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tools/gpu/run-on-gpu.sh (the bundle's bin/run-on-gpu.sh, the one command of a GPU sitting) on a
 * fake bundle whose bin/augmix4j only records its arguments and, for train, writes a checkpoint
 * and sidecar as the real one does: every step runs in order with the arguments the script
 * promises, eval finds the train step's checkpoint and its dataset, and the results file has a
 * section per step; a failing step makes the exit status 1 and is marked in the file.
 */
class RunOnGpuScriptTest {
    @TempDir
    Path dir;

    private static final String FAKE_APP = """
            #!/usr/bin/env bash
            echo "$*" >> "$(dirname "$0")/../calls.txt"
            case $1 in
              --help) echo "Commands:"; echo "  bench   end-to-end figures" ;;
              train)
                while [ $# -gt 0 ]; do [ "$1" = --save ] && save=$2; shift; done
                mkdir -p "$save/run1"; echo weights > "$save/run1/checkpoint.safetensors"
                printf '{\\n  "epoch": 1,\\n  "config": {\\n    "dataset": "synthetic",\\n    "layers": 40\\n  }\\n}\\n' > "$save/run1/checkpoint.json" ;;
              eval) [ -n "${FAIL_EVAL:-}" ] && { echo "eval failed on purpose"; exit 3; } ;;
            esac
            echo "fake $1 done"
            """;

    private Path bundle() throws IOException {
        Path home = dir.resolve("augmix4j");
        Files.createDirectories(home.resolve("bin"));
        Path script = home.resolve("bin/run-on-gpu.sh");
        Files.copy(Path.of("tools/gpu/run-on-gpu.sh"), script);
        Path app = home.resolve("bin/augmix4j");
        Files.writeString(app, FAKE_APP);
        for (Path p : List.of(script, app)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private int run(Path home, Path out, String... env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", home.resolve("bin/run-on-gpu.sh").toString(), "--out", out.toString(),
                "--data", dir.resolve("nodata").toString(), "--skip", "tests").directory(dir.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) pb.environment().put(env[i], env[i + 1]);
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "run-on-gpu.sh timed out: " + log);
        return p.exitValue();
    }

    @Test
    void everyStepRunsAndEvalUsesTheTrainStepsCheckpoint() throws Exception {
        Path home = bundle(), out = dir.resolve("results/gpu.md");
        assertEquals(0, run(home, out), Files.exists(out) ? Files.readString(out) : "no results file");
        List<String> calls = Files.readAllLines(home.resolve("calls.txt"));
        assertTrue(calls.get(0).startsWith("info --json "), calls.toString());
        assertTrue(calls.get(1).startsWith("selftest --require-gpu --json "), calls.toString());
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("bench --json ")), calls.toString());
        String train = calls.stream().filter(c -> c.startsWith("train ")).findFirst().orElseThrow();
        assertTrue(train.contains("--dataset synthetic") && train.contains("--layers 40 --widen-factor 2 --device gpu"), train);
        String eval = calls.get(calls.size() - 1);
        Path ckpt = out.resolveSibling("gpu.logs/snapshots/run1/checkpoint.safetensors");
        assertEquals("eval --checkpoint " + ckpt + " --dataset synthetic --data " + dir.resolve("nodata") + " --device gpu --corrupted auto --json "
                + out.resolveSibling("gpu.logs/eval.json"), eval);
        String md = Files.readString(out);
        for (String step : List.of("info", "selftest", "bench", "train", "eval")) assertTrue(md.contains("## " + step + "\n"), step + " section\n" + md);
        assertTrue(md.contains("every step succeeded"), md);
    }

    @Test
    void aFailingStepIsReportedAndFailsTheRun() throws Exception {
        Path home = bundle(), out = dir.resolve("fail.md");
        assertEquals(1, run(home, out, "FAIL_EVAL", "1"));
        String md = Files.readString(out);
        assertTrue(md.contains("SOME STEPS FAILED") && md.contains("exit status 3"), md);
    }
}
