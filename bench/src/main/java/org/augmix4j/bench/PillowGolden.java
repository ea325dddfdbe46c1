package org.augmix4j.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.augmix4j.augment.AugMix;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.augment.Op;

/**
 * The Pillow golden vectors of the core project (src/test/resources/golden/augment, written by
 * tools/pillow/golden_augment.py with Pillow and NumPy): single ops on test images, and whole
 * AugMix samples. The augmentation benchmarks check the engine against them before timing.
 */
final class PillowGolden {
    record Img(int h, int w, byte[] pixels) {}

    final JsonObject manifest;
    final Map<String, Img> images = new HashMap<>();
    final byte[] outputs;
    final float[] augmix;

    private static PillowGolden instance;

    static synchronized PillowGolden load() {
        if (instance == null) instance = new PillowGolden(BenchSupport.repoFile("src/test/resources/golden/augment/manifest.json").getParent());
        return instance;
    }

    private PillowGolden(Path dir) {
        try {
            manifest = JsonParser.parseString(Files.readString(dir.resolve("manifest.json"))).getAsJsonObject();
            byte[] in = gunzip(dir.resolve("inputs.bin.gz"));
            for (JsonElement e : manifest.getAsJsonArray("images")) {
                JsonObject o = e.getAsJsonObject();
                int h = o.get("h").getAsInt(), w = o.get("w").getAsInt(), off = o.get("offset").getAsInt();
                byte[] px = new byte[h * w * 3];
                System.arraycopy(in, off, px, 0, px.length);
                images.put(o.get("name").getAsString(), new Img(h, w, px));
            }
            outputs = gunzip(dir.resolve("outputs.bin.gz"));
            byte[] f = gunzip(dir.resolve("augmix.bin.gz"));
            augmix = new float[f.length / 4];
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(augmix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Pillow golden vectors in " + dir, e);
        }
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    /** Applies {@code op} to every golden case of it and requires Pillow's bytes exactly; returns the case count. */
    int checkOp(Op op) {
        int n = 0;
        for (JsonElement e : manifest.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            if (!c.get("op").getAsString().equals(op.opName())) continue;
            Img img = images.get(c.get("image").getAsString());
            byte[] got = new byte[img.pixels().length];
            op.apply(img.pixels(), 0, got, 0, img.h(), img.w(), c.get("param").getAsDouble());
            int off = c.get("offset").getAsInt();
            for (int i = 0; i < got.length; i++) {
                if (got[i] != outputs[off + i]) {
                    throw new IllegalStateException(op.opName() + "(" + c.get("param") + ") on " + c.get("image") + " differs from Pillow at byte "
                            + i + ": " + (got[i] & 0xFF) + " vs " + (outputs[off + i] & 0xFF) + " - not timing a wrong result");
                }
            }
            n++;
        }
        if (n == 0) throw new IllegalStateException("no golden case for op " + op.opName());
        return n;
    }

    /**
     * Every golden AugMix sample (crop, programs, mixing) against Pillow + NumPy: outputs within
     * 1e-6 (the float32 mixing order differs from NumPy's in the last bit at most). Returns the count.
     */
    int checkSamples() {
        int n = 0;
        for (JsonElement e : manifest.getAsJsonArray("augmix")) {
            JsonObject s = e.getAsJsonObject();
            Img img = images.get(s.get("image").getAsString());
            JsonObject c = s.getAsJsonObject("config");
            AugMixConfig cfg = new AugMixConfig(AugMixConfig.Mode.JSD, c.get("width").getAsInt(), c.get("depth").getAsInt(),
                    c.get("severity").getAsInt(), 1.0, c.get("all_ops").getAsBoolean(), true);
            AugMix.SampleTrace t = AugMix.trace(img.pixels(), img.h(), img.w(), s.get("sample").getAsInt(),
                    s.get("seed").getAsBigInteger().longValue(), s.get("epoch").getAsInt(), cfg);
            JsonArray rows = s.getAsJsonArray("rows");
            int r0 = rows.get(0).getAsInt(), r1 = rows.get(1).getAsInt(), off = s.get("offset").getAsInt(), k = 0;
            for (int im = 0; im < 3; im++)
                for (int ch = 0; ch < 3; ch++)
                    for (int y = r0; y < r1; y++)
                        for (int x = 0; x < img.w(); x++, k++) {
                            float want = augmix[off + k], got = t.outputs()[im][(ch * img.h() + y) * img.w() + x];
                            if (!(Math.abs(want - got) <= 1e-6)) {
                                throw new IllegalStateException("AugMix sample " + s.get("image") + " output " + im + " differs from the Pillow"
                                        + " pipeline at (c " + ch + ", y " + y + ", x " + x + "): " + got + " vs " + want + " - not timing a wrong result");
                            }
                        }
            n++;
        }
        return n;
    }
}
