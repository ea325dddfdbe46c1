package org.augmix4j.nn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.augmix4j.data.AtomicFile;

/**
 * Reader and writer for the safetensors format (the format PyTorch users exchange weights in):
 * an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}} with an
 * optional "__metadata__" string map, then the raw little-endian tensor bytes.
 *
 * <p>Supported dtypes: F32 (float[]), F64 (read as float[] is refused), I64 and I32 (long[]). Writes
 * are atomic ({@link AtomicFile}: a temp file in the same directory, fsync, then rename), so a crash
 * never leaves a half-written checkpoint under the final name, and deterministic (same contents,
 * same bytes). Reading checks the whole header against the file before allocating anything; every
 * problem is an IOException naming the file, the tensor and the fix.
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

    /** A Java array holds at most this many elements (the usual VM limit, a little under 2^31). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** One tensor's header entry, checked against the file before anything is allocated. */
    private record Spec(String name, String dtype, long[] shape, long numel, long begin, long end) {}

    /**
     * Reads a safetensors file, validating the whole header against the file size (and every
     * tensor against the largest Java array) before any tensor data is read. Every problem is an
     * IOException whose message names the file, the tensor where there is one, and the fix.
     */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file, ch);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file; check the --checkpoint path", e);
        } catch (AccessDeniedException e) {
            throw new IOException(file + ": permission denied; check the file's permissions", e);
        } catch (EOFException e) {
            throw new IOException(file + ": " + e.getMessage() + "; read it again once it is complete", e);
        }
    }

    private static Contents read(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw bad(file, "file is " + size + " bytes, shorter than the 8-byte header length");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long hlen = lenBuf.getLong(0);
        if (hlen <= 0 || hlen > MAX_HEADER || 8 + hlen > size) {
            throw bad(file, "header length " + hlen + " does not fit a file of " + size + " bytes (truncated or not safetensors)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) hlen);
        readFully(ch, hb, 8);
        JsonObject header = SafetensorsHeader.parse(file, new String(hb.array(), StandardCharsets.UTF_8));
        long dataStart = 8 + hlen, dataLen = size - dataStart;
        List<Spec> specs = new ArrayList<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals("__metadata__")) meta.putAll(SafetensorsHeader.metadata(file, e.getValue()));
            else specs.add(spec(file, e.getKey(), e.getValue(), dataLen));
        }
        Map<String, Entry> tensors = new LinkedHashMap<>();
        for (Spec s : specs) {
            try {
                tensors.put(s.name(), new Entry(s.dtype().startsWith("F") ? "F32" : "I64", s.shape(), values(ch, dataStart, s)));
            } catch (OutOfMemoryError oom) {
                throw new IOException(file + ": tensor '" + s.name() + "' (" + s.numel() + " values) does not fit in the Java heap;"
                        + " raise the heap limit (e.g. -Xmx8g in JAVA_OPTS)");
            }
        }
        return new Contents(tensors, meta);
    }

    /** Checks one header entry: dtype, shape, offsets within the data, size within a Java array. */
    private static Spec spec(Path file, String name, JsonElement value, long dataLen) throws IOException {
        JsonObject o = SafetensorsHeader.object(file, name, value);
        String dtype = SafetensorsHeader.dtype(file, name, o);
        int width = switch (dtype) {
            case "F32", "I32" -> 4;
            case "I64", "F64" -> 8;
            default -> throw bad(file, "tensor '" + name + "' has dtype " + dtype + "; supported: F32, F64, I32, I64");
        };
        long[] shape = SafetensorsHeader.longs(file, name, o, "shape", -1);
        long[] off = SafetensorsHeader.longs(file, name, o, "data_offsets", 2);
        long numel = 1, bytes;
        try {
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            bytes = Math.multiplyExact(numel, width);
        } catch (ArithmeticException ex) {
            throw bad(file, "tensor '" + name + "' has an implausible shape " + Arrays.toString(shape) + " (its size overflows)");
        }
        long b = off[0], en = off[1];
        if (en < b || en > dataLen || en - b != bytes) {
            throw bad(file, "tensor '" + name + "' has data_offsets [" + b + ", " + en + "] that do not match its shape "
                    + Arrays.toString(shape) + " x " + width + " bytes within " + dataLen + " data bytes (truncated?)");
        }
        if (numel > MAX_ARRAY) {
            throw new IOException(file + ": tensor '" + name + "' has " + numel + " values (shape " + Arrays.toString(shape) + ", "
                    + bytes + " bytes), more than one Java array holds (" + MAX_ARRAY + "); AugMix4J cannot load it."
                    + " Check that this is a WideResNet checkpoint (its largest tensor has a few million values)");
        }
        return new Spec(name, dtype, shape, numel, b, en);
    }

    /** Reads one tensor's values in chunks (F64 narrowed to float, I32 widened to long). */
    private static Object values(FileChannel ch, long dataStart, Spec s) throws IOException {
        int n = (int) s.numel();
        boolean wide = s.dtype().equals("F64") || s.dtype().equals("I64");
        int width = wide ? 8 : 4;
        float[] f = s.dtype().startsWith("F") ? new float[n] : null;
        long[] l = f == null ? new long[n] : null;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < n) {
            int k = Math.min(n - done, buf.capacity() / width);
            buf.clear().limit(k * width);
            readFully(ch, buf, dataStart + s.begin() + (long) done * width);
            buf.flip();
            for (int i = 0; i < k; i++, done++) {
                switch (s.dtype()) {
                    case "F32" -> f[done] = buf.getFloat();
                    case "F64" -> f[done] = (float) buf.getDouble();
                    case "I64" -> l[done] = buf.getLong();
                    default -> l[done] = buf.getInt();
                }
            }
        }
        return f != null ? f : l;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new EOFException("the file ended early (was it truncated while being read?)");
            pos += r;
        }
    }

    /**
     * Writes tensors and metadata atomically (temp file beside the target, fsync, rename; see
     * {@link AtomicFile}). The bytes depend only on the contents, never on the JVM run: metadata keys
     * are written sorted, and tensors in the map's order when it has a defined one (a LinkedHashMap
     * or a SortedMap), otherwise sorted by name (the order of Map.of or a HashMap may vary).
     */
    public static void write(Path file, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            new TreeMap<>(metadata).forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        Map<String, Entry> ordered = tensors instanceof LinkedHashMap || tensors instanceof SortedMap ? tensors : new TreeMap<>(tensors);
        long offset = 0;
        for (Map.Entry<String, Entry> e : ordered.entrySet()) {
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
        try (AtomicFile f = AtomicFile.create(file);
             OutputStream out = new BufferedOutputStream(f.stream(), 1 << 20)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(hbytes.length);
            out.write(len.array());
            out.write(hbytes);
            for (Entry t : ordered.values()) writeValues(out, t);
            out.flush();
            f.commit();
        } catch (UncheckedIOException e) {
            throw e.getCause();
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

    static IOException bad(Path file, String what) {
        return new IOException(file + ": not a valid safetensors file: " + what
                + ". Re-export it (PyTorch: safetensors.torch.save_file) or check the path.");
    }
}
