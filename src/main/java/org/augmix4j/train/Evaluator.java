package org.augmix4j.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.augmix4j.augment.AugMix;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.ops.Losses;
import org.augmix4j.tensor.ImageBatch;

/**
 * Evaluation as the official code does it (google-research/augmix cifar.py test() and test_c()): test preprocessing
 * only ((x/255 - 0.5)/0.5, no crop or flip), batch norm in eval mode, top-1 error; CIFAR-C error
 * per corruption with all five severities pooled, and the mean corruption error
 * 100 - 100 * mean_c(acc_c) (unnormalised). The RMS calibration error follows Hendrycks'
 * calib_err (sort by confidence, bins of 100, the last bin extended to the end), but over ALL
 * bins: his loop skips the last one.
 */
public final class Evaluator {
    /** Clean-set result. */
    public record Result(int n, int correct, double loss, double rmsCalibration) {
        public double errorPercent() { return 100.0 * (n - correct) / n; }
    }

    /** One corruption's accuracy per severity (index 0 = severity 1) and pooled. */
    public record CorruptionResult(String name, int[] correct, int[] total) {
        public double errorPercent() {
            long c = Arrays.stream(correct).sum(), t = Arrays.stream(total).sum();
            return 100.0 * (t - c) / t;
        }

        public double errorPercent(int severity) { return 100.0 * (total[severity - 1] - correct[severity - 1]) / total[severity - 1]; }
    }

    private final Classifier model;
    private final int batchSize;

    /** Evaluates {@code model} in batches of {@code batchSize} images. */
    public Evaluator(Classifier model, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("--eval-batch-size must be >= 1, got " + batchSize);
        this.model = model;
        this.batchSize = batchSize;
    }

    /** Normalises images [from, from+count) of {@code src} to NCHW float (x/255 - 0.5)/0.5. */
    public static float[] preprocess(ImageBatch src, int from, int count) {
        int h = src.height(), w = src.width(), hw = h * w, c = src.channels();
        float[] out = new float[count * 3 * hw];
        byte[] px = src.pixels();
        Parallel.range(count, 16, (s, e) -> {
            for (int i = s; i < e; i++) {
                int base = (from + i) * hw * c;
                for (int q = 0; q < hw; q++) {
                    for (int ch = 0; ch < 3; ch++) out[(i * 3 + ch) * hw + q] = AugMix.normalize(px[base + q * c + ch] & 0xFF);
                }
            }
        });
        return out;
    }

    /** Logits (N, K) of every image, in eval mode. */
    public float[] logits(ImageBatch images, IntConsumer progress) {
        int n = images.count(), k = model.classes();
        float[] out = new float[Math.multiplyExact(n, k)], z = new float[Math.min(batchSize, Math.max(n, 1)) * k];
        for (int from = 0; from < n; from += batchSize) {
            int count = Math.min(batchSize, n - from);
            model.logits(images, from, count, z);
            System.arraycopy(z, 0, out, from * k, count * k);
            if (progress != null) progress.accept(count);
        }
        return out;
    }

    /** Clean error, mean loss and RMS calibration error on a labelled set. */
    public Result evaluate(ImageBatch images, int[] labels, IntConsumer progress) {
        int n = images.count(), k = model.classes();
        float[] z = logits(images, progress);
        double[] conf = new double[n];
        boolean[] right = new boolean[n];
        int correct = 0;
        double loss = 0;
        double[] row = new double[k], p = new double[k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) row[j] = z[i * k + j];
            Losses.softmax(row, p, 1, k);
            int arg = 0;
            for (int j = 1; j < k; j++) if (p[j] > p[arg]) arg = j;
            conf[i] = p[arg];
            right[i] = arg == labels[i];
            if (right[i]) correct++;
            loss += -Math.log(Math.max(p[labels[i]], 1e-300));
        }
        return new Result(n, correct, loss / n, rmsCalibrationError(conf, right, 100));
    }

    /**
     * RMS calibration error in percent: samples sorted by confidence, consecutive bins of
     * {@code beta} (the last bin takes the remainder), sqrt(sum_b (n_b/N)(mean conf - mean acc)^2).
     */
    public static double rmsCalibrationError(double[] confidence, boolean[] correct, int beta) {
        int n = confidence.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(confidence[a], confidence[b]));
        int bins = Math.max(1, n / beta);
        double cerr = 0;
        for (int b = 0; b < bins; b++) {
            int s = b * beta, e = b == bins - 1 ? n : (b + 1) * beta;
            double c = 0, a = 0;
            for (int i = s; i < e; i++) {
                c += confidence[order[i]];
                a += correct[order[i]] ? 1 : 0;
            }
            int m = e - s;
            double d = c / m - a / m;
            cerr += (double) m / n * d * d;
        }
        return 100 * Math.sqrt(cerr);
    }

    /** A source of corrupted test images: the published CIFAR-C files or generated ones. */
    public interface CorruptedSource {
        List<String> names();

        /** Benchmark corruptions this source lacks (a partial folder evaluated with --allow-partial); empty normally. */
        default List<String> missing() { return List.of(); }

        ImageBatch images(String name, int severity);

        int[] labels(int severity);
    }

    /** Evaluates every corruption at severities 1-5. */
    public Map<String, CorruptionResult> evaluateCorrupted(CorruptedSource src, IntConsumer progress) {
        return evaluateCorrupted(src, progress, r -> { });
    }

    /** Evaluates every corruption at severities 1-5, handing each corruption's result to {@code done} as it is ready. */
    public Map<String, CorruptionResult> evaluateCorrupted(CorruptedSource src, IntConsumer progress,
                                                           java.util.function.Consumer<CorruptionResult> done) {
        Map<String, CorruptionResult> out = new LinkedHashMap<>();
        for (String name : src.names()) {
            int[] correct = new int[5], total = new int[5];
            for (int s = 1; s <= 5; s++) {
                ImageBatch imgs = src.images(name, s);
                int[] labels = src.labels(s);
                Result r = evaluate(imgs, labels, progress);
                correct[s - 1] = r.correct();
                total[s - 1] = r.n();
            }
            CorruptionResult r = new CorruptionResult(name, correct, total);
            out.put(name, r);
            done.accept(r);
        }
        return out;
    }

    /**
     * The official mean corruption error (cifar.py {@code test_c}): per corruption the accuracy
     * over all its images (five severities pooled), then {@code 100 - 100 * mean(accs)}.
     */
    public static double meanCorruptionError(Map<String, CorruptionResult> results) {
        if (results.isEmpty()) return Double.NaN;
        double sum = 0;
        for (CorruptionResult r : results.values()) {
            long c = Arrays.stream(r.correct()).asLongStream().sum(), t = Arrays.stream(r.total()).asLongStream().sum();
            sum += (double) c / t;
        }
        return 100 - 100 * (sum / results.size());
    }
}
