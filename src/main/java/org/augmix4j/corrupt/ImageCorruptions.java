package org.augmix4j.corrupt;

import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import org.augmix4j.image.Images;
import org.augmix4j.image.RgbImage;

/**
 * The corruptions as a per-image library call on images of any size, the way the
 * {@code imagecorruptions} package offers them ({@code corrupt(image, corruption_name, severity)}):
 * <ul>
 * <li>at 32x32 the CIFAR-C parameters and algorithms of {@link Corruptions} (bit for bit what
 *     {@code Corruptions.corrupt} gives image {@code index} of a batch with the same seed: all 19);</li>
 * <li>at any other size the ImageNet-C parameters (see {@link AnySize} for the tables and how sizes scale,
 *     as the {@code imagecorruptions} package generalises them): all 19 too ({@link #available}).</li>
 * </ul>
 * Randomness: the image's draws come from {@code CounterRng.key(seed, stem, severity, index)}, a pure
 * function of its arguments, on the calling thread (no pool, thread-safe). BufferedImages of any type are
 * corrupted as their RGB ({@link Images#toRgb}) and come back as the same kind ({@link Images#withRgb};
 * a grey image gets the corrupted R channel).
 */
public final class ImageCorruptions {
    private ImageCorruptions() {}

    /** True when {@code h x w} uses the CIFAR-C parameters (32x32), false for the ImageNet-C ones. */
    public static boolean cifarParameters(int h, int w) { return h == Corruptions.SIZE && w == Corruptions.SIZE; }

    /** The corruptions available at {@code h x w}: all 19, at 32x32 and at every other size. */
    public static Set<Corruption> available(int h, int w) {
        return Collections.unmodifiableSet(cifarParameters(h, w) ? EnumSet.allOf(Corruption.class) : AnySize.available(h, w));
    }

    /** Corruption {@code name} (a CIFAR-C stem, e.g. "fog") of severity 1..5 applied to {@code img}; image index 0. */
    public static BufferedImage corrupt(BufferedImage img, String name, int severity, long seed) {
        return corrupt(img, Corruption.byName(name), severity, seed, 0);
    }

    /** Corruption {@code c} of severity 1..5 applied to {@code img} with the draws of image {@code index}; same kind back. */
    public static BufferedImage corrupt(BufferedImage img, Corruption c, int severity, long seed, long index) {
        return Images.withRgb(img, corrupt(Images.toRgb(img), c, severity, seed, index));
    }

    /** Corruption {@code c} applied to an 8-bit RGB image. */
    public static RgbImage corrupt(RgbImage img, Corruption c, int severity, long seed, long index) {
        return new RgbImage(img.height(), img.width(), corrupt(img.pixels(), img.height(), img.width(), c, severity, seed, index));
    }

    /**
     * Corruption {@code c} of uint8 HWC RGB bytes ({@code h * w * 3}); returns new bytes.
     *
     * @throws IllegalArgumentException for a bad severity, a null corruption or a wrong buffer size
     */
    public static byte[] corrupt(byte[] hwc, int h, int w, Corruption c, int severity, long seed, long index) {
        if (c == null) throw new IllegalArgumentException("corruption is null; valid names: " + String.join(", ", Corruption.stems()));
        Corruption.checkSeverity(severity);
        new RgbImage(h, w, hwc); // validates the size
        byte[] out = new byte[hwc.length];
        CounterRng rng = new CounterRng(CounterRng.key(seed, c.stem(), severity, index));
        if (cifarParameters(h, w)) {
            Corruptions.apply(c, severity, hwc, 0, out, 0, rng, FrostTiles.procedural());
        } else {
            AnySize.apply(c, severity, hwc, 0, out, 0, h, w, rng);
        }
        return out;
    }
}
