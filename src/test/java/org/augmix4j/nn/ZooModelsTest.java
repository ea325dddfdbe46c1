package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The model zoo's structure on the CPU: the -m registry and its official defaults, the official
 * initialisation (He fan-out convs, PyTorch's default conv bias and linear init, kaiming_normal for
 * ResNeXt's classifier, BN 1/0), recognising each architecture from its tensors, the shape walk
 * (memory estimate and input-size errors), and a forward + backward that reaches every parameter.
 * Parameter counts and key order against PyTorch are in ZooPytorchFixtureTest.
 */
class ZooModelsTest {
    static List<Arch> small() {
        return List.of(new AllConvNet.Config(10, 12, 24), new DenseNet.Config(10, 4, 10, 1.0, false), new DenseNet.Config(10, 4, 16, 0.5, true),
                new ResNeXt.Config(10, 11, 4, 32, 8));
    }

    @Test
    void registryAndOfficialDefaults() {
        assertEquals(List.of("wrn", "allconv", "densenet", "resnext"), Models.NAMES);
        assertEquals(new Models.Defaults(100, 5e-4), Models.defaults("wrn"));
        assertEquals(new Models.Defaults(100, 5e-4), Models.defaults("allconv"));
        assertEquals(new Models.Defaults(200, 1e-4), Models.defaults("densenet"));
        assertEquals(new Models.Defaults(200, 5e-4), Models.defaults("resnext"));
        assertEquals("ResNeXt-29 (4x32d)", Models.of("resnext", 40, 2, 10).label());
        assertEquals("DenseNet-40-12", Models.of("densenet", 40, 2, 100).label());
        assertEquals("AllConvNet", Models.of("allconv", 40, 2, 10).label());
        assertEquals("WRN-16-4", Models.of("WRN", 16, 4, 10).label());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.check("vgg"));
        assertTrue(e.getMessage().contains("wrn, allconv, densenet, resnext"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DenseNet.Config(10, 12, 41, 1.0, false));
        assertThrows(IllegalArgumentException.class, () -> new ResNeXt.Config(10, 30, 4, 32, 64));
    }

    @Test
    void officialSizes() {
        // DenseNet-40-12: 3 blocks of 12 layers, 24 -> 168 -> 312 -> 456 channels, no bottleneck
        Map<String, int[]> d = DenseNet.Config.official(10).stateShapes();
        assertArrayEquals(new int[] {24, 3, 3, 3}, d.get("conv1.weight"));
        assertArrayEquals(new int[] {12, 24, 3, 3}, d.get("dense1.0.conv1.weight"));
        assertArrayEquals(new int[] {168, 168, 1, 1}, d.get("trans1.conv1.weight"));
        assertArrayEquals(new int[] {10, 456}, d.get("fc.weight"));
        assertTrue(d.containsKey("dense3.11.bn1.num_batches_tracked") && !d.containsKey("dense3.12.bn1.weight"));
        // ResNeXt-29 4x32d: D = 128, 256, 512; expand to 256, 512, 1024
        Map<String, int[]> r = ResNeXt.Config.official(10).stateShapes();
        assertArrayEquals(new int[] {128, 32, 3, 3}, r.get("stage_1.0.conv_conv.weight"));
        assertArrayEquals(new int[] {512, 128, 3, 3}, r.get("stage_3.2.conv_conv.weight"));
        assertArrayEquals(new int[] {256, 64, 1, 1}, r.get("stage_1.0.downsample.0.weight"));
        assertTrue(!r.containsKey("stage_1.1.downsample.0.weight") && r.containsKey("stage_2.0.downsample.1.running_var"));
        assertArrayEquals(new int[] {10, 1024}, r.get("classifier.weight"));
        // AllConvNet: the Sequential's indices (GELU, pool and dropout layers count)
        Map<String, int[]> a = AllConvNet.Config.official(10).stateShapes();
        assertArrayEquals(new int[] {96, 3, 3, 3}, a.get("features.0.weight"));
        assertArrayEquals(new int[] {192, 96, 3, 3}, a.get("features.11.weight"));
        assertArrayEquals(new int[] {192, 192, 3, 3}, a.get("features.22.weight"));
        assertArrayEquals(new int[] {192, 192, 1, 1}, a.get("features.28.weight"));
        assertArrayEquals(new int[] {192}, a.get("features.29.running_mean"));
        assertArrayEquals(new int[] {10, 192}, a.get("classifier.weight"));
        for (Arch arch : List.of(AllConvNet.Config.official(10), DenseNet.Config.official(10), ResNeXt.Config.official(10))) {
            assertEquals(arch.parameterCount(), arch.build(0).parameterCount(), arch.label());
        }
    }

    @Test
    void officialInitialisation() {
        ZooNetwork net = (ZooNetwork) ResNeXt.Config.official(10).build(7);
        Map<String, Object> s = net.stateDict();
        // conv: N(0, sqrt(2 / (k*k*out))); stage_3's grouped 3x3 has out 512: std 0.0208
        assertStd((float[]) s.get("stage_3.0.conv_conv.weight"), Math.sqrt(2.0 / (9 * 512)));
        assertStd((float[]) s.get("stage_2.0.conv_expand.weight"), Math.sqrt(2.0 / 512));
        // ResNeXt's classifier: kaiming_normal, fan-in 1024
        assertStd((float[]) s.get("classifier.weight"), Math.sqrt(2.0 / 1024));
        assertAll((float[]) s.get("classifier.bias"), 0f);
        assertAll((float[]) s.get("stage_1.0.bn.weight"), 1f);
        assertAll((float[]) s.get("stage_1.0.bn.bias"), 0f);
        assertAll((float[]) s.get("stage_1.0.bn.running_var"), 1f);
        // AllConv: conv biases and the classifier keep PyTorch's default U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        Map<String, Object> a = AllConvNet.Config.official(10).build(7).stateDict();
        assertUniform((float[]) a.get("features.14.bias"), 1 / Math.sqrt(192 * 9));
        assertUniform((float[]) a.get("classifier.weight"), 1 / Math.sqrt(192));
        assertStd((float[]) a.get("features.14.weight"), Math.sqrt(2.0 / (9 * 192)));
        // the same seed gives the same network, another seed another
        assertArrayEquals((float[]) a.get("features.0.weight"), (float[]) AllConvNet.Config.official(10).build(7).stateDict().get("features.0.weight"));
        assertTrue(!java.util.Arrays.equals((float[]) a.get("features.0.weight"),
                (float[]) AllConvNet.Config.official(10).build(8).stateDict().get("features.0.weight")));
    }

    private static void assertStd(float[] v, double std) {
        double ss = 0, sum = 0;
        for (float f : v) {
            ss += (double) f * f;
            sum += f;
        }
        double got = Math.sqrt(ss / v.length), se = std / Math.sqrt(v.length / 2.0);
        assertEquals(std, got, 5 * se, "std over " + v.length);
        assertEquals(0, sum / v.length, 5 * std / Math.sqrt(v.length), "mean");
    }

    private static void assertUniform(float[] v, double bound) {
        double max = 0, ss = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
            ss += (double) f * f;
        }
        assertTrue(max <= bound && max > 0.9 * bound, "uniform bound " + bound + ", max " + max);
        assertEquals(bound / Math.sqrt(3), Math.sqrt(ss / v.length), 0.1 * bound, "uniform std");
    }

    private static void assertAll(float[] v, float x) {
        for (float f : v) assertEquals(x, f);
    }

    @Test
    void architectureIsRecognisedFromTensors() {
        for (Arch a : small()) {
            Map<String, Object> state = a.build(1).stateDict();
            assertEquals(a, Models.infer(state, Path.of("w.safetensors")), a.label());
        }
        for (Arch a : List.of(AllConvNet.Config.official(100), DenseNet.Config.official(100), ResNeXt.Config.official(100))) {
            assertEquals(a, Models.infer(a.build(1).stateDict(), Path.of("w.safetensors")), a.label());
        }
    }

    @Test
    void inputSizesThatDoNotFitAreRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AllConvNet.Config.official(10).trainingFloatsPerImage(16, 16));
        assertTrue(e.getMessage().contains("AllConvNet") && e.getMessage().contains("32x32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DenseNet.Config.official(10).trainingFloatsPerImage(64, 64));
        assertTrue(e.getMessage().contains("classifier"), e.getMessage());
        // DenseNet-40-12 at 32x32 keeps a few hundred thousand floats per image (activations and gradients)
        long f = DenseNet.Config.official(10).trainingFloatsPerImage(32, 32);
        assertTrue(f > 1_000_000 && f < 20_000_000, "floats " + f);
    }

    @Test
    void forwardAndBackwardReachEveryParameter() {
        for (Arch a : small()) {
            Network net = a.build(3);
            SplittableRandom r = new SplittableRandom(4);
            int n = 4;
            float[] x = new float[n * 3 * 32 * 32];
            for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
            net.beginStep(1, 0);
            Tape t = new Tape();
            Var logits = net.forward(t, Tensor.of(x, n, 3, 32, 32), true);
            assertArrayEquals(new int[] {n, 10}, logits.shape(), a.label());
            Var loss = org.augmix4j.autograd.F.crossEntropy(t, logits, new int[] {0, 1, 2, 3}, n);
            t.backward(loss);
            for (Var p : net.parameters()) {
                float[] g = p.gradOrNull();
                assertTrue(g != null, a.label() + ": no gradient for " + p.name());
                boolean any = false;
                for (float v : g) any |= v != 0;
                assertTrue(any, a.label() + ": zero gradient for " + p.name());
            }
            // eval mode: no dropout, running statistics
            float[] e1 = net.forward(null, Tensor.of(x, n, 3, 32, 32), false).data(), e2 = net.forward(null, Tensor.of(x, n, 3, 32, 32), false).data();
            assertArrayEquals(e1, e2, a.label() + " eval is deterministic");
        }
    }

    @Test
    void dropoutDrawsArePerStepAndReproducible() {
        Network net = new AllConvNet.Config(10, 4, 6).build(3);
        float[] x = new float[2 * 3 * 32 * 32];
        java.util.Arrays.fill(x, 0.5f);
        float[][] out = new float[3][];
        long[] steps = {5, 5, 6};
        for (int i = 0; i < 3; i++) {
            Network fresh = new AllConvNet.Config(10, 4, 6).build(3);
            fresh.beginStep(11, steps[i]);
            out[i] = fresh.forward(new Tape(), Tensor.of(x.clone(), 2, 3, 32, 32), true).data();
        }
        assertArrayEquals(out[0], out[1], "same (seed, step): same masks");
        assertTrue(!java.util.Arrays.equals(out[0], out[2]), "another step draws other masks");
        assertEquals(net.arch(), new AllConvNet.Config(10, 4, 6));
    }
}
