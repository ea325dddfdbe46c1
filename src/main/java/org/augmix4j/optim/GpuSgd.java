package org.augmix4j.optim;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.nn.GpuNetwork;
import org.augmix4j.ops.SgdCuda;

/**
 * {@link Sgd} on the GPU: the momentum buffers of every parameter in one flat buffer with the
 * network's flat layout ({@link GpuNetwork#params()}), and ONE launch per step over all of it
 * ({@code sgd_step_forward}: the same float operations as {@link Sgd}, in PyTorch's order, bit for
 * bit). The gaps between parameters hold zeros in all three buffers and stay zero.
 *
 * <p>State moves in and out as an engine-independent {@link SgdState} ({@link #load(SgdState)},
 * {@link #state()}), which checkpoints write.
 */
public final class GpuSgd implements AutoCloseable {
    private final GpuNetwork net;
    private final DeviceBuffer momentumBuffer;
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private boolean first = true;
    private long steps;

    public GpuSgd(GpuNetwork net, float momentum, float weightDecay, boolean nesterov) {
        this.net = net;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        momentumBuffer = DeviceBuffer.floats(net.gpu(), net.flatLength());
        momentumBuffer.zero(net.gpu().stream());
    }

    /** One update of every parameter with learning rate {@code lr} (one launch; queued, nothing read back). */
    public void step(float lr) {
        SgdCuda.step(net.params(), net.grads(), momentumBuffer, net.flatLength(), lr, momentum, weightDecay, nesterov, first);
        first = false;
        steps++;
    }

    /** Steps taken (restored ones included). */
    public long steps() { return steps; }

    /** The flat momentum buffer. */
    public DeviceBuffer momentumBuffer() { return momentumBuffer; }

    /** Takes over the CPU optimiser's state (tests compare the engines through it). */
    public void load(Sgd sgd) { load(sgd.state()); }

    /** Writes the momentum buffers and the step count into the CPU optimiser (synchronises). */
    public void store(Sgd sgd) { sgd.restore(state()); }

    /** The momentum buffers by parameter name and the step count (synchronises). */
    public SgdState state() {
        java.util.Map<String, float[]> m = new java.util.LinkedHashMap<>();
        if (!first) {
            for (GpuNetwork.Slot s : net.slots()) {
                float[] b = new float[s.length()];
                momentumBuffer.view(s.offset(), s.length()).copyTo(b);
                m.put(s.name(), b);
            }
        }
        return new SgdState(m, steps);
    }

    /**
     * Takes over {@code state}: parameters without a buffer get zeros, which gives the same first
     * update (buf = momentum * 0 + g = g); a buffer of the wrong length is an error naming it.
     */
    public void load(SgdState state) {
        boolean any = false;
        for (GpuNetwork.Slot s : net.slots()) {
            float[] b = state.momentum().get(s.name());
            DeviceBuffer v = momentumBuffer.view(s.offset(), s.length());
            if (b == null) {
                v.zero(net.gpu().stream());
                continue;
            }
            if (b.length != s.length()) {
                throw new IllegalArgumentException("optimizer buffer " + s.name() + " has " + b.length + " values, expected " + s.length());
            }
            v.copyFrom(b);
            any = true;
        }
        first = !any;
        steps = state.steps();
    }

    @Override
    public void close() { momentumBuffer.close(); }
}
