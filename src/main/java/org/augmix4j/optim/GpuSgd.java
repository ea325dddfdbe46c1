package org.augmix4j.optim;

import java.util.List;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.nn.GpuWideResNet;
import org.augmix4j.ops.SgdCuda;

/**
 * {@link Sgd} on the GPU: the momentum buffers of every parameter in one flat buffer with the
 * network's flat layout ({@link GpuWideResNet#params()}), and ONE launch per step over all of it
 * ({@code sgd_step_forward}: the same float operations as {@link Sgd}, in PyTorch's order, bit for
 * bit). The gaps between parameters hold zeros in all three buffers and stay zero.
 *
 * <p>State moves to and from the CPU optimiser ({@link #load(Sgd)}, {@link #store(Sgd)}), so
 * checkpoints are written by the CPU path's code unchanged.
 */
public final class GpuSgd implements AutoCloseable {
    private final GpuWideResNet net;
    private final DeviceBuffer momentumBuffer;
    private final float momentum, weightDecay;
    private final boolean nesterov;
    private boolean first = true;
    private long steps;

    public GpuSgd(GpuWideResNet net, float momentum, float weightDecay, boolean nesterov) {
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

    /**
     * Takes over the CPU optimiser's state: its momentum buffers (parameter order) and step count.
     * Parameters the CPU optimiser has not started get zeros, which gives the same first update
     * (buf = momentum * 0 + g = g).
     */
    public void load(Sgd sgd) {
        List<GpuWideResNet.Slot> slots = net.slots();
        boolean any = false;
        for (int i = 0; i < slots.size(); i++) {
            float[] b = sgd.buffer(i);
            GpuWideResNet.Slot s = slots.get(i);
            DeviceBuffer v = momentumBuffer.view(s.offset(), s.length());
            if (b == null) {
                v.zero(net.gpu().stream());
            } else {
                v.copyFrom(b);
                any = true;
            }
        }
        first = !any;
        steps = sgd.steps();
    }

    /** Writes the momentum buffers and the step count into the CPU optimiser (synchronises). */
    public void store(Sgd sgd) {
        List<GpuWideResNet.Slot> slots = net.slots();
        float[][] state = new float[slots.size()][];
        if (!first) {
            for (int i = 0; i < slots.size(); i++) {
                GpuWideResNet.Slot s = slots.get(i);
                state[i] = new float[s.length()];
                momentumBuffer.view(s.offset(), s.length()).copyTo(state[i]);
            }
        }
        sgd.restore(state, steps);
    }

    @Override
    public void close() { momentumBuffer.close(); }
}
