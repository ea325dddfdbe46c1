package org.augmix4j.selftest;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

import java.util.List;
import java.util.SplittableRandom;
import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import org.augmix4j.cuda.CublasStatus;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.Linear;
import org.augmix4j.selftest.SelfCheck.Result;

/**
 * cuBLAS SGEMM in the three layouts the linear layer needs (forward y = x W^T, backward data
 * dx = dy W, backward filter dW = dy^T x; row-major arrays seen as column-major transposes),
 * against {@link Linear}'s CPU reference, with pedantic math (no TF32, no reduced-precision
 * reductions), on the legacy default stream.
 */
final class CublasChecks {
    private CublasChecks() {}

    /** CUBLAS_PEDANTIC_MATH (cublasMath_t): no TF32, no reduced-precision reductions. */
    static final int PEDANTIC_MATH = 2;
    private static final int[][] SHAPES = {{37, 129, 10}, {384, 128, 100}};  // {N, C, K}
    private static final double TOL = 1e-4, FLOOR = 1;  // |got - want| <= 1e-4 * max(|want|, 1)

    static SelfCheck sgemm() {
        return new SelfCheck() {
            @Override public String name() { return "cublasSgemm (linear fwd, bwd data, bwd filter)"; }

            @Override public Needs needs() { return Needs.CUBLAS; }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                SplittableRandom r = ctx.random(name());
                cublasHandle h = new cublasHandle();
                CublasStatus.check(JCublas2.cublasCreate(h), "cublasCreate");
                Result worst = null;
                try {
                    CublasStatus.check(JCublas2.cublasSetMathMode(h, PEDANTIC_MATH), "cublasSetMathMode(PEDANTIC)");
                    for (int[] s : SHAPES) {
                        Result res = shape(gpu, h, r, s[0], s[1], s[2]);
                        if (worst == null || !res.pass() || res.maxRel() > worst.maxRel()) worst = res;
                        if (!res.pass()) break;
                    }
                } finally {
                    JCublas2.cublasDestroy(h);
                }
                return worst;
            }
        };
    }

    private static Result shape(Gpu gpu, cublasHandle h, SplittableRandom r, int n, int c, int k) {
        float[] x = Compare.uniform(r, n * c, -1, 1), w = Compare.uniform(r, k * c, -0.2, 0.2);
        float[] dy = Compare.uniform(r, n * k, -1, 1);
        float[] y = new float[n * k], dx = new float[n * c], dw = new float[k * c], db = new float[k];
        Linear.forward(x, w, new float[k], y, n, c, k);
        Linear.backward(x, w, dy, dx, dw, db, n, c, k);
        Pointer one = Pointer.to(new float[] {1f}), zero = Pointer.to(new float[] {0f});
        try (DeviceBuffer dX = DeviceBuffer.of(gpu, x); DeviceBuffer dW = DeviceBuffer.of(gpu, w);
             DeviceBuffer dDy = DeviceBuffer.of(gpu, dy); DeviceBuffer dY = DeviceBuffer.floats(gpu, n * k);
             DeviceBuffer dDx = DeviceBuffer.floats(gpu, n * c); DeviceBuffer dDw = DeviceBuffer.floats(gpu, k * c)) {
            // y^T (K x N) = W (K x C) * x^T (C x N): A = W buffer read as (C x K) col-major, transposed
            CublasStatus.check(JCublas2.cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, k, n, c, one, dW.pointer(), c,
                    dX.pointer(), c, zero, dY.pointer(), k), "cublasSgemm(forward)");
            // dx^T (C x N) = W^T (C x K) * dy^T (K x N)
            CublasStatus.check(JCublas2.cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, c, n, k, one, dW.pointer(), c,
                    dDy.pointer(), k, zero, dDx.pointer(), c), "cublasSgemm(backward data)");
            // dW^T (C x K) = x^T (C x N) * dy (N x K)
            CublasStatus.check(JCublas2.cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, c, k, n, one, dX.pointer(), c,
                    dDy.pointer(), k, zero, dDw.pointer(), c), "cublasSgemm(backward filter)");
            return Compare.relative(TOL, FLOOR, "N,C,K=" + n + "," + c + "," + k,
                    List.of("y", "dx", "dW"),
                    List.of(new float[][] {dY.toFloats(), y}, new float[][] {dDx.toFloats(), dx}, new float[][] {dDw.toFloats(), dw}));
        }
    }
}
