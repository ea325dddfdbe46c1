/**
 * The DJL adapter (optional dependency {@code ai.djl:api}): {@link org.augmix4j.djl.AugMixDjlTransform} (a
 * {@code Transform} for DJL pipelines), {@link org.augmix4j.djl.JsdLoss} (the AugMix JSD loss, 3 splits,
 * weight 12) with its array reference {@link org.augmix4j.djl.JsdMath}, and
 * {@link org.augmix4j.djl.AugMixDjlDataset} (records of the three JSD views). Needs a DJL engine at run time,
 * as every DJL NDArray does.
 */
package org.augmix4j.djl;
