package org.augmix4j.cuda;

import java.util.List;
import java.util.Set;

/**
 * The human-readable GPU section of {@code info} and {@code selftest}: which device (and whether
 * it is the CPU emulator), the driver, and the shipped fatbin (architectures, kernels, recorded
 * hash, whether it loads). {@link #fatbin()} never touches JCuda, for CPU-only runs.
 */
public final class DeviceReport {
    private DeviceReport() {}

    /** The full report; probes the GPU (loads JCuda's driver library) on first use. */
    public static String summary() {
        StringBuilder sb = new StringBuilder();
        GpuProbe probe = Gpu.probe();
        if (!probe.available()) {
            sb.append("GPU: none: ").append(probe.problem()).append('\n');
            sb.append("  fix: ").append(probe.fix()).append('\n');
        } else {
            Gpu gpu = Gpu.get();
            if (gpu.isEmulated()) {
                sb.append("GPU: EMULATED. No GPU: the kernels run on CPU threads through the fake libcuda.so.1 of"
                        + " src/emulator (a test harness; speed, cuDNN and cuBLAS are not available)\n");
            }
            sb.append("device: ").append(gpu.name()).append(", compute capability ").append(gpu.computeCapability())
                    .append(", ").append(gpu.multiprocessors()).append(" SMs, ")
                    .append(gpu.totalMemory() >> 20).append(" MiB\n");
            sb.append("driver: CUDA ").append(GpuProbe.versionString(gpu.driverVersion()))
                    .append(" (").append(gpu.driverVersion()).append(")")
                    .append(gpu.isEmulated() ? ", emulated" : "").append('\n');
            try {
                Kernels.module(gpu);
                sb.append("kernels: augmix4j.fatbin loaded on ").append(gpu.isEmulated() ? "the emulator" : "the device").append('\n');
            } catch (RuntimeException e) {
                sb.append("kernels: augmix4j.fatbin FAILED to load: ").append(e.getMessage()).append('\n');
            }
        }
        sb.append(fatbin());
        return sb.toString();
    }

    /** Whether the process's GPU is the emulator (false when there is no GPU). */
    public static boolean emulated() {
        return Gpu.probe().available() && Gpu.get().isEmulated();
    }

    /** The fatbin's contents and recorded hash, from the classpath only (no JCuda). */
    public static String fatbin() {
        try {
            byte[] bytes = Kernels.fatbin();
            List<Fatbin.Entry> entries = Fatbin.parse(bytes);
            Set<String> kernels = Fatbin.commonKernels(entries);
            FatbinInputs inputs = FatbinInputs.parse(Kernels.inputs());
            boolean bytesMatch = inputs.fatbinSha256().equals(FatbinInputs.sha256(bytes));
            String nvcc = inputs.hashedLines().stream().filter(l -> l.startsWith("nvcc ")).findFirst().orElse("nvcc ?").substring(5);
            return "fatbin: " + bytes.length / 1024 + " KiB, " + entries + ", " + kernels.size() + " kernels " + kernels + "\n"
                    + "  built by " + nvcc + "; inputs-sha256 " + inputs.inputsSha256().substring(0, 12)
                    + (bytesMatch ? "" : "; WARNING: the fatbin's bytes do not match its recorded sha256 (run kernels/build.sh)")
                    + "\n";
        } catch (RuntimeException e) {
            return "fatbin: unreadable: " + e.getMessage() + "\n";
        }
    }
}
