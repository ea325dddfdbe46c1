package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;

/**
 * Whole AugMix samples against an independent Python implementation of the same Philox layout
 * and the official pipeline (Pillow ops, NumPy float32 mixing): crop, every drawn program
 * (ops, levels, signs, parameters, w, m) exactly, outputs within 1e-6 (and counted bit-exact).
 */
class AugMixGoldenTest {

    static AugMixConfig config(JsonObject c) {
        return new AugMixConfig(AugMixConfig.Mode.JSD, c.get("width").getAsInt(), c.get("depth").getAsInt(),
                c.get("severity").getAsInt(), 1.0, c.get("all_ops").getAsBoolean(), true);
    }

    @Test
    void samplesMatchPythonReference() {
        Golden g = Golden.load();
        int exact = 0, total = 0;
        double maxErr = 0;
        for (JsonElement e : g.samples()) {
            JsonObject s = e.getAsJsonObject();
            Golden.Img img = g.images.get(s.get("image").getAsString());
            long seed = s.get("seed").getAsBigInteger().longValue();
            int epoch = s.get("epoch").getAsInt(), sample = s.get("sample").getAsInt();
            AugMixConfig cfg = config(s.getAsJsonObject("config"));
            String where = img.name() + " seed " + seed + " epoch " + epoch + " sample " + sample;
            AugMix.SampleTrace t = AugMix.trace(img.pixels(), img.h(), img.w(), sample, seed, epoch, cfg);

            JsonArray crop = s.getAsJsonArray("crop");
            assertEquals(crop.get(0).getAsBoolean(), t.crop().flip(), where + " flip");
            assertEquals(crop.get(1).getAsInt(), t.crop().top(), where + " top");
            assertEquals(crop.get(2).getAsInt(), t.crop().left(), where + " left");

            JsonArray views = s.getAsJsonArray("views");
            assertEquals(views.size(), t.views().size());
            for (int v = 0; v < views.size(); v++) {
                JsonObject pv = views.get(v).getAsJsonObject();
                AugMix.ViewProgram p = t.views().get(v).program();
                String wv = where + " view " + (v + 1);
                JsonArray w = pv.getAsJsonArray("w");
                for (int i = 0; i < w.size(); i++) assertEquals(w.get(i).getAsFloat(), p.w()[i], 1e-7f, wv + " w" + i);
                assertEquals(pv.get("m").getAsFloat(), p.m(), wv + " m");
                JsonArray chains = pv.getAsJsonArray("chains");
                assertEquals(chains.size(), p.chains().size(), wv + " width");
                for (int i = 0; i < chains.size(); i++) {
                    JsonArray steps = chains.get(i).getAsJsonArray();
                    assertEquals(steps.size(), p.chains().get(i).depth(), wv + " chain " + i + " depth");
                    for (int j = 0; j < steps.size(); j++) {
                        JsonObject st = steps.get(j).getAsJsonObject();
                        AugMix.Step js = p.chains().get(i).steps().get(j);
                        String ws = wv + " chain " + i + " step " + j;
                        assertEquals(st.get("op").getAsString(), js.op().opName(), ws + " op");
                        assertEquals(st.get("level").getAsDouble(), js.level(), 0.0, ws + " level");
                        assertEquals(st.get("negate").getAsBoolean(), js.negate(), ws + " sign");
                        assertEquals(st.get("param").getAsDouble(), js.param(), 0.0, ws + " param");
                    }
                }
            }

            int[] rows = {s.getAsJsonArray("rows").get(0).getAsInt(), s.getAsJsonArray("rows").get(1).getAsInt()};
            int off = s.get("offset").getAsInt(), nr = rows[1] - rows[0];
            int k = 0;
            for (int im = 0; im < 3; im++)
                for (int c = 0; c < 3; c++)
                    for (int y = rows[0]; y < rows[1]; y++)
                        for (int x = 0; x < img.w(); x++, k++) {
                            float want = g.augmix[off + k];
                            float got = t.outputs()[im][(c * img.h() + y) * img.w() + x];
                            double err = Math.abs(want - got);
                            maxErr = Math.max(maxErr, err);
                            if (err > 1e-6) {
                                throw new AssertionError(where + " output image " + im + " (c=" + c + ", y=" + y + ", x="
                                        + x + "): python " + want + " java " + got);
                            }
                            if (Float.floatToRawIntBits(want) == Float.floatToRawIntBits(got)) exact++;
                            total++;
                        }
            assertEquals(s.get("floats").getAsInt(), 9 * nr * img.w(), where + " float count");
        }
        System.out.printf("AugMix golden: %d samples, %d/%d outputs bit-exact, max |diff| %.3g%n",
                g.samples().size(), exact, total, maxErr);
        assertTrue(exact >= total * 0.99, "almost all outputs bit-exact");
    }

    @Test
    void batchApiEqualsPerImageTrace() {
        Golden g = Golden.load();
        // the 32x32 golden images as one dataset; batch in a scrambled order
        String[] names = {"random0", "smooth0", "fmnist0", "fmnist1", "fmnist2", "sparse", "constant", "one_constant_channel"};
        byte[] px = new byte[names.length * 32 * 32 * 3];
        for (int i = 0; i < names.length; i++) System.arraycopy(g.images.get(names[i]).pixels(), 0, px, i * 3072, 3072);
        ImageBatch set = new ImageBatch(px, names.length, 32, 32, 3);
        int[] idx = {5, 0, 7, 3, 3, 1};
        for (AugMixConfig cfg : new AugMixConfig[] {AugMixConfig.defaults(),
                AugMixConfig.defaults().withMode(AugMixConfig.Mode.AUGMIX).withAllOps(true),
                AugMixConfig.defaults().withMode(AugMixConfig.Mode.NONE)}) {
            float[] out = new float[(int) AugMix.outputSize(cfg, idx.length, 32, 32)];
            AugMix.sampleBatch(set, idx, 77L, 4, cfg, out);
            int plane = 3072, B = idx.length;
            for (int b = 0; b < B; b++) {
                float[][] want = AugMix.trace(set, idx[b], idx[b], 77L, 4, cfg).outputs();
                for (int v = 0; v < cfg.imagesPerSample(); v++) {
                    float[] got = new float[plane];
                    System.arraycopy(out, (v * B + b) * plane, got, 0, plane);
                    assertArrayEquals(want[v], got, 0f, cfg.mode() + " entry " + b + " image " + v);
                }
            }
        }
    }
}
