package org.augmix4j.nn;

import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.tensor.Tensor;

/** A BatchNorm2d layer: affine weight/bias (C) and the running statistics buffers, PyTorch names. */
public final class BatchNorm2d {
    final Var weight, bias;
    final float[] runningMean, runningVar;
    long numBatchesTracked;

    BatchNorm2d(String prefix, int c) {
        float[] ones = new float[c];
        java.util.Arrays.fill(ones, 1f);
        weight = Var.param(prefix + ".weight", Tensor.of(ones, c));
        bias = Var.param(prefix + ".bias", Tensor.zeros(c));
        runningMean = new float[c];
        runningVar = ones.clone();
    }

    /** bn(x) alone (a ResNeXt block's last BN, before the residual add). */
    Var forward(Tape t, Var x, boolean train) {
        if (train) numBatchesTracked++;
        return F.batchNorm(t, x, weight, bias, runningMean, runningVar, train);
    }

    /** relu(bn(x)): every BN of the WRN is followed by a ReLU, so the pair is one fused op. */
    Var forwardRelu(Tape t, Var x, boolean train) {
        if (train) numBatchesTracked++;
        return F.batchNormRelu(t, x, weight, bias, runningMean, runningVar, train);
    }
}
