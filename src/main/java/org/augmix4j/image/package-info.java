/**
 * Images in and out of the library, JDK only: {@link org.augmix4j.image.RgbImage} (8-bit RGB, HWC, the
 * layout every pixel operation takes), {@link org.augmix4j.image.Images} ({@code BufferedImage} of any
 * type to RGB and back to the same kind, Pillow's {@code convert("RGB")} rules) and
 * {@link org.augmix4j.image.ImageFiles} (PNG/JPEG reading with a decompression-bomb limit checked
 * from the header before decoding, PNG writing).
 */
package org.augmix4j.image;
