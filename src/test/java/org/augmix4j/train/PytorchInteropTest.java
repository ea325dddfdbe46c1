package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.Npy;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python side of checkpoint interop (tools/pytorch): runs its unit tests with every python3
 * here that has NumPy. Where PyTorch is installed too, they load a checkpoint written by AugMix4J
 * into a PyTorch WideResNet with the official names (strict=True) and compare logits with ours, and
 * convert an official-style checkpoint.pth.tar (DataParallel prefix, optimizer, epoch) whose
 * logits this test then reproduces from the converted file. Skips, saying why, without python3 +
 * NumPy.
 */
class PytorchInteropTest {
    @TempDir
    Path dir;

    @Test
    void pythonToolsAndRoundTripThroughPytorch() throws Exception {
        List<String> pythons = pythonsWithNumpy();
        Assumptions.assumeFalse(pythons.isEmpty(), "no python3 with NumPy on this machine: tools/pytorch not tested");

        WideResNet net = CheckpointTest.trainedNet(null);
        TestCheckpoints.save(dir.resolve("java/checkpoint.safetensors"), net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 1, 1, new JsonObject());
        Dataset test = Synthetic.generate("synthetic-test", 5, 1, 8);
        Npy.writeImages(dir.resolve("images.npy"), test.images());
        float[] logits = new Evaluator(CpuEngine.inference(net), 8).logits(test.images(), null);
        Safetensors.write(dir.resolve("java_logits.safetensors"), Map.of("logits", Safetensors.Entry.f32(logits, 8, 10)), Map.of());

        boolean torchRan = false;
        for (String python : pythons) {
            Files.deleteIfExists(dir.resolve("converted.safetensors"));
            ProcessBuilder pb = new ProcessBuilder(python, "-m", "unittest", "discover", "-s", "tools/pytorch", "-v").redirectErrorStream(true);
            pb.environment().put("AUGMIX4J_INTEROP_DIR", dir.toString());
            pb.environment().put("PYTHONDONTWRITEBYTECODE", "1"); // no __pycache__ in the work tree
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS));
            System.out.println(python + ":\n" + out);
            assertEquals(0, p.exitValue(), python + " -m unittest failed:\n" + out);
            if (Files.exists(dir.resolve("converted.safetensors"))) {
                torchRan = true;
                Map<String, Object> state = Checkpoint.readState(dir.resolve("converted.safetensors"));
                WideResNet back = new WideResNet((WideResNet.Config) org.augmix4j.nn.Models.infer(state, dir), 0);
                back.loadStateDict(state);
                float[] ours = new Evaluator(CpuEngine.inference(back), 8).logits(test.images(), null);
                float[] theirs = Safetensors.read(dir.resolve("torch_logits.safetensors")).tensors().get("logits").floats();
                Check.normClose("converted official checkpoint: our logits vs PyTorch's", ours, theirs, 1e-5);
            }
        }
        if (!torchRan) System.out.println("PyTorch not installed for " + pythons + ": only the pure-Python parts of tools/pytorch were tested");
    }

    /** python3 on the PATH and /usr/bin/python3 (Debian's, where python3-torch installs), distinct, with NumPy. */
    static List<String> pythonsWithNumpy() {
        Map<String, String> found = new LinkedHashMap<>();
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import numpy, sys, os; print(os.path.realpath(sys.executable))")
                        .redirectErrorStream(true).start();
                String exe = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) found.putIfAbsent(exe, candidate);
            } catch (IOException | InterruptedException e) {
                // not installed
            }
        }
        return new ArrayList<>(found.values());
    }
}
