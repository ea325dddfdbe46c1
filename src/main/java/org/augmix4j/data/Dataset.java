package org.augmix4j.data;

import java.util.List;
import org.augmix4j.tensor.ImageBatch;

/**
 * One split of a labelled image dataset as the model sees it: 32x32 RGB uint8 images (NHWC), one
 * label in {@code [0, numClasses)} per image, the dataset's name and, when known, its class names.
 * Every loader converts to this form (Fashion-MNIST/MNIST padded and replicated to RGB).
 *
 * <p>The arrays are shared, not copied: treat them as read-only.
 */
public record Dataset(String name, ImageBatch images, int[] labels, int numClasses, List<String> classNames) {
    public static final int SIZE = 32;
    public static final int CHANNELS = 3;

    public Dataset {
        if (images.height() != SIZE || images.width() != SIZE || images.channels() != CHANNELS) {
            throw new IllegalArgumentException(name + ": images must be " + SIZE + "x" + SIZE + "x" + CHANNELS
                    + " (NHWC RGB), got " + images.height() + "x" + images.width() + "x" + images.channels());
        }
        if (labels.length != images.count()) {
            throw new IllegalArgumentException(name + ": " + images.count() + " images but " + labels.length + " labels");
        }
        if (numClasses < 1) throw new IllegalArgumentException(name + ": numClasses must be positive, got " + numClasses);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of image " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        classNames = List.copyOf(classNames);
        if (!classNames.isEmpty() && classNames.size() != numClasses) {
            throw new IllegalArgumentException(name + ": " + classNames.size() + " class names for " + numClasses + " classes");
        }
    }

    /** Number of images. */
    public int size() { return labels.length; }

    /** Images per class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int y : labels) counts[y]++;
        return counts;
    }

    /** Class {@code k}'s name, or its number when names are unknown. */
    public String className(int k) { return classNames.isEmpty() ? Integer.toString(k) : classNames.get(k); }

    /** Images {@code [from, to)} as their own dataset (copies the pixels). */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException(name + ": slice [" + from + ", " + to + ") of " + size() + " images");
        }
        return new Dataset(name, images.slice(from, to), java.util.Arrays.copyOfRange(labels, from, to), numClasses, classNames);
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images, " + numClasses + " classes)";
    }
}
