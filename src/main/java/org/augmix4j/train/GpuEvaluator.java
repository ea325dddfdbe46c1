package org.augmix4j.train;

import java.io.PrintStream;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.nn.GpuWideResNet;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.NormalizeCuda;
import org.augmix4j.tensor.ImageBatch;

/**
 * {@link Evaluator.Engine} on a {@link GpuWideResNet}: each batch of uint8 images (B, H, W, C) is
 * copied to the device, normalised there ({@code normalize_forward}, to (B, 3, H, W) float), run
 * through the network in evaluation mode, and only its logits (B, K) come back. Used by
 * {@link GpuTrainer} for the per-epoch and final evaluation, and by {@code eval --device gpu|auto}
 * through {@link #open}, which also owns the device copy of the network.
 */
public final class GpuEvaluator implements Evaluator.Engine, AutoCloseable {
    private final GpuWideResNet net;
    private final int batch;
    private final WideResNet registered;   // the CPU network routed here by open(); null when the caller manages that
    private final GpuBackends ownedBackends;
    private DeviceBuffer bytes, floats, logits;

    GpuEvaluator(GpuWideResNet net, int batch) {
        this(net, batch, null, null);
    }

    private GpuEvaluator(GpuWideResNet net, int batch, WideResNet registered, GpuBackends ownedBackends) {
        this.net = net;
        this.batch = Math.max(1, batch);
        this.registered = registered;
        this.ownedBackends = ownedBackends;
    }

    /**
     * Resolves {@code --device} (cpu | gpu | auto, as for train) and, on the GPU, copies {@code net}
     * there for {@code height} x {@code width} images and routes every later evaluation of
     * {@code net} ({@link Evaluator}) through it until {@link #close}. Null for the CPU engine, after
     * printing why when "auto" found no usable GPU; throws for "gpu" without one.
     */
    public static GpuEvaluator open(String device, WideResNet net, int height, int width, int batch, boolean tf32, PrintStream out) {
        Gpu gpu = GpuTrainer.device(device, out);  // throws for anything but cpu, gpu and auto
        if (gpu == null) {
            if (device.equals("cpu")) out.println("Device: CPU engine (--device cpu)");
            return null;
        }
        GpuBackends backends = GpuBackends.select(gpu, GpuBackends.Choice.fromProperty(), tf32);
        GpuWideResNet engine;
        try {
            engine = new GpuWideResNet(gpu, backends, net, height, width);
        } catch (RuntimeException e) {
            backends.close();
            throw e;
        }
        out.println("Device: GPU " + gpu + "; " + backends.summary());
        for (String n : backends.notes()) out.println("  " + n);
        GpuEvaluator ev = new GpuEvaluator(engine, batch, net, backends);
        Evaluator.setEngine(net, ev);
        return ev;
    }

    /** The device it runs on. */
    public Gpu gpu() { return net.gpu(); }

    /** The convolution / batch norm / linear backends of the device network. */
    public GpuBackends backends() { return net.backends(); }

    @Override
    public void logits(ImageBatch images, int from, int count, float[] out) {
        if (images.height() != net.height() || images.width() != net.width()) {
            throw new IllegalArgumentException("GPU evaluation: images are " + images.height() + "x" + images.width() + " but the network was"
                    + " set up for " + net.height() + "x" + net.width());
        }
        int k = net.classes(), hw = images.height() * images.width(), c = images.channels(), ib = images.imageBytes();
        for (int done = 0; done < count; ) {
            int m = Math.min(batch, count - done);
            ensure(m, ib, hw, k);
            bytes.copyFrom(images.pixels(), (from + done) * ib, 0, m * ib);
            NormalizeCuda.forward(bytes, floats, m, hw, c);
            net.logits(floats, m, logits);
            logits.copyTo(0, out, done * k, m * k);
            done += m;
        }
    }

    private void ensure(int m, int imageBytes, int hw, int k) {
        if (bytes == null || bytes.length() < (long) m * imageBytes) {
            if (bytes != null) bytes.close();
            bytes = DeviceBuffer.bytes(net.gpu(), (long) batch * imageBytes);
        }
        if (floats == null || floats.length() < (long) m * 3 * hw) {
            if (floats != null) floats.close();
            floats = DeviceBuffer.floats(net.gpu(), (long) batch * 3 * hw);
        }
        if (logits == null || logits.length() < (long) m * k) {
            if (logits != null) logits.close();
            logits = DeviceBuffer.floats(net.gpu(), (long) batch * k);
        }
    }

    @Override
    public void close() {
        if (registered != null) Evaluator.setEngine(registered, null);
        if (bytes != null) bytes.close();
        if (floats != null) floats.close();
        if (logits != null) logits.close();
        if (ownedBackends != null) {
            net.close();
            ownedBackends.close();
        }
    }
}
