package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CPU engine against PyTorch 2.14's own numbers for a WRN-10-2 (src/test/resources/fixtures/pytorch):
 * eval and train logits, CE + 12 * JSD, every parameter gradient, running statistics after the
 * step, and the parameters after one and two Nesterov SGD steps. Tolerances from the fixture's
 * README: logits and losses ~1e-5 relative, gradients ~1e-4 (norm-wise), SGD parameters ~1e-5.
 */
class PytorchFixtureTest {
    static Map<String, Safetensors.Entry> model, expected;

    @BeforeAll
    static synchronized void load() throws Exception {
        if (model != null) return;
        Path dir = Path.of(PytorchFixtureTest.class.getResource("/fixtures/pytorch/wrn10-2/model.safetensors").toURI()).getParent();
        model = Safetensors.read(dir.resolve("model.safetensors")).tensors();
        expected = Safetensors.read(dir.resolve("expected.safetensors")).tensors();
    }

    static WideResNet fixtureNet() {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 2, 10), 0);
        Map<String, Object> state = new LinkedHashMap<>();
        model.forEach((k, e) -> state.put(k, e.dtype().equals("F32") ? e.floats() : e.longs()));
        net.loadStateDict(state);
        return net;
    }

    static float[] f(String key) { return expected.get(key).floats(); }

    static Tensor input(String key) {
        Safetensors.Entry e = expected.get(key);
        int[] shape = new int[e.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = (int) e.shape()[i];
        return Tensor.of(e.floats().clone(), shape);
    }

    @Test
    void architectureMatchesFixture() {
        WideResNet net = fixtureNet();
        assertEquals(303_706, net.parameterCount());
        assertEquals(List.copyOf(model.keySet()).size(), net.stateKeys().size());
        for (String key : net.stateKeys()) {
            assertEquals(true, model.containsKey(key), "fixture lacks our key " + key);
        }
    }

    @Test
    void evalLogits() {
        WideResNet net = fixtureNet();
        Var logits = net.forward(null, input("x_eval"), false);
        Check.normClose("logits_eval", logits.data(), f("logits_eval"), 1e-5);
    }

    private static Var trainLoss(WideResNet net, Tape tape, Var[] parts) {
        long[] y = expected.get("y_train").longs();
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) labels[i] = (int) y[i];
        Var logits = net.forward(tape, input("x_train"), true);
        Var ce = F.crossEntropy(tape, logits, labels, labels.length);
        Var jsd = F.jsd(tape, logits, labels.length);
        if (parts != null) {
            parts[0] = logits;
            parts[1] = ce;
            parts[2] = jsd;
        }
        return F.weightedSum(tape, ce, 1f, jsd, Losses.JSD_WEIGHT);
    }

    @Test
    void trainLogitsLossGradientsAndRunningStats() {
        WideResNet net = fixtureNet();
        Tape tape = new Tape();
        Var[] parts = new Var[3];
        Var loss = trainLoss(net, tape, parts);
        Check.normClose("logits_train", parts[0].data(), f("logits_train"), 1e-5);
        Check.allClose("loss_ce", parts[1].data(), f("loss_ce"), 0, 1e-5);
        Check.allClose("loss_jsd", parts[2].data(), f("loss_jsd"), 0, 1e-5);
        Check.allClose("loss", loss.data(), f("loss"), 0, 1e-5);
        tape.backward(loss);
        for (Var p : net.parameters()) Check.normClose("grad." + p.name(), p.grad(), f("grad." + p.name()), 1e-4);
        Map<String, Object> state = net.stateDict();
        for (String key : expected.keySet()) {
            if (!key.startsWith("after_step1.")) continue;
            String k = key.substring("after_step1.".length());
            Check.normClose(key, (float[]) state.get(k), f(key), 1e-5);
        }
    }

    /** Runs two SGD steps on the fixture batch (re-running forward/backward), checking after each. */
    private static void twoSteps(java.util.function.BiConsumer<Integer, WideResNet> afterStep) {
        WideResNet net = fixtureNet();
        Sgd sgd = Sgd.official(net.parameters(), 5e-4f);
        for (int step = 1; step <= 2; step++) {
            net.zeroGrad();
            Tape tape = new Tape();
            tape.backward(trainLoss(net, tape, null));
            sgd.step(0.1f);
            afterStep.accept(step, net);
        }
    }

    @Test
    void twoNesterovSgdSteps() {
        // Step 1 matches to 1e-5. Step 2 starts from parameters that differ from PyTorch's in the
        // last float bits, which moves one ReLU input in block3.layer.0 across 0 (a kink: the
        // gradient of everything upstream shifts by ~1e-3, on both engines alike, as the float64
        // finite differences in WholeNetworkGradCheckTest show for such entries). So step 2 is
        // held to 5e-3 norm-wise: still far below any real bug (a wrong update is O(1)).
        twoSteps((step, net) -> {
            double tol = step == 1 ? 1e-5 : 5e-3;
            for (Var p : net.parameters()) Check.normClose("sgd" + step + "." + p.name(), p.data(), f("sgd" + step + "." + p.name()), tol);
        });
    }

    @Test
    void secondStepMatchesWhereNoKinkIntervenes() {
        // the layers downstream of the flipped ReLU (in backward order) match step 2 to 1e-5
        twoSteps((step, net) -> {
            if (step != 2) return;
            for (Var p : net.parameters()) {
                if (p.name().startsWith("fc.") || p.name().startsWith("bn1.") || p.name().equals("block3.layer.0.conv2.weight")) {
                    Check.normClose("sgd2." + p.name(), p.data(), f("sgd2." + p.name()), 1e-5);
                }
            }
        });
    }

    @Test
    void lossOnlyCases() {
        int b = 5, k = 10;
        float[] z = new float[3 * b * k];
        System.arraycopy(f("jsd_only.logits_clean"), 0, z, 0, b * k);
        System.arraycopy(f("jsd_only.logits_aug1"), 0, z, b * k, b * k);
        System.arraycopy(f("jsd_only.logits_aug2"), 0, z, 2 * b * k, b * k);
        float[] dz = new float[3 * b * k];
        float v = Losses.jsd(z, b, k, dz, 1f);
        Check.allClose("jsd_only.value", new float[] {v}, f("jsd_only.value"), 0, 1e-5);
        String[] views = {"clean", "aug1", "aug2"};
        for (int i = 0; i < 3; i++) {
            float[] g = java.util.Arrays.copyOfRange(dz, i * b * k, (i + 1) * b * k);
            Check.normClose("jsd_only.grad_" + views[i], g, f("jsd_only.grad_" + views[i]), 1e-5);
        }
        long[] y = expected.get("ce_only.labels").longs();
        int[] labels = new int[y.length];
        for (int i = 0; i < y.length; i++) labels[i] = (int) y[i];
        float[] dce = new float[b * k];
        float ce = Losses.crossEntropy(f("ce_only.logits"), labels, b, k, dce, 1f);
        Check.allClose("ce_only.value", new float[] {ce}, f("ce_only.value"), 0, 1e-5);
        Check.normClose("ce_only.grad", dce, f("ce_only.grad"), 1e-5);
    }
}
