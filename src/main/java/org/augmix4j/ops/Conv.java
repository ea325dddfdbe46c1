package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;

/**
 * Placeholder direct convolution (to be replaced by the blocked GEMM engine): x (N,C,H,W),
 * w (K,C,R,S), y (N,K,Ho,Wo); no bias; same stride and pad in both dimensions.
 */
public final class Conv {
    private Conv() {}

    public static int outSize(int in, int r, int stride, int pad) { return (in + 2 * pad - r) / stride + 1; }

    public static void forward(float[] x, float[] w, float[] y, int n, int c, int h, int wd, int k, int r, int s, int stride, int pad) {
        int ho = outSize(h, r, stride, pad), wo = outSize(wd, s, stride, pad);
        Parallel.range(n * k, (a, b) -> {
            for (int nk = a; nk < b; nk++) {
                int i = nk / k, o = nk % k;
                for (int oy = 0; oy < ho; oy++) for (int ox = 0; ox < wo; ox++) {
                    float acc = 0;
                    for (int ci = 0; ci < c; ci++) for (int ky = 0; ky < r; ky++) {
                        int iy = oy * stride - pad + ky;
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < s; kx++) {
                            int ix = ox * stride - pad + kx;
                            if (ix < 0 || ix >= wd) continue;
                            acc += x[((i * c + ci) * h + iy) * wd + ix] * w[((o * c + ci) * r + ky) * s + kx];
                        }
                    }
                    y[((i * k + o) * ho + oy) * wo + ox] = acc;
                }
            }
        });
    }

    public static void backwardData(float[] dy, float[] w, float[] dx, int n, int c, int h, int wd, int k, int r, int s, int stride, int pad) {
        int ho = outSize(h, r, stride, pad), wo = outSize(wd, s, stride, pad);
        java.util.Arrays.fill(dx, 0f);
        double[] acc = new double[dx.length];
        Parallel.range(n, (a, b) -> {
            for (int i = a; i < b; i++) for (int o = 0; o < k; o++) for (int oy = 0; oy < ho; oy++) for (int ox = 0; ox < wo; ox++) {
                float g = dy[((i * k + o) * ho + oy) * wo + ox];
                for (int ci = 0; ci < c; ci++) for (int ky = 0; ky < r; ky++) {
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < s; kx++) {
                        int ix = ox * stride - pad + kx;
                        if (ix < 0 || ix >= wd) continue;
                        acc[((i * c + ci) * h + iy) * wd + ix] += (double) g * w[((o * c + ci) * r + ky) * s + kx];
                    }
                }
            }
        });
        for (int q = 0; q < dx.length; q++) dx[q] = (float) acc[q];
    }

    public static void backwardFilter(float[] x, float[] dy, float[] dw, int n, int c, int h, int wd, int k, int r, int s, int stride, int pad) {
        int ho = outSize(h, r, stride, pad), wo = outSize(wd, s, stride, pad);
        Parallel.range(k, (a, b) -> {
            for (int o = a; o < b; o++) for (int ci = 0; ci < c; ci++) for (int ky = 0; ky < r; ky++) for (int kx = 0; kx < s; kx++) {
                double acc = 0;
                for (int i = 0; i < n; i++) for (int oy = 0; oy < ho; oy++) {
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= h) continue;
                    for (int ox = 0; ox < wo; ox++) {
                        int ix = ox * stride - pad + kx;
                        if (ix < 0 || ix >= wd) continue;
                        acc += dy[((i * k + o) * ho + oy) * wo + ox] * x[((i * c + ci) * h + iy) * wd + ix];
                    }
                }
                dw[((o * c + ci) * r + ky) * s + kx] = (float) acc;
            }
        });
    }

    public static void forwardRef(double[] x, double[] w, double[] y, int n, int c, int h, int wd, int k, int r, int s, int stride, int pad) {
        int ho = outSize(h, r, stride, pad), wo = outSize(wd, s, stride, pad);
        for (int i = 0; i < n; i++) for (int o = 0; o < k; o++) for (int oy = 0; oy < ho; oy++) for (int ox = 0; ox < wo; ox++) {
            double acc = 0;
            for (int ci = 0; ci < c; ci++) for (int ky = 0; ky < r; ky++) for (int kx = 0; kx < s; kx++) {
                int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                if (iy >= 0 && iy < h && ix >= 0 && ix < wd) acc += x[((i * c + ci) * h + iy) * wd + ix] * w[((o * c + ci) * r + ky) * s + kx];
            }
            y[((i * k + o) * ho + oy) * wo + ox] = acc;
        }
    }
}
