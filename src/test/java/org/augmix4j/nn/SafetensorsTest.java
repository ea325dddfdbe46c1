package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Safetensors reading of damaged or hostile files (each case once produced an internal exception:
 * ClassCast, IllegalState, NumberFormat, NullPointer or "Required array size too large") and
 * byte-for-byte deterministic writing. Every error must name the file and, where there is one, the tensor.
 */
class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file with the given JSON header and {@code dataBytes} zero bytes of data. */
    private Path file(String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve("w.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private String error(String header, int dataBytes) throws IOException {
        Path f = file(header, dataBytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        return e.getMessage();
    }

    @Test
    void headerThatIsNotAJsonObjectIsASentence() throws IOException {
        assertTrue(error("[1, 2]", 0).contains("header is an array, not a JSON object"));
        assertTrue(error("\"weights\"", 0).contains("not a JSON object"));
        assertTrue(error("{\"a\": ", 0).contains("not valid JSON"));
    }

    @Test
    void missingOrWrongFieldsNameTheTensor() throws IOException {
        assertTrue(error("{\"fc.bias\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4).contains("tensor 'fc.bias' has no dtype"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": 7, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4)
                .contains("tensor 'fc.bias' has dtype the number 7, not a string"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [\"ten\"], \"data_offsets\": [0, 4]}}", 4)
                .contains("tensor 'fc.bias' field shape entry 0 is the string \"ten\", not a non-negative integer"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [1.5], \"data_offsets\": [0, 4]}}", 4)
                .contains("not a non-negative integer"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4).contains("field data_offsets is missing"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", 4)
                .contains("has 1 entries, expected 2"));
        assertTrue(error("{\"fc.bias\": [1]}", 4).contains("tensor 'fc.bias' is described by an array, not an object"));
        assertTrue(error("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4], \"data_offsets\": [0, 4]}}", 4)
                .contains("implausible shape"));
    }

    @Test
    void metadataThatIsNotStringsIsASentence() throws IOException {
        assertTrue(error("{\"__metadata__\": {\"steps\": 12}}", 0).contains("__metadata__ entry 'steps' is the number 12, not a string"));
        assertTrue(error("{\"__metadata__\": [\"steps\"]}", 0).contains("__metadata__ is an array"));
    }

    /** Makes {@code f} {@code extra} bytes longer without writing them (a sparse file: no disk space used). */
    private static void grow(Path f, long extra) throws IOException {
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(r.length() + extra);
        }
    }

    @Test
    void hugeTensorIsRefusedBeforeAllocating() throws IOException {
        // a sparse 8.6 GB file whose header is consistent: one F32 tensor of 2^31 + 8 values (more than a Java array holds)
        long values = (1L << 31) + 8, bytes = values * 4;
        Path f = file("{\"fc.weight\": {\"dtype\": \"F32\", \"shape\": [" + values + "], \"data_offsets\": [0, " + bytes + "]}}", 0);
        grow(f, bytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains(f + ": tensor 'fc.weight' has " + values + " values"), e.getMessage());
        assertTrue(e.getMessage().contains("more than one Java array holds"), e.getMessage());
    }

    @Test
    void aThreeGigabyteFileIsNotReadIntoOneArray() throws IOException {
        // used to fail with "Required array size too large": the whole file was read into one byte[]
        Path f = file("{\"fc.bias\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4);
        grow(f, 3L << 30);
        assertArrayEquals(new float[] {0f}, Safetensors.read(f).tensors().get("fc.bias").floats());
    }

    @Test
    void tensorLargerThanTheFileIsTruncation() throws IOException {
        String m = error("{\"fc.weight\": {\"dtype\": \"F32\", \"shape\": [1000000000], \"data_offsets\": [0, 4000000000]}}", 16);
        assertTrue(m.contains("tensor 'fc.weight'") && m.contains("truncated"), m);
    }

    @Test
    void int64WhereFloatExpectedAndEmptyNumBatchesTrackedAreSentences() throws IOException {
        WideResNet net = new WideResNet(new WideResNet.Config(10, 1, 10), 1);
        Map<String, Object> state = new LinkedHashMap<>(net.stateDict());
        state.put("fc.bias", new long[10]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state));
        assertTrue(e.getMessage().contains("fc.bias holds integers, but it is a float32 tensor"), e.getMessage());

        Map<String, Object> empty = new LinkedHashMap<>(net.stateDict());
        empty.put("bn1.num_batches_tracked", new long[0]);
        e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(empty));
        assertTrue(e.getMessage().contains("bn1.num_batches_tracked must be one int64 value (shape []), but it holds 0 integers"),
                e.getMessage());

        // the same through a file: an empty I64 tensor reads fine, loading it is the sentence above
        Path f = file("{\"bn1.num_batches_tracked\": {\"dtype\": \"I64\", \"shape\": [0], \"data_offsets\": [0, 0]}}", 0);
        assertEquals(0, Safetensors.read(f).tensors().get("bn1.num_batches_tracked").longs().length);
    }

    @Test
    void sameContentsGiveTheSameBytesWhateverTheMapOrder() throws IOException {
        Map<String, String> m1 = new LinkedHashMap<>(), m2 = new LinkedHashMap<>();
        m1.put("format", "pt");
        m1.put("producer", "augmix4j");
        m1.put("steps", "391");
        m2.put("steps", "391");
        m2.put("producer", "augmix4j");
        m2.put("format", "pt");
        Map<String, Safetensors.Entry> t1 = new LinkedHashMap<>();
        t1.put("fc.weight", Safetensors.Entry.f32(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        t1.put("bn1.num_batches_tracked", Safetensors.Entry.i64(new long[] {7}));
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        Safetensors.write(a, t1, m1);
        Safetensors.write(b, new LinkedHashMap<>(t1), m2);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        // an unordered map (HashMap, Map.of) is written sorted by name, so its iteration order cannot leak in
        Map<String, Safetensors.Entry> h = new HashMap<>(t1);
        Path c = dir.resolve("c.safetensors"), d = dir.resolve("d.safetensors");
        Safetensors.write(c, h, Map.of("steps", "391", "format", "pt", "producer", "augmix4j"));
        Safetensors.write(d, new java.util.TreeMap<>(t1), m2);
        assertArrayEquals(Files.readAllBytes(c), Files.readAllBytes(d));
        Safetensors.Contents back = Safetensors.read(a);
        assertEquals(Map.of("format", "pt", "producer", "augmix4j", "steps", "391"), back.metadata());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, back.tensors().get("fc.weight").floats());
        assertArrayEquals(new long[] {7}, back.tensors().get("bn1.num_batches_tracked").longs());
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTempFile() throws IOException {
        Path f = dir.resolve("w.safetensors");
        Map<String, Safetensors.Entry> t = Map.of("x", Safetensors.Entry.f32(new float[] {1}, 1));
        Safetensors.write(f, t, null);
        byte[] before = Files.readAllBytes(f);
        // a tensor whose values do not match its dtype fails half-way through the data
        Map<String, Safetensors.Entry> broken = new LinkedHashMap<>();
        broken.put("x", Safetensors.Entry.f32(new float[] {2}, 1));
        broken.put("y", new Safetensors.Entry("F32", new long[] {1}, "not an array"));
        assertThrows(RuntimeException.class, () -> Safetensors.write(f, broken, null));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }
}
