package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.tensor.ShapeException;

/**
 * GPU launches of kernels/losses.cu: the AugMix training loss CE(clean) + 12 * JS fused forward and
 * backward ({@link #trainingLoss}), and a row softmax for evaluation. The reference is {@link Losses}
 * (double); results agree with it to a few float ulp (LossesCudaTest).
 *
 * <p>The loss stays on the device: {@link #trainingLoss} queues two launches and returns; the caller
 * reads the scalars ({@link Workspace#readLoss()}) and the sticky NaN/Inf/bad-label flag
 * ({@link Workspace#checkFinite(String)}) only when it wants them, e.g. every {@code --print-freq}
 * steps, so no step waits for the device.
 */
public final class LossesCuda {
    /** Warps (one sample each) per block of {@code ce_jsd_backward}. */
    static final int WARPS_PER_BLOCK = 4;
    /** Threads of the single reducing block. */
    static final int REDUCE_BLOCK = 256;

    /** Flag bit: a logit was NaN or infinite. */
    public static final int FLAG_NONFINITE_LOGITS = 1;
    /** Flag bit: a label was outside [0, K). */
    public static final int FLAG_BAD_LABEL = 2;
    /** Flag bit: the reduced loss was NaN or infinite. */
    public static final int FLAG_NONFINITE_LOSS = 4;

    static final Kernel CE_JSD_BACKWARD = Kernel.declare("ce_jsd_backward(const float* z, const int* labels, float* dz, "
            + "float* terms, int* flag, int b, int k, int views, float jsd_weight, float grad_scale)");
    static final Kernel LOSS_REDUCE_FORWARD = Kernel.declare(
            "loss_reduce_forward(const float* terms, float* loss, int* flag, int b, int views, float jsd_weight)");
    static final Kernel TRAIN_STATS_FORWARD = Kernel.declare(
            "train_stats_forward(const float* z, const int* labels, const float* loss, float* stats, int b, int k)");
    static final Kernel SOFTMAX_FORWARD = Kernel.declare("softmax_forward(const float* z, float* p, int rows, int k)");

    private LossesCuda() {}

    /** Length of the per-sample terms scratch buffer for batch b. */
    public static int termsLength(int b, boolean jsd) { return jsd ? 2 * b : b; }

    /**
     * The training loss and its gradient. With {@code jsd}: z (3B, K) = logits of cat([clean, aug1,
     * aug2]), loss = CE(z[:B], labels) + {@link Losses#JSD_WEIGHT} * JS(z); without: z (B, K),
     * loss = CE(z, labels). Writes dz (same shape as z) = gradScale * dloss/dz, terms
     * ({@link #termsLength}) the per-sample terms, loss (3) = {total, CE, JS (unweighted; 0 without
     * jsd)}; ORs the FLAG_* bits into flag (1), which nothing here clears.
     */
    public static void trainingLoss(DeviceBuffer z, DeviceBuffer labels, DeviceBuffer dz, DeviceBuffer terms, DeviceBuffer loss,
                                    DeviceBuffer flag, int b, int k, boolean jsd, float gradScale) {
        String op = jsd ? "ce_jsd" : "cross_entropy";
        CudaChecks.positive(op, "B=" + b + " K=" + k, b, k);
        int views = jsd ? 3 : 1;
        long rows = (long) views * b;
        String shape = "(" + rows + ", " + k + ")";
        CudaChecks.length(op, "z", z, rows * k, shape);
        CudaChecks.length(op, "dz", dz, rows * k, shape);
        CudaChecks.length(op, "labels", labels, b, "(" + b + ")");
        CudaChecks.length(op, "terms", terms, termsLength(b, jsd), "(" + termsLength(b, jsd) + ")");
        CudaChecks.length(op, "loss", loss, 3, "(3)");
        CudaChecks.length(op, "flag", flag, 1, "(1)");
        ShapeException.check((long) b * 32 <= Integer.MAX_VALUE, op, "batch " + b + " is too large");
        int block = 32 * WARPS_PER_BLOCK;
        CudaChecks.grid(CE_JSD_BACKWARD, z, (b + WARPS_PER_BLOCK - 1) / WARPS_PER_BLOCK, block,
                z, labels, dz, terms, flag, b, k, views, Losses.JSD_WEIGHT, gradScale);
        CudaChecks.grid(LOSS_REDUCE_FORWARD, z, 1, REDUCE_BLOCK, terms, loss, flag, b, views, Losses.JSD_WEIGHT);
    }

    /**
     * Accumulates the epoch's training figures on the device ({@link Losses#trainStats}): stats (3)
     * += {loss[0] * b, correct top-1 among the first b rows of z (>= b, K), b}. One launch, nothing read back.
     */
    public static void trainStats(DeviceBuffer z, DeviceBuffer labels, DeviceBuffer loss, DeviceBuffer stats, int b, int k) {
        CudaChecks.positive("train_stats", "B=" + b + " K=" + k, b, k);
        CudaChecks.length("train_stats", "z", z, (long) b * k, "(" + b + ", " + k + ")");
        CudaChecks.length("train_stats", "labels", labels, b, "(" + b + ")");
        CudaChecks.length("train_stats", "loss", loss, 3, "(3)");
        CudaChecks.length("train_stats", "stats", stats, 3, "(3)");
        CudaChecks.grid(TRAIN_STATS_FORWARD, z, 1, REDUCE_BLOCK, z, labels, loss, stats, b, k);
    }

    /** p (rows, K) = row-wise softmax of z (rows, K). */
    public static void softmax(DeviceBuffer z, DeviceBuffer p, int rows, int k) {
        if (rows == 0) return;
        CudaChecks.positive("softmax", "rows=" + rows + " K=" + k, rows, k);
        CudaChecks.length("softmax", "z", z, (long) rows * k, "(" + rows + ", " + k + ")");
        CudaChecks.length("softmax", "p", p, (long) rows * k, "(" + rows + ", " + k + ")");
        ShapeException.check((long) rows * 32 <= Integer.MAX_VALUE, "softmax", rows + " rows are too many");
        CudaChecks.grid(SOFTMAX_FORWARD, z, (rows + WARPS_PER_BLOCK - 1) / WARPS_PER_BLOCK, 32 * WARPS_PER_BLOCK, z, p, rows, k);
    }

    /** What the flag bits mean, e.g. "NaN/Inf logits, label outside [0, K)"; "ok" for 0. */
    public static String describeFlag(int bits) {
        if (bits == 0) return "ok";
        StringBuilder sb = new StringBuilder();
        if ((bits & FLAG_NONFINITE_LOGITS) != 0) sb.append("NaN/Inf logits");
        if ((bits & FLAG_BAD_LABEL) != 0) sb.append(sb.isEmpty() ? "" : ", ").append("label outside [0, K)");
        if ((bits & FLAG_NONFINITE_LOSS) != 0) sb.append(sb.isEmpty() ? "" : ", ").append("NaN/Inf loss");
        return sb.toString();
    }

    /**
     * The scratch of {@link #trainingLoss} for a batch size: terms, the 3 loss scalars and the sticky
     * flag (zeroed at creation). Owned by the caller (the training engine), one per batch size.
     */
    public static final class Workspace implements AutoCloseable {
        public final DeviceBuffer terms, loss, flag;
        public final int b;
        public final boolean jsd;

        public Workspace(Gpu gpu, int b, boolean jsd) {
            this.b = b;
            this.jsd = jsd;
            terms = DeviceBuffer.floats(gpu, termsLength(b, jsd));
            loss = DeviceBuffer.floats(gpu, 3);
            flag = DeviceBuffer.ints(gpu, 1);
            loss.zero(gpu.stream());
            flag.zero(gpu.stream());
        }

        /** {@link LossesCuda#trainingLoss} with this workspace's buffers. */
        public void run(DeviceBuffer z, DeviceBuffer labels, DeviceBuffer dz, int k, float gradScale) {
            trainingLoss(z, labels, dz, terms, loss, flag, b, k, jsd, gradScale);
        }

        /** {total, CE, JS} of the last run (synchronises: a device fault surfaces here). */
        public float[] readLoss() { return loss.toFloats(); }

        /** The flag's bits (synchronises). */
        public int readFlag() { return flag.toInts()[0]; }

        /** Clears the flag (queued on the compute stream). */
        public void clearFlag() { flag.zero(flag.gpu().stream()); }

        /**
         * Throws {@link Losses.NonFiniteException} if any run since the last clear saw NaN/Inf logits, a
         * bad label or a non-finite loss; {@code where} goes into the message (e.g. "epoch 3, step 150").
         */
        public void checkFinite(String where) {
            int bits = readFlag();
            if (bits == 0) return;
            String fix = (bits & FLAG_BAD_LABEL) != 0
                    ? "the dataset's labels do not match the model's classes (check --dataset)"
                    : "training diverged or the input holds NaN/Inf: lower --learning-rate, check the data, or resume from the last good checkpoint";
            throw new Losses.NonFiniteException("GPU loss at " + where + ": " + describeFlag(bits) + ". " + fix + ".");
        }

        @Override
        public void close() {
            terms.close();
            loss.close();
            flag.close();
        }
    }
}
