package org.augmix4j.train;

import java.io.PrintStream;
import java.util.Locale;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;

/**
 * {@code --device} of train, eval and bench: where the engine runs. {@link #resolve} is the one
 * place that decides; {@code CPU} never touches JCuda (so the CPU path works on machines without
 * CUDA), {@code AUTO} takes a usable GPU and otherwise says what is missing and runs on the CPU,
 * {@code GPU} fails with that message.
 */
public enum Device {
    CPU, GPU, AUTO;

    /** "cpu", "gpu" or "auto" (any case); anything else is an error naming the flag. */
    public static Device parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("--device must be cpu, gpu or auto, got " + s);
        }
    }

    /** The flag's spelling. */
    public String flag() { return name().toLowerCase(Locale.ROOT); }

    /**
     * The GPU to use, or null for the CPU engine after printing why. The system property
     * {@code augmix4j.autoDevice=cpu} makes AUTO mean the CPU without probing (the CPU test JVM sets
     * it, so CPU tests stay CPU tests on GPU machines). Throws for GPU without a usable one.
     */
    public Gpu resolve(PrintStream out) {
        if (this == AUTO && "cpu".equals(System.getProperty("augmix4j.autoDevice"))) {
            out.println("Device: CPU engine (--device auto with -Daugmix4j.autoDevice=cpu)");
            return null;
        }
        if (this == CPU) {
            out.println(decide(null, null));
            return null;
        }
        GpuProbe p = Gpu.probe();
        String emulator = p.available() && Gpu.get().isEmulated() ? Gpu.get().name() : null;
        String message = decide(p, emulator);
        if (message != null) {
            out.println(message);
            return null;
        }
        return Gpu.get();
    }

    /**
     * The decision as a pure function: null = run on the GPU; otherwise the message saying why the
     * CPU engine runs; throws for GPU without a usable GPU.
     *
     * @param probe    the GPU probe (null for CPU)
     * @param emulator the device name when the only GPU is the CUDA emulator, else null
     */
    String decide(GpuProbe probe, String emulator) {
        switch (this) {
            case CPU:
                return "Device: CPU engine (--device cpu)";
            case GPU:
                if (!probe.available()) {
                    throw new IllegalStateException("--device gpu: no usable GPU: " + probe.problem() + ". Fix: " + probe.fix()
                            + (probe.fix().contains("--device cpu") ? "" : " (or run on the CPU with --device cpu)"));
                }
                return null;
            default:
                if (!probe.available()) {
                    return "Device: CPU engine; --device auto found no usable GPU: " + probe.problem() + ". Fix: " + probe.fix();
                }
                if (emulator != null) {
                    return "Device: CPU engine; --device auto found only the CUDA emulator (" + emulator + "); --device gpu would use it";
                }
                return null;
        }
    }
}
