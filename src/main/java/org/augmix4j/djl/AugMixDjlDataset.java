package org.augmix4j.djl;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.util.Progress;
import java.util.function.IntFunction;
import org.augmix4j.augment.AugMixTransform;
import org.augmix4j.image.RgbImage;

/**
 * A DJL dataset of AugMix JSD triples: record i is {@code data = [clean, aug1, aug2]} (three (3, H, W) float32
 * arrays, {@link AugMixTransform#jsdViews} of image i) and {@code labels = [label_i]} (int32 scalar). After
 * batching, {@code NDArrays.concat(batch.getData(), 0)} is the (3B, 3, H, W) input whose logits {@link JsdLoss}
 * takes. The draw index of record i in epoch e is {@code e * size + i}: call {@link #nextEpoch} between epochs
 * for fresh augmentations.
 */
public final class AugMixDjlDataset extends RandomAccessDataset {
    private final IntFunction<RgbImage> images;
    private final int[] labels;
    private final AugMixTransform augmix;
    private volatile long epoch;

    private AugMixDjlDataset(Builder b) {
        super(b);
        this.images = b.images;
        this.labels = b.labels.clone();
        this.augmix = b.augmix;
    }

    /** A builder; {@code images.apply(i)} gives image i of {@code labels.length}. */
    public static Builder builder(IntFunction<RgbImage> images, int[] labels, AugMixTransform augmix) {
        return new Builder(images, labels, augmix);
    }

    /** Moves to the next epoch's draws. */
    public void nextEpoch() { epoch++; }

    @Override
    public Record get(NDManager manager, long index) {
        int i = Math.toIntExact(index);
        RgbImage img = images.apply(i);
        float[][] v = augmix.jsdViews(img, epoch * labels.length + i);
        Shape s = new Shape(3, img.height(), img.width());
        NDList data = new NDList(manager.create(v[0], s), manager.create(v[1], s), manager.create(v[2], s));
        return new Record(data, new NDList(manager.create(labels[i])));
    }

    @Override
    protected long availableSize() { return labels.length; }

    @Override
    public void prepare(Progress progress) { }

    /** DJL's dataset builder with the images, labels and transform. */
    public static final class Builder extends RandomAccessDataset.BaseBuilder<Builder> {
        final IntFunction<RgbImage> images;
        final int[] labels;
        final AugMixTransform augmix;

        Builder(IntFunction<RgbImage> images, int[] labels, AugMixTransform augmix) {
            if (images == null || labels == null || augmix == null) throw new IllegalArgumentException("images, labels and augmix are required");
            this.images = images;
            this.labels = labels;
            this.augmix = augmix;
        }

        @Override
        protected Builder self() { return this; }

        public AugMixDjlDataset build() { return new AugMixDjlDataset(this); }
    }
}
