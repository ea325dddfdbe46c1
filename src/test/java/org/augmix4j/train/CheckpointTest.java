package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.Models;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints: the PyTorch state_dict layout both ways, checksums, atomic saves, and inferring
 * the architecture from the tensors.
 */
class CheckpointTest {
    @TempDir
    Path dir;

    /** A WRN-10-1 after one training step: non-trivial BN buffers, num_batches_tracked 1, momentum buffers. */
    static WideResNet trainedNet(Sgd[] sgdOut) {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 5);
        float[] x = new float[4 * 3 * 32 * 32];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble(-1, 1);
        Tape t = new Tape();
        Var logits = net.forward(t, Tensor.of(x, 4, 3, 32, 32), true);
        Var loss = org.augmix4j.autograd.F.crossEntropy(t, logits, new int[] {0, 1, 2, 3}, 4);
        t.backward(loss);
        Sgd sgd = new Sgd(net.parameters(), 0.9f, 5e-4f, true);
        sgd.step(0.1f);
        net.zeroGrad();
        if (sgdOut != null) sgdOut[0] = sgd;
        return net;
    }

    static JsonObject config() {
        JsonObject c = new JsonObject();
        c.addProperty("dataset", "synthetic");
        return c;
    }

    @Test
    void roundTripInPytorchsLayout() throws IOException {
        Sgd[] sgd = new Sgd[1];
        WideResNet net = trainedNet(sgd);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, sgd[0], 1, 7, 42, config());

        Safetensors.Contents c = Safetensors.read(ckpt);
        assertEquals(net.stateKeys(), new ArrayList<>(c.tensors().keySet()), "state_dict keys in PyTorch's order");
        Safetensors.Entry nbt = c.tensors().get("block1.layer.0.bn1.num_batches_tracked");
        assertEquals("I64", nbt.dtype());
        assertEquals(0, nbt.shape().length, "num_batches_tracked is a 0-d int64 tensor, as in PyTorch");
        assertEquals(1L, nbt.longs()[0]);
        assertArrayEquals(new long[] {16, 3, 3, 3}, c.tensors().get("conv1.weight").shape());
        assertArrayEquals(new long[] {10, 64}, c.tensors().get("fc.weight").shape());
        assertEquals("pt", c.metadata().get("format"));

        Checkpoint.Meta meta = Checkpoint.readMeta(ckpt);
        assertEquals(1, meta.epoch());
        assertEquals(7, meta.step());
        assertEquals(10, meta.layers());
        assertEquals(1, meta.widenFactor());
        assertEquals(42, meta.seed());

        WideResNet back = new WideResNet(new WideResNet.Config(10, 1, 10), 99);
        Checkpoint.loadWeights(ckpt, back);
        assertStateEquals(net, back);
        Sgd sgd2 = new Sgd(back.parameters(), 0.9f, 5e-4f, true);
        sgd2.restore(Checkpoint.readOptimizer(ckpt));
        assertEquals(sgd[0].steps(), sgd2.steps());
        for (int i = 0; i < net.parameters().size(); i++) assertArrayEquals(sgd[0].buffer(i), sgd2.buffer(i));
        assertNoLeftovers();
    }

    static void assertStateEquals(WideResNet a, WideResNet b) { assertStateEquals(a.stateDict(), b.stateDict()); }

    static void assertStateEquals(Map<String, Object> sa, Map<String, Object> sb) {
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) {
            if (sa.get(k) instanceof float[] f) assertArrayEquals(f, (float[]) sb.get(k), k);
            else assertArrayEquals((long[]) sa.get(k), (long[]) sb.get(k), k);
        }
    }

    // ------------------------------------------------------------ PyTorch-made weights

    static Path fixtureDir() throws Exception {
        return Path.of(CheckpointTest.class.getResource("/fixtures/pytorch/wrn10-2/model.safetensors").toURI()).getParent();
    }

    /**
     * The PyTorch fixture rewritten with or without num_batches_tracked, and either as it is or as the
     * released official code saves it from DataParallel: a {@code module.} prefix and the shortcut named
     * {@code conv_shortcut} (google-research/augmix's wideresnet.py).
     */
    static Path pytorchVariant(Path dir, boolean withNumBatchesTracked, boolean modulePrefix) throws Exception {
        Map<String, Safetensors.Entry> src = Safetensors.read(fixtureDir().resolve("model.safetensors")).tensors(), out = new LinkedHashMap<>();
        src.forEach((k, e) -> {
            if (!withNumBatchesTracked && k.endsWith("num_batches_tracked")) return;
            out.put(modulePrefix ? "module." + k.replace(".convShortcut.", ".conv_shortcut.") : k, e);
        });
        Path f = dir.resolve("torch" + (withNumBatchesTracked ? "" : "-nonbt") + (modulePrefix ? "-module" : "") + ".safetensors");
        Safetensors.write(f, out, Map.of("format", "pt"));
        return f;
    }

    @Test
    void pytorchWeightsLoadAndEvaluateInEveryVariant() throws Exception {
        Map<String, Safetensors.Entry> expected = Safetensors.read(fixtureDir().resolve("expected.safetensors")).tensors();
        Tensor x = Tensor.of(expected.get("x_eval").floats().clone(), 8, 3, 32, 32);
        for (boolean nbt : new boolean[] {true, false}) {
            for (boolean module : new boolean[] {false, true}) {
                Path f = pytorchVariant(dir, nbt, module);
                assertNull(Checkpoint.readMeta(f), "no sidecar");
                Map<String, Object> state = Checkpoint.readState(f);
                WideResNet.Config cfg = (WideResNet.Config) Models.infer(state, f);
                assertEquals(new WideResNet.Config(10, 2, 10), cfg, "architecture inferred from the tensors");
                WideResNet net = new WideResNet(cfg, 0);
                net.loadStateDict(state);
                Var logits = net.forward(null, x, false);
                Check.normClose("logits_eval " + f.getFileName(), logits.data(), expected.get("logits_eval").floats(), 1e-5);
            }
        }
    }

    @Test
    void infersDepthAndWidthFromShapes() throws IOException {
        for (int[] dk : new int[][] {{10, 1}, {16, 2}, {22, 1}}) {
            WideResNet net = new WideResNet(new WideResNet.Config(dk[0], dk[1], 7), 1);
            Path f = dir.resolve("w" + dk[0] + "-" + dk[1] + ".safetensors");
            TestCheckpoints.save(f, net, new Sgd(net.parameters(), 0.9f, 0, true), 0, 0, 1, config());
            Files.delete(Checkpoint.sidecar(f));
            assertEquals(new WideResNet.Config(dk[0], dk[1], 7), Models.infer(Checkpoint.readState(f), f));
        }
        Map<String, Object> notWrn = Map.of("weight", new float[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.infer(notWrn, Path.of("x.safetensors")));
        assertTrue(e.getMessage().contains("not a state_dict of the official AugMix models"), e.getMessage());
    }

    // ------------------------------------------------------------ integrity

    @Test
    void checksumRejectsAModifiedFile() throws IOException {
        Sgd[] sgd = new Sgd[1];
        WideResNet net = trainedNet(sgd);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, sgd[0], 1, 7, 42, config());
        byte[] b = Files.readAllBytes(ckpt);
        b[b.length - 5] ^= 0x10; // one bit of fc.bias: still a valid safetensors file
        Files.write(ckpt, b);
        IOException e = assertThrows(IOException.class, () -> Checkpoint.readMeta(ckpt));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("checkpoint.safetensors")
                && e.getMessage().contains("modified or replaced"), e.getMessage());

        TestCheckpoints.save(ckpt, net, sgd[0], 1, 7, 42, config());
        Path optim = Checkpoint.optimFile(ckpt);
        byte[] o = Files.readAllBytes(optim);
        o[o.length - 1] ^= 1;
        Files.write(optim, o);
        e = assertThrows(IOException.class, () -> Checkpoint.readMeta(ckpt));
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("checkpoint.optim.safetensors"), e.getMessage());
    }

    @Test
    void brokenSidecarAndTruncatedWeightsFailClearly() throws IOException {
        WideResNet net = trainedNet(null);
        Path ckpt = dir.resolve("m.safetensors");
        TestCheckpoints.save(ckpt, net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 1, 1, config());
        Files.writeString(Checkpoint.sidecar(ckpt), "{ not json");
        IOException e = assertThrows(IOException.class, () -> Checkpoint.readMeta(ckpt));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());

        Files.delete(Checkpoint.sidecar(ckpt));
        byte[] b = Files.readAllBytes(ckpt);
        Files.write(ckpt, java.util.Arrays.copyOf(b, b.length / 2));
        e = assertThrows(IOException.class, () -> Checkpoint.readState(ckpt));
        assertTrue(e.getMessage().contains("not a valid safetensors file") && e.getMessage().contains("truncated"), e.getMessage());
    }

    /**
     * A save that fails before its commit point (here: a state with NaN, refused before anything
     * is written; and a full disk while the tensor files are written)
     * leaves the previous checkpoint complete and consistent, and no temp files behind.
     */
    @Test
    void aFailedSaveLeavesThePreviousCheckpoint() throws IOException {
        Sgd[] sgd = new Sgd[1];
        WideResNet net = trainedNet(sgd);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, sgd[0], 1, 7, 42, config());
        byte[] before = Files.readAllBytes(ckpt);
        net.parameters().get(0).data()[0] = Float.NaN;
        Exception e = assertThrows(ArithmeticException.class, () -> TestCheckpoints.save(ckpt, net, sgd[0], 2, 14, 42, config()));
        assertTrue(e.getMessage().contains("conv1.weight holds NaN or Inf") && e.getMessage().contains("is intact"), e.getMessage());
        net.parameters().get(0).data()[0] = 0.5f;
        // the disk fills up while the tensor files are written (before the commit point)
        CpuEngine engine = new CpuEngine(net, new Training(0.9, 5e-4, 42, org.augmix4j.augment.AugMixConfig.defaults(), 2));
        IOException io = assertThrows(IOException.class, () -> Checkpoint.save(ckpt, engine, 2, 14, 42, config(), stage -> {
            if (stage.equals("tensors written")) throw new java.io.UncheckedIOException(new IOException("No space left on device"));
        }));
        assertTrue(io.getMessage().contains("could not write the checkpoint of epoch 2") && io.getMessage().contains("No space left on device")
                && io.getMessage().contains("previous checkpoint there is intact"), io.getMessage());
        assertArrayEquals(before, Files.readAllBytes(ckpt));
        assertEquals(1, Checkpoint.readMeta(ckpt).epoch());
        assertNoLeftovers();
    }

    @Test
    void savedFilesAreReadableLikeOtherFiles() throws IOException {
        WideResNet net = trainedNet(null);
        Path ckpt = dir.resolve("checkpoint.safetensors");
        TestCheckpoints.save(ckpt, net, new Sgd(net.parameters(), 0.9f, 0, true), 1, 1, 1, config());
        var side = Files.getPosixFilePermissions(Checkpoint.sidecar(ckpt));
        assertEquals(side, Files.getPosixFilePermissions(ckpt), "weights get the same permissions as the sidecar (umask), not 0600");
        assertEquals(side, Files.getPosixFilePermissions(Checkpoint.optimFile(ckpt)));
    }

    private void assertNoLeftovers() throws IOException {
        List<String> names;
        try (Stream<Path> s = Files.list(dir)) {
            names = s.map(p -> p.getFileName().toString()).toList();
        }
        for (String n : names) assertTrue(!n.startsWith(".") && !n.endsWith(".tmp") && !n.endsWith(".partial"), "left over: " + names);
    }
}
