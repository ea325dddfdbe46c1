package org.augmix4j.augment;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** Loader of the Pillow golden vectors written by tools/pillow/golden_augment.py. */
final class Golden {
    static final String DIR = "/golden/augment/";

    record Img(String name, int h, int w, byte[] pixels) {}

    final JsonObject manifest;
    final Map<String, Img> images = new HashMap<>();
    final byte[] outputs;
    final float[] augmix;

    private static Golden instance;

    static synchronized Golden load() {
        if (instance == null) {
            try {
                instance = new Golden();
            } catch (IOException e) {
                throw new IllegalStateException("cannot read golden vectors under " + DIR
                        + " (regenerate with /usr/bin/python3 tools/pillow/golden_augment.py)", e);
            }
        }
        return instance;
    }

    private Golden() throws IOException {
        try (InputStream in = resource("manifest.json")) {
            manifest = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        }
        byte[] inputs = gunzip("inputs.bin.gz");
        for (var e : manifest.getAsJsonArray("images")) {
            JsonObject o = e.getAsJsonObject();
            int h = o.get("h").getAsInt(), w = o.get("w").getAsInt(), off = o.get("offset").getAsInt();
            byte[] px = new byte[h * w * 3];
            System.arraycopy(inputs, off, px, 0, px.length);
            images.put(o.get("name").getAsString(), new Img(o.get("name").getAsString(), h, w, px));
        }
        outputs = gunzip("outputs.bin.gz");
        byte[] f = gunzip("augmix.bin.gz");
        augmix = new float[f.length / 4];
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(augmix);
    }

    JsonArray cases() { return manifest.getAsJsonArray("cases"); }

    JsonArray samples() { return manifest.getAsJsonArray("augmix"); }

    JsonArray rotateMatrices() { return manifest.getAsJsonArray("rotate_matrices"); }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Golden.class.getResourceAsStream(DIR + name);
        if (in == null) throw new IOException("missing test resource " + DIR + name);
        return in;
    }

    private static byte[] gunzip(String name) throws IOException {
        try (InputStream in = new GZIPInputStream(resource(name))) {
            return in.readAllBytes();
        }
    }
}
