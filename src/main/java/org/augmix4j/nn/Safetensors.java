package org.augmix4j.nn;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reader and writer for the safetensors format (the format PyTorch users exchange weights in):
 * an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} with an
 * optional "__metadata__" string map, then the raw little-endian tensor bytes.
 *
 * <p>Supported dtypes: F32 (float[]), F64 (read as float[] is refused), I64 and I32 (long[]). Writes
 * are atomic: a temp file in the same directory, fsync, then rename, so a crash never leaves a
 * half-written checkpoint under the final name.
 */
public final class Safetensors {
    /** One tensor: its dtype name, shape, and the values (float[] for F32, long[] for I64/I32). */
    public record Entry(String dtype, long[] shape, Object values) {
        public float[] floats() {
            if (!(values instanceof float[] f)) throw new IllegalStateException("tensor is " + dtype + ", not F32");
            return f;
        }

        public long[] longs() {
            if (!(values instanceof long[] l)) throw new IllegalStateException("tensor is " + dtype + ", not an integer type");
            return l;
        }

        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        public static Entry f32(float[] v, long... shape) { return new Entry("F32", shape, v); }

        public static Entry i64(long[] v, long... shape) { return new Entry("I64", shape, v); }
    }

    /** A whole file: tensors in header order plus the string metadata. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {}

    /** Reads a safetensors file, validating the header against the file size. */
    public static Contents read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException(file + ": no such file; check the --checkpoint path");
        }
        if (all.length < 8) throw bad(file, "file is " + all.length + " bytes, shorter than the 8-byte header length");
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = bb.getLong(0);
        if (hlen <= 0 || hlen > MAX_HEADER || 8 + hlen > all.length) {
            throw bad(file, "header length " + hlen + " does not fit a file of " + all.length + " bytes (truncated or not safetensors)");
        }
        String json = new String(all, 8, (int) hlen, StandardCharsets.UTF_8);
        JsonObject header;
        try {
            header = new Gson().fromJson(json, JsonObject.class);
        } catch (JsonParseException e) {
            throw bad(file, "header is not valid JSON (" + e.getMessage() + ")");
        }
        if (header == null) throw bad(file, "empty header");
        long dataStart = 8 + hlen, dataLen = all.length - dataStart;
        Map<String, Entry> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            String name = e.getKey();
            JsonObject o = e.getValue().getAsJsonObject();
            if (name.equals("__metadata__")) {
                for (Map.Entry<String, JsonElement> m : o.entrySet()) meta.put(m.getKey(), m.getValue().getAsString());
                continue;
            }
            String dtype = o.get("dtype").getAsString();
            JsonArray sh = o.getAsJsonArray("shape");
            long[] shape = new long[sh.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = sh.get(i).getAsLong();
                numel *= shape[i];
            }
            JsonArray off = o.getAsJsonArray("data_offsets");
            long b = off.get(0).getAsLong(), en = off.get(1).getAsLong();
            int width = switch (dtype) {
                case "F32", "I32" -> 4;
                case "I64", "F64" -> 8;
                default -> throw bad(file, "tensor '" + name + "' has dtype " + dtype + "; supported: F32, F64, I32, I64");
            };
            if (b < 0 || en < b || en > dataLen || en - b != numel * width) {
                throw bad(file, "tensor '" + name + "' has data_offsets [" + b + ", " + en + "] that do not match its shape "
                        + java.util.Arrays.toString(shape) + " x " + width + " bytes within " + dataLen + " data bytes (truncated?)");
            }
            ByteBuffer src = ByteBuffer.wrap(all, (int) (dataStart + b), (int) (en - b)).slice().order(ByteOrder.LITTLE_ENDIAN);
            Object values;
            switch (dtype) {
                case "F32" -> {
                    float[] f = new float[(int) numel];
                    src.asFloatBuffer().get(f);
                    values = f;
                }
                case "F64" -> {
                    double[] d = new double[(int) numel];
                    src.asDoubleBuffer().get(d);
                    float[] f = new float[d.length];
                    for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
                    values = f;
                    dtype = "F32";
                }
                case "I64" -> {
                    long[] l = new long[(int) numel];
                    src.asLongBuffer().get(l);
                    values = l;
                }
                default -> {
                    int[] i32 = new int[(int) numel];
                    src.asIntBuffer().get(i32);
                    long[] l = new long[i32.length];
                    for (int i = 0; i < l.length; i++) l[i] = i32[i];
                    values = l;
                    dtype = "I64";
                }
            }
            tensors.put(name, new Entry(dtype, shape, values));
        }
        return new Contents(tensors, meta);
    }

    /** Writes tensors (in map order) and metadata atomically: temp file, fsync, rename. */
    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            Entry t = e.getValue();
            int width = t.dtype().equals("F32") ? 4 : 8;
            long bytes = t.numel() * width;
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype());
            JsonArray sh = new JsonArray();
            for (long d : t.shape()) sh.add(d);
            o.add("shape", sh);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + bytes);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
            offset += bytes;
        }
        byte[] hjson = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - hjson.length % 8) % 8; // keep tensor data 8-byte aligned, as the reference writer does
        byte[] hbytes = new byte[hjson.length + pad];
        System.arraycopy(hjson, 0, hbytes, 0, hjson.length);
        for (int i = hjson.length; i < hbytes.length; i++) hbytes[i] = ' ';
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 20)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hbytes.length);
                out.write(len.array());
                out.write(hbytes);
                for (Entry t : tensors.values()) writeValues(out, t);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeValues(OutputStream out, Entry t) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        if (t.values() instanceof float[] f) {
            for (float v : f) {
                if (buf.remaining() < 4) flush(out, buf);
                buf.putFloat(v);
            }
        } else {
            for (long v : (long[]) t.values()) {
                if (buf.remaining() < 8) flush(out, buf);
                buf.putLong(v);
            }
        }
        flush(out, buf);
    }

    private static void flush(OutputStream out, ByteBuffer buf) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }

    private static IOException bad(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what
                + ". Re-export it (PyTorch: safetensors.torch.save_file) or check the path.");
    }
}
