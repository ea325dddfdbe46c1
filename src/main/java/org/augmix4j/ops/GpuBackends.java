package org.augmix4j.ops;

import java.util.ArrayList;
import java.util.List;
import org.augmix4j.cuda.Cublas;
import org.augmix4j.cuda.Cudnn;
import org.augmix4j.cuda.Gpu;

/**
 * The GPU engine's backends for convolution, batch norm and the linear layer, chosen ONCE at
 * start-up by what loads: cuDNN for convolution and batch norm, cuBLAS for the linear layer, each
 * independently falling back to our own kernels when its library cannot be used (not found, not
 * loadable, cudnnCreate/cublasCreate failing, or the CUDA emulator, which has neither). {@link #notes()}
 * says what was chosen and why, for {@code info}, the training log and the bench results.
 *
 * @param cudnn  the cuDNN handle in use, or null
 * @param cublas the cuBLAS handle in use, or null
 */
public record GpuBackends(ConvBackend conv, BatchNormBackend batchNorm, LinearBackend linear, Cudnn cudnn, Cublas cublas, boolean tf32,
                          List<String> notes) implements AutoCloseable {
    /** What to use. */
    public enum Choice {
        /** The libraries where they load, our kernels otherwise (the default). */
        AUTO,
        /** Our kernels only (parity runs of the fallback on a GPU; always the case under the emulator). */
        KERNELS,
        /** cuDNN and cuBLAS, failing with the reason when either cannot be used. */
        LIBRARIES;

        /** From the {@code augmix4j.gpu.backends} system property (auto | kernels | libraries), AUTO by default. */
        public static Choice fromProperty() {
            String v = System.getProperty("augmix4j.gpu.backends", "auto");
            return switch (v.toLowerCase()) {
                case "auto" -> AUTO;
                case "kernels", "fallback" -> KERNELS;
                case "libraries", "cudnn" -> LIBRARIES;
                default -> throw new IllegalArgumentException("augmix4j.gpu.backends=" + v + ": use auto, kernels or libraries");
            };
        }
    }

    /**
     * Chooses the backends on {@code gpu}. With {@code tf32} cuDNN and cuBLAS may use TF32 tensor
     * cores (our kernels are float32 regardless).
     */
    public static GpuBackends select(Gpu gpu, Choice choice, boolean tf32) {
        List<String> notes = new ArrayList<>();
        Cudnn cudnn = null;
        Cublas cublas = null;
        if (choice == Choice.KERNELS) {
            notes.add("cuDNN and cuBLAS not used (backends = kernels)");
        } else {
            try {
                cudnn = Cudnn.open(gpu, tf32, Long.getLong("augmix4j.cudnn.workspaceLimit", Cudnn.DEFAULT_WORKSPACE_LIMIT));
            } catch (RuntimeException | LinkageError e) {
                if (choice == Choice.LIBRARIES) throw new IllegalStateException("cuDNN is required (backends = libraries) but: " + e.getMessage(), e);
                notes.add("cuDNN not used: " + e.getMessage() + " -> convolution and batch norm run on AugMix4J's kernels");
            }
            try {
                cublas = Cublas.open(gpu, tf32);
            } catch (RuntimeException | LinkageError e) {
                if (choice == Choice.LIBRARIES) {
                    if (cudnn != null) cudnn.close();
                    throw new IllegalStateException("cuBLAS is required (backends = libraries) but: " + e.getMessage(), e);
                }
                notes.add("cuBLAS not used: " + e.getMessage() + " -> the linear layer runs on AugMix4J's kernel");
            }
        }
        ConvBackend conv = cudnn != null ? ConvCudnn.withDefaults(cudnn) : ConvBackend.kernels();
        BatchNormBackend bn = cudnn != null ? new BatchNormCudnn(cudnn) : BatchNormBackend.kernels();
        LinearBackend linear = cublas != null ? new LinearCublas(cublas) : LinearBackend.kernels();
        notes.add(0, "convolution: " + conv.name());
        notes.add(1, "batch norm: " + bn.name());
        notes.add(2, "linear: " + linear.name());
        if (tf32 && cudnn == null && cublas == null) notes.add("--tf32 has no effect: AugMix4J's kernels are float32");
        return new GpuBackends(conv, bn, linear, cudnn, cublas, tf32, List.copyOf(notes));
    }

    /** Our kernels only (the emulator's and the fallback parity tests' choice). */
    public static GpuBackends kernels() {
        ConvBackend conv = ConvBackend.kernels();
        BatchNormBackend bn = BatchNormBackend.kernels();
        LinearBackend linear = LinearBackend.kernels();
        return new GpuBackends(conv, bn, linear, null, null, false, List.of("convolution: " + conv.name(), "batch norm: " + bn.name(),
                "linear: " + linear.name()));
    }

    /** Whether any vendor library is in use. */
    public boolean usesLibraries() { return cudnn != null || cublas != null; }

    /** One line: "cuDNN 9.24.0 conv + BN, cuBLAS linear" or "AugMix4J kernels". */
    public String summary() {
        if (!usesLibraries()) return "AugMix4J kernels (conv, BN, linear)";
        return (cudnn != null ? "cuDNN " + Cudnn.version() + " conv + BN" : "AugMix4J conv + BN kernels") + ", "
                + (cublas != null ? "cuBLAS linear" : "AugMix4J linear kernel") + (tf32 ? ", TF32 permitted" : ", no TF32");
    }

    @Override
    public void close() {
        if (cudnn != null) cudnn.close();
        if (cublas != null) cublas.close();
    }
}
