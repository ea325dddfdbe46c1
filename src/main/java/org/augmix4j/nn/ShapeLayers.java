package org.augmix4j.nn;

/**
 * {@link Layers} on shapes alone: runs a {@link ModelDef}'s forward pass without data, to check
 * that an input size fits the model (every conv and pool has room, the classifier gets the width it
 * expects) and to estimate the floats one training image keeps alive on the CPU tape (each layer's
 * output and, as large again, its gradient). Nothing is allocated but the shape arrays.
 *
 * <p>Shapes: the handle is {C, H, W} of one image.
 */
final class ShapeLayers implements Layers<int[]> {
    private final ModelDef def;
    private long floats;

    private ShapeLayers(ModelDef def) { this.def = def; }

    /**
     * Floats per training image for an h x w input, or an IllegalArgumentException that says why the
     * size does not fit the model.
     */
    static long floatsPerImage(ModelDef def, int h, int w) {
        ShapeLayers s = new ShapeLayers(def);
        int[] out = def.forward(s, new int[] {3, h, w});
        if (out.length != 1 || out[0] != def.arch().classes()) throw new IllegalStateException("classifier output " + out.length);
        return 2 * s.floats;
    }

    private int[] out(int c, int h, int w) {
        floats += (long) c * h * w;
        return new int[] {c, h, w};
    }

    private int[] shape(String key) {
        StateLayout.Entry e = def.layout().get(key);
        if (e == null) throw new IllegalStateException(def.arch().label() + ": the layout has no " + key);
        return e.shape();
    }

    private String fits(String what, int[] x) {
        return def.arch().label() + ": " + what + " gets a " + x[1] + "x" + x[2] + " map";
    }

    @Override
    public int[] conv(int[] x, String prefix, int stride, int pad, int groups) {
        int[] ws = shape(prefix + ".weight");
        if (ws[1] * groups != x[0]) throw new IllegalStateException(prefix + ": " + x[0] + " input channels, weight " + ws[1] + "x" + groups);
        int ho = Math.floorDiv(x[1] + 2 * pad - ws[2], stride) + 1, wo = Math.floorDiv(x[2] + 2 * pad - ws[3], stride) + 1;
        if (ho < 1 || wo < 1) {
            throw new IllegalArgumentException(fits(prefix + " (" + ws[2] + "x" + ws[3] + " kernel)", x) + ", too small; the official "
                    + "models are built for 32x32 CIFAR images");
        }
        return out(ws[0], ho, wo);
    }

    @Override
    public int[] batchNorm(int[] x, String prefix) { return out(x[0], x[1], x[2]); }

    @Override
    public int[] batchNormRelu(int[] x, String prefix) { return out(x[0], x[1], x[2]); }

    @Override
    public int[] relu(int[] x) { return out(x[0], x[1], x[2]); }

    @Override
    public int[] gelu(int[] x) { return out(x[0], x[1], x[2]); }

    @Override
    public int[] add(int[] a, int[] b) { return out(a[0], a[1], a[2]); }

    @Override
    public int[] concat(int[] a, int[] b) { return out(a[0] + b[0], a[1], a[2]); }

    private int[] pool(String what, int[] x, int k, int s) {
        if (x[1] < k || x[2] < k) {
            throw new IllegalArgumentException(fits(what + " " + k + "x" + k, x) + ", smaller than its window; the official models are "
                    + "built for 32x32 CIFAR images");
        }
        return out(x[0], (x[1] - k) / s + 1, (x[2] - k) / s + 1);
    }

    @Override
    public int[] maxPool(int[] x, int k, int s) { return pool("max pool", x, k, s); }

    @Override
    public int[] avgPool(int[] x, int k, int s) { return pool("average pool", x, k, s); }

    @Override
    public int[] dropout(int[] x, float p, int site) { return out(x[0], x[1], x[2]); }

    @Override
    public int[] linear(int[] x, String prefix) {
        int[] ws = shape(prefix + ".weight");
        long in = (long) x[0] * x[1] * x[2];
        if (in != ws[1]) {
            throw new IllegalArgumentException(def.arch().label() + ": the classifier " + prefix + " takes " + ws[1] + " features but gets "
                    + x[0] + "x" + x[1] + "x" + x[2] + " = " + in + "; the official models are built for 32x32 CIFAR images");
        }
        floats += ws[0];
        return new int[] {ws[0]};
    }
}
