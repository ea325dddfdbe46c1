package org.augmix4j.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * The AugMix training loss (official {@code cifar.py}, JSD mode) as a DJL {@link Loss}: the predictions are the
 * logits of {@code cat([clean, aug1, aug2])}, shape (3B, K); the labels the B class indices of the clean images.
 * With {@code p_v = softmax(logits_v)} and {@code M = log(clamp((p_0 + p_1 + p_2) / 3, 1e-7, 1))}:
 * <pre>
 *   loss = CE(logits_0, y) + lambda * (KL(p_0 || M) + KL(p_1 || M) + KL(p_2 || M)) / 3
 *   KL(p || M) = sum_{b,k} p (log p - M) / B          (PyTorch kl_div(M, p, reduction='batchmean'))
 * </pre>
 * with {@code lambda = 12} and 3 splits, as the official code. {@link JsdMath#loss} is the same formula on
 * float arrays (the reference the tests check).
 */
public final class JsdLoss extends Loss {
    /** The official weight of the Jensen-Shannon term. */
    public static final float LAMBDA = 12f;
    /** Number of views per image: clean, AugMix 1, AugMix 2. */
    public static final int SPLITS = 3;

    private final float lambda;

    /** The official loss: weight 12. */
    public JsdLoss() { this("JsdLoss", LAMBDA); }

    public JsdLoss(String name, float lambda) {
        super(name);
        if (!(lambda >= 0) || Float.isInfinite(lambda)) throw new IllegalArgumentException("lambda must be finite and >= 0; got " + lambda);
        this.lambda = lambda;
    }

    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray logits = predictions.singletonOrThrow();
        long rows = logits.getShape().get(0);
        if (logits.getShape().dimension() != 2 || rows % SPLITS != 0) {
            throw new IllegalArgumentException("JSD loss needs logits of shape (3B, K) for cat([clean, aug1, aug2]); got " + logits.getShape());
        }
        long b = rows / SPLITS;
        NDArray y = labels.singletonOrThrow();
        if (y.getShape().size() != b) {
            throw new IllegalArgumentException("JSD loss needs the B = " + b + " labels of the clean images; got " + y.getShape());
        }
        NDList parts = logits.split(SPLITS, 0);
        NDArray logP0 = parts.get(0).logSoftmax(1);
        int k = Math.toIntExact(logits.getShape().get(1));
        NDArray ce = logP0.mul(y.toType(ai.djl.ndarray.types.DataType.INT32, false).oneHot(k)).sum().neg().div(b);
        NDArray p0 = logP0.exp(), p1 = parts.get(1).softmax(1), p2 = parts.get(2).softmax(1);
        NDArray m = p0.add(p1).add(p2).div(3f).clip(1e-7f, 1f).log();
        NDArray kl = kl(p0, m).add(kl(p1, m)).add(kl(p2, m)).div(3f * b);
        return ce.add(kl.mul(lambda));
    }

    /** sum p (log p - m), with 0 log 0 = 0 as PyTorch's kl_div (xlogy). */
    private static NDArray kl(NDArray p, NDArray m) {
        NDArray logP = p.clip(Float.MIN_NORMAL, 1f).log();
        return p.mul(logP.sub(m)).sum();
    }
}
