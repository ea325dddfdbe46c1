package org.augmix4j.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Transform;
import java.util.concurrent.atomic.AtomicLong;
import org.augmix4j.augment.AugMixTransform;

/**
 * AugMix as a DJL {@link Transform}, for a DJL {@code Pipeline} in place of {@code ToTensor} (+ {@code Normalize}):
 * takes an HWC uint8 RGB image ({@code Image.toNDArray(manager)}, shape (H, W, 3)) and returns the AugMix view,
 * CHW float32 normalised with the wrapped {@link AugMixTransform}'s mean/std, shape (3, H, W), created by the
 * input's manager. Each call takes the next draw index of this adapter (0, 1, 2, ...); the math and the
 * thread rules are {@link AugMixTransform}'s.
 *
 * <pre>{@code
 * Pipeline p = new Pipeline().add(new AugMixDjlTransform(AugMixTransform.builder().seed(1).build()));
 * }</pre>
 */
public final class AugMixDjlTransform implements Transform {
    private final AugMixTransform augmix;
    private final AtomicLong next = new AtomicLong();

    public AugMixDjlTransform(AugMixTransform augmix) {
        if (augmix == null) throw new IllegalArgumentException("augmix is null; build one with AugMixTransform.builder()");
        this.augmix = augmix;
    }

    /** The wrapped transform. */
    public AugMixTransform augmix() { return augmix; }

    @Override
    public NDArray transform(NDArray array) {
        int[] hw = checkHwc(array);
        float[] chw = augmix.toTensor(hwcBytes(array), hw[0], hw[1], next.getAndIncrement());
        return array.getManager().create(chw, new Shape(3, hw[0], hw[1]));
    }

    /** (H, W) of an (H, W, 3) uint8 or int8 array, or an error naming the expected form. */
    static int[] checkHwc(NDArray a) {
        Shape s = a.getShape();
        if (s.dimension() != 3 || s.get(2) != 3 || (a.getDataType() != DataType.UINT8 && a.getDataType() != DataType.INT8)) {
            throw new IllegalArgumentException("AugMix needs an (H, W, 3) uint8 RGB image as Image.toNDArray gives it; got "
                    + s + " " + a.getDataType() + " (apply AugMix before ToTensor/Normalize)");
        }
        return new int[] {Math.toIntExact(s.get(0)), Math.toIntExact(s.get(1))};
    }

    /** The array's bytes, row-major HWC. */
    static byte[] hwcBytes(NDArray a) {
        java.nio.ByteBuffer bb = a.toByteBuffer();
        byte[] b = new byte[bb.remaining()];
        bb.get(b);
        return b;
    }
}
