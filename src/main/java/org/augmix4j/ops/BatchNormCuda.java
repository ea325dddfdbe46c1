package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;
import org.augmix4j.tensor.ShapeException;

/**
 * GPU launches of kernels/batchnorm.cu, the fallback batch normalisation (where cuDNN cannot be
 * loaded, and under the emulator): training forward (batch statistics, running-statistics update,
 * saved mean / inverse std), training backward and evaluation forward over (N, C, HW) activations,
 * with {@link BatchNorm}'s semantics and float operations (only the order of the double sums
 * differs: BatchNormCudaTest). Deterministic.
 */
public final class BatchNormCuda {
    /** Most threads per channel block of the training kernels (fewer when a channel has fewer values). */
    static final int MAX_CHANNEL_BLOCK = 256;
    static final int BLOCK = 256;

    static final Kernel TRAIN_FORWARD = Kernel.declare("batch_norm_train_forward(const float* x, float* y, const float* gamma, "
            + "const float* beta, float* run_mean, float* run_var, float* save_mean, float* save_invstd, int n, int c, int hw, int relu)");
    static final Kernel TRAIN_BACKWARD = Kernel.declare("batch_norm_train_backward(const float* x, const float* dy, "
            + "const float* relu_out, float* dx, const float* gamma, const float* save_mean, const float* save_invstd, float* dgamma, "
            + "float* dbeta, int n, int c, int hw, int relu)");
    static final Kernel EVAL_FORWARD = Kernel.declare("batch_norm_eval_forward(const float* x, float* y, const float* gamma, "
            + "const float* beta, const float* run_mean, const float* run_var, int n, int c, int hw)");

    private BatchNormCuda() {}

    /**
     * Training forward: y = (x - mean) invstd gamma + beta with the batch statistics (as PyTorch:
     * y = x a + (beta - mean a)); updates runMean/runVar in place (momentum 0.1, unbiased variance);
     * writes saveMean and saveInvstd (C) for the backward.
     */
    public static void trainForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta,
                                    DeviceBuffer runMean, DeviceBuffer runVar, DeviceBuffer saveMean, DeviceBuffer saveInvstd) {
        trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvstd, false);
    }

    /** {@link #trainForward} followed by ReLU in the same pass when {@code relu} (the pre-activation pair), as {@link BatchNorm}. */
    public static void trainForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta,
                                    DeviceBuffer runMean, DeviceBuffer runVar, DeviceBuffer saveMean, DeviceBuffer saveInvstd,
                                    boolean relu) {
        String op = "batch_norm(train)";
        check(op, n, c, hw, x, "x", y, "y");
        ShapeException.check((long) n * hw > 1, op, "training batch norm needs more than one value per channel (N*HW = "
                + ((long) n * hw) + "); use a batch of at least 2 images or evaluation mode");
        perChannel(op, c, gamma, "gamma", beta, "beta", runMean, "running_mean", runVar, "running_var", saveMean, "save_mean",
                saveInvstd, "save_invstd");
        CudaChecks.grid(TRAIN_FORWARD, x, c, channelBlock(n, hw), x, y, gamma, beta, runMean, runVar, saveMean, saveInvstd, n, c, hw,
                relu ? 1 : 0);
    }

    /**
     * Training backward: dx (N, C, HW) overwritten with gamma invstd (dy - mean(dy) - xhat mean(dy xhat));
     * dgamma += sum dy xhat, dbeta += sum dy (C).
     */
    public static void trainBackward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dx, int n, int c, int hw, DeviceBuffer gamma,
                                     DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer dgamma, DeviceBuffer dbeta) {
        trainBackward(x, dy, null, dx, n, c, hw, gamma, saveMean, saveInvstd, dgamma, dbeta);
    }

    /**
     * Backward of the fused BN + ReLU when {@code reluOut} (that forward's output) is not null: dy is
     * masked by reluOut > 0 first, as {@link BatchNorm}. dx overwritten; dgamma, dbeta accumulated.
     */
    public static void trainBackward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer reluOut, DeviceBuffer dx, int n, int c, int hw,
                                     DeviceBuffer gamma, DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer dgamma,
                                     DeviceBuffer dbeta) {
        String op = "batch_norm_backward";
        check(op, n, c, hw, x, "x", dy, "dy");
        CudaChecks.length(op, "dx", dx, (long) n * c * hw, shape(n, c, hw));
        if (reluOut != null) CudaChecks.length(op, "relu output", reluOut, (long) n * c * hw, shape(n, c, hw));
        perChannel(op, c, gamma, "gamma", saveMean, "save_mean", saveInvstd, "save_invstd", dgamma, "dgamma", dbeta, "dbeta");
        // without the ReLU the kernel never reads relu_out: pass dy in its place
        CudaChecks.grid(TRAIN_BACKWARD, x, c, channelBlock(n, hw), x, dy, reluOut == null ? dy : reluOut, dx, gamma, saveMean,
                saveInvstd, dgamma, dbeta, n, c, hw, reluOut == null ? 0 : 1);
    }

    /** Evaluation forward with the running statistics; y overwritten. */
    public static void evalForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta,
                                   DeviceBuffer runMean, DeviceBuffer runVar) {
        String op = "batch_norm(eval)";
        check(op, n, c, hw, x, "x", y, "y");
        perChannel(op, c, gamma, "gamma", beta, "beta", runMean, "running_mean", runVar, "running_var");
        Launch.linear(EVAL_FORWARD, CudaChecks.stream(x), (long) n * c * hw, BLOCK, x, y, gamma, beta, runMean, runVar, n, c, hw);
    }

    /** Threads per channel block: the channel's value count rounded up to a warp, at most MAX_CHANNEL_BLOCK. */
    static int channelBlock(int n, int hw) {
        long m = (long) n * hw;
        return (int) Math.min(MAX_CHANNEL_BLOCK, (m + 31) / 32 * 32);
    }

    private static String shape(int n, int c, int hw) { return "(N, C, HW) = (" + n + ", " + c + ", " + hw + ")"; }

    private static void check(String op, int n, int c, int hw, DeviceBuffer a, String aName, DeviceBuffer b, String bName) {
        CudaChecks.positive(op, "N=" + n + " C=" + c + " HW=" + hw, n, c, hw);
        CudaChecks.length(op, aName, a, (long) n * c * hw, shape(n, c, hw));
        CudaChecks.length(op, bName, b, (long) n * c * hw, shape(n, c, hw));
    }

    private static void perChannel(String op, int c, Object... buffersAndNames) {
        for (int i = 0; i < buffersAndNames.length; i += 2) {
            CudaChecks.length(op, (String) buffersAndNames[i + 1], (DeviceBuffer) buffersAndNames[i], c, "(C) = (" + c + ")");
        }
    }
}
