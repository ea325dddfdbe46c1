package org.augmix4j.augment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every op against Pillow's output, bit for bit, on all golden cases (tools/pillow/golden_augment.py). */
class AugPillowGoldenTest {

    @Test
    void everyOpMatchesPillowBitForBit() {
        Golden g = Golden.load();
        List<String> failures = new ArrayList<>();
        Map<Op, Integer> perOp = new EnumMap<>(Op.class);
        int sizes224 = 0;
        for (JsonElement e : g.cases()) {
            JsonObject c = e.getAsJsonObject();
            Golden.Img img = g.images.get(c.get("image").getAsString());
            Op op = Op.byName(c.get("op").getAsString());
            double p = c.get("param").getAsDouble();
            int off = c.get("offset").getAsInt(), n = img.h() * img.w() * 3;
            byte[] got = op.apply(img.pixels(), img.h(), img.w(), p);
            int diff = 0, first = -1;
            for (int i = 0; i < n; i++) {
                if (got[i] != g.outputs[off + i]) {
                    if (first < 0) first = i;
                    diff++;
                }
            }
            if (diff > 0) {
                int px = first / 3;
                failures.add(String.format("%s %s(%s): %d bytes differ, first at (y=%d, x=%d, c=%d): java %d pillow %d",
                        img.name(), op, p, diff, px / img.w(), px % img.w(), first % 3, got[first] & 0xFF,
                        g.outputs[off + first] & 0xFF));
            }
            perOp.merge(op, 1, Integer::sum);
            if (img.h() == 224) sizes224++;
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + g.cases().size() + " golden cases differ:\n"
                + String.join("\n", failures.subList(0, Math.min(40, failures.size()))));
        assertEquals(Op.values().length, perOp.size(), "every op has golden cases");
        assertTrue(sizes224 >= 10, "224x224 cases present");
        System.out.println("Pillow " + g.manifest.get("pillow").getAsString() + ": " + g.cases().size()
                + " golden op cases bit-exact " + perOp);
    }

    @Test
    void rotateMatrixIsPillows() {
        Golden g = Golden.load();
        JsonArray ms = g.rotateMatrices();
        assertTrue(ms.size() >= 15);
        for (JsonElement e : ms) {
            JsonObject o = e.getAsJsonObject();
            double angle = o.get("angle").getAsDouble();
            double[] want = new double[6];
            JsonArray a = o.getAsJsonArray("matrix");
            for (int i = 0; i < 6; i++) want[i] = a.get(i).getAsDouble();
            double[] got = PilOps.rotateMatrix(angle, o.get("h").getAsInt(), o.get("w").getAsInt());
            for (int i = 0; i < 6; i++) {
                assertEquals(Double.doubleToLongBits(want[i] + 0.0), Double.doubleToLongBits(got[i] + 0.0),
                        "rotate " + angle + " matrix[" + i + "]: pillow " + want[i] + " java " + got[i]);
            }
        }
    }
}
