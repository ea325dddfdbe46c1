package org.augmix4j.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.augmix4j.tensor.ImageBatch;

/**
 * NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0): a validated header reader, readers
 * for uint8 image arrays {@code (N, H, W, C)} (whole or a range of rows) and for 1-D integer label
 * arrays, and atomic writers for both (uint8 images; labels as {@code <i8}, as CIFAR-C ships them).
 *
 * <p>Layout: the 6 magic bytes {@code \x93NUMPY}, major and minor version bytes, the header length
 * (uint16 LE in v1, uint32 LE in v2/v3), then an ASCII (v3: UTF-8) Python dict literal such as
 * {@code {'descr': '|u1', 'fortran_order': False, 'shape': (50000, 32, 32, 3), }} padded with
 * spaces and a newline, then the raw C-order data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final String FIX_DTYPE = "Re-save it with numpy, e.g. np.save(path, np.ascontiguousarray(a, dtype=np.uint8))";

    private Npy() {}

    /** A parsed, size-checked header. {@code descr} is NumPy's type string, e.g. {@code |u1} or {@code <i8}. */
    public record Header(Path file, int majorVersion, String descr, boolean fortranOrder, long[] shape, long dataOffset) {
        /** Number of elements (product of the shape; 1 for a scalar). */
        public long elements() {
            long n = 1;
            for (long d : shape) n = Math.multiplyExact(n, d);
            return n;
        }

        /** Bytes per element, from the descr. */
        public int itemSize() { return Integer.parseInt(descr.substring(2)); }

        /** 'u', 'i', 'f', 'b'... the NumPy kind character. */
        public char kind() { return descr.charAt(1); }

        /** The shape as NumPy prints it, e.g. (50000, 32, 32, 3). */
        public String shapeString() { return shapeLiteral(shape); }
    }

    // ---------------------------------------------------------------- reading

    /** Reads and validates {@code file}'s header, including that the file size matches it. */
    public static Header readHeader(Path file) {
        try (FileChannel ch = openRead(file)) {
            return readHeader(file, ch);
        } catch (IOException e) {
            throw DataException.ioFailure(file, e);
        }
    }

    /**
     * Reads a uint8 array of shape (N, H, W, C) as an {@link ImageBatch}. {@code expectHwc} (may be
     * null) pins H, W, C, e.g. {32, 32, 3}.
     */
    public static ImageBatch readImages(Path file, int[] expectHwc) {
        Header h = readHeader(file);
        checkImages(h, expectHwc);
        return readImageRows(h, 0, (int) h.shape()[0]);
    }

    /** Rows {@code [from, from + count)} of a uint8 (N, H, W, C) array; reads only those bytes. */
    public static ImageBatch readImages(Path file, int[] expectHwc, int from, int count) {
        Header h = readHeader(file);
        checkImages(h, expectHwc);
        return readImageRows(h, from, count);
    }

    /** Validates that {@code h} describes uint8 images (N, H, W, C) (with H, W, C = expectHwc if given). */
    public static void checkImages(Header h, int[] expectHwc) {
        if (!isUint8(h.descr())) {
            throw DataException.badFile(h.file(), "dtype is '" + h.descr() + "', expected uint8 ('|u1') images", FIX_DTYPE);
        }
        String want = expectHwc == null ? "(N, H, W, C)" : "(N, " + expectHwc[0] + ", " + expectHwc[1] + ", " + expectHwc[2] + ")";
        boolean ok = h.shape().length == 4 && h.shape()[0] <= Integer.MAX_VALUE / Math.max(1, rowBytes(h));
        if (ok && expectHwc != null) {
            for (int k = 0; k < 3; k++) ok &= h.shape()[k + 1] == expectHwc[k];
        }
        if (!ok) {
            throw DataException.badFile(h.file(), "shape is " + h.shapeString() + ", expected " + want
                    + " uint8 images in NHWC order", "Check that this is an image file (not labels), saved as N x height x width x channels");
        }
    }

    private static long rowBytes(Header h) {
        long b = 1;
        for (int k = 1; k < h.shape().length; k++) b *= h.shape()[k];
        return b;
    }

    /** Reads rows of a header already validated by {@link #checkImages}. */
    static ImageBatch readImageRows(Header h, int from, int count) {
        long n = h.shape()[0];
        if (from < 0 || count < 0 || from + (long) count > n) {
            throw new IndexOutOfBoundsException(h.file() + ": rows [" + from + ", " + (from + (long) count) + ") of " + n);
        }
        int hh = (int) h.shape()[1], ww = (int) h.shape()[2], cc = (int) h.shape()[3];
        int row = hh * ww * cc;
        byte[] px = new byte[count * row];
        readFully(h.file(), h.dataOffset() + (long) from * row, px);
        return new ImageBatch(px, count, hh, ww, cc);
    }

    /** Reads a 1-D integer array (any of i1/u1/i2/u2/i4/u4/i8/u8, either byte order) as ints. */
    public static int[] readLabels(Path file) {
        Header h = readHeader(file);
        char kind = h.kind();
        int size = h.itemSize();
        if ((kind != 'i' && kind != 'u') || (size != 1 && size != 2 && size != 4 && size != 8)) {
            throw DataException.badFile(file, "dtype is '" + h.descr() + "', expected integer labels ('<i8', '<i4' or '|u1')",
                    "Re-save the labels with np.save(path, labels.astype(np.int64))");
        }
        if (h.shape().length != 1) {
            throw DataException.badFile(file, "shape is " + h.shapeString() + ", expected a 1-D label array (N,)",
                    "Check that this is the labels file, not an image file");
        }
        long n = h.shape()[0];
        if (n * size > Integer.MAX_VALUE) throw DataException.badFile(file, "too many labels: " + n);
        byte[] raw = new byte[(int) (n * size)];
        readFully(file, h.dataOffset(), raw);
        long[] v = decodeInts(raw, 0, (int) n, h.descr());
        int[] out = new int[(int) n];
        for (int i = 0; i < n; i++) {
            if (v[i] < 0 || v[i] > Integer.MAX_VALUE) {
                throw DataException.badFile(file, "label " + i + " is " + (kind == 'u' ? Long.toUnsignedString(v[i]) : v[i])
                        + ", expected a class index in 0.." + Integer.MAX_VALUE);
            }
            out[i] = (int) v[i];
        }
        return out;
    }

    /**
     * {@code count} integers of NumPy type {@code descr} ({@code [<>|][iu][1248]}) from {@code buf} at
     * {@code off}; uint64 values above Long.MAX_VALUE come out negative.
     */
    static long[] decodeInts(byte[] buf, int off, int count, String descr) {
        int size = descr.charAt(2) - '0';
        boolean unsigned = descr.charAt(1) == 'u';
        ByteBuffer b = ByteBuffer.wrap(buf, off, count * size).order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = switch (size) {
                case 1 -> unsigned ? b.get() & 0xFF : b.get();
                case 2 -> unsigned ? b.getShort() & 0xFFFF : b.getShort();
                case 4 -> unsigned ? b.getInt() & 0xFFFFFFFFL : b.getInt();
                default -> b.getLong();
            };
        }
        return out;
    }

    static Header readHeader(Path file, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        ByteBuffer pre = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        int got = readAt(ch, pre, 0);
        if (got < 10 || !Arrays.equals(Arrays.copyOf(pre.array(), 6), MAGIC)) {
            throw DataException.badFile(file, "not a NumPy .npy file: it starts with " + hex(pre.array(), Math.min(got, 8))
                    + ", expected 93 4E 55 4D 50 59 ('\\x93NUMPY')" + (got < 10 ? " (the file has only " + fileSize + " bytes)" : ""),
                    "Check the path, or download the file again (see " + DataException.README + ")");
        }
        int major = pre.get(6) & 0xFF;
        long headerLen;
        int lenBytes;
        if (major == 1) {
            headerLen = pre.getShort(8) & 0xFFFF;
            lenBytes = 2;
        } else if (major == 2 || major == 3) {
            if (got < 12) throw DataException.badFile(file, "truncated .npy header: the file has only " + fileSize + " bytes");
            headerLen = pre.getInt(8) & 0xFFFFFFFFL;
            lenBytes = 4;
        } else {
            throw DataException.badFile(file, "unsupported .npy format version " + major + "." + (pre.get(7) & 0xFF)
                    + " (this reader knows 1.0, 2.0 and 3.0)", "Re-save it with a current NumPy's np.save");
        }
        long dataOffset = 8 + lenBytes + headerLen;
        if (dataOffset > fileSize) {
            throw DataException.badFile(file, "truncated .npy header: it declares " + headerLen + " header bytes but the file has only "
                    + fileSize + " bytes");
        }
        if (headerLen > 1 << 20) throw DataException.badFile(file, "implausible .npy header length " + headerLen);
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readAt(ch, hb, 8 + lenBytes);
        String text = new String(hb.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict;
        try {
            Object v = new Literal(text).parseTop();
            if (!(v instanceof Map<?, ?> m)) throw new IllegalArgumentException("the header is not a dict");
            @SuppressWarnings("unchecked") Map<String, Object> mm = (Map<String, Object>) m;
            dict = mm;
        } catch (IllegalArgumentException e) {
            throw DataException.badFile(file, "unreadable .npy header (" + e.getMessage() + "): " + abbreviate(text));
        }
        Object descr = dict.get("descr"), fortran = dict.get("fortran_order"), shape = dict.get("shape");
        if (!(descr instanceof String d) || !(fortran instanceof Boolean f) || !(shape instanceof long[] s)) {
            throw DataException.badFile(file, "the .npy header lacks 'descr' (a string), 'fortran_order' (a bool) or 'shape' (a tuple): "
                    + abbreviate(text), FIX_DTYPE);
        }
        if (!d.matches("[<>|=][a-zA-Z][0-9]{1,2}")) {
            throw DataException.badFile(file, "unsupported dtype '" + d + "' (structured or object arrays are not supported)", FIX_DTYPE);
        }
        if (d.charAt(0) == '=') d = "<" + d.substring(1); // '=' is native order; NumPy never writes it, x86/ARM are little-endian
        if (f) {
            throw DataException.badFile(file, "the array is stored in Fortran order; this reader needs C order",
                    "Re-save it with np.save(path, np.ascontiguousarray(a))");
        }
        Header h = new Header(file, major, d, false, s, dataOffset);
        long expected;
        try {
            expected = Math.multiplyExact(h.elements(), h.itemSize());
        } catch (ArithmeticException e) {
            throw DataException.badFile(file, "implausible shape " + h.shapeString() + " in the .npy header");
        }
        long found = fileSize - dataOffset;
        if (found != expected) {
            throw DataException.badFile(file, (found < expected ? "truncated" : "too long") + ": shape " + h.shapeString() + " of '" + d
                    + "' needs " + expected + " data bytes after the " + dataOffset + "-byte header (file size " + (dataOffset + expected)
                    + "), but the file has " + found + " (file size " + fileSize + ")");
        }
        return h;
    }

    static boolean isUint8(String descr) { return descr.endsWith("u1"); }

    // ---------------------------------------------------------------- writing

    /** Writes uint8 images as a (N, H, W, C) {@code |u1} array, atomically. */
    public static void writeImages(Path file, ImageBatch images) {
        try (ImageWriter w = openImageWriter(file, images.count(), images.height(), images.width(), images.channels())) {
            w.write(images);
            w.commit();
        }
    }

    /** Writes labels as a 1-D {@code <i8} array, atomically. */
    public static void writeLabels(Path file, int[] labels) {
        ByteBuffer data = ByteBuffer.allocate(labels.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int y : labels) data.putLong(y);
        data.flip();
        try (AtomicFile f = AtomicFile.create(file)) {
            f.write(header("<i8", new long[] {labels.length}));
            f.write(data);
            f.commit();
        }
    }

    /**
     * Opens an atomic writer for an (n, h, w, c) uint8 array that takes its rows in pieces, e.g. one
     * corruption severity at a time; the file appears only when {@link ImageWriter#commit()} is called
     * after exactly n rows.
     */
    public static ImageWriter openImageWriter(Path file, int n, int h, int w, int c) {
        AtomicFile f = AtomicFile.create(file);
        f.write(header("|u1", new long[] {n, h, w, c}));
        return new ImageWriter(f, file, n, h, w, c);
    }

    /** Streaming writer of a uint8 (N, H, W, C) .npy file. */
    public static final class ImageWriter implements AutoCloseable {
        private final AtomicFile out;
        private final Path file;
        private final int n, h, w, c;
        private int written;

        private ImageWriter(AtomicFile out, Path file, int n, int h, int w, int c) {
            this.out = out;
            this.file = file;
            this.n = n;
            this.h = h;
            this.w = w;
            this.c = c;
        }

        /** Appends a batch of rows; its H, W, C must match. */
        public void write(ImageBatch rows) {
            if (rows.height() != h || rows.width() != w || rows.channels() != c) {
                throw new IllegalArgumentException(file + ": rows of " + rows.height() + "x" + rows.width() + "x" + rows.channels()
                        + " written to a file of " + h + "x" + w + "x" + c);
            }
            if (written + (long) rows.count() > n) {
                throw new IllegalStateException(file + ": " + (written + rows.count()) + " rows written to a file declared with " + n);
            }
            out.write(rows.pixels());
            written += rows.count();
        }

        /** Rows written so far. */
        public int written() { return written; }

        /** Checks that all rows were written, then makes the file appear. */
        public void commit() {
            if (written != n) throw new IllegalStateException(file + ": only " + written + " of " + n + " rows written");
            out.commit();
        }

        @Override
        public void close() { out.close(); }
    }

    /** A version 1.0 header for a C-order array, padded so the data starts at a multiple of 64. */
    static ByteBuffer header(String descr, long[] shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeLiteral(shape) + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String text = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
        b.put(text.getBytes(StandardCharsets.ISO_8859_1));
        return b.flip();
    }

    static String shapeLiteral(long[] shape) {
        if (shape.length == 1) return "(" + shape[0] + ",)";
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    // ---------------------------------------------------------------- helpers

    static FileChannel openRead(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw DataException.ioFailure(file, e);
        }
    }

    /** Reads {@code out.length} bytes at {@code offset} (the caller has checked the size). */
    static void readFully(Path file, long offset, byte[] out) {
        try (FileChannel ch = openRead(file)) {
            ByteBuffer b = ByteBuffer.wrap(out);
            if (readAt(ch, b, offset) != out.length) {
                throw DataException.badFile(file, "ended early: expected " + out.length + " bytes at offset " + offset
                        + ", file size " + ch.size() + " (was it truncated while being read?)");
            }
        } catch (IOException e) {
            throw DataException.ioFailure(file, e);
        }
    }

    private static int readAt(FileChannel ch, ByteBuffer b, long offset) throws IOException {
        int total = 0;
        while (b.hasRemaining()) {
            int r = ch.read(b, offset + total);
            if (r < 0) break;
            total += r;
        }
        return total;
    }

    static String hex(byte[] b, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) s.append(i == 0 ? "" : " ").append(String.format("%02X", b[i] & 0xFF));
        return n == 0 ? "(nothing: the file is empty)" : s.toString();
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    /**
     * The subset of Python literals a .npy header uses: a dict of str keys to str, bool, None, int
     * and tuples of ints (old NumPy on Python 2 wrote ints as {@code 50000L}). Tuples become long[].
     */
    private static final class Literal {
        private final String s;
        private int i;

        Literal(String s) { this.s = s; }

        Object parseTop() {
            Object v = value();
            skip();
            if (i != s.length()) throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at character " + i);
            return v;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        }

        private boolean eat(char c) {
            skip();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!eat(c)) throw new IllegalArgumentException("expected '" + c + "' at character " + i);
        }

        private Object value() {
            skip();
            if (i >= s.length()) throw new IllegalArgumentException("ends early");
            char c = s.charAt(i);
            if (c == '{') return dict();
            if (c == '(') return tuple();
            if (c == '\'' || c == '"') return string();
            if (c == '-' || Character.isDigit(c)) return integer();
            for (String word : new String[] {"True", "False", "None"}) {
                if (s.startsWith(word, i)) {
                    i += word.length();
                    return word.equals("None") ? null : Boolean.valueOf(word.equals("True"));
                }
            }
            throw new IllegalArgumentException("unexpected '" + c + "' at character " + i);
        }

        private Map<String, Object> dict() {
            expect('{');
            Map<String, Object> m = new LinkedHashMap<>();
            while (!eat('}')) {
                skip();
                Object k = value();
                if (!(k instanceof String key)) throw new IllegalArgumentException("dict key is not a string at character " + i);
                expect(':');
                m.put(key, value());
                if (!eat(',')) {
                    expect('}');
                    break;
                }
            }
            return m;
        }

        private long[] tuple() {
            expect('(');
            long[] out = new long[8];
            int n = 0;
            while (!eat(')')) {
                Object v = value();
                if (!(v instanceof Long d)) throw new IllegalArgumentException("shape entry is not an integer at character " + i);
                if (d < 0) throw new IllegalArgumentException("negative dimension " + d);
                if (n == out.length) out = Arrays.copyOf(out, n * 2);
                out[n++] = d;
                if (!eat(',')) {
                    expect(')');
                    break;
                }
            }
            return Arrays.copyOf(out, n);
        }

        private String string() {
            char q = s.charAt(i++);
            int end = s.indexOf(q, i);
            if (end < 0) throw new IllegalArgumentException("unterminated string");
            String v = s.substring(i, end);
            i = end + 1;
            return v;
        }

        private Long integer() {
            int start = i;
            if (s.charAt(i) == '-') i++;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            String digits = s.substring(start, i);
            if (i < s.length() && (s.charAt(i) == 'L' || s.charAt(i) == 'l')) i++;
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad integer '" + digits + "'");
            }
        }
    }
}
