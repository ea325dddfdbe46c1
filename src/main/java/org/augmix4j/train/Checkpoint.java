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
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Models;
import org.augmix4j.nn.Network;
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
    public record Meta(int epoch, long step, String model, int layers, int widenFactor, int classes, long seed, JsonObject config) {
        /** The architecture the sidecar records (layers and widen factor only for wrn). */
        public Arch arch() { return Models.of(model, layers, widenFactor, classes); }
    }

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
    /**
     * Writes the three files for {@code engine}'s state (read from it once) after {@code epoch}
     * epochs and {@code step} steps, as one atomic commit:
     * <ol>
     *   <li>the weights and the optimizer state are written completely to hidden {@code .partial}
     *       files beside the targets (each fsynced); a failure here deletes them and leaves the
     *       previous checkpoint untouched;</li>
     *   <li>the sidecar, holding the sha256 of both, is written to its {@code .partial} file
     *       atomically: this is the commit point;</li>
     *   <li>the three are renamed over the targets (optimizer, weights, sidecar) and the directory
     *       is fsynced.</li>
     * </ol>
     * A kill between the renames leaves a complete, checksummed {@code .partial} set, which
     * {@link #recover} (run by every read of the checkpoint) renames into place, so a reader sees
     * either the previous checkpoint or this one, never a mix. Ctrl-C (SIGINT/SIGTERM) during a
     * save waits for it to finish. A state holding NaN or Inf is never written.
     */
    public static void save(Path weights, Engine engine, int epoch, long step, long seed, JsonObject config) throws IOException {
        save(weights, engine, epoch, step, seed, config, stage -> { });
    }

    /**
     * {@link #save} with {@code fault} called at each stage ("tensors written", then after the
     * commit point "committed", "optimizer renamed", "weights renamed"), for fault tests.
     */
    static void save(Path weights, Engine engine, int epoch, long step, long seed, JsonObject config,
                     java.util.function.Consumer<String> fault) throws IOException {
        Arch arch = engine.config();
        Map<String, Object> state = engine.stateDict();
        SgdState sgd = engine.optimizerState();
        refuseNonFinite(weights, epoch, state, sgd);
        synchronized (LOCK) {
            if (shuttingDown) throw new IOException("shutting down (interrupted): the checkpoint of epoch " + epoch + " was not written");
            installHook();
            recover(weights);  // a set left by an earlier kill is completed first, so it is not mixed with this one
            Path optimPath = optimFile(weights), side = sidecar(weights);
            Path wTmp = partial(weights), oTmp = partial(optimPath), sTmp = partial(side);
            boolean committed = false;
            try {
                Map<String, Safetensors.Entry> model = new LinkedHashMap<>();
                arch.stateShapes().forEach((k, sh) -> {
                    Object v = state.get(k);
                    long[] shape = new long[sh.length];
                    for (int i = 0; i < sh.length; i++) shape[i] = sh[i];
                    model.put(k, v instanceof float[] f ? Safetensors.Entry.f32(f, shape) : Safetensors.Entry.i64((long[]) v, shape));
                });
                Safetensors.write(wTmp, model, new TreeMap<>(Map.of("format", "pt", "producer", "augmix4j")));
                Map<String, Safetensors.Entry> optim = new LinkedHashMap<>();
                sgd.momentum().forEach((name, b) -> optim.put("momentum_buffer." + name, Safetensors.Entry.f32(b, b.length)));
                Safetensors.write(oTmp, optim, new TreeMap<>(Map.of("steps", Long.toString(sgd.steps()))));
                fault.accept("tensors written");
                JsonObject o = new JsonObject();
                o.addProperty("format", FORMAT);
                o.addProperty("epoch", epoch);
                o.addProperty("step", step);
                o.addProperty("model", arch.model());
                if (arch instanceof org.augmix4j.nn.WideResNet.Config wrn) {
                    o.addProperty("layers", wrn.depth());
                    o.addProperty("widen_factor", wrn.widen());
                }
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
                committed = true;
                sameMode(sTmp, wTmp);
                sameMode(sTmp, oTmp);
                fault.accept("committed");
                rename(oTmp, optimPath);
                fault.accept("optimizer renamed");
                rename(wTmp, weights);
                fault.accept("weights renamed");
                rename(sTmp, side);
                forceDirectory(weights.toAbsolutePath().getParent());
            } catch (IOException | java.io.UncheckedIOException e) {
                throw new IOException("could not write the checkpoint of epoch " + epoch + " to " + weights.toAbsolutePath().getParent()
                        + " (" + e.getMessage() + "); " + (committed ? "its complete files stay as .partial and are put in place on the "
                        + "next read" : "the previous checkpoint there is intact") + ". Free disk space or check permissions, then resume.", e);
            } finally {
                if (!committed) {
                    Files.deleteIfExists(wTmp);
                    Files.deleteIfExists(oTmp);
                    Files.deleteIfExists(sTmp);
                }
            }
        }
    }

    /** Refuses a state with NaN or Inf in any tensor, naming the first one. */
    private static void refuseNonFinite(Path weights, int epoch, Map<String, Object> state, SgdState sgd) {
        String bad = firstNonFinite(state);
        if (bad == null) {
            for (Map.Entry<String, float[]> e : sgd.momentum().entrySet()) {
                if (!allFinite(e.getValue())) {
                    bad = "momentum_buffer." + e.getKey();
                    break;
                }
            }
        }
        if (bad != null) {
            throw new org.augmix4j.ops.Losses.NonFiniteException("not saving the checkpoint of epoch " + epoch + ": " + bad
                    + " holds NaN or Inf (training diverged). The previous checkpoint in " + weights.toAbsolutePath().getParent()
                    + " is intact: lower --learning-rate and --resume from it, or start again.");
        }
    }

    /** The first float tensor of {@code state} with a NaN or Inf, or null. */
    static String firstNonFinite(Map<String, Object> state) {
        for (Map.Entry<String, Object> e : state.entrySet()) {
            if (e.getValue() instanceof float[] f && !allFinite(f)) return e.getKey();
        }
        return null;
    }

    private static boolean allFinite(float[] a) {
        for (float v : a) if (!Float.isFinite(v)) return false;
        return true;
    }

    /**
     * Completes a commit that a kill interrupted (see {@link #save}): when a complete sidecar
     * {@code .partial} exists, its two tensor files (each still {@code .partial} or already
     * renamed) are checked against its checksums and the rest of the renames is done; a set that
     * does not check out (killed before the commit point) is deleted. Returns true when a commit
     * was completed.
     */
    public static boolean recover(Path weights) throws IOException {
        Path side = sidecar(weights), sTmp = partial(side);
        Path optimPath = optimFile(weights), wTmp = partial(weights), oTmp = partial(optimPath);
        synchronized (LOCK) {
            if (!Files.isRegularFile(sTmp)) {
                // no commit point reached: any tensor partials are the leftovers of a save that never committed
                Files.deleteIfExists(wTmp);
                Files.deleteIfExists(oTmp);
                return false;
            }
            JsonObject o;
            try {
                o = new Gson().fromJson(Files.readString(sTmp), JsonObject.class);
            } catch (IOException | RuntimeException e) {
                o = null;
            }
            boolean ok = o != null && o.has("weights_sha256") && o.has("optimizer_sha256")
                    && matches(wTmp, weights, o.get("weights_sha256").getAsString())
                    && matches(oTmp, optimPath, o.get("optimizer_sha256").getAsString());
            if (!ok) {
                throw new IOException(weights.toAbsolutePath().getParent() + " holds an interrupted checkpoint commit ("
                        + sTmp.getFileName() + ") whose files do not match its checksums: they were changed by hand. Move the "
                        + ".partial files away and use the remaining checkpoint, or an earlier one.");
            }
            if (Files.isRegularFile(oTmp)) rename(oTmp, optimPath);
            if (Files.isRegularFile(wTmp)) rename(wTmp, weights);
            rename(sTmp, side);
            forceDirectory(weights.toAbsolutePath().getParent());
            return true;
        }
    }

    /** The file with {@code sha} is {@code partial} (still to be renamed) or already {@code target}. */
    private static boolean matches(Path partial, Path target, String sha) throws IOException {
        if (Files.isRegularFile(partial)) return sha256(partial).equals(sha);
        return Files.isRegularFile(target) && sha256(target).equals(sha);
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
        if (recover(weights)) System.err.println("Completed the interrupted checkpoint commit in " + weights.toAbsolutePath().getParent());
        Path side = sidecar(weights);
        if (!Files.isRegularFile(side)) return null;
        if (!Files.isRegularFile(weights)) throw new IOException(weights + ": no such file (its sidecar " + side.getFileName() + " exists); check the path");
        JsonObject o;
        try {
            o = new Gson().fromJson(Files.readString(side), JsonObject.class);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IOException(side + ": the checkpoint sidecar is not UTF-8 text (damaged or not a sidecar); delete it to use "
                    + weights.getFileName() + " as plain weights (the architecture is then inferred from the tensors)", e);
        } catch (com.google.gson.JsonParseException e) {
            throw new IOException(side + ": the checkpoint sidecar is not valid JSON (" + e.getMessage() + "); delete it to use "
                    + weights.getFileName() + " as plain weights (the architecture is then inferred from the tensors)");
        }
        if (o == null || !o.has("weights_sha256") || !o.get("weights_sha256").isJsonPrimitive() || !o.has("epoch")
                || !(o.has("layers") || o.has("model"))) {
            throw new IOException(side + ": not an AugMix4J checkpoint sidecar (no weights_sha256/epoch/model)");
        }
        String model = "wrn"; // sidecars before the model zoo have no "model": they are all WideResNets
        if (o.has("model")) {
            if (!o.get("model").isJsonPrimitive() || !Models.NAMES.contains(o.get("model").getAsString())) {
                throw new IOException(side + ": the checkpoint sidecar's \"model\" is " + o.get("model") + ", not one of "
                        + Models.NAMES + "; the sidecar is damaged. Use an earlier checkpoint, or delete the sidecar to load the "
                        + "weights as plain weights (eval infers the architecture from the tensors).");
            }
            model = o.get("model").getAsString();
        }
        boolean wrn = model.equals("wrn");
        JsonObject config = o.has("config") && o.get("config").isJsonObject() ? o.getAsJsonObject("config") : new JsonObject();
        Meta meta = new Meta((int) number(o, "epoch", side, 0, Integer.MAX_VALUE), number(o, "step", side, 0, Long.MAX_VALUE), model,
                wrn ? (int) number(o, "layers", side, 10, 10_000) : 0, wrn ? (int) number(o, "widen_factor", side, 1, 1_000) : 0,
                (int) number(o, "classes", side, 2, 1_000_000), number(o, "seed", side, Long.MIN_VALUE, Long.MAX_VALUE), config);
        verify(weights, o.get("weights_sha256").getAsString(), side);
        Path optim = optimFile(weights);
        if (Files.isRegularFile(optim) && o.has("optimizer_sha256")) {
            if (!o.get("optimizer_sha256").isJsonPrimitive()) throw new IOException(side + ": optimizer_sha256 is not a string; the sidecar is damaged");
            verify(optim, o.get("optimizer_sha256").getAsString(), side);
        }
        return meta;
    }

    /** A whole-number field of the sidecar in [min, max], or an error naming the file, the field and what was found. */
    private static long number(JsonObject o, String key, Path side, long min, long max) throws IOException {
        com.google.gson.JsonElement e = o.get(key);
        long v;
        try {
            if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw new NumberFormatException();
            java.math.BigDecimal d = e.getAsBigDecimal();
            v = d.longValueExact();
        } catch (NumberFormatException | ArithmeticException bad) {
            throw new IOException(side + ": the checkpoint sidecar's \"" + key + "\" is " + (e == null ? "missing" : e.toString())
                    + ", not a whole number; the sidecar is damaged. Use an earlier checkpoint, or delete the sidecar to load "
                    + "the weights as plain weights (eval infers the architecture from the tensors).");
        }
        if (v < min || v > max) {
            throw new IOException(side + ": the checkpoint sidecar's \"" + key + "\" is " + v + ", outside " + min + ".." + max
                    + "; the sidecar is damaged. Use an earlier checkpoint, or delete the sidecar to load the weights as plain weights.");
        }
        return v;
    }

    private static void verify(Path file, String expected, Path side) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(file + ": checksum mismatch: its sha256 is " + actual + " but the sidecar " + side.getFileName()
                    + " records " + expected + ". The file was modified or replaced after the checkpoint was written (or the write "
                    + "was cut short). Use an earlier checkpoint, or delete the sidecar to load the file as plain weights.");
        }
    }

    /**
     * Reads a weights file for {@code arch} and checks every tensor against the architecture before
     * anything is loaded: the dtype (F32, I64 for num_batches_tracked), the exact shape (a transposed
     * or flattened tensor of the right size is refused), and that no value is NaN or Inf. Errors name
     * the file, the tensor, the expected and the found shape.
     */
    public static Map<String, Object> readState(Path weights, Arch arch) throws IOException {
        Map<String, int[]> want = arch.stateShapes();
        Map<String, Object> state = new LinkedHashMap<>();
        for (Map.Entry<String, Safetensors.Entry> en : Safetensors.read(weights).tensors().entrySet()) {
            String key = canonicalKey(en.getKey());
            Safetensors.Entry e = en.getValue();
            int[] shape = want.get(key);
            if (shape == null) {
                throw new IllegalArgumentException(weights + ": tensor " + key + " is not part of " + arch.label() + " with " + arch.classes()
                        + " classes. Check -m (and for wrn --layers/--widen-factor) and --dataset, or that the file holds this model's weights.");
            }
            boolean counter = key.endsWith("num_batches_tracked");
            String dtype = counter ? "I64" : "F32";
            if (!e.dtype().equals(dtype)) {
                throw new IllegalArgumentException(weights + ": tensor " + key + " has dtype " + e.dtype() + ", expected " + dtype
                        + ". Export the weights as float32 (num_batches_tracked as int64).");
            }
            long[] found = e.shape();
            if (!sameShape(found, shape)) {
                throw new IllegalArgumentException(weights + ": tensor " + key + " has shape " + java.util.Arrays.toString(found)
                        + ", expected " + java.util.Arrays.toString(shape) + " for " + arch.label() + ". The file does not hold this "
                        + "architecture's weights (transposed or reshaped tensors are not accepted).");
            }
            state.put(key, counter ? e.longs() : e.floats());
        }
        String bad = firstNonFinite(state);
        if (bad != null) {
            throw new IllegalArgumentException(weights + ": tensor " + bad + " holds NaN or Inf values, so the model's outputs would be "
                    + "meaningless (was it saved from a diverged run?). Use an earlier checkpoint.");
        }
        return state;
    }

    private static boolean sameShape(long[] found, int[] want) {
        if (found.length != want.length) return false;
        for (int i = 0; i < want.length; i++) if (found[i] != want[i]) return false;
        return true;
    }

    /**
     * A state_dict key as AugMix4J names it: without DataParallel's {@code module.} prefix, and with the
     * WRN shortcut as {@code convShortcut} (the name of the shared PyTorch fixture and of the
     * third-party WideResNet the official code started from). The released official wideresnet.py
     * (google-research/augmix, commit ee107ae) names it {@code conv_shortcut}; both load.
     */
    public static String canonicalKey(String key) {
        String k = key.startsWith("module.") ? key.substring("module.".length()) : key;
        return k.startsWith("block") && k.contains(".conv_shortcut.") ? k.replace(".conv_shortcut.", ".convShortcut.") : k;
    }

    /** Reads a weights file into a state dict, tolerating PyTorch's {@code module.} prefix and either WRN shortcut name. */
    public static Map<String, Object> readState(Path weights) throws IOException {
        Map<String, Object> state = new LinkedHashMap<>();
        Safetensors.read(weights).tensors().forEach((k, e) -> {
            String key = canonicalKey(k);
            state.put(key, e.dtype().equals("F32") ? e.floats() : e.longs());
        });
        return state;
    }

    /** Loads weights into {@code net}. */
    public static void loadWeights(Path weights, Network net) throws IOException {
        net.loadStateDict(readState(weights, net.arch()));
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
