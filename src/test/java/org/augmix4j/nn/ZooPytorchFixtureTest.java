package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The zoo models on the CPU engine against PyTorch's own numbers (src/test/resources/fixtures/pytorch,
 * made by tools/fixtures/make_zoo_fixtures.py with the project's PyTorch): small variants of
 * AllConvNet, DenseNet, DenseNet-BC and ResNeXt built by the official code's structure, each with
 * eval logits, train logits, CE + 12 * JSD, every gradient, the running statistics after the step and
 * the parameters after one and two Nesterov SGD steps. The architecture is recognised from the
 * fixture's tensors (Models.infer), so key names, order and shapes must equal PyTorch's. AllConv's
 * dropout uses the fixture's masks. Tolerances are the WRN fixture's: logits and losses 1e-5, gradients
 * 1e-4 (norm-wise), SGD parameters 1e-5. The official full-size models' keys, shapes and parameter
 * counts are checked against zoo-official.json.
 */
class ZooPytorchFixtureTest {
    static final String ROOT = "/fixtures/pytorch/";

    record Fixture(Map<String, Safetensors.Entry> model, Map<String, Safetensors.Entry> expected, JsonObject meta) {
        float[] f(String key) {
            Safetensors.Entry e = expected.get(key);
            if (e == null) throw new AssertionError("fixture lacks " + key);
            return e.floats();
        }

        Tensor input(String key) {
            Safetensors.Entry e = expected.get(key);
            int[] shape = new int[e.shape().length];
            for (int i = 0; i < shape.length; i++) shape[i] = (int) e.shape()[i];
            return Tensor.of(e.floats().clone(), shape);
        }

        Map<String, Object> state() {
            Map<String, Object> s = new LinkedHashMap<>();
            model.forEach((k, e) -> s.put(k, e.dtype().equals("F32") ? e.floats() : e.longs()));
            return s;
        }

        /** The network the fixture describes, recognised from its tensors, with the fixture's weights and dropout masks. */
        Network net() {
            Map<String, Object> s = state();
            Network net = Models.infer(s, Path.of("model.safetensors")).build(0);
            net.loadStateDict(s);
            if (net instanceof ZooNetwork z) {
                List<String> masks = new ArrayList<>();
                for (String k : expected.keySet()) if (k.startsWith("dropout.")) masks.add(k);
                masks.sort(java.util.Comparator.comparingInt(k -> Integer.parseInt(k.substring(k.lastIndexOf('.') + 1))));
                z.useMasks((site, p, numel) -> {
                    float[] m = f(masks.get(site));
                    assertEquals(numel, m.length, "mask " + masks.get(site));
                    assertEquals(0.5f, p);
                    return m;
                });
            }
            return net;
        }
    }

    static Fixture load(String name) throws Exception {
        Path dir = Path.of(ZooPytorchFixtureTest.class.getResource(ROOT + name + "/model.safetensors").toURI()).getParent();
        JsonObject meta = new com.google.gson.Gson().fromJson(Files.readString(dir.resolve("meta.json")), JsonObject.class);
        return new Fixture(Safetensors.read(dir.resolve("model.safetensors")).tensors(), Safetensors.read(dir.resolve("expected.safetensors")).tensors(),
                meta);
    }

    private static Var trainLoss(Fixture fx, Network net, Tape tape, Var[] parts) {
        long[] y = fx.expected().get("y_train").longs();
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) labels[i] = (int) y[i];
        Var logits = net.forward(tape, fx.input("x_train"), true);
        Var ce = F.crossEntropy(tape, logits, labels, labels.length);
        Var jsd = F.jsd(tape, logits, labels.length);
        if (parts != null) {
            parts[0] = logits;
            parts[1] = ce;
            parts[2] = jsd;
        }
        return F.weightedSum(tape, ce, 1f, jsd, Losses.JSD_WEIGHT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"allconv-small", "densenet-small", "densenet-bc-small", "resnext-small"})
    void reproducesPytorch(String name) throws Exception {
        Fixture fx = load(name);
        Network net = fx.net();
        // architecture: every key of PyTorch's state_dict, in its order, and its parameter count
        assertEquals(List.copyOf(fx.model().keySet()), net.stateKeys(), name + ": state_dict keys and order");
        assertEquals(fx.meta().get("params").getAsLong(), net.parameterCount(), name + ": parameters");
        // eval logits (running statistics, no dropout)
        Check.normClose(name + " logits_eval", net.forward(null, fx.input("x_eval"), false).data(), fx.f("logits_eval"), 1e-5);
        // one training forward / backward
        Tape tape = new Tape();
        Var[] parts = new Var[3];
        Var loss = trainLoss(fx, net, tape, parts);
        Check.normClose(name + " logits_train", parts[0].data(), fx.f("logits_train"), 1e-5);
        Check.allClose(name + " loss_ce", parts[1].data(), fx.f("loss_ce"), 0, 1e-5);
        Check.allClose(name + " loss_jsd", parts[2].data(), fx.f("loss_jsd"), 0, 1e-5);
        Check.allClose(name + " loss", loss.data(), fx.f("loss"), 0, 1e-5);
        tape.backward(loss);
        for (Var p : net.parameters()) {
            if (zeroGradient(net, p.name())) {
                // a conv bias straight before a batch norm: its true gradient is 0 (BN removes the mean), so both engines hold
                // rounding noise (~1e-5); it is held absolutely
                Check.allClose(name + " grad." + p.name(), p.grad(), fx.f("grad." + p.name()), 1e-4, 0);
            } else {
                Check.normClose(name + " grad." + p.name(), p.grad(), fx.f("grad." + p.name()), 1e-4);
            }
        }
        Map<String, Object> state = net.stateDict();
        int checked = 0;
        for (String key : fx.expected().keySet()) {
            if (!key.startsWith("after_step1.") || key.endsWith("num_batches_tracked")) continue;
            String k = key.substring("after_step1.".length());
            Check.normClose(name + " " + key, (float[]) state.get(k), fx.f(key), 1e-5);
            checked++;
        }
        assertTrue(checked > 0, name + ": no running statistics in the fixture");
    }

    /** AllConv's conv biases: each conv feeds a batch norm, which cancels a per-channel shift, so the true gradient is 0. */
    static boolean zeroGradient(Network net, String param) {
        if (!(net instanceof ZooNetwork z) || !(net.arch() instanceof AllConvNet.Config) || !param.endsWith(".bias")) return false;
        StateLayout.Entry w = z.definition().layout().get(param.substring(0, param.length() - ".bias".length()) + ".weight");
        return w != null && w.shape().length == 4;
    }

    @ParameterizedTest
    @ValueSource(strings = {"allconv-small", "densenet-small", "densenet-bc-small", "resnext-small"})
    void twoNesterovSgdSteps(String name) throws Exception {
        Fixture fx = load(name);
        Network net = fx.net();
        Sgd sgd = Sgd.official(net.parameters(), 5e-4f);
        for (int step = 1; step <= 2; step++) {
            net.zeroGrad();
            Tape tape = new Tape();
            tape.backward(trainLoss(fx, net, tape, null));
            sgd.step(0.1f);
            // step 2 starts from parameters that differ from PyTorch's in the last bits; in resnext-small that flips one or two
            // ReLU inputs across 0 (the fixture's meta.json: up to 4e-4 under a one-ulp nudge), so it is held to 5e-3 there, 1e-4
            // elsewhere (the fixture README's tolerances); step 1 to 1e-5
            double tol = step == 1 ? 1e-5 : name.startsWith("resnext") ? 5e-3 : 1e-4;
            for (Var p : net.parameters()) {
                if (zeroGradient(net, p.name())) {
                    // lr times the gradient noise of a zero-gradient bias (above), once per step
                    Check.allClose(name + " sgd" + step + "." + p.name(), p.data(), fx.f("sgd" + step + "." + p.name()), step * 2e-5, 0);
                } else {
                    Check.normClose(name + " sgd" + step + "." + p.name(), p.data(), fx.f("sgd" + step + "." + p.name()), tol);
                }
            }
        }
    }

    @Test
    void officialModelsHavePytorchsKeysShapesAndParameterCounts() throws Exception {
        Path file = Path.of(ZooPytorchFixtureTest.class.getResource(ROOT + "zoo-official.json").toURI());
        JsonObject all = new com.google.gson.Gson().fromJson(Files.readString(file), JsonObject.class);
        int checked = 0;
        for (String model : List.of("allconv", "densenet", "resnext")) {
            for (int classes : new int[] {10, 100}) {
                JsonObject o = all.getAsJsonObject("models").getAsJsonObject(model.equals("resnext") ? "resnext29" : model)
                        .getAsJsonObject("classes").getAsJsonObject(Integer.toString(classes));
                Arch arch = Models.of(model, 40, 2, classes);
                Map<String, int[]> ours = arch.stateShapes();
                List<String> keys = new ArrayList<>();
                for (var e : o.getAsJsonArray("state_dict")) {
                    com.google.gson.JsonArray t = e.getAsJsonArray();
                    String key = t.get(0).getAsString();
                    keys.add(key);
                    assertEquals(key.endsWith("num_batches_tracked") ? "I64" : "F32", t.get(2).getAsString(), key);
                    int[] shape = new com.google.gson.Gson().fromJson(t.get(1), int[].class);
                    assertTrue(java.util.Arrays.equals(shape, ours.get(key)), arch.label() + " " + key + ": PyTorch "
                            + java.util.Arrays.toString(shape) + ", ours " + java.util.Arrays.toString(ours.get(key)));
                }
                assertEquals(keys, List.copyOf(ours.keySet()), arch.label() + ": keys and order");
                assertEquals(o.get("params").getAsLong(), arch.parameterCount(), arch.label() + " parameters");
                checked++;
            }
        }
        assertEquals(6, checked);
    }
}
