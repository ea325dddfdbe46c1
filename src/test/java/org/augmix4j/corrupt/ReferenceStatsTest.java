package org.augmix4j.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every corruption against the reference generator's statistics on the same 1000 procedural
 * images (stats.json, written by tools/cifarc/golden_corrupt.py): per severity, the mean absolute
 * change and the PSNR against the clean image within 10%, and for the noises the residual
 * histograms by a two-sample chi-square test.
 */
class ReferenceStatsTest {
    static JsonObject stats;
    static ImageBatch images;

    @BeforeAll
    static void load() throws Exception {
        try (Reader r = new InputStreamReader(ReferenceStatsTest.class.getResourceAsStream("/golden/corrupt/stats.json"),
                StandardCharsets.UTF_8)) {
            stats = JsonParser.parseReader(r).getAsJsonObject();
        }
        images = TestImages.batch(stats.get("test_image_seed").getAsLong(), stats.get("images").getAsInt());
    }

    @Test
    void javaDrawsTheSameTestImagesAsThePythonScript() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(images.pixels()));
        assertEquals(stats.get("sha256").getAsString(), sha, "TestImages and golden_corrupt.py disagree");
    }

    @Test
    void statisticsWithinTenPercentOfReference() throws IOException {
        JsonObject all = stats.getAsJsonObject("corruptions");
        List<String> failures = new ArrayList<>();
        StringBuilder table = new StringBuilder("corruption          sev   mad(ref)      psnr(ref)\n");
        int checked = 0;
        for (Map.Entry<String, JsonElement> e : all.entrySet()) {
            String name = e.getKey();
            JsonArray per = e.getValue().getAsJsonArray();
            for (JsonElement el : per) {
                JsonObject ref = el.getAsJsonObject();
                int s = ref.get("severity").getAsInt();
                ImageBatch out = Corruptions.corrupt(images, name, s, 20240601L);
                double[] m = measure(images.pixels(), out.pixels());
                double refMad = ref.get("mad").getAsDouble();
                double refPsnr = ref.get("psnr").isJsonNull() ? Double.POSITIVE_INFINITY : ref.get("psnr").getAsDouble();
                table.append(String.format("%-18s %d  %6.2f (%6.2f)  %6.2f (%6.2f)%n", name, s, m[0], refMad, m[1], refPsnr));
                if (Math.abs(m[0] - refMad) > 0.10 * refMad + 1e-9) failures.add(name + " s" + s + " mad " + m[0] + " vs " + refMad);
                if (Math.abs(m[1] - refPsnr) > 0.10 * refPsnr) failures.add(name + " s" + s + " psnr " + m[1] + " vs " + refPsnr);
                if (ref.has("hist")) {
                    long[] want = new long[511], got = new long[511];
                    JsonArray h = ref.getAsJsonArray("hist");
                    for (int i = 0; i < 511; i++) want[i] = h.get(i).getAsLong();
                    byte[] a = images.pixels(), b = out.pixels();
                    for (int i = 0; i < a.length; i++) got[(b[i] & 255) - (a[i] & 255) + 255]++;
                    double[] c = Stat.chiSquareTwoSample(got, want);
                    double p = Stat.chiSquareP(c[0], (int) c[1]);
                    table.append(String.format("    residual histogram: chi2 %.1f df %d p %.3g%n", c[0], (int) c[1], p));
                    if (p < 1e-4) failures.add(name + " s" + s + " residual histogram chi2 " + c[0] + " df " + c[1]);
                }
                checked++;
            }
        }
        System.out.print(table);
        assertTrue(checked >= 90, "stats.json covers only " + checked + " cells");
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    /** {mean |out - x|, PSNR over all values}. */
    static double[] measure(byte[] a, byte[] b) {
        double sad = 0, sse = 0;
        for (int i = 0; i < a.length; i++) {
            int d = (b[i] & 255) - (a[i] & 255);
            sad += Math.abs(d);
            sse += (double) d * d;
        }
        double mse = sse / a.length;
        return new double[] {sad / a.length, mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse)};
    }
}
