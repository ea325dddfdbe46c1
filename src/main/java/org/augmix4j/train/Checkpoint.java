package org.augmix4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.augmix4j.data.AtomicFile;
import org.augmix4j.nn.Safetensors;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.nn.WrnSpec;
import org.augmix4j.optim.SgdState;

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

    /** Held while a checkpoint is written; the shutdown hook (Ctrl-C) waits for it. */
    private static final Object LOCK = new Object();
    private static boolean hookInstalled, shuttingDown;
    /** Test hook: runs after the three temp files are complete, before any is renamed. */
    static Runnable beforeCommit = () -> { };

    /**
     * Writes the three files for {@code engine}'s state (read from it once) after {@code epoch} epochs and
     * {@code step} steps. All three are first written completely to hidden temp files beside the
     * targets (each fsynced), then renamed over the targets in a row (optimizer, weights,
     * sidecar) and the directory is fsynced. A failure before the renames leaves the previous
     * checkpoint untouched; Ctrl-C (SIGINT/SIGTERM) during a save waits for it to finish. Only a
     * hard kill inside the few microseconds of the three renames can leave the files from two
     * different epochs, and the sidecar's checksums then reject the set on load with a clear message.
     */
    public static void save(Path weights, Engine engine, int epoch, long step, long seed, JsonObject config) throws IOException {
        WideResNet.Config arch = engine.config();
        Map<String, Object> state = engine.stateDict();
        SgdState sgd = engine.optimizerState();
        synchronized (LOCK) {
            if (shuttingDown) throw new IOException("shutting down (interrupted): the checkpoint of epoch " + epoch + " was not written");
            installHook();
            Path optimPath = optimFile(weights), side = sidecar(weights);
            Path wTmp = partial(weights), oTmp = partial(optimPath), sTmp = partial(side);
            try {
                Map<String, Safetensors.Entry> model = new LinkedHashMap<>();
                WrnSpec.of(arch).stateShapes().forEach((k, sh) -> {
                    Object v = state.get(k);
                    long[] shape = new long[sh.length];
                    for (int i = 0; i < sh.length; i++) shape[i] = sh[i];
                    model.put(k, v instanceof float[] f ? Safetensors.Entry.f32(f, shape) : Safetensors.Entry.i64((long[]) v, shape));
                });
                Safetensors.write(wTmp, model, new TreeMap<>(Map.of("format", "pt", "producer", "augmix4j")));
                Map<String, Safetensors.Entry> optim = new LinkedHashMap<>();
                sgd.momentum().forEach((name, b) -> optim.put("momentum_buffer." + name, Safetensors.Entry.f32(b, b.length)));
                Safetensors.write(oTmp, optim, new TreeMap<>(Map.of("steps", Long.toString(sgd.steps()))));
                JsonObject o = new JsonObject();
                o.addProperty("format", FORMAT);
                o.addProperty("epoch", epoch);
                o.addProperty("step", step);
                o.addProperty("layers", arch.depth());
                o.addProperty("widen_factor", arch.widen());
                o.addProperty("classes", arch.classes());
                o.addProperty("seed", seed);
                o.addProperty("rng", "philox4x32-10 keyed by (seed, epoch, sample); next epoch " + epoch);
                o.addProperty("weights", weights.getFileName().toString());
                o.addProperty("weights_sha256", sha256(wTmp));
                o.addProperty("optimizer", optimPath.getFileName().toString());
                o.addProperty("optimizer_sha256", sha256(oTmp));
                o.add("config", config);
                try (AtomicFile f = AtomicFile.create(sTmp)) {
                    f.write(new GsonBuilder().setPrettyPrinting().create().toJson(o).getBytes(StandardCharsets.UTF_8));
                    f.commit();
                }
                sameMode(sTmp, wTmp);
                sameMode(sTmp, oTmp);
                beforeCommit.run();
                rename(oTmp, optimPath);
                rename(wTmp, weights);
                rename(sTmp, side);
                forceDirectory(weights.toAbsolutePath().getParent());
            } finally {
                Files.deleteIfExists(wTmp);
                Files.deleteIfExists(oTmp);
                Files.deleteIfExists(sTmp);
            }
        }
    }

    static final String FORMAT = "augmix4j-checkpoint-1";

    private static Path partial(Path target) { return target.resolveSibling("." + target.getFileName() + ".partial"); }

    private static void rename(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Safetensors.write's temp files are owner-only (0600); give the tensor files the umask's mode, as the sidecar has. */
    private static void sameMode(Path model, Path file) {
        try {
            Files.setPosixFilePermissions(file, Files.getPosixFilePermissions(model));
        } catch (IOException | UnsupportedOperationException ignored) {
            // not a POSIX file system: keep what the writer made
        }
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every file system lets a directory be opened; the files themselves are forced
        }
    }

    /** A JVM shutdown hook (Ctrl-C, SIGTERM) that lets a checkpoint being written finish, and refuses new ones. */
    private static void installHook() {
        if (hookInstalled) return;
        hookInstalled = true;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (LOCK) {
                shuttingDown = true;
            }
        }, "augmix4j-checkpoint-guard"));
    }

    /** Returns once no checkpoint is being written (for the Ctrl-C notice). */
    static void awaitPendingSave() {
        synchronized (LOCK) {
            // nothing: holding the lock means no save is in progress
        }
    }

    /** The epoch recorded in {@code weights}' sidecar, without verifying checksums; -1 when there is none. */
    static int savedEpoch(Path weights) {
        try {
            JsonObject o = new Gson().fromJson(Files.readString(sidecar(weights)), JsonObject.class);
            return o != null && o.has("epoch") ? o.get("epoch").getAsInt() : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Reads and validates the sidecar (format and the checksums of both tensor files); null when there is none. */
    public static Meta readMeta(Path weights) throws IOException {
        Path side = sidecar(weights);
        if (!Files.isRegularFile(side)) return null;
        if (!Files.isRegularFile(weights)) throw new IOException(weights + ": no such file (its sidecar " + side.getFileName() + " exists); check the path");
        JsonObject o;
        try {
            o = new Gson().fromJson(Files.readString(side), JsonObject.class);
        } catch (com.google.gson.JsonParseException e) {
            throw new IOException(side + ": the checkpoint sidecar is not valid JSON (" + e.getMessage() + "); delete it to use "
                    + weights.getFileName() + " as plain weights (the architecture is then inferred from the tensors)");
        }
        if (o == null || !o.has("weights_sha256") || !o.has("epoch") || !o.has("layers")) {
            throw new IOException(side + ": not an AugMix4J checkpoint sidecar (no weights_sha256/epoch/layers)");
        }
        verify(weights, o.get("weights_sha256").getAsString(), side);
        Path optim = optimFile(weights);
        if (Files.isRegularFile(optim) && o.has("optimizer_sha256")) verify(optim, o.get("optimizer_sha256").getAsString(), side);
        return new Meta(o.get("epoch").getAsInt(), o.get("step").getAsLong(), o.get("layers").getAsInt(),
                o.get("widen_factor").getAsInt(), o.get("classes").getAsInt(), o.get("seed").getAsLong(),
                o.has("config") ? o.getAsJsonObject("config") : new JsonObject());
    }

    private static void verify(Path file, String expected, Path side) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(file + ": checksum mismatch: its sha256 is " + actual + " but the sidecar " + side.getFileName()
                    + " records " + expected + ". The file was modified or replaced after the checkpoint was written (or the write "
                    + "was cut short). Use an earlier checkpoint, or delete the sidecar to load the file as plain weights.");
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

    /** The optimiser state: momentum buffers by parameter name and the step count. */
    public static SgdState readOptimizer(Path weights) throws IOException {
        Path file = optimFile(weights);
        Safetensors.Contents c = Safetensors.read(file);
        Map<String, float[]> m = new LinkedHashMap<>();
        c.tensors().forEach((k, e) -> {
            if (!k.startsWith("momentum_buffer.")) {
                throw new IllegalArgumentException(file + ": unexpected tensor " + k + " (an optimizer file holds momentum_buffer.NAME entries)");
            }
            m.put(k.substring("momentum_buffer.".length()), e.floats());
        });
        String steps = c.metadata().getOrDefault("steps", "0");
        try {
            return new SgdState(m, Long.parseLong(steps));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata steps is '" + steps + "', not a whole number; the file is damaged: "
                    + "resume from an intact checkpoint");
        }
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
