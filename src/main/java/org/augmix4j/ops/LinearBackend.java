package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;

/**
 * How the GPU engine runs the fully connected layer y (N, K) = x (N, C) W^T + b ({@link Linear}'s
 * semantics): cuBLAS ({@link LinearCublas}) or our own kernels ({@link LinearCuda}, {@link #kernels()}).
 * Chosen once at start-up ({@link GpuBackends}).
 */
public interface LinearBackend {
    String name();

    /** y = x W^T + b, overwritten. */
    void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y, int n, int c, int k);

    /** dx = dy W overwritten (when dx is not null); dW += dy^T x; db += column sums of dy. */
    void backward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int n, int c, int k);

    /** Our own kernels ({@link LinearCuda}): the fallback, and the only choice under the emulator. */
    static LinearBackend kernels() {
        return new LinearBackend() {
            @Override public String name() { return "AugMix4J kernels (kernels/linear.cu)"; }

            @Override
            public void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y, int n, int c, int k) {
                LinearCuda.forward(x, w, b, y, n, c, k);
            }

            @Override
            public void backward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int n,
                                 int c, int k) {
                LinearCuda.backward(x, w, dy, dx, dw, db, n, c, k);
            }
        };
    }
}
