package org.augmix4j.ops;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import jcuda.jcublas.JCublas2;
import org.augmix4j.cuda.Cublas;
import org.augmix4j.cuda.DeviceBuffer;

/**
 * The linear layer through cuBLAS (JCublas2, host pointer mode). Row-major arrays are column-major
 * transposes to cuBLAS: x (N, C) is x^T (C x N), W (K, C) is W^T (C x K), y (N, K) is y^T (K x N).
 * <pre>
 *   forward   y^T  = b 1^T                     (SGEMM K x N x 1 with the ones vector, beta 0)
 *             y^T += W x^T                     (SGEMM K x N x C, op(A) = T)
 *   backward  dx^T = W^T dy^T                  (SGEMM C x N x K, beta 0)
 *             dW^T += x^T dy                   (SGEMM C x K x N, op(B) = T, beta 1)
 *             db  += dy^T 1                    (SGEMV K x N with the ones vector, beta 1)
 * </pre>
 * The math mode ({@link Cublas}) is float32 unless --tf32.
 */
public final class LinearCublas implements LinearBackend {
    private final Cublas cublas;

    public LinearCublas(Cublas cublas) { this.cublas = cublas; }

    @Override
    public String name() { return "cuBLAS SGEMM (" + (cublas.tf32() ? "TF32 tensor-op math" : "default math, float32") + ")"; }

    private static void check(String op, DeviceBuffer b, String name, long need) {
        if (b.length() < need) throw new IllegalArgumentException(op + ": " + name + " is " + b + ", needs " + need);
    }

    @Override
    public void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer b, DeviceBuffer y, int n, int c, int k) {
        check("linear", x, "x", (long) n * c);
        check("linear", w, "W", (long) k * c);
        check("linear", b, "b", k);
        check("linear", y, "y", (long) n * k);
        DeviceBuffer ones = cublas.ones(n);
        cublas.check(JCublas2.cublasSgemm(cublas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, k, n, 1, Cublas.ONE, b.pointer(), k, ones.pointer(), 1,
                Cublas.ZERO, y.pointer(), k), "cublasSgemm(linear bias, N=" + n + ", K=" + k + ")");
        cublas.check(JCublas2.cublasSgemm(cublas.handle(), CUBLAS_OP_T, CUBLAS_OP_N, k, n, c, Cublas.ONE, w.pointer(), c, x.pointer(), c,
                Cublas.ONE, y.pointer(), k), "cublasSgemm(linear forward, N=" + n + ", C=" + c + ", K=" + k + ")");
    }

    @Override
    public void backward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer dy, DeviceBuffer dx, DeviceBuffer dw, DeviceBuffer db, int n, int c,
                         int k) {
        check("linear_backward", x, "x", (long) n * c);
        check("linear_backward", w, "W", (long) k * c);
        check("linear_backward", dy, "dy", (long) n * k);
        check("linear_backward", dw, "dW", (long) k * c);
        check("linear_backward", db, "db", k);
        if (dx != null) {
            check("linear_backward", dx, "dx", (long) n * c);
            cublas.check(JCublas2.cublasSgemm(cublas.handle(), CUBLAS_OP_N, CUBLAS_OP_N, c, n, k, Cublas.ONE, w.pointer(), c, dy.pointer(), k,
                    Cublas.ZERO, dx.pointer(), c), "cublasSgemm(linear backward data, N=" + n + ", C=" + c + ", K=" + k + ")");
        }
        cublas.check(JCublas2.cublasSgemm(cublas.handle(), CUBLAS_OP_N, CUBLAS_OP_T, c, k, n, Cublas.ONE, x.pointer(), c, dy.pointer(), k,
                Cublas.ONE, dw.pointer(), c), "cublasSgemm(linear backward weight, N=" + n + ", C=" + c + ", K=" + k + ")");
        DeviceBuffer ones = cublas.ones(n);
        cublas.check(JCublas2.cublasSgemv(cublas.handle(), CUBLAS_OP_N, k, n, Cublas.ONE, dy.pointer(), k, ones.pointer(), 1, Cublas.ONE,
                db.pointer(), 1), "cublasSgemv(linear backward bias, N=" + n + ", K=" + k + ")");
    }
}
