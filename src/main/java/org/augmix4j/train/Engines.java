package org.augmix4j.train;

import java.io.PrintStream;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Launch;
import org.augmix4j.nn.Network;
import org.augmix4j.ops.GpuBackends;

/**
 * Opens the {@link Engine} that {@code --device} asks for: the one place where the device is
 * resolved ({@link Device#resolve}), GPU options are applied and the engine is announced.
 * {@code --device cpu} never loads a JCuda class.
 */
public final class Engines {
    private Engines() {}

    /**
     * How to open an engine.
     *
     * @param device       cpu | gpu | auto
     * @param tf32         cuDNN / cuBLAS may use TF32 tensor cores (--tf32; off for parity)
     * @param syncDebug    synchronise and check after every launch and library call (--sync-debug)
     * @param backends     auto (libraries where they load) | kernels | libraries
     * @param augmentOnGpu GPU batches from the CUDA AugMix kernel (training set on the device); false:
     *                     the CPU AugMix pipeline with pinned uploads ({@code -Daugmix4j.gpu.augment=cpu})
     * @param evalBatch    images per evaluation forward
     */
    public record Options(Device device, boolean tf32, boolean syncDebug, GpuBackends.Choice backends, boolean augmentOnGpu, int evalBatch) {
        /** The defaults for {@code device}: no TF32, no sync debugging, backends and batches from the system properties. */
        public static Options of(Device device, int evalBatch) {
            return new Options(device, false, false, GpuBackends.Choice.fromProperty(),
                    !"cpu".equalsIgnoreCase(System.getProperty("augmix4j.gpu.augment", "gpu")), evalBatch);
        }

        public Options withTf32(boolean on) { return new Options(device, on, syncDebug, backends, augmentOnGpu, evalBatch); }

        public Options withSyncDebug(boolean on) { return new Options(device, tf32, on, backends, augmentOnGpu, evalBatch); }

        public Options withBackends(GpuBackends.Choice c) { return new Options(device, tf32, syncDebug, c, augmentOnGpu, evalBatch); }
    }

    /**
     * A training engine for {@code init} (architecture and starting weights) on {@code height} x
     * {@code width} images, announced on {@code out}.
     */
    public static Engine training(Options o, Network init, int height, int width, Training training, PrintStream out) {
        return open(o, init, height, width, training, out);
    }

    /** An evaluation-only engine for {@code net}'s weights. */
    public static Engine inference(Options o, Network net, int height, int width, PrintStream out) {
        return open(o, net, height, width, null, out);
    }

    private static Engine open(Options o, Network net, int height, int width, Training training, PrintStream out) {
        Gpu gpu = o.device().resolve(out);
        if (gpu == null) {
            CpuEngine cpu = new CpuEngine(net, training);
            out.println("Engine: " + cpu.describe());
            return cpu;
        }
        return onGpu(gpu, o, net, height, width, training, out);
    }

    /** An engine on {@code gpu} without resolving --device (the bench and the tests pick the device themselves). */
    public static GpuEngine onGpu(Gpu gpu, Options o, Network net, int height, int width, Training training, PrintStream out) {
        if (o.syncDebug()) Launch.syncDebug = true;
        GpuBackends backends = GpuBackends.select(gpu, o.backends(), o.tf32());
        GpuEngine e = new GpuEngine(gpu, backends, net, height, width, training, o.evalBatch(), o.augmentOnGpu());
        out.println("Engine: " + e.describe() + (Launch.syncDebug ? "; --sync-debug: synchronising after every launch" : ""));
        for (String n : backends.notes()) out.println("  " + n);
        return e;
    }
}
