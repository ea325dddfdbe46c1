package org.augmix4j.selftest;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.augmix4j.cuda.CudaLibraries;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.GpuProbe;

/**
 * One check of {@code augmix4j selftest}: runs a GPU op (one of our kernels, or a cuDNN / cuBLAS
 * call) or a runtime-dependent CPU op on random inputs and compares it with the CPU reference.
 * Register new checks in {@link SelfChecks#ALL}.
 */
public interface SelfCheck {
    /** What the check needs; the runner skips it, saying why, when that is not there. */
    enum Needs {
        /** Nothing but the JVM (runtime-dependent CPU code, e.g. the JDK's JPEG codec). */
        CPU,
        /** Our kernels: a GPU, or the CUDA emulator of the tests. */
        KERNELS,
        /** cuDNN through JCudnn, on a real GPU. */
        CUDNN,
        /** cuBLAS through JCublas2, on a real GPU. */
        CUBLAS
    }

    /** Name in the table, e.g. "relu_forward" or "cudnnConvolutionForward". */
    String name();

    /** "kernel", "cuDNN", "cuBLAS" or "CPU". */
    default String group() {
        return switch (needs()) {
            case CPU -> "CPU";
            case KERNELS -> "kernel";
            case CUDNN -> "cuDNN";
            case CUBLAS -> "cuBLAS";
        };
    }

    Needs needs();

    /** The fatbin kernels this check runs (for the coverage rows of the table); empty for library checks. */
    default Set<String> kernels() { return Set.of(); }

    /** Runs the check; throwing counts as FAIL with the exception's message. */
    Result run(Context ctx) throws Exception;

    /**
     * A check's outcome.
     *
     * @param maxAbs    largest |got - want|
     * @param maxRel    largest |got - want| / max(|want|, floor) (the check's floor)
     * @param tolerance the bound the check applied, in words ("bit-exact", "rel 1e-4")
     * @param pass      whether it held
     * @param detail    sizes, algorithms, first mismatch
     */
    record Result(double maxAbs, double maxRel, String tolerance, boolean pass, String detail) {}

    /** Thrown by a check that cannot run here (e.g. a reference file missing from this build): SKIP with the message. */
    final class Skip extends RuntimeException {
        public Skip(String reason) { super(reason); }
    }

    /** What a check runs on; the GPU and the libraries are resolved once per run. */
    class Context {
        private final long seed;
        private GpuProbe probe;

        public Context(long seed) { this.seed = seed; }

        public long seed() { return seed; }

        /** A generator for one check, reproducible from the run's seed and the check's name. */
        public SplittableRandom random(String name) { return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode()); }

        /** The GPU probe (loads JCuda's driver library once). */
        public synchronized GpuProbe probe() {
            if (probe == null) probe = Gpu.probe();
            return probe;
        }

        public Gpu gpu() { return Gpu.get(); }

        /** Why a check needing {@code needs} cannot run here, or null when it can. */
        public String unavailable(Needs needs) {
            if (needs == Needs.CPU) return null;
            GpuProbe p = probe();
            if (!p.available()) return "no GPU: " + p.problem();
            if (needs == Needs.KERNELS) return null;
            if (gpu().isEmulated()) return "the CUDA emulator has no " + (needs == Needs.CUDNN ? "cuDNN" : "cuBLAS");
            CudaLibraries.Status s = needs == Needs.CUDNN ? CudaLibraries.cudnn() : CudaLibraries.cublas();
            return s.usable() ? null : s.summary() + " (" + s.fix() + ")";
        }
    }
}
