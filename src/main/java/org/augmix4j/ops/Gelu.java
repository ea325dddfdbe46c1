package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * The sigmoid-form GELU of the official AllConv ({@code augmix/third_party/allconv.py}:
 * {@code torch.sigmoid(1.702 * x) * x}), elementwise on flat float32 arrays of length n:
 *
 * <pre>
 *   y  = x * s,   s = sigmoid(A x),   A = 1.702f
 *   dy/dx = s + A x s (1 - s)
 * </pre>
 *
 * The float path mimics PyTorch's float32 steps, each rounded to float:
 * {@code t = A * x; e = (float) exp(-t); s = 1 / (1 + e); y = s * x}, with {@code exp} the double
 * {@link StrictMath#exp} rounded to float (a correctly rounded float exp but for double rounding;
 * reproducible on every JVM). The backward accumulates {@code dx += dy * (s + t * (s * (1 - s)))}.
 * The GPU twin is kernels/gelu.cu ({@link GeluCuda}), which takes the same steps with CUDA's double
 * exp (equal bits but for that exp's last-bit differences). The {@code *Ref} float64 paths (with the
 * same constant A, i.e. 1.702 rounded to float) are the specification and serve the gradient checks.
 *
 * <p>Tests: GeluTest (float vs float64, central differences, F.gelu), GeluCudaTest (the kernels).
 */
public final class Gelu {
    /** The slope inside the sigmoid: 1.702 as float, as PyTorch multiplies a float32 tensor by it. */
    public static final float A = 1.702f;
    private static final int GRAIN = 1 << 14;

    private Gelu() {}

    /** sigmoid(t) in float steps: the double exp of -t rounded to float, then 1 / (1 + e). */
    static float sigmoid(float t) {
        float e = (float) StrictMath.exp(-(double) t);
        return 1f / (1f + e);
    }

    /** y = x * sigmoid(A x). x, y: (n); may alias. */
    public static void forward(float[] x, float[] y, int n) {
        check("gelu forward", n, x, y);
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                float v = x[i];
                y[i] = sigmoid(A * v) * v;
            }
        });
    }

    /** dx += dy * (s + A x s (1 - s)), s = sigmoid(A x). x, dy, dx: (n); dx must not alias x or dy. */
    public static void backward(float[] x, float[] dy, float[] dx, int n) {
        check("gelu backward", n, x, dy, dx);
        Parallel.range(n, GRAIN, (s, e) -> {
            for (int i = s; i < e; i++) {
                float t = A * x[i];
                float sg = sigmoid(t);
                float g = sg + t * (sg * (1f - sg));
                dx[i] += dy[i] * g;
            }
        });
    }

    // ---------------------------------------------------------------- float64 reference (the specification)

    /** Reference of {@link #forward}, float64. */
    public static void forwardRef(double[] x, double[] y, int n) {
        for (int i = 0; i < n; i++) y[i] = x[i] / (1 + Math.exp(-(double) A * x[i]));
    }

    /** Reference of {@link #backward}, float64: dx += dy * (s + A x s (1 - s)). */
    public static void backwardRef(double[] x, double[] dy, double[] dx, int n) {
        for (int i = 0; i < n; i++) {
            double s = 1 / (1 + Math.exp(-(double) A * x[i]));
            dx[i] += dy[i] * (s + A * x[i] * s * (1 - s));
        }
    }

    private static void check(String op, int n, float[]... arrays) {
        ShapeException.check(n >= 0, op, "n = " + n + " < 0; pass the element count");
        for (float[] a : arrays) {
            ShapeException.check(a.length >= n, op, "an array has " + a.length + " floats but n = " + n
                    + "; pass arrays of at least n elements");
        }
    }
}
