package org.augmix4j.ops;

import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnTensorDescriptor;
import org.augmix4j.cuda.Cudnn;
import org.augmix4j.cuda.DeviceBuffer;

/**
 * Batch normalisation through cuDNN (spatial mode; x viewed as (N, C, HW, 1)):
 * {@code cudnnBatchNormalizationForwardTraining} with {@code exponentialAverageFactor} = 0.1 on EVERY
 * call (PyTorch's momentum from the first step: our running statistics start initialised, mean 0 and
 * var 1, so the "factor 1 on the first call" rule of the header, meant for uninitialised buffers, does
 * not apply), {@code cudnnBatchNormalizationBackward} (parameter gradients accumulated: betaParamDiff 1)
 * and {@code cudnnBatchNormalizationForwardInference}, all with eps = {@link BatchNorm#EPS}.
 *
 * <p>Running variance: cuDNN keeps the moving average of the UNBIASED batch variance (m/(m-1) times
 * the biased one that it normalises with), as PyTorch, which hands its running_var to cuDNN
 * unchanged, and as {@link BatchNorm}. cuDNN's header only says "moving average of variance[x]"; the
 * unbiased form is what PyTorch's cuDNN path is documented and observed to produce (pytorch#19902,
 * mxnet#21111 measured it), and the {@code gpu}-tagged tests and {@code selftest} compare the running
 * variance with {@link BatchNorm}'s unbiased update on the real library.
 *
 * <p>The fused ReLU is a second launch: {@code relu_forward} in place after the forward, and
 * {@code relu_mask_backward} on the incoming gradient before the backward (cuDNN's legacy API has no
 * fused BN + ReLU for NCHW float).
 */
public final class BatchNormCudnn implements BatchNormBackend {
    private final Cudnn cudnn;

    public BatchNormCudnn(Cudnn cudnn) { this.cudnn = cudnn; }

    @Override
    public String name() { return "cuDNN " + Cudnn.version() + " batch norm (spatial) + ReLU kernels"; }

    private cudnnTensorDescriptor xDesc(int n, int c, int hw) { return cudnn.tensor(n, c, hw, 1); }

    private static void check(String op, int n, int c, int hw, DeviceBuffer... buffers) {
        long need = (long) n * c * hw;
        for (DeviceBuffer b : buffers) {
            if (b.length() < need) throw new IllegalArgumentException(op + ": " + b + " is shorter than (N, C, HW) = (" + n + ", " + c + ", " + hw + ")");
        }
    }

    @Override
    public void trainForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runMean,
                             DeviceBuffer runVar, DeviceBuffer saveMean, DeviceBuffer saveInvstd, boolean relu) {
        check("cudnnBatchNormalizationForwardTraining", n, c, hw, x, y);
        cudnnTensorDescriptor d = xDesc(n, c, hw);
        cudnn.check(JCudnn.cudnnBatchNormalizationForwardTraining(cudnn.handle(), Cudnn.BATCHNORM_SPATIAL, Cudnn.ONE, Cudnn.ZERO, d, x.pointer(),
                d, y.pointer(), cudnn.batchNormParams(c), gamma.pointer(), beta.pointer(), BatchNorm.MOMENTUM, runMean.pointer(),
                runVar.pointer(), BatchNorm.EPS, saveMean.pointer(), saveInvstd.pointer()),
                "cudnnBatchNormalizationForwardTraining(N=" + n + ", C=" + c + ", HW=" + hw + ")");
        if (relu) ElementwiseCuda.reluForward(y, y, Math.toIntExact((long) n * c * hw));
    }

    @Override
    public void trainBackward(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer reluOut, DeviceBuffer dx, int n, int c, int hw, DeviceBuffer gamma,
                              DeviceBuffer saveMean, DeviceBuffer saveInvstd, DeviceBuffer dgamma, DeviceBuffer dbeta) {
        check("cudnnBatchNormalizationBackward", n, c, hw, x, dy, dx);
        if (reluOut != null) ElementwiseCuda.reluMask(reluOut, dy, Math.toIntExact((long) n * c * hw));
        cudnnTensorDescriptor d = xDesc(n, c, hw);
        cudnn.check(JCudnn.cudnnBatchNormalizationBackward(cudnn.handle(), Cudnn.BATCHNORM_SPATIAL, Cudnn.ONE, Cudnn.ZERO, Cudnn.ONE, Cudnn.ONE,
                d, x.pointer(), d, dy.pointer(), d, dx.pointer(), cudnn.batchNormParams(c), gamma.pointer(), dgamma.pointer(), dbeta.pointer(),
                BatchNorm.EPS, saveMean.pointer(), saveInvstd.pointer()), "cudnnBatchNormalizationBackward(N=" + n + ", C=" + c + ", HW=" + hw + ")");
    }

    @Override
    public void evalForward(DeviceBuffer x, DeviceBuffer y, int n, int c, int hw, DeviceBuffer gamma, DeviceBuffer beta, DeviceBuffer runMean,
                            DeviceBuffer runVar, boolean relu) {
        check("cudnnBatchNormalizationForwardInference", n, c, hw, x, y);
        cudnnTensorDescriptor d = xDesc(n, c, hw);
        cudnn.check(JCudnn.cudnnBatchNormalizationForwardInference(cudnn.handle(), Cudnn.BATCHNORM_SPATIAL, Cudnn.ONE, Cudnn.ZERO, d, x.pointer(),
                d, y.pointer(), cudnn.batchNormParams(c), gamma.pointer(), beta.pointer(), runMean.pointer(), runVar.pointer(), BatchNorm.EPS),
                "cudnnBatchNormalizationForwardInference(N=" + n + ", C=" + c + ", HW=" + hw + ")");
        if (relu) ElementwiseCuda.reluForward(y, y, Math.toIntExact((long) n * c * hw));
    }
}
