package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;

/**
 * How the GPU engine runs batch normalisation over (N, C, HW) activations with {@link BatchNorm}'s
 * semantics (PyTorch's: biased variance to normalise, running statistics with momentum 0.1 from the
 * first step and the unbiased variance, eps 1e-5), each optionally followed by the fused ReLU of the
 * pre-activation pair: cuDNN ({@link BatchNormCudnn}) or our own kernels ({@link BatchNormCuda},
 * {@link #kernels()}). Chosen once at start-up ({@link GpuBackends}).
 */
public interface BatchNormBackend {
    String name();

    /**
     * Training forward: y (overwritten) = [relu](batch-normalised x); running mean/var updated in
     * place; saveMean / saveInvstd (C) written for {@link #trainBackward}.
     */
    void trainForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runMean,
                      DeviceBuffer runVar, DeviceBuffer saveMean, DeviceBuffer saveInvstd, boolean relu);

    /**
     * Training backward: dx overwritten; dgamma, dbeta ACCUMULATED. With {@code reluOut} (the fused
     * forward's output) the incoming gradient is masked by reluOut > 0 first; dy is the caller's
     * consumed gradient and may be overwritten by that mask.
     */
    void trainBackward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer reluOut, DeviceBuffer dx, int n, int c, int hw, DeviceBuffer gamma,
                       DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer dgamma, DeviceBuffer dbeta);

    /** Evaluation forward with the running statistics, then the ReLU when {@code relu}; y overwritten. */
    void evalForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runMean,
                     DeviceBuffer runVar, boolean relu);

    /** Our own kernels ({@link BatchNormCuda}, fused ReLU included): the fallback, and the only choice under the emulator. */
    static BatchNormBackend kernels() {
        return new BatchNormBackend() {
            @Override public String name() { return "AugMix4J kernels (kernels/batchnorm.cu, fused ReLU)"; }

            @Override
            public void trainForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta,
                                     DeviceBuffer runMean, DeviceBuffer runVar, DeviceBuffer saveMean, DeviceBuffer saveInvstd, boolean relu) {
                BatchNormCuda.trainForward(x, y, n, c, hw, gamma, beta, runMean, runVar, saveMean, saveInvstd, relu);
            }

            @Override
            public void trainBackward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer reluOut, DeviceBuffer dx, int n, int c, int hw,
                                      DeviceBuffer gamma, DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer dgamma,
                                      DeviceBuffer dbeta) {
                BatchNormCuda.trainBackward(x, dy, reluOut, dx, n, c, hw, gamma, saveMean, saveInvstd, dgamma, dbeta);
            }

            @Override
            public void evalForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta,
                                    DeviceBuffer runMean, DeviceBuffer runVar, boolean relu) {
                BatchNormCuda.evalForward(x, y, n, c, hw, gamma, beta, runMean, runVar);
                if (relu) ElementwiseCuda.reluForward(y, y, Math.toIntExact((long) n * c * hw));
            }
        };
    }
}
