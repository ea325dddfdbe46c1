package org.augmix4j.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.augmix4j.tensor.ImageBatch;
import org.augmix4j.train.Classifier;

/**
 * Any image classifier exported to ONNX, evaluated through ONNX Runtime (CPU provider) behind the
 * same {@link Classifier} interface as our engines, so {@code eval --onnx} gives the same report
 * (clean error, CIFAR-C / built-in corruptions, mean corruption error, calibration) for a model
 * trained anywhere. Input: the model's first input, (N, 3, H, W) float32 with
 * {@code x = (pixel / 255 - mean[c]) / std[c]} (torchvision's Normalize after ToTensor); output:
 * its first output, (N, K) logits. Needs com.microsoft.onnxruntime:onnxruntime on the class path
 * (an optional dependency of the artifact).
 */
public final class OnnxClassifier implements Classifier, AutoCloseable {
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final String input;
    private final int classes, height, width;
    private final float[] mean, std;

    private OnnxClassifier(Path file, OrtEnvironment env, OrtSession session, String input, int classes, int height, int width, float[] mean,
                           float[] std) {
        this.file = file;
        this.env = env;
        this.session = session;
        this.input = input;
        this.classes = classes;
        this.height = height;
        this.width = width;
        this.mean = mean;
        this.std = std;
    }

    /**
     * Opens {@code model} and checks its signature: a first input of shape (N, 3, H, W) float and a
     * first output of shape (N, K) with K known; {@code mean} and {@code std} have 3 values each
     * (std positive). Errors name the file and what was found.
     */
    public static OnnxClassifier open(Path model, float[] mean, float[] std) {
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("--onnx " + model + ": no such file (an .onnx model)");
        if (mean.length != 3 || std.length != 3) {
            throw new IllegalArgumentException("--mean and --std take 3 values each (R,G,B on the 0..1 scale), got " + mean.length + " and "
                    + std.length);
        }
        for (float s : std) if (!(s > 0)) throw new IllegalArgumentException("--std values must be positive, got " + s);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try {
            session = env.createSession(model.toString(), new OrtSession.SessionOptions());
        } catch (OrtException e) {
            throw new IllegalArgumentException("--onnx " + model + ": ONNX Runtime cannot load it (" + e.getMessage() + ")", e);
        }
        try {
            Map.Entry<String, NodeInfo> in = session.getInputInfo().entrySet().iterator().next();
            Map.Entry<String, NodeInfo> out = session.getOutputInfo().entrySet().iterator().next();
            long[] is = shape(in.getValue()), os = shape(out.getValue());
            if (is == null || is.length != 4 || is[1] != 3) {
                throw new IllegalArgumentException("--onnx " + model + ": the first input '" + in.getKey() + "' must be a float tensor (N, 3, H, W), "
                        + "got " + describe(is) + "; export the model with NCHW RGB input");
            }
            if (os == null || os.length != 2 || os[1] < 2) {
                throw new IllegalArgumentException("--onnx " + model + ": the first output '" + out.getKey() + "' must be logits (N, K) with a "
                        + "fixed K >= 2, got " + describe(os));
            }
            return new OnnxClassifier(model, env, session, in.getKey(), (int) os[1], (int) is[2], (int) is[3], mean.clone(), std.clone());
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // the first error is the one to report
            }
            if (e instanceof IllegalArgumentException iae) throw iae;
            throw new IllegalArgumentException("--onnx " + model + ": cannot read its inputs and outputs (" + e.getMessage() + ")", e);
        }
    }

    private static long[] shape(NodeInfo n) {
        return n.getInfo() instanceof TensorInfo t && t.type == ai.onnxruntime.OnnxJavaType.FLOAT ? t.getShape() : null;
    }

    private static String describe(long[] s) { return s == null ? "a non-float or non-tensor value" : java.util.Arrays.toString(s).replace("-1", "?"); }

    @Override
    public int classes() { return classes; }

    @Override
    public String label() { return file.getFileName().toString(); }

    @Override
    public String describe() { return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " (CPU), " + file; }

    /** Input images must be H x W when the model fixes them (-1 = any). */
    public int height() { return height; }

    public int width() { return width; }

    @Override
    public void logits(ImageBatch images, int from, int count, float[] out) {
        int h = images.height(), w = images.width(), c = images.channels(), hw = h * w;
        if ((height > 0 && h != height) || (width > 0 && w != width)) {
            throw new IllegalArgumentException("--onnx " + file + " takes " + height + "x" + width + " images, the data are " + h + "x" + w);
        }
        FloatBuffer x = FloatBuffer.allocate(count * 3 * hw);
        byte[] px = images.pixels();
        for (int i = 0; i < count; i++) {
            int base = (from + i) * hw * c;
            for (int ch = 0; ch < 3; ch++) {
                for (int q = 0; q < hw; q++) x.put(((px[base + q * c + ch] & 0xFF) / 255f - mean[ch]) / std[ch]);
            }
        }
        x.flip();
        try (OnnxTensor t = OnnxTensor.createTensor(env, x, new long[] {count, 3, h, w});
             OrtSession.Result r = session.run(Map.of(input, t))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            if (y.remaining() != count * classes) {
                throw new IllegalStateException("--onnx " + file + " returned " + y.remaining() + " values for " + count + " images x " + classes
                        + " classes");
            }
            y.get(out, 0, count * classes);
        } catch (OrtException e) {
            throw new IllegalStateException("--onnx " + file + ": ONNX Runtime failed on a batch of " + count + " images (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing " + file + ": " + e.getMessage(), e);
        }
    }
}
