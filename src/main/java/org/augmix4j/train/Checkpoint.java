package org.augmix4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.Var;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;

/**
 * Checkpoints: three files written atomically (temp, fsync, rename), the sidecar last.
 * <ul>
 *   <li>{@code NAME.safetensors}: every WRN state_dict entry under its official PyTorch key
 *       (num_batches_tracked as int64 []), loadable by {@code safetensors.torch.load_file} and
 *       {@code model.load_state_dict};</li>
 *   <li>{@code NAME.optim.safetensors}: the SGD momentum buffers, keyed by parameter name;</li>
 *   <li>{@code NAME.json}: epoch, step, architecture, configuration, RNG position (seed + epoch:
 *       all randomness is counter-based, so this is the whole RNG state) and the sha256 of both
 *       tensor files, verified on load.</li>
 * </ul>
 * Weights exported from PyTorch (with or without num_batches_tracked, with or without a
 * {@code module.} prefix) load through {@link #loadWeights}.
 */
public final class Checkpoint {
    /** What the sidecar says. */
    public record Meta(int epoch, long step, int layers, int widenFactor, int classes, long seed, JsonObject config) {}

    private Checkpoint() {}

    public static Path sidecar(Path weights) { return sibling(weights, ".json"); }

    public static Path optimFile(Path weights) { return sibling(weights, ".optim.safetensors"); }

    private static Path sibling(Path weights, String suffix) {
        String n = weights.getFileName().toString();
        String stem = n.endsWith(".safetensors") ? n.substring(0, n.length() - ".safetensors".length()) : n;
        return weights.resolveSibling(stem + suffix);
    }

    /** Writes the three files for {@code net} and {@code sgd} after {@code epoch} epochs and {@code step} steps. */
    public static void save(Path weights, WideResNet net, Sgd sgd, int epoch, long step, long seed, JsonObject config) throws IOException {
        Map<String, Safetensors.Entry> model = new LinkedHashMap<>();
        net.stateDict().forEach((k, v) -> {
            int[] sh = net.stateShape(k);
            long[] shape = new long[sh.length];
            for (int i = 0; i < sh.length; i++) shape[i] = sh[i];
            model.put(k, v instanceof float[] f ? Safetensors.Entry.f32(f, shape) : Safetensors.Entry.i64((long[]) v, shape));
        });
        Safetensors.write(weights, model, Map.of("format", "pt", "producer", "augmix4j"));
        Map<String, Safetensors.Entry> optim = new LinkedHashMap<>();
        List<Var> params = net.parameters();
        for (int i = 0; i < params.size(); i++) {
            float[] b = sgd.buffer(i);
            if (b != null) optim.put("momentum_buffer." + params.get(i).name(), Safetensors.Entry.f32(b, b.length));
        }
        Path optimPath = optimFile(weights);
        Safetensors.write(optimPath, optim, Map.of("steps", Long.toString(sgd.steps())));
        JsonObject side = new JsonObject();
        side.addProperty("format", "augmix4j-checkpoint-1");
        side.addProperty("epoch", epoch);
        side.addProperty("step", step);
        side.addProperty("layers", net.config().depth());
        side.addProperty("widen_factor", net.config().widen());
        side.addProperty("classes", net.config().classes());
        side.addProperty("seed", seed);
        side.addProperty("rng", "philox4x32-10 keyed by seed; next epoch " + epoch);
        side.addProperty("weights_sha256", sha256(weights));
        side.addProperty("optimizer_sha256", sha256(optimPath));
        side.add("config", config);
        try (AtomicFile f = AtomicFile.create(sidecar(weights))) {
            f.write(new GsonBuilder().setPrettyPrinting().create().toJson(side).getBytes(StandardCharsets.UTF_8));
            f.commit();
        }
    }

    /** Reads and validates the sidecar (checksums of both tensor files). */
    public static Meta readMeta(Path weights) throws IOException {
        Path side = sidecar(weights);
        if (!Files.isRegularFile(side)) return null;
        JsonObject o = new Gson().fromJson(Files.readString(side), JsonObject.class);
        verify(weights, o.get("weights_sha256").getAsString());
        if (Files.isRegularFile(optimFile(weights))) verify(optimFile(weights), o.get("optimizer_sha256").getAsString());
        return new Meta(o.get("epoch").getAsInt(), o.get("step").getAsLong(), o.get("layers").getAsInt(),
                o.get("widen_factor").getAsInt(), o.get("classes").getAsInt(), o.get("seed").getAsLong(),
                o.has("config") ? o.getAsJsonObject("config") : new JsonObject());
    }

    private static void verify(Path file, String expected) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(file + ": checksum mismatch (sha256 " + actual + ", the sidecar records " + expected
                    + "); the file is corrupt or was replaced. Use an earlier checkpoint or retrain.");
        }
    }

    /** Reads a weights file into a state dict, tolerating PyTorch's {@code module.} prefix. */
    public static Map<String, Object> readState(Path weights) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        Safetensors.read(weights).tensors().forEach((k, e) -> {
            String key = k.startsWith("module.") ? k.substring("module.".length()) : k;
            state.put(key, e.dtype().equals("F32") ? e.floats() : e.longs());
        });
        return state;
    }

    /**
     * Infers (layers, widen factor, classes) from tensor names and shapes: the number of blocks
     * per stage, conv1's width, fc's rows.
     */
    public static WideResNet.Config inferConfig(Map<String, Object> state, Path file) {
        int blocks = 0;
        while (state.containsKey("block1.layer." + blocks + ".conv1.weight")) blocks++;
        Object fc = state.get("fc.bias"), w1 = state.get("block1.layer.0.conv1.weight");
        if (blocks == 0 || fc == null || w1 == null) {
            throw new IllegalArgumentException(file + ": not an official WideResNet state_dict (no block1.layer.0.conv1.weight / "
                    + "fc.bias); give --layers and --widen-factor, or export from the official model");
        }
        int width = ((float[]) w1).length / (16 * 9); // block1.layer.0.conv1: (16k, 16, 3, 3)
        return new WideResNet.Config(6 * blocks + 4, width / 16, ((float[]) fc).length);
    }

    /** Loads weights into {@code net}. */
    public static void loadWeights(Path weights, WideResNet net) throws IOException {
        net.loadStateDict(readState(weights));
    }

    /** Restores SGD momentum buffers. */
    public static void loadOptimizer(Path weights, WideResNet net, Sgd sgd) throws IOException {
        Safetensors.Contents c = Safetensors.read(optimFile(weights));
        List<Var> params = net.parameters();
        float[][] state = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            Safetensors.Entry e = c.tensors().get("momentum_buffer." + params.get(i).name());
            state[i] = e == null ? null : e.floats();
        }
        sgd.restore(state, Long.parseLong(c.metadata().getOrDefault("steps", "0")));
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) { /* digest */ }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
