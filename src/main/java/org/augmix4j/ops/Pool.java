package org.augmix4j.ops;

import org.augmix4j.tensor.ShapeException;

/**
 * Global average pooling (the WRN head's avg_pool2d(8) on an 8x8 map, i.e. a mean over H*W):
 * x (N, C, HW) -> y (N, C). CPU reference and engine; float64 paths for gradient checks.
 */
public final class Pool {
    private Pool() {}

    /** y[n, c] = mean_j x[n, c, j]. */
    public static void globalAvgForward(float[] x, float[] y, int nc, int hw) {
        ShapeException.check(x.length == (long) nc * hw && y.length == nc, "global_avg_pool",
                "x has " + x.length + " values and y " + y.length + ", expected N*C*HW = " + ((long) nc * hw) + " and N*C = " + nc);
        for (int i = 0; i < nc; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) s += x[i * hw + j];
            y[i] = (float) (s / hw);
        }
    }

    /** dx[n, c, j] += dy[n, c] / HW. */
    public static void globalAvgBackward(float[] dy, float[] dx, int nc, int hw) {
        for (int i = 0; i < nc; i++) {
            float g = dy[i] / hw;
            for (int j = 0; j < hw; j++) dx[i * hw + j] += g;
        }
    }

    public static void globalAvgForward(double[] x, double[] y, int nc, int hw) {
        for (int i = 0; i < nc; i++) {
            double s = 0;
            for (int j = 0; j < hw; j++) s += x[i * hw + j];
            y[i] = s / hw;
        }
    }

    public static void globalAvgBackward(double[] dy, double[] dx, int nc, int hw) {
        for (int i = 0; i < nc; i++) for (int j = 0; j < hw; j++) dx[i * hw + j] += dy[i] / hw;
    }
}
