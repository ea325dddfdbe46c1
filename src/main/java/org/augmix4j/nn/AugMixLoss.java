package org.augmix4j.nn;

import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.ops.Losses;

/**
 * The training loss of the official cifar.py, written once for every caller (the CPU engine, the
 * bench, the self-test and the PyTorch fixture tests): with three views per sample (JSD mode) the
 * logits are (3B, K) stacked as [clean, aug1, aug2] and
 * {@code loss = CE(logits[:B], y) + 12 * JS(p_clean, p_aug1, p_aug2)} (google-research/augmix
 * cifar.py's train(); Hendrycks et al., ICLR 2020, section 3); with one view, logits (B, K) and {@code loss = CE(logits, y)}. The GPU engine
 * computes the same loss in one fused kernel ({@code ops.LossesCuda.trainLoss}).
 */
public final class AugMixLoss {
    private AugMixLoss() {}

    /**
     * The scalar loss on {@code tape}.
     *
     * @param logits (views * b, K)
     * @param labels (b) labels of the clean images
     * @param views  1 (cross-entropy only) or 3 (cross-entropy + 12 JSD)
     */
    public static Var of(Tape tape, Var logits, int[] labels, int b, int views) {
        if (views != 1 && views != 3) throw new IllegalArgumentException("AugMixLoss: views must be 1 or 3, got " + views);
        Var ce = F.crossEntropy(tape, logits, labels, b);
        return views == 3 ? F.weightedSum(tape, ce, 1f, F.jsd(tape, logits, b), Losses.JSD_WEIGHT) : ce;
    }
}
