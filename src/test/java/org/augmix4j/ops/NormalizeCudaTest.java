package org.augmix4j.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMix;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.tensor.ShapeException;
import org.junit.jupiter.api.Test;

/**
 * kernels/normalize.cu (through NormalizeCuda) against Normalize, bit for bit, for every byte value,
 * RGB and 4-channel images of odd sizes; Normalize itself equals AugMix.normalize (the training
 * pipeline's normalisation). Runs on the emulator in {@code mvn test}, on a GPU with -Pgpu.
 */
class NormalizeCudaTest extends KernelTestBase {

    @Test
    void referenceEqualsTheTrainingPipelinesNormalisation() {
        for (int u = 0; u < 256; u++) assertEquals(Float.floatToIntBits(AugMix.normalize(u)), Float.floatToIntBits(Normalize.value(u)), "u=" + u);
    }

    @Test
    void bitForBitTheReference() {
        int[][] shapes = {{1, 1, 3}, {3, 7, 3}, {5, 33, 4}, {2, 1024, 3}};  // {n, hw, c}
        SplittableRandom r = new SplittableRandom(3);
        for (int[] s : shapes) {
            int n = s[0], hw = s[1], c = s[2];
            byte[] px = new byte[(n + 1) * hw * c];
            for (int i = 0; i < px.length; i++) px[i] = (byte) r.nextInt(256);
            if (px.length >= 256) for (int i = 0; i < 256; i++) px[i] = (byte) i;  // every value once
            float[] want = new float[n * 3 * hw];
            Normalize.forward(px, 1, n, hw, c, want);  // images 1..n
            try (DeviceBuffer all = DeviceBuffer.of(gpu, px); DeviceBuffer out = dev.garbage(n * 3 * hw)) {
                NormalizeCuda.forward(all.view((long) hw * c, (long) n * hw * c), out, n, hw, c);
                float[] got = DeviceArrays.download("normalize " + Arrays.toString(s), out, n * 3 * hw);
                assertArrayEquals(want, got, "normalize " + Arrays.toString(s));
            }
        }
    }

    @Test
    void shapesAreChecked() {
        try (DeviceBuffer px = DeviceBuffer.bytes(gpu, 12); DeviceBuffer out = DeviceBuffer.floats(gpu, 12)) {
            assertThrows(ShapeException.class, () -> NormalizeCuda.forward(px, out, 2, 4, 1));
            assertThrows(ShapeException.class, () -> NormalizeCuda.forward(px, out, 2, 4, 3));
            NormalizeCuda.forward(px, out, 0, 4, 3);
        }
    }
}
