package org.augmix4j.cli;

import java.io.PrintWriter;
import java.util.stream.Collectors;
import org.augmix4j.corrupt.Corruption;
import org.augmix4j.corrupt.CorruptionsCuda;
import org.augmix4j.corrupt.FrostTiles;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;
import org.augmix4j.tensor.ImageBatch;

/**
 * The {@code corrupt} command's GPU engine: the whole input is uploaded once, the corruptions with
 * CUDA kernels ({@link CorruptionsCuda#SUPPORTED}) run there chunk by chunk, the others on the CPU.
 * Kept apart from {@link CorruptCommand} so that CPU-only runs never load the JCuda classes.
 */
final class CorruptGpuEngine implements CorruptCommand.Engine {
    private static final int VALUES = 32 * 32 * 3;

    private final DeviceBuffer in, out;
    private final CorruptCommand.Engine cpu;
    private final long seed;

    private CorruptGpuEngine(Gpu gpu, ImageBatch images, long seed, CorruptCommand.Engine cpu) {
        this.seed = seed;
        this.cpu = cpu;
        in = DeviceBuffer.of(gpu, images.pixels());
        out = DeviceBuffer.bytes(gpu, (long) Math.min(chunk(), images.count()) * VALUES);
    }

    /**
     * The GPU engine, or null when {@code required} is false and there is no usable GPU (auto: the
     * CUDA emulator of the tests does not count). {@code required} and no GPU: an error with the reason.
     */
    static CorruptCommand.Engine open(ImageBatch images, long seed, FrostTiles frost, boolean required, PrintWriter con) {
        GpuProbe p = Gpu.probe();
        if (!p.available()) {
            if (required) throw new IllegalArgumentException("--device gpu: " + p + " (or use --device cpu)");
            return null;
        }
        Gpu gpu = Gpu.get();
        if (gpu.isEmulated() && !required) return null;
        CorruptCommand.Engine cpu = CorruptCommand.cpuEngine(images, seed, frost);
        String cpuOnly = java.util.Arrays.stream(Corruption.values()).filter(c -> !CorruptionsCuda.supports(c)).map(Corruption::stem)
                .collect(Collectors.joining(", "));
        con.println("Device: GPU " + gpu.name() + " for " + CorruptionsCuda.SUPPORTED.size() + " corruptions; CPU ("
                + Parallel.threads() + " thread(s)) for " + cpuOnly);
        return new CorruptGpuEngine(gpu, images, seed, cpu);
    }

    @Override
    public void corrupt(Corruption c, int severity, int from, int count, byte[] dst) {
        if (!CorruptionsCuda.supports(c)) {
            cpu.corrupt(c, severity, from, count, dst);
            return;
        }
        CorruptionsCuda.corrupt(in.view((long) from * VALUES, (long) count * VALUES), out, count, c, severity, seed, from);
        out.copyTo(0, dst, 0, count * VALUES);  // synchronous: also surfaces a kernel fault here
    }

    @Override
    public String device(Corruption c) { return CorruptionsCuda.supports(c) ? "gpu" : "cpu"; }

    @Override
    public int chunk() { return CorruptCommand.GPU_CHUNK; }

    @Override
    public void close() {
        in.close();
        out.close();
        cpu.close();
    }
}
