package org.augmix4j.train;

import java.util.Map;
import org.augmix4j.augment.AugMix;
import org.augmix4j.autograd.Arena;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.nn.AugMixLoss;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.Network;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.Sgd;
import org.augmix4j.optim.SgdState;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.tensor.Tensor;

/**
 * {@link Engine} on the pure-Java CPU backend: a {@link Network} of the zoo on the tape autograd, the AugMix
 * batch from {@link AugMix#sampleBatch} (all cores), {@link AugMixLoss}, {@link Sgd}. Every float
 * operation is deterministic for a given thread count, so a fixed-seed run gives byte-identical
 * checkpoints. The input buffer of a full batch is allocated once, and the activations and their
 * gradients live in an {@link Arena} that every step reuses (a step allocates no large arrays;
 * a batch of another size, such as an epoch's last, first empties it). Evaluation runs the batch
 * in chunks of {@link #EVAL_CHUNK} images through an inference tape on a second arena (the logits
 * are the same bits: every op of the eval-mode network works image by image).
 *
 * <p>Shapes: a batch of b samples is (views * b, 3, H, W) normalised floats, logits (views * b, K).
 */
public final class CpuEngine implements Engine {
    /** Images per eval-mode forward inside {@link #logits}: about 0.45 GB of WRN-40-2 activations at 32x32. */
    static final int EVAL_CHUNK = 64;
    private final Network net;
    private final Training training;   // null: evaluation only
    private final Sgd sgd;
    private float[] input;
    /** Activations and gradients of the training steps, reused; and the eval chunks' activations. */
    private final Arena arena = new Arena(), evalArena = new Arena();
    /** The input shape (images, height, width) the arena holds arrays for. */
    private final int[] arenaShape = new int[3];
    private double lossSum;
    private long correct, samples, augmentNanos, stepNanos;

    /** Training and evaluation of {@code net} (its weights are the starting point). */
    public CpuEngine(Network net, Training training) {
        this.net = net;
        this.training = training;
        this.sgd = training == null ? null : new Sgd(net.parameters(), (float) training.momentum(), (float) training.decay(), true);
    }

    /** Evaluation only: {@link #step} throws. */
    public static CpuEngine inference(Network net) { return new CpuEngine(net, null); }

    @Override
    public Arch config() { return net.arch(); }

    @Override
    public int classes() { return net.arch().classes(); }

    @Override
    public String label() { return config().label(); }

    @Override
    public String kind() { return "cpu"; }

    @Override
    public String describe() { return "CPU engine, " + Parallel.threads() + " threads"; }

    /** The network (tests compare its state). */
    public Network net() { return net; }

    @Override
    public void step(EpochSampler.Batch batch, double lr) {
        if (training == null) throw new IllegalStateException("this CPU engine was opened for evaluation only");
        ImageBatch images = batch.epoch().set().images();
        int count = batch.count(), views = training.views(), h = images.height(), w = images.width();
        int[] idx = batch.indices(), labels = batch.labels();
        float[] x = input(views * count * 3 * h * w, count == training.batchSize());
        long t0 = System.nanoTime();
        AugMix.sampleBatch(images, idx, training.seed(), batch.epoch().index(), training.augmix(), x);
        long t1 = System.nanoTime();
        net.beginStep(training.seed(), (long) batch.epoch().index() * batch.epoch().steps() + batch.step());
        int[] shape = {views * count, h, w};
        if (!java.util.Arrays.equals(shape, arenaShape)) { // other shapes: let the GC have the old arrays
            arena.clear();
            System.arraycopy(shape, 0, arenaShape, 0, 3);
        }
        Tape tape = new Tape(arena);
        Var logits = net.forward(tape, Tensor.of(x, views * count, 3, h, w), true);
        Var loss = AugMixLoss.of(tape, logits, labels, count, views);
        // read before backward: the tape hands intermediate results back to the arena as it goes
        int right = countCorrect(logits.data(), labels, count, classes());
        tape.backward(loss);
        sgd.step((float) lr);
        net.zeroGrad();
        lossSum += loss.data()[0] * count;
        correct += right;
        samples += count;
        augmentNanos += t1 - t0;
        stepNanos += System.nanoTime() - t0;
    }

    /** The fraction of step time spent making AugMix batches so far (the bench reports it). */
    public double augmentShare() { return stepNanos == 0 ? 0 : (double) augmentNanos / stepNanos; }

    /** The full batch's buffer is kept; a smaller last batch gets its own (the tensor takes the array's length). */
    private float[] input(int length, boolean full) {
        if (!full) return new float[length];
        if (input == null || input.length != length) input = new float[length];
        return input;
    }

    /** How many of the first n rows of logits (>= n, k) have their first maximum at their label. */
    static int countCorrect(float[] logits, int[] labels, int n, int k) {
        int c = 0;
        for (int i = 0; i < n; i++) {
            int arg = 0;
            for (int j = 1; j < k; j++) if (logits[i * k + j] > logits[i * k + arg]) arg = j;
            if (arg == labels[i]) c++;
        }
        return c;
    }

    @Override
    public Stats stats(String where) {
        if (!Double.isFinite(lossSum)) {
            throw new Losses.NonFiniteException("the training loss at " + where + " is " + lossSum
                    + ": training diverged; lower --learning-rate or resume from the last good checkpoint");
        }
        return new Stats(lossSum, correct, samples);
    }

    @Override
    public void resetStats() {
        lossSum = 0;
        correct = 0;
        samples = 0;
    }

    @Override
    public boolean statsAreFree() { return true; }

    @Override
    public void logits(ImageBatch images, int from, int count, float[] out) {
        int k = classes();
        for (int c0 = 0; c0 < count; c0 += EVAL_CHUNK) {
            int n = Math.min(EVAL_CHUNK, count - c0);
            Tensor x = Tensor.of(Evaluator.preprocess(images, from + c0, n), n, 3, images.height(), images.width());
            try {
                Var y = net.forward(Tape.inference(evalArena), x, false);
                System.arraycopy(y.data(), 0, out, c0 * k, n * k);
            } finally {
                evalArena.giveAll();
            }
        }
        evalArena.trimUnused(); // keep the arrays of this call's chunk sizes only
    }

    @Override
    public Map<String, Object> stateDict() { return net.stateDict(); }

    @Override
    public SgdState optimizerState() { return sgd == null ? SgdState.initial() : sgd.state(); }

    @Override
    public void load(Map<String, Object> state, SgdState optimizer) {
        net.loadStateDict(state);
        if (optimizer != null) {
            if (sgd == null) throw new IllegalStateException("this CPU engine was opened for evaluation only");
            sgd.restore(optimizer);
        }
    }

    @Override
    public void close() {
        // heap memory only
    }
}
