/**
 * AugMix augmentation, bit-exact to the official Pillow pipeline (google-research/augmix
 * augmentations.py and cifar.py's AugMixDataset, on Pillow's ImageOps / ImageEnhance /
 * Image.transform semantics), with counter-based randomness that another device can reproduce draw for draw.
 *
 * <h2>Pieces</h2>
 * <ul>
 * <li>{@link org.augmix4j.augment.Philox}: Philox4x32-10 and the counter layout of every draw
 *     (key = run seed; counter = sample, epoch, tag|view|chain|step, draw); flip/crop draws and
 *     the epoch shuffle.</li>
 * <li>{@link org.augmix4j.augment.Samplers}: Dirichlet(alpha) and Beta(alpha, alpha).</li>
 * <li>{@link org.augmix4j.augment.Op} / {@link org.augmix4j.augment.PilOps}: the 13 ops with
 *     explicit parameters, Pillow-exact on HWC uint8 RGB of any size.</li>
 * <li>{@link org.augmix4j.augment.AugMixTransform}: the library entry point, torchvision-style per-image AugMix on
 *     BufferedImage / RgbImage / uint8 HWC (uint8, normalised CHW float and JSD-view forms; docs/library.md).</li>
 * <li>{@link org.augmix4j.augment.AugMix}: programs (what is drawn per sample and view), the
 *     train transform, augment-and-mix, batches (NCHW float32, {@code cat([clean, aug1, aug2])})
 *     and traces (every intermediate, for checking another implementation).</li>
 * </ul>
 *
 * <h2>Reproducing it elsewhere (the CUDA kernel's checklist)</h2>
 * <ol>
 * <li>Draws: {@link org.augmix4j.augment.Philox} class doc; integers by multiply-shift, levels from
 *     53-bit doubles {@code 0.1 + (severity - 0.1) * u}, signs from the top bit.</li>
 * <li>Parameters from levels: {@link org.augmix4j.augment.Op#paramFromLevel}, double arithmetic
 *     left to right as Python, truncation by int conversion.</li>
 * <li>Geometry: {@link org.augmix4j.augment.PilOps#affine} in double without FMA. Rotation
 *     matrices involve cos/sin rounded to 15 decimals: take them from
 *     {@link org.augmix4j.augment.PilOps#rotateMatrix} on the host (random angles are integers in
 *     -29..29 for any severity &le; 10) rather than evaluating cos/sin on the device. Integer
 *     translations are exact shifts; shear_x has dy = 0 and shear_y dx = 0 exactly.</li>
 * <li>LUT ops: integer/double host math; equalize's LUT may exceed 255 and is clipped.</li>
 * <li>Enhance ops: float32 blend {@code deg + a * (float)(img - deg)} truncated (clipped when
 *     a &gt; 1), grey = {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}, SMOOTH with float32
 *     kernel 1/13, 5/13, rows summed bottom (y+1) to top, + 0.5, borders copied.</li>
 * <li>Mixing: float32, {@code mix = 0; mix += w_i * N(c_i)}; {@code out = (1 - m) * N(x) + m * mix},
 *     {@code N(u) = (u / 255f - 0.5f) / 0.5f}. Alpha = 1 weights use {@code log}; a device log may
 *     differ in the last bit (tolerance 1e-6); m = u exactly.</li>
 * </ol>
 * {@link org.augmix4j.augment.AugMix#trace} gives, per sample, the crop, the transformed input,
 * each view's w, m, ops, levels and parameters, each chain's uint8 image and the float outputs.
 */
package org.augmix4j.augment;
