package org.augmix4j.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.Record;
import java.nio.ByteBuffer;
import org.augmix4j.augment.AugMixTransform;
import org.augmix4j.image.RgbImage;
import org.junit.jupiter.api.Test;

/**
 * The DJL adapter through DJL's own API, on CPU, without downloads. No DJL engine is available offline here
 * (every engine's native library is a download), so the arrays are DJL NDArrayAdapters from
 * {@link EnginelessManager}: the Transform and the Dataset run completely (creating and reading NDArrays is
 * all they do); JsdLoss needs engine operators (softmax, log, sum), so only its argument checks run, and
 * its formula is tested through {@link JsdMath}, the same formula on arrays.
 */
class DjlAdapterTest {
    static RgbImage picture(int h, int w, int salt) {
        byte[] p = new byte[h * w * 3];
        for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 5 + salt + i / 7);
        return new RgbImage(h, w, p);
    }

    @Test
    void transformTakesHwcUint8AndGivesTheAugMixTensor() {
        AugMixTransform am = AugMixTransform.builder().seed(4).build();
        AugMixDjlTransform t = new AugMixDjlTransform(am);
        RgbImage img = picture(12, 9, 1);
        try (NDManager m = new EnginelessManager()) {
            NDArray in = m.create(ByteBuffer.wrap(img.pixels()), new Shape(12, 9, 3), DataType.UINT8);
            for (long i = 0; i < 3; i++) {
                NDArray out = t.transform(in);
                assertEquals(new Shape(3, 12, 9), out.getShape());
                assertEquals(DataType.FLOAT32, out.getDataType());
                assertArrayEquals(am.toTensor(img, i), out.toFloatArray(), "call " + i + " uses draw index " + i);
            }
            NDArray chw = m.create(new float[27], new Shape(3, 3, 3));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> t.transform(chw)).getMessage().contains("(H, W, 3) uint8"));
        }
    }

    @Test
    void datasetRecordsAreTheThreeJsdViewsAndTheLabel() throws Exception {
        AugMixTransform am = AugMixTransform.builder().seed(9).build();
        RgbImage[] imgs = {picture(8, 8, 0), picture(8, 8, 3), picture(8, 8, 6)};
        int[] labels = {2, 0, 1};
        AugMixDjlDataset ds = AugMixDjlDataset.builder(i -> imgs[i], labels, am).setSampling(2, false).build();
        assertEquals(3, ds.size());
        try (NDManager m = new EnginelessManager()) {
            Record r = ds.get(m, 1);
            float[][] want = am.jsdViews(imgs[1], 1);
            assertEquals(3, r.getData().size());
            for (int v = 0; v < 3; v++) {
                assertEquals(new Shape(3, 8, 8), r.getData().get(v).getShape());
                assertArrayEquals(want[v], r.getData().get(v).toFloatArray(), "view " + v);
            }
            assertEquals(0, r.getLabels().singletonOrThrow().toIntArray()[0]);
            ds.nextEpoch();
            assertArrayEquals(am.jsdViews(imgs[1], 3 + 1)[1], ds.get(m, 1).getData().get(1).toFloatArray(), "epoch 1 draws index size + i");
        }
    }

    @Test
    void jsdLossChecksItsInputsAndNeedsAnEngineForTheMath() {
        JsdLoss loss = new JsdLoss();
        assertEquals("JsdLoss", loss.getName());
        try (NDManager m = new EnginelessManager()) {
            NDList bad = new NDList(m.create(new float[10], new Shape(5, 2)));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> loss.evaluate(new NDList(m.create(new int[] {0})), bad))
                    .getMessage().contains("(3B, K)"));
            NDList ok = new NDList(m.create(new float[12], new Shape(6, 2)));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> loss.evaluate(new NDList(m.create(new int[] {0})), ok))
                    .getMessage().contains("B = 2"));
            // past the checks, the operators need an engine: what a user without one would see
            assertThrows(UnsupportedOperationException.class, () -> loss.evaluate(new NDList(m.create(new int[] {0, 1})), ok));
        }
        assertThrows(IllegalArgumentException.class, () -> new JsdLoss("x", -1f));
    }

    @Test
    void jsdFormulaOnArrays() {
        // identical views: JS = 0, the loss is the clean cross-entropy
        float[][] same = {{2f, 0f, -1f}, {2f, 0f, -1f}, {2f, 0f, -1f}};
        double ce = -Math.log(Math.exp(2) / (Math.exp(2) + 1 + Math.exp(-1)));
        assertEquals(ce, JsdMath.loss(same, new int[] {0}, 12), 1e-12);
        // two classes, views with p = (1/2, 1/2), (e/(1+e), 1/(1+e)), the same: JS by hand
        float[][] l = {{0f, 0f}, {1f, 0f}, {0f, 0f}};
        double q = Math.exp(1) / (1 + Math.exp(1));
        double[][] p = {{0.5, 0.5}, {q, 1 - q}, {0.5, 0.5}};
        double js = 0;
        for (int c = 0; c < 2; c++) {
            double mix = Math.log((p[0][c] + p[1][c] + p[2][c]) / 3);
            for (double[] pv : p) js += pv[c] * (Math.log(pv[c]) - mix);
        }
        assertEquals(Math.log(2) + 12 * js / 3, JsdMath.loss(l, new int[] {1}, 12), 1e-12);
        assertTrue(js > 0);
        assertThrows(IllegalArgumentException.class, () -> JsdMath.loss(l, new int[] {0, 1}, 12));
    }
}
