package org.augmix4j.cuda;

import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnAlgorithmDescriptor;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * Run by CompatShimTest in a child JVM (each load is once per process): loads cuBLAS and cuDNN
 * through {@link CudaLibraries} (pointed at the fake libraries with -Daugmix4j.cudnn/-Daugmix4j.cublas)
 * and calls JCudnn / JCublas2 through the shims, printing {@code key=value} lines.
 */
public final class CompatProbe {
    private CompatProbe() {}

    public static void main(String[] args) {
        CudaLibraries.Status cublas = CudaLibraries.cublas(), cudnn = CudaLibraries.cudnn();
        System.out.print(cublas.describe());
        System.out.print(cudnn.describe());
        System.out.println("cublas.route=" + cublas.route());
        System.out.println("cudnn.route=" + cudnn.route());
        if (cudnn.usable()) {
            System.out.println("cudnn.version=" + cudnn.version());
            System.out.println("cudnnGetVersion=" + JCudnn.cudnnGetVersion());
            System.out.println("cudnnGetErrorString=" + JCudnn.cudnnGetErrorString(3000));
            System.out.println("cudnnCreate=" + JCudnn.cudnnCreate(new cudnnHandle()));
            int[] n = {0}, c = {0}, h = {0}, w = {0};
            System.out.println("cudnnGetConvolution2dForwardOutputDim=" + JCudnn.cudnnGetConvolution2dForwardOutputDim(
                    new cudnnConvolutionDescriptor(), new cudnnTensorDescriptor(), new cudnnFilterDescriptor(), n, c, h, w)
                    + " " + n[0] + "," + c[0] + "," + h[0] + "," + w[0]);
            // removed in cuDNN 9: stubs
            System.out.println("cudnnOpsInferVersionCheck=" + JCudnn.cudnnOpsInferVersionCheck());
            System.out.println("cudnnCreateAlgorithmDescriptor=" + JCudnn.cudnnCreateAlgorithmDescriptor(new cudnnAlgorithmDescriptor()));
            // present in cuDNN 9 but not in the fake: stubbed too, never a dead JVM
            System.out.println("cudnnDestroy=" + JCudnn.cudnnDestroy(new cudnnHandle()));
        }
        if (cublas.usable()) {
            System.out.println("cublas.version=" + cublas.version());
            System.out.println("cublasCreate=" + JCublas2.cublasCreate(new cublasHandle()));
        }
        System.out.println("done");
    }
}
