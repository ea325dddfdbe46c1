package org.augmix4j.corrupt;

import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.tensor.ShapeException;

/**
 * The shape errors of the batch API ({@link Corruptions#corrupt}, {@link Corruptions#corruptInto}), thrown
 * as the engine's {@link ShapeException}. They live here, not in Corruptions, so that the per-image library
 * path ({@link ImageCorruptions}) links without the tensor package: the verifier loads an exception class
 * that a method throws while linking the class that throws it.
 */
final class BatchShapes {
    private BatchShapes() {}

    /** Fails: the batch is not 32x32x3 (the CIFAR tables); names the per-image API for other sizes. */
    static void notCifar(ImageBatch in) {
        throw new ShapeException("corruptions need 32x32 RGB images (CIFAR parameters), got " + in.height()
                + "x" + in.width() + "x" + in.channels() + "; pad or resize to 32x32x3 first (for other sizes,"
                + " ImageCorruptions.corrupt applies the ImageNet-C parameters image by image)");
    }

    /** Fails unless {@code count} images of {@code bytesPerImage} fit in {@code length} bytes from {@code offset}. */
    static void checkOutput(int length, int offset, int count, int bytesPerImage) {
        if ((long) offset + (long) count * bytesPerImage > length) {
            throw new ShapeException("output buffer too small: " + length + " bytes from offset " + offset
                    + " for " + count + " images");
        }
    }
}
