package org.augmix4j.nn;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON header of a safetensors file, read defensively: every field {@link Safetensors#read}
 * uses is checked for its JSON type (object, string, array of non-negative integers) here, so a
 * damaged or hostile header becomes an IOException naming the file, the tensor and the field,
 * never a Gson or NumberFormat exception.
 */
final class SafetensorsHeader {
    private SafetensorsHeader() {}

    /** The header as a JSON object. */
    static JsonObject parse(Path file, String json) throws IOException {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException | StackOverflowError e) {
            throw Safetensors.bad(file, "header is not valid JSON (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        if (root == null || !root.isJsonObject()) {
            throw Safetensors.bad(file, "header is " + kind(root) + ", not a JSON object {name: {dtype, shape, data_offsets}}");
        }
        return root.getAsJsonObject();
    }

    /** The "__metadata__" entry: a map of strings to strings. */
    static Map<String, String> metadata(Path file, JsonElement value) throws IOException {
        if (!value.isJsonObject()) throw Safetensors.bad(file, "__metadata__ is " + kind(value) + ", not an object of strings");
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> m : value.getAsJsonObject().entrySet()) {
            JsonElement v = m.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw Safetensors.bad(file, "__metadata__ entry '" + m.getKey() + "' is " + kind(v) + ", not a string");
            }
            meta.put(m.getKey(), v.getAsString());
        }
        return meta;
    }

    /** A tensor's entry as an object. */
    static JsonObject object(Path file, String name, JsonElement value) throws IOException {
        if (!value.isJsonObject()) throw Safetensors.bad(file, "tensor '" + name + "' is described by " + kind(value) + ", not an object");
        return value.getAsJsonObject();
    }

    /** A tensor's "dtype" string. */
    static String dtype(Path file, String name, JsonObject o) throws IOException {
        JsonElement d = o.get("dtype");
        if (d == null || !d.isJsonPrimitive() || !d.getAsJsonPrimitive().isString()) {
            throw Safetensors.bad(file, "tensor '" + name + "' has " + (d == null ? "no dtype" : "dtype " + kind(d) + ", not a string"));
        }
        return d.getAsString();
    }

    /** The array field {@code key} of non-negative integers; exactly {@code count} of them unless count is -1. */
    static long[] longs(Path file, String name, JsonObject o, String key, int count) throws IOException {
        JsonElement e = o.get(key);
        String what = "tensor '" + name + "' field " + key;
        if (e == null || !e.isJsonArray()) throw Safetensors.bad(file, what + " is " + (e == null ? "missing" : kind(e) + ", not an array"));
        JsonArray a = e.getAsJsonArray();
        if (count >= 0 && a.size() != count) throw Safetensors.bad(file, what + " has " + a.size() + " entries, expected " + count);
        if (a.size() > 64) throw Safetensors.bad(file, what + " has " + a.size() + " entries; no tensor has that many dimensions");
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            Long v = nonNegativeLong(a.get(i));
            if (v == null) throw Safetensors.bad(file, what + " entry " + i + " is " + kind(a.get(i)) + ", not a non-negative integer");
            out[i] = v;
        }
        return out;
    }

    /** The value as a long when it is a JSON number holding a non-negative integer that fits one; else null. */
    private static Long nonNegativeLong(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
        try {
            BigDecimal d = new BigDecimal(e.getAsString());
            if (d.signum() < 0 || d.precision() - d.scale() > 19) return null; // checked first: 1e999999999 must not be expanded
            return d.longValueExact();
        } catch (ArithmeticException | NumberFormatException ex) {
            return null;
        }
    }

    /** What a JSON value is, for messages (short, never the whole value). */
    static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) return "null";
        if (e.isJsonObject()) return "an object";
        if (e.isJsonArray()) return "an array";
        JsonPrimitive p = e.getAsJsonPrimitive();
        String s = p.getAsString();
        s = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return p.isString() ? "the string \"" + s + "\"" : p.isBoolean() ? "the boolean " + s : "the number " + s;
    }
}
