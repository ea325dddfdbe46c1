package org.augmix4j.train;

import java.util.Map;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.GpuNetwork;
import org.augmix4j.nn.GpuWideResNet;
import org.augmix4j.nn.GpuZooNetwork;
import org.augmix4j.nn.Network;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.nn.ZooNetwork;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.Losses;
import org.augmix4j.ops.LossesCuda;
import org.augmix4j.ops.NormalizeCuda;
import org.augmix4j.ops.SgdCuda;
import org.augmix4j.optim.GpuSgd;
import org.augmix4j.optim.SgdState;
import org.augmix4j.tensor.ImageBatch;

/**
 * {@link Engine} on a GPU: {@link GpuWideResNet} (cuDNN / cuBLAS or our kernels, chosen once in
 * {@link GpuBackends}) with {@link GpuSgd}; batches from {@link GpuBatches} (the CUDA AugMix kernel
 * on the device-resident uint8 training set, or the CPU pipeline with pinned uploads); the loss is
 * the fused CE + 12 JS kernel. Nothing is read back per step: the loss sum, the top-1 count and the
 * sticky NaN/Inf flag accumulate on the device until {@link #stats}, which also checks that the
 * parameters' sum of squares is finite. The epoch's labels go up once per epoch, in sampling order.
 *
 * <p>Evaluation ({@link #logits}): each batch of uint8 images (B, H, W, C) is copied up, normalised
 * there ({@code normalize_forward}, to (B, 3, H, W) float), run in evaluation mode, and only its
 * logits (B, K) come back. The state ({@link #stateDict}, {@link #optimizerState}) is read from the
 * device only when a checkpoint asks for it.
 */
public final class GpuEngine implements Engine {
    private final Gpu gpu;
    private final GpuBackends backends;
    private final GpuNetwork net;
    private final Training training;     // null: evaluation only
    private final int evalBatch;
    private GpuSgd sgd;
    private GpuBatches batches;
    private DeviceBuffer input, labels, stats, sumPartial, sumOut;
    private EpochSampler.Epoch labelsOf;
    private DeviceBuffer evalBytes, evalFloats, evalLogits;

    /**
     * {@code init}'s architecture and weights on {@code gpu} for {@code height} x {@code width}
     * images; owns {@code backends} from here on (closes them).
     */
    GpuEngine(Gpu gpu, GpuBackends backends, Network init, int height, int width, Training training, int evalBatch,
              boolean augmentOnGpu) {
        this.gpu = gpu;
        this.backends = backends;
        this.training = training;
        this.evalBatch = Math.max(1, evalBatch);
        GpuNetwork n;
        try {
            n = init instanceof WideResNet wrn ? new GpuWideResNet(gpu, backends, wrn, height, width)
                    : new GpuZooNetwork(gpu, backends, (ZooNetwork) init, height, width);
        } catch (RuntimeException e) {
            backends.close();
            throw e;
        }
        this.net = n;
        if (training != null) {
            sgd = new GpuSgd(net, (float) training.momentum(), (float) training.decay(), true);
            net.reserveTraining(training.batchSize(), training.views());
            batches = augmentOnGpu ? GpuBatches.gpu(gpu, training.seed(), training.augmix())
                    : GpuBatches.cpu(gpu, height, width, training.seed(), training.augmix(), training.batchSize());
            input = DeviceBuffer.floats(gpu, (long) training.batchSize() * training.views() * 3 * height * width);
            stats = DeviceBuffer.floats(gpu, 3);
            sumPartial = DeviceBuffer.floats(gpu, SgdCuda.SUM_BLOCKS);
            sumOut = DeviceBuffer.floats(gpu, 1);
            stats.zero(gpu.stream());
        }
    }

    @Override
    public Arch config() { return net.config(); }

    @Override
    public int classes() { return net.classes(); }

    @Override
    public String label() { return config().label(); }

    @Override
    public String kind() { return "gpu"; }

    @Override
    public String describe() {
        return "GPU " + gpu + "; " + backends.summary() + (batches == null ? "" : "; batches: " + batches.describe() + "; activations "
                + net.arenaBytes() / (1 << 20) + " MiB");
    }

    public Gpu gpu() { return gpu; }

    public GpuBackends backends() { return backends; }

    /** The device network (tests and the bench). */
    public GpuNetwork net() { return net; }

    @Override
    public void step(EpochSampler.Batch batch, double lr) {
        if (training == null) throw new IllegalStateException("this GPU engine was opened for evaluation only");
        EpochSampler.Epoch epoch = batch.epoch();
        if (labelsOf != epoch) uploadLabels(epoch);
        int count = batch.count(), views = training.views();
        batches.fill(epoch.set().images(), epoch.index(), epoch.order(), batch.from(), count, input);
        DeviceBuffer y = labels.view(batch.from(), count);
        net.beginStep(training.seed(), (long) epoch.index() * epoch.steps() + batch.step());
        net.forwardBackward(input, y, count, views);
        LossesCuda.trainStats(net.trainLogits(count * views), y, net.lossWorkspace().loss, stats, count, classes());
        sgd.step((float) lr);
    }

    private void uploadLabels(EpochSampler.Epoch epoch) {
        int n = epoch.labels().length;
        if (labels == null || labels.length() < n) {
            if (labels != null) labels.close();
            labels = DeviceBuffer.ints(gpu, Math.max(1, n));
        }
        labels.copyFrom(epoch.labels());
        labelsOf = epoch;
    }

    @Override
    public Stats stats(String where) {
        if (training == null) return new Stats(0, 0, 0);
        float[] s = stats.toFloats();
        if (net.lossWorkspace() != null) net.lossWorkspace().checkFinite(where);
        SgdCuda.sumSquares(net.params(), net.flatLength(), sumPartial, sumOut);
        float ss = sumOut.toFloats()[0];
        if (!Float.isFinite(ss)) {
            throw new Losses.NonFiniteException("GPU parameters at " + where + " hold NaN/Inf (sum of squares " + ss
                    + "): training diverged; lower --learning-rate or resume from the last good checkpoint");
        }
        return new Stats(s[0], Math.round(s[1]), Math.round(s[2]));
    }

    @Override
    public void resetStats() {
        if (stats != null) stats.zero(gpu.stream());
    }

    @Override
    public boolean statsAreFree() { return false; }

    @Override
    public void logits(ImageBatch images, int from, int count, float[] out) {
        if (images.height() != net.height() || images.width() != net.width()) {
            throw new IllegalArgumentException("GPU evaluation: images are " + images.height() + "x" + images.width() + " but the network was"
                    + " set up for " + net.height() + "x" + net.width());
        }
        int k = classes(), hw = images.height() * images.width(), c = images.channels(), ib = images.imageBytes();
        for (int done = 0; done < count; ) {
            int m = Math.min(evalBatch, count - done);
            ensureEval(ib, hw, k);
            evalBytes.copyFrom(images.pixels(), (from + done) * ib, 0, m * ib);
            NormalizeCuda.forward(evalBytes, evalFloats, m, hw, c);
            net.logits(evalFloats, m, evalLogits);
            evalLogits.copyTo(0, out, done * k, m * k);
            done += m;
        }
    }

    private void ensureEval(int imageBytes, int hw, int k) {
        if (evalBytes == null || evalBytes.length() < (long) evalBatch * imageBytes) {
            if (evalBytes != null) evalBytes.close();
            evalBytes = DeviceBuffer.bytes(gpu, (long) evalBatch * imageBytes);
        }
        if (evalFloats == null) evalFloats = DeviceBuffer.floats(gpu, (long) evalBatch * 3 * hw);
        if (evalLogits == null) evalLogits = DeviceBuffer.floats(gpu, (long) evalBatch * k);
    }

    @Override
    public Map<String, Object> stateDict() { return net.stateDict(); }

    @Override
    public SgdState optimizerState() { return sgd == null ? SgdState.initial() : sgd.state(); }

    @Override
    public void load(Map<String, Object> state, SgdState optimizer) {
        net.load(state);
        if (optimizer != null) {
            if (sgd == null) throw new IllegalStateException("this GPU engine was opened for evaluation only");
            sgd.load(optimizer);
        }
    }

    /** The cuDNN algorithm choices so far, one line per shape (empty without cuDNN). */
    public java.util.List<String> algorithmNotes() {
        return backends.cudnn() == null ? java.util.List.of() : backends.cudnn().notes();
    }

    @Override
    public void close() {
        gpu.synchronize();
        for (AutoCloseable c : new AutoCloseable[] {batches, input, labels, stats, sumPartial, sumOut, evalBytes, evalFloats, evalLogits, sgd}) {
            if (c == null) continue;
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException("closing the GPU engine: " + e.getMessage(), e);
            }
        }
        net.close();
        backends.close();
    }
}
