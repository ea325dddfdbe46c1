package org.augmix4j.ops;

import org.augmix4j.cpu.Parallel;
import org.augmix4j.tensor.ShapeException;

/**
 * Channel concatenation, PyTorch's {@code torch.cat([a, b], 1)} on NCHW maps (DenseNet's
 * bottleneck and basic blocks append each layer's new channels this way): a (N, Ca, HW) and
 * b (N, Cb, HW) -> y (N, Ca + Cb, HW), the spatial dimensions flattened. CPU reference and CPU
 * engine; kernels/concat.cu ({@code ConcatCuda}) copies the same values; float64 paths
 * ({@link #forwardRef}, {@link #backwardRef}) for gradient checks. Copies and single additions, so
 * every path is exact.
 *
 * <p>Contract
 * <ul>
 *   <li>Forward: y[n, 0..Ca) = a[n], y[n, Ca..Ca+Cb) = b[n]; y overwritten (NaN and -0.0 copied as they are).</li>
 *   <li>Backward: da[n] += dy[n, 0..Ca), db[n] += dy[n, Ca..Ca+Cb); ACCUMULATES; either may be null
 *       (that input needs no gradient).</li>
 *   <li>Cost: a DenseNet block of L layers copies O(L^2) channels in total when each layer
 *       concatenates everything before it (as PyTorch's torch.cat does too); a caller that keeps
 *       the block's features in one preallocated buffer can instead write only each new slice
 *       ({@code ConcatCuda.copyChannels} at a channel offset).</li>
 * </ul>
 */
public final class Concat {
    private Concat() {}

    static void check(int aLen, int ca, int bLen, int cb, int yLen, int n, int hw) {
        ShapeException.check(n >= 1 && ca >= 1 && cb >= 1 && hw >= 1, "concat",
                "N=" + n + ", Ca=" + ca + ", Cb=" + cb + " and HW=" + hw + " must be >= 1");
        long want = (long) n * (ca + cb) * hw;
        ShapeException.check(aLen == (long) n * ca * hw && bLen == (long) n * cb * hw && yLen == want, "concat",
                "a has " + aLen + " values, b " + bLen + " and y " + yLen + ", expected (N, Ca, HW) = (" + n + ", " + ca + ", " + hw
                        + "), (N, Cb, HW) = (" + n + ", " + cb + ", " + hw + ") and (N, Ca+Cb, HW) = " + want);
    }

    /** y (N, Ca+Cb, HW) = cat(a (N, Ca, HW), b (N, Cb, HW)) along channels; y overwritten. */
    public static void forward(float[] a, int ca, float[] b, int cb, float[] y, int n, int hw) {
        check(a.length, ca, b.length, cb, y.length, n, hw);
        int la = ca * hw, lb = cb * hw, ly = la + lb;
        Parallel.range(n, grain(ly), (n0, n1) -> {
            for (int i = n0; i < n1; i++) {
                System.arraycopy(a, i * la, y, i * ly, la);
                System.arraycopy(b, i * lb, y, i * ly + la, lb);
            }
        });
    }

    /** da += dy[:, 0..Ca), db += dy[:, Ca..Ca+Cb); dy (N, Ca+Cb, HW); da (N, Ca, HW) and db (N, Cb, HW) nullable. */
    public static void backward(float[] dy, float[] da, float[] db, int n, int ca, int cb, int hw) {
        int la = ca * hw, lb = cb * hw, ly = la + lb;
        check(da == null ? n * la : da.length, ca, db == null ? n * lb : db.length, cb, dy.length, n, hw);
        Parallel.range(n, grain(ly), (n0, n1) -> {
            for (int i = n0; i < n1; i++) {
                if (da != null) for (int j = 0, d = i * ly, t = i * la; j < la; j++) da[t + j] += dy[d + j];
                if (db != null) for (int j = 0, d = i * ly + la, t = i * lb; j < lb; j++) db[t + j] += dy[d + j];
            }
        });
    }

    /** Samples per chunk of the CPU pool: about 64K values each. */
    private static int grain(int perSample) { return Math.max(1, (1 << 16) / Math.max(1, perSample)); }

    // ---------------------------------------------------------------- float64 paths (gradient checks)

    public static void forwardRef(double[] a, int ca, double[] b, int cb, double[] y, int n, int hw) {
        check(a.length, ca, b.length, cb, y.length, n, hw);
        int la = ca * hw, lb = cb * hw;
        for (int i = 0; i < n; i++) {
            System.arraycopy(a, i * la, y, i * (la + lb), la);
            System.arraycopy(b, i * lb, y, i * (la + lb) + la, lb);
        }
    }

    public static void backwardRef(double[] dy, double[] da, double[] db, int n, int ca, int cb, int hw) {
        int la = ca * hw, lb = cb * hw;
        check(da == null ? n * la : da.length, ca, db == null ? n * lb : db.length, cb, dy.length, n, hw);
        for (int i = 0; i < n; i++) {
            if (da != null) for (int j = 0; j < la; j++) da[i * la + j] += dy[i * (la + lb) + j];
            if (db != null) for (int j = 0; j < lb; j++) db[i * lb + j] += dy[i * (la + lb) + la + j];
        }
    }
}
