package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.Var;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.tensor.ShapeException;
import org.augmix4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WRN-40-2's parameter counts and names, the official init statistics, the cosine schedule, state dict I/O. */
class WideResNetTest {
    @Test
    void wrn40x2CountsAndNames() {
        WideResNet c10 = new WideResNet(new WideResNet.Config(40, 2, 10), 1);
        assertEquals(2_243_546, c10.parameterCount());
        assertEquals(2_255_156, new WideResNet(new WideResNet.Config(40, 2, 100), 1).parameterCount());
        List<String> keys = c10.stateKeys();
        assertEquals("conv1.weight", keys.get(0));
        assertEquals(List.of("block1.layer.0.bn1.weight", "block1.layer.0.bn1.bias", "block1.layer.0.bn1.running_mean",
                "block1.layer.0.bn1.running_var", "block1.layer.0.bn1.num_batches_tracked", "block1.layer.0.conv1.weight"), keys.subList(1, 7));
        assertTrue(keys.contains("block1.layer.0.convShortcut.weight"), "16 -> 32 needs a shortcut conv in stage 1");
        assertFalse(keys.contains("block1.layer.1.convShortcut.weight"));
        assertTrue(keys.contains("block3.layer.5.conv2.weight"));
        assertEquals(List.of("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked",
                "fc.weight", "fc.bias"), keys.subList(keys.size() - 7, keys.size()));
        // 37 BN layers x 5 entries + 40 convs (39 + conv1, incl. 3 shortcuts) + fc weight/bias
        assertEquals(37 * 5 + 40 + 2, keys.size());
    }

    @Test
    void officialInit() {
        WideResNet net = new WideResNet(new WideResNet.Config(40, 2, 10), 3);
        for (Var v : net.parameters()) {
            float[] d = v.data();
            if (v.name().equals("block3.layer.1.conv1.weight")) { // 128 out, 3x3: std sqrt(2/(9*128))
                double s = 0;
                for (float f : d) s += (double) f * f;
                assertEquals(Math.sqrt(2.0 / (9 * 128)), Math.sqrt(s / d.length), 0.002);
            }
            if (v.name().equals("fc.weight")) for (float f : d) assertTrue(Math.abs(f) <= 1 / Math.sqrt(128));
            if (v.name().endsWith("bn1.weight")) for (float f : d) assertEquals(1f, f);
            if (v.name().equals("fc.bias")) for (float f : d) assertEquals(0f, f);
        }
    }

    @Test
    void cosineScheduleFollowsTheOfficialFormula() {
        long total = 100 * 391;
        CosineSchedule s = new CosineSchedule(0.1, total);
        assertEquals(0.1, s.lr(0), 1e-15);
        for (long step : new long[] {1, 391, 10_000, 19_550, 30_000, total - 1, total}) {
            double f = 1e-6 / 0.1;
            double expected = 0.1 * (f + (1 - f) * 0.5 * (1 + Math.cos(Math.PI * step / total)));
            assertEquals(expected, s.lr(step), 1e-15, "step " + step);
        }
        assertEquals(0.05 + 0.5e-6, s.lr(total / 2), 1e-7);
        assertEquals(1e-6, s.lr(total), 1e-12, "ends at 1e-6");
    }

    @Test
    void stateDictRoundTripsThroughSafetensors(@TempDir Path dir) throws Exception {
        WideResNet a = new WideResNet(new WideResNet.Config(16, 2, 10), 1);
        a.forward(null, Tensor.zeros(2, 3, 32, 32), true); // bumps num_batches_tracked and the running stats
        Map<String, Safetensors.Entry> out = new LinkedHashMap<>();
        a.stateDict().forEach((k, v) -> {
            int[] sh = a.stateShape(k);
            long[] shape = new long[sh.length];
            for (int i = 0; i < sh.length; i++) shape[i] = sh[i];
            out.put(k, v instanceof float[] f ? Safetensors.Entry.f32(f, shape) : Safetensors.Entry.i64((long[]) v, shape));
        });
        Path file = dir.resolve("w.safetensors");
        Safetensors.write(file, out, Map.of("format", "pt"));
        WideResNet b = new WideResNet(new WideResNet.Config(16, 2, 10), 2);
        Map<String, Object> state = new LinkedHashMap<>();
        Safetensors.read(file).tensors().forEach((k, e) -> state.put(k, e.dtype().equals("F32") ? e.floats() : e.longs()));
        b.loadStateDict(state);
        Map<String, Object> sa = a.stateDict(), sb = b.stateDict();
        for (String k : sa.keySet()) {
            if (sa.get(k) instanceof float[] f) assertArrayEquals(f, (float[]) sb.get(k), k);
            else assertArrayEquals((long[]) sa.get(k), (long[]) sb.get(k), k);
        }
        assertEquals(1L, ((long[]) sb.get("bn1.num_batches_tracked"))[0]);
        // truncated file: a clear error naming the file
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Exception e = assertThrows(java.io.IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains("w.safetensors") && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void badInputs() {
        assertThrows(IllegalArgumentException.class, () -> new WideResNet.Config(41, 2, 10));
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 1);
        ShapeException e = assertThrows(ShapeException.class, () -> net.forward(null, Tensor.zeros(2, 1, 32, 32), false));
        assertTrue(e.getMessage().contains("(2, 1, 32, 32)"), e.getMessage());
        Map<String, Object> wrong = new LinkedHashMap<>(net.stateDict());
        wrong.remove("fc.bias");
        IllegalArgumentException le = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(wrong));
        assertTrue(le.getMessage().contains("fc.bias"), le.getMessage());
    }
}
