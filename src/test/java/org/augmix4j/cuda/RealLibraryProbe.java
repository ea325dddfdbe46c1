package org.augmix4j.cuda;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnAlgorithmDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * Run by CompatShimTest in a child JVM: loads whatever cuDNN / cuBLAS the normal search finds on
 * this machine (e.g. the NVIDIA wheels of $VIRTUAL_ENV) and makes the calls that need no GPU:
 * versions, descriptors, output shapes, a removed function. Prints {@code key=value} lines.
 */
public final class RealLibraryProbe {
    private RealLibraryProbe() {}

    public static void main(String[] args) {
        CudaLibraries.Status cublas = CudaLibraries.cublas(), cudnn = CudaLibraries.cudnn();
        System.out.print(cublas.describe());
        System.out.print(cudnn.describe());
        System.out.println("cublas.route=" + cublas.route());
        System.out.println("cudnn.route=" + cudnn.route());
        if (cublas.usable()) {
            int[] v = {0};
            System.out.println("cublasGetProperty.major=" + JCublas2.cublasGetProperty(0, v) + " " + v[0]);
            System.out.println("cublasCreate=" + CublasStatus.describe(JCublas2.cublasCreate(new cublasHandle())));
        }
        if (cudnn.usable()) {
            System.out.println("cudnnGetVersion=" + JCudnn.cudnnGetVersion());
            cudnnTensorDescriptor x = new cudnnTensorDescriptor(), bn = new cudnnTensorDescriptor();
            cudnnFilterDescriptor w = new cudnnFilterDescriptor();
            cudnnConvolutionDescriptor c = new cudnnConvolutionDescriptor();
            int rc = JCudnn.cudnnCreateTensorDescriptor(x) | JCudnn.cudnnSetTensor4dDescriptor(x, 0, 0, 8, 3, 32, 32)
                    | JCudnn.cudnnCreateFilterDescriptor(w) | JCudnn.cudnnSetFilter4dDescriptor(w, 0, 0, 16, 3, 3, 3)
                    | JCudnn.cudnnCreateConvolutionDescriptor(c) | JCudnn.cudnnSetConvolution2dDescriptor(c, 1, 1, 1, 1, 1, 1, 1, 0)
                    | JCudnn.cudnnSetConvolutionMathType(c, 3) | JCudnn.cudnnCreateTensorDescriptor(bn)
                    | JCudnn.cudnnDeriveBNTensorDescriptor(bn, x, 1);
            System.out.println("descriptors=" + rc);
            long[] size = {0};
            JCudnn.cudnnGetTensorSizeInBytes(x, size);
            System.out.println("tensorBytes=" + size[0]);
            int[] n = {0}, k = {0}, h = {0}, wo = {0};
            System.out.println("outputDim=" + JCudnn.cudnnGetConvolution2dForwardOutputDim(c, x, w, n, k, h, wo) + " "
                    + n[0] + "," + k[0] + "," + h[0] + "," + wo[0]);
            int[] t = new int[9];
            int[][] o = new int[9][1];
            JCudnn.cudnnGetTensor4dDescriptor(bn, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8]);
            for (int i = 0; i < 9; i++) t[i] = o[i][0];
            System.out.println("bnShape=" + t[1] + "," + t[2] + "," + t[3] + "," + t[4]);
            System.out.println("cudnnCreateAlgorithmDescriptor=" + JCudnn.cudnnCreateAlgorithmDescriptor(new cudnnAlgorithmDescriptor()));
            System.out.println("cudnnGetErrorString.3000=" + JCudnn.cudnnGetErrorString(3000));
        }
        System.out.println("done");
    }
}
