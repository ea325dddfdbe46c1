package org.augmix4j.data;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A restricted reader of Python pickles (protocols 0 to 5) that understands exactly what dataset
 * files hold: None, bools, ints, floats, str, bytes (and Python 2 str), lists, tuples, dicts, sets,
 * and NumPy arrays (pickled through {@code numpy.core.multiarray._reconstruct} or, protocol 5,
 * {@code numpy.core.numeric._frombuffer}; NumPy 2's {@code numpy._core} names too). Nothing in the
 * file is executed: any other global is refused with a clear error, which also makes arbitrary
 * pickles safe to feed it.
 *
 * <p>Python values map to: None → null, bool → Boolean, int → Long (BigInteger when larger),
 * float → Double, str → String, bytes / Python 2 str → {@link Bytes} (a view into the file's bytes,
 * no copy), list and tuple → List, dict → LinkedHashMap, set → Set, ndarray → {@link NdArray}.
 */
final class Pickle {
    /** A byte string: a view of {@code len} bytes of {@code buf} at {@code off}; equal by content. */
    record Bytes(byte[] buf, int off, int len) {
        static Bytes of(String latin1) {
            byte[] b = latin1.getBytes(StandardCharsets.ISO_8859_1);
            return new Bytes(b, 0, b.length);
        }

        String latin1() { return new String(buf, off, len, StandardCharsets.ISO_8859_1); }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(buf, off, off + len, b.buf, b.off, b.off + b.len);
        }

        @Override
        public int hashCode() {
            int h = 1;
            for (int i = off; i < off + len; i++) h = 31 * h + buf[i];
            return h;
        }

        @Override
        public String toString() { return "b'" + (len > 40 ? latin1().substring(0, 40) + "..." : latin1()) + "'"; }
    }

    /** A NumPy array: its type string (e.g. {@code |u1}, {@code <i8}), shape, order and raw data. */
    record NdArray(String descr, long[] shape, boolean fortranOrder, Bytes data) {
        long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        @Override
        public String toString() { return "ndarray(" + descr + ", " + Npy.shapeLiteral(shape) + ")"; }
    }

    /** A refused or recognised global, kept on the stack until REDUCE calls it. */
    private record Global(String module, String name) {
        @Override
        public String toString() { return module + "." + name; }
    }

    /** numpy.dtype under construction: the type code from its arguments, the byte order from BUILD. */
    private static final class Dtype {
        final String code; // e.g. "u1", "i8"
        char order = '|';

        Dtype(String code) { this.code = code; }

        String descr() {
            char o = order == '=' ? '<' : order;
            if (code.endsWith("1") || code.startsWith("S") || code.startsWith("V")) o = '|';
            return o + code;
        }
    }

    /** An ndarray made by _reconstruct, waiting for BUILD to supply its state. */
    private static final class PendingArray {
        NdArray array;
    }

    private static final Set<String> RECONSTRUCT = Set.of("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct");
    private static final Set<String> FROMBUFFER = Set.of("numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer");
    private static final Set<String> ALLOWED = Set.of("numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.ndarray", "numpy.dtype", "_codecs.encode");

    /** Deepest nesting of containers accepted; dataset pickles nest 3 or 4 deep. */
    static final int MAX_DEPTH = 100;

    private static final Object MARK = new Object() {
        @Override
        public String toString() { return "MARK"; }
    };

    private final Path file;
    private final byte[] in;
    private int pos;
    private int opStart;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    /** Tuples that may be dict keys or set members (they hold no list, dict or set), with their nesting depth. */
    private final IdentityHashMap<Object, Integer> hashableTuples = new IdentityHashMap<>();

    private Pickle(Path file, byte[] in) {
        this.file = file;
        this.in = in;
    }

    /** Reads the pickled object in {@code file}. */
    static Object load(Path file) { return loads(file, DataException.readAll(file)); }

    /** Reads the pickled object in {@code bytes}; {@code file} only names it in messages. */
    static Object loads(Path file, byte[] bytes) {
        if (bytes.length == 0) throw DataException.badFile(file, "empty file, expected a Python pickle");
        int first = bytes[0] & 0xFF;
        if (first != 0x80 && "(}]).cNKJIVXSTU".indexOf(first) < 0) {
            throw DataException.badFile(file, "not a Python pickle: it starts with " + Npy.hex(bytes, Math.min(8, bytes.length))
                    + (first == 0x1F ? " (this looks gzip-compressed: extract the .tar.gz first)" : ""),
                    "Check the path; the CIFAR python version's batches are pickles (see " + DataException.README + ")");
        }
        return new Pickle(file, bytes).run();
    }

    /** dict[key] for a key that Python 2 files hold as str (bytes here) and Python 3 files as str. */
    static Object get(Map<?, ?> dict, String key) {
        Object v = dict.get(key);
        return unwrap(v != null ? v : dict.get(Bytes.of(key)));
    }

    // ---------------------------------------------------------------- the machine

    private DataException corrupt(String what) {
        return DataException.badFile(file, "corrupt pickle at byte " + opStart + ": " + what);
    }

    private void need(long n) {
        if (n < 0 || pos + n > in.length) {
            throw DataException.badFile(file, "truncated pickle: opcode at byte " + opStart + " needs " + n + " more bytes after byte "
                    + pos + " but the file ends at " + in.length);
        }
    }

    private int u8() {
        need(1);
        return in[pos++] & 0xFF;
    }

    private long le(int n) {
        need(n);
        long v = 0;
        for (int k = n - 1; k >= 0; k--) v = (v << 8) | (in[pos + k] & 0xFF);
        pos += n;
        return v;
    }

    private int length(int n) {
        long len = le(n);
        if (len < 0 || len > Integer.MAX_VALUE) throw corrupt("implausible length " + len);
        need(len);
        return (int) len;
    }

    private Bytes bytes(int len) {
        need(len);
        Bytes b = new Bytes(in, pos, len);
        pos += len;
        return b;
    }

    private String utf8(int len) {
        need(len);
        String s = new String(in, pos, len, StandardCharsets.UTF_8);
        pos += len;
        return s;
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') pos++;
        if (pos >= in.length) throw DataException.badFile(file, "truncated pickle: unterminated text argument at byte " + opStart);
        return new String(in, start, pos++ - start, StandardCharsets.ISO_8859_1);
    }

    private void push(Object o) { stack.add(o); }

    private Object pop() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw corrupt("stack underflow");
        return stack.remove(stack.size() - 1);
    }

    private Object top() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw corrupt("stack underflow");
        return stack.get(stack.size() - 1);
    }

    /** Pops everything above the last MARK (and the mark). */
    private List<Object> popMark() {
        if (marks.isEmpty()) throw corrupt("no MARK to pop to");
        int m = marks.remove(marks.size() - 1);
        if (m > stack.size() || stack.get(m - 1) != MARK) throw corrupt("MARK stack out of step");
        List<Object> items = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m - 1, stack.size()).clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private <T> T popAs(Class<T> type, String what) {
        Object o = pop();
        if (!type.isInstance(o)) throw corrupt(what + " expected, found " + describe(o));
        return (T) o;
    }

    /** A short description of a value for messages (never its whole contents). */
    static String describe(Object o) {
        if (o == null) return "None";
        if (o instanceof Number || o instanceof Boolean) return o.toString();
        if (o instanceof List<?> l) return "a list/tuple of " + l.size();
        if (o instanceof Map<?, ?> m) return "a dict of " + m.size();
        if (o instanceof Set<?> st) return "a set of " + st.size();
        if (o instanceof String str) return "the str '" + (str.length() > 40 ? str.substring(0, 40) + "..." : str) + "'";
        if (o instanceof PendingArray pa) return String.valueOf(pa.array);
        return o.getClass().getSimpleName() + " " + o;
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) throw corrupt("memo entry " + key + " used before it was stored");
        return memo.get(key);
    }

    @SuppressWarnings("unchecked")
    private Object run() {
        while (true) {
            opStart = pos;
            if (pos >= in.length) {
                throw DataException.badFile(file, "truncated pickle: it ends at byte " + in.length + " without its STOP opcode");
            }
            int op = in[pos++] & 0xFF;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v > 5) throw corrupt("pickle protocol " + v + " is newer than this reader (0..5)");
                }
                case 0x95 -> le(8); // FRAME: framing is only a hint for buffered readers
                case '.' -> { // STOP
                    Object result = unwrap(pop());
                    if (!stack.isEmpty()) throw corrupt("STOP with " + stack.size() + " items left on the stack");
                    PickleNesting.check(file, result, MAX_DEPTH);
                    return result;
                }
                case '(' -> {
                    push(MARK);
                    marks.add(stack.size());
                }
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> push(top());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'K' -> push((long) u8());
                case 'M' -> push(le(2));
                case 'J' -> push((long) (int) le(4));
                case 0x8A -> push(bigInt(u8()));
                case 0x8B -> push(bigInt(length(4)));
                case 'G' -> {
                    need(8);
                    push(ByteBuffer.wrap(in, pos, 8).order(ByteOrder.BIG_ENDIAN).getDouble());
                    pos += 8;
                }
                case 'I' -> push(textInt(line()));
                case 'L' -> push(textLong(line()));
                case 'F' -> push(textFloat(line()));
                case 'S' -> push(pyStringLiteral(line()));
                case 'V' -> push(rawUnicodeEscape(line()));
                case 'T' -> push(bytes(length(4)));
                case 'U' -> push(bytes(length(1)));
                case 'B' -> push(bytes(length(4)));
                case 'C' -> push(bytes(length(1)));
                case 0x8E -> push(bytes(length(8)));
                case 0x96 -> push(bytes(length(8))); // BYTEARRAY8
                case 0x98 -> top(); // READONLY_BUFFER: no-op for in-band data
                case 0x97 -> throw corrupt("out-of-band buffer (NEXT_BUFFER): save the file without buffer_callback");
                case 'X' -> push(utf8(length(4)));
                case 0x8C -> push(utf8(length(1)));
                case 0x8D -> push(utf8(length(8)));
                case ']' -> push(new ArrayList<>());
                case '}' -> push(new LinkedHashMap<>());
                case ')' -> push(tuple(List.of()));
                case 0x8F -> push(new HashSet<>());
                case 'l' -> push(new ArrayList<>(popMark()));
                case 't' -> push(tuple(popMark()));
                case 'd' -> {
                    List<Object> kv = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putAll(m, kv);
                    push(m);
                }
                case 0x91 -> push(new HashSet<>(hashable(popMark(), "frozenset member")));
                case 0x85 -> push(tuple(java.util.Collections.singletonList(pop()))); // None is a valid item: not List.of
                case 0x86 -> {
                    Object b = pop(), a = pop();
                    push(tuple(Arrays.asList(a, b)));
                }
                case 0x87 -> {
                    Object c = pop(), b = pop(), a = pop();
                    push(tuple(Arrays.asList(a, b, c)));
                }
                case 'a' -> {
                    Object v = pop();
                    listTop().add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    listTop().addAll(items);
                }
                case 's' -> {
                    Object v = pop(), k = pop();
                    dictTop().put(hashable(k, "dict key"), v);
                }
                case 'u' -> {
                    List<Object> kv = popMark();
                    putAll(dictTop(), kv);
                }
                case 0x90 -> {
                    List<Object> items = popMark();
                    Object s = top();
                    if (!(s instanceof Set<?>)) throw corrupt("ADDITEMS on " + describe(s));
                    ((Set<Object>) s).addAll(hashable(items, "set member"));
                }
                case 'p' -> memo.put(textIndex(line()), top());
                case 'q' -> memo.put((long) u8(), top());
                case 'r' -> memo.put(le(4), top());
                case 0x94 -> memo.put((long) memo.size(), top());
                case 'g' -> push(memoGet(textIndex(line())));
                case 'h' -> push(memoGet(u8()));
                case 'j' -> push(memoGet(le(4)));
                case 'c' -> {
                    String module = line();
                    push(global(module, line()));
                }
                case 0x93 -> {
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) throw corrupt("STACK_GLOBAL needs two str");
                    push(global(m, n));
                }
                case 'R' -> {
                    Object args = pop();
                    Object callable = pop();
                    if (!(args instanceof List<?> a)) throw corrupt("REDUCE arguments are " + describe(args) + ", not a tuple");
                    push(call(callable, (List<Object>) a));
                }
                case 'b' -> {
                    Object state = pop();
                    build(top(), state);
                }
                case 'P', 'Q' -> throw corrupt("persistent ids are not supported (this is not a dataset pickle)");
                case 'i', 'o', 0x81, 0x92 -> throw corrupt("pickle builds an arbitrary object (opcode '" + (char) op
                        + "'); only containers and NumPy arrays are read");
                case 0x82, 0x83, 0x84 -> throw corrupt("extension registry codes are not supported");
                default -> throw corrupt(String.format("unknown opcode 0x%02X", op));
            }
        }
    }

    /** A str, or a Python 2 str (bytes here), as text; null for anything else. */
    private static String text(Object o) {
        return o instanceof String s ? s : o instanceof Bytes b ? b.latin1() : null;
    }

    /**
     * A tuple of {@code items}. Tuples never change, so their depth is known here exactly: one too
     * deep is refused now, before anything hashes it recursively (a dict key of 100,000 nested
     * tuples overflowed the Java stack).
     */
    private List<Object> tuple(List<Object> items) {
        List<Object> t = java.util.Collections.unmodifiableList(new ArrayList<>(items));
        int depth = 1;
        boolean hashable = true;
        for (Object o : items) {
            Integer d = hashableTuples.get(o);
            if (d != null) depth = Math.max(depth, d + 1);
            else if (o instanceof List<?> || o instanceof Map<?, ?> || o instanceof Set<?> || o instanceof PendingArray) hashable = false;
        }
        if (depth > MAX_DEPTH) throw corrupt("tuples nested more than " + MAX_DEPTH + " deep; " + PickleNesting.WHY);
        if (hashable) hashableTuples.put(t, depth);
        return t;
    }

    /** {@code k} if Python could hash it (not a list, dict, set, or a tuple holding one); else a DataException. */
    private Object hashable(Object k, String role) {
        boolean container = k instanceof List<?> || k instanceof Map<?, ?> || k instanceof Set<?> || k instanceof PendingArray;
        if (container && !hashableTuples.containsKey(k)) {
            throw corrupt("a " + role + " is " + describe(k) + ", which Python cannot hash either (unhashable type)");
        }
        return k;
    }

    private List<Object> hashable(List<Object> items, String role) {
        for (Object o : items) hashable(o, role);
        return items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> listTop() {
        Object l = top();
        if (!(l instanceof ArrayList<?>)) throw corrupt("APPEND to " + describe(l) + ", not a list");
        return (List<Object>) l;
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dictTop() {
        Object d = top();
        if (!(d instanceof Map<?, ?>)) throw corrupt("SETITEM on " + describe(d) + ", not a dict");
        return (Map<Object, Object>) d;
    }

    private void putAll(Map<Object, Object> m, List<Object> kv) {
        if (kv.size() % 2 != 0) throw corrupt("odd number of items for a dict");
        for (int k = 0; k < kv.size(); k += 2) m.put(hashable(kv.get(k), "dict key"), kv.get(k + 1));
    }

    private Object bigInt(int n) {
        need(n);
        byte[] be = new byte[n];
        for (int k = 0; k < n; k++) be[k] = in[pos + n - 1 - k];
        pos += n;
        if (n == 0) return 0L;
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object textInt(String s) {
        if (s.equals("01")) return Boolean.TRUE;
        if (s.equals("00")) return Boolean.FALSE;
        return textLong(s);
    }

    private Object textLong(String s) {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        try {
            BigInteger v = new BigInteger(t.strip());
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw corrupt("bad integer literal '" + s + "'");
        }
    }

    private long textIndex(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw corrupt("bad memo index '" + s + "'");
        }
    }

    private Object textFloat(String s) {
        try {
            return Double.parseDouble(s.strip());
        } catch (NumberFormatException e) {
            throw corrupt("bad float literal '" + s + "'");
        }
    }

    /** Protocol 0 STRING: a Python 2 repr, 'abc' or "abc", with backslash escapes; gives bytes. */
    private Bytes pyStringLiteral(String s) {
        if (s.length() < 2 || (s.charAt(0) != '\'' && s.charAt(0) != '"') || s.charAt(s.length() - 1) != s.charAt(0)) {
            throw corrupt("STRING argument is not quoted: " + (s.length() > 40 ? s.substring(0, 40) + "..." : s));
        }
        byte[] out = new byte[s.length()];
        int n = 0;
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                out[n++] = (byte) c;
                continue;
            }
            if (++i >= s.length() - 1) throw corrupt("dangling backslash in STRING");
            char e = s.charAt(i);
            switch (e) {
                case 'n' -> out[n++] = '\n';
                case 't' -> out[n++] = '\t';
                case 'r' -> out[n++] = '\r';
                case '\\', '\'', '"' -> out[n++] = (byte) e;
                case 'x' -> {
                    if (i + 2 >= s.length()) throw corrupt("short \\x escape in STRING");
                    out[n++] = (byte) hexValue(s.substring(i + 1, i + 3));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = 0, k = 0;
                        while (k < 3 && i < s.length() - 1 && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                            v = v * 8 + s.charAt(i++) - '0';
                            k++;
                        }
                        i--;
                        out[n++] = (byte) v;
                    } else {
                        out[n++] = '\\';
                        out[n++] = (byte) e;
                    }
                }
            }
        }
        return new Bytes(out, 0, n);
    }

    /** Protocol 0 UNICODE: raw-unicode-escape (latin-1 text with backslash-u escapes). */
    private String rawUnicodeEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int digits = s.charAt(i + 1) == 'u' ? 4 : 8;
                if (i + 2 + digits > s.length()) throw corrupt("short \\u escape in UNICODE");
                b.appendCodePoint(hexValue(s.substring(i + 2, i + 2 + digits)));
                i += 1 + digits;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private int hexValue(String h) {
        try {
            return Integer.parseInt(h, 16);
        } catch (NumberFormatException e) {
            throw corrupt("bad hex escape '" + h + "'");
        }
    }

    private Object global(String module, String name) {
        String full = module + "." + name;
        if (!ALLOWED.contains(full)) {
            throw DataException.badFile(file, "the pickle refers to " + full + " (at byte " + opStart
                    + "); a dataset pickle holds only containers and NumPy arrays, so it is refused (nothing in it is executed)",
                    "Check that this is the dataset file you meant, or download it again (see " + DataException.README + ")");
        }
        return new Global(module, name);
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global g)) throw corrupt("REDUCE on " + describe(callable) + ", which is not callable");
        String full = g.toString();
        if (full.equals("_codecs.encode")) {
            // Python 3 writes bytes at protocols < 3 as _codecs.encode(str, 'latin1')
            if (args.isEmpty() || !(args.get(0) instanceof String s)) throw corrupt("_codecs.encode without a str");
            Object enc = args.size() > 1 ? args.get(1) : "utf-8";
            String e = String.valueOf(enc).toLowerCase().replace('_', '-');
            if (!e.equals("latin1") && !e.equals("latin-1") && !e.equals("iso-8859-1")) throw corrupt("_codecs.encode to " + enc);
            for (int i = 0; i < s.length(); i++) if (s.charAt(i) > 0xFF) throw corrupt("non-latin-1 character in encoded bytes");
            return Bytes.of(s);
        }
        if (full.equals("numpy.dtype")) {
            String code = args.isEmpty() ? null : text(args.get(0));
            if (code == null) throw corrupt("numpy.dtype without a type code");
            return new Dtype(code);
        }
        if (RECONSTRUCT.contains(full)) {
            if (args.isEmpty() || !(args.get(0) instanceof Global cls) || !cls.toString().equals("numpy.ndarray")) {
                throw corrupt("_reconstruct of something other than numpy.ndarray");
            }
            return new PendingArray();
        }
        if (FROMBUFFER.contains(full)) {
            // protocol 5: _frombuffer(buffer, dtype, shape, order)
            if (args.size() != 4 || !(args.get(0) instanceof Bytes buf) || !(args.get(1) instanceof Dtype dt)) {
                throw corrupt("_frombuffer with unexpected arguments");
            }
            return array(dt, args.get(2), "F".equals(text(args.get(3))), buf);
        }
        throw corrupt(full + " cannot be called");
    }

    private void build(Object target, Object state) {
        if (target instanceof Dtype dt) {
            // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata])
            String order = state instanceof List<?> s && s.size() >= 2 ? text(s.get(1)) : null;
            if (order == null || order.length() != 1) throw corrupt("unexpected numpy.dtype state " + describe(state));
            List<?> s = (List<?>) state;
            if (s.size() > 3 && s.get(3) != null) throw corrupt("structured dtypes are not supported");
            dt.order = order.charAt(0);
        } else if (target instanceof PendingArray pa) {
            // (version, shape, dtype, is_fortran, rawdata) or without the version
            if (!(state instanceof List<?> s) || (s.size() != 5 && s.size() != 4)) throw corrupt("unexpected ndarray state " + describe(state));
            int o = s.size() - 4;
            if (!(s.get(o + 1) instanceof Dtype dt)) throw corrupt("ndarray state without a dtype");
            if (!(s.get(o + 3) instanceof Bytes raw)) {
                throw corrupt("ndarray of dtype " + dt.descr() + " holds Python objects, not raw data; only numeric arrays are read");
            }
            pa.array = array(dt, s.get(o), Boolean.TRUE.equals(s.get(o + 2)), raw);
        } else {
            throw corrupt("BUILD on " + describe(target) + ": only NumPy arrays and dtypes are built");
        }
    }

    private NdArray array(Dtype dt, Object shapeObj, boolean fortran, Bytes raw) {
        if (!(shapeObj instanceof List<?> shapeList)) throw corrupt("ndarray shape is " + describe(shapeObj));
        long[] shape = new long[shapeList.size()];
        String descr = dt.descr();
        if (!descr.matches("[<>|][biuf][1248]")) throw corrupt("unsupported ndarray dtype '" + descr + "'");
        long size = Integer.parseInt(descr.substring(2));
        for (int k = 0; k < shape.length; k++) {
            if (!(shapeList.get(k) instanceof Long d) || d < 0) throw corrupt("bad ndarray dimension " + shapeList.get(k));
            shape[k] = d;
            try {
                size = Math.multiplyExact(size, d);
            } catch (ArithmeticException e) {
                throw corrupt("implausible ndarray shape " + shapeList);
            }
        }
        if (size != raw.len()) {
            throw DataException.badFile(file, "corrupt pickle: an ndarray of shape " + Npy.shapeLiteral(shape) + " and dtype " + descr
                    + " needs " + size + " bytes of data but holds " + raw.len());
        }
        return new NdArray(descr, shape, fortran, raw);
    }

    /** An array made by _reconstruct is a {@link PendingArray} until BUILD: this gives its value. */
    static Object unwrap(Object o) {
        return o instanceof PendingArray pa ? pa.array : o;
    }
}
