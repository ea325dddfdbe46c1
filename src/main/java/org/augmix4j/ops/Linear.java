package org.augmix4j.ops;

import org.augmix4j.tensor.ShapeException;

/**
 * Fully connected layer with bias, PyTorch layout: y (N, K) = x (N, C) * W^T + b, W (K, C), b (K).
 * CPU reference and engine (the WRN head is tiny: C = 128, K = 10 or 100); float64 paths.
 */
public final class Linear {
    private Linear() {}

    public static void forward(float[] x, float[] w, float[] b, float[] y, int n, int c, int k) {
        ShapeException.check(x.length == n * c && w.length == k * c && b.length == k && y.length == n * k, "linear",
                "expected x (N, C) = (" + n + ", " + c + "), W (K, C) = (" + k + ", " + c + "), b (K), y (N, K); got lengths "
                        + x.length + ", " + w.length + ", " + b.length + ", " + y.length);
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < k; o++) {
                double s = b[o];
                for (int j = 0; j < c; j++) s += (double) x[i * c + j] * w[o * c + j];
                y[i * k + o] = (float) s;
            }
        }
    }

    /** dx (N, C) overwritten (may be null); dw (K, C) and db (K) accumulated. */
    public static void backward(float[] x, float[] w, float[] dy, float[] dx, float[] dw, float[] db, int n, int c, int k) {
        if (dx != null) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < c; j++) {
                    double s = 0;
                    for (int o = 0; o < k; o++) s += (double) dy[i * k + o] * w[o * c + j];
                    dx[i * c + j] = (float) s;
                }
            }
        }
        for (int o = 0; o < k; o++) {
            double sb = 0;
            for (int i = 0; i < n; i++) sb += dy[i * k + o];
            db[o] += (float) sb;
            for (int j = 0; j < c; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += (double) dy[i * k + o] * x[i * c + j];
                dw[o * c + j] += (float) s;
            }
        }
    }

    public static void forward(double[] x, double[] w, double[] b, double[] y, int n, int c, int k) {
        for (int i = 0; i < n; i++) for (int o = 0; o < k; o++) {
            double s = b[o];
            for (int j = 0; j < c; j++) s += x[i * c + j] * w[o * c + j];
            y[i * k + o] = s;
        }
    }

    public static void backward(double[] x, double[] w, double[] dy, double[] dx, double[] dw, double[] db, int n, int c, int k) {
        for (int i = 0; i < n; i++) for (int o = 0; o < k; o++) {
            double g = dy[i * k + o];
            db[o] += g;
            for (int j = 0; j < c; j++) {
                dx[i * c + j] += g * w[o * c + j];
                dw[o * c + j] += g * x[i * c + j];
            }
        }
    }
}
