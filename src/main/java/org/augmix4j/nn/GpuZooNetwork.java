package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.AvgPoolCuda;
import org.augmix4j.ops.BatchNormBackend;
import org.augmix4j.ops.BiasCuda;
import org.augmix4j.ops.ConcatCuda;
import org.augmix4j.ops.ConvBackend;
import org.augmix4j.ops.DropoutCuda;
import org.augmix4j.ops.ElementwiseCuda;
import org.augmix4j.ops.GeluCuda;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.LossesCuda;
import org.augmix4j.ops.MaxPoolCuda;
import org.augmix4j.tensor.ShapeException;

/**
 * Any {@link ModelDef} on a GPU: the model's forward pass in {@link Layers} on device tensors, with
 * a device tape that records each op's backward and replays it in reverse. Convolutions, batch norm
 * and the classifier run on the chosen {@link GpuBackends} (cuDNN / cuBLAS, grouped convolutions
 * included, or our kernels); pooling, concatenation, GELU, dropout, conv bias, ReLU and the residual
 * add on our kernels (kernels/*.cu). The WRN keeps its hand-scheduled {@link GpuWideResNet}.
 *
 * <p>Memory: parameters and gradients in two flat buffers ({@link #slots}); activations, their
 * gradients and dropout masks come from a chunked bump arena that is reset at the start of every
 * step (and another for evaluation), so after the first step nothing is allocated. A tensor's
 * gradient is allocated on first use; ops whose backend overwrites its output (conv backward-data,
 * batch-norm backward, linear backward) write straight into a fresh gradient or into scratch that
 * is then accumulated.
 *
 * <p>Semantics are the CPU {@link ZooNetwork}'s (the same definition, the same dropout draws:
 * {@link org.augmix4j.ops.Dropout#mask} and the dropout_mask kernel are bit-identical), which the
 * emulator tests compare step by step.
 *
 * <p>Shapes: input (N, 3, H, W) NCHW floats for the H x W given at construction; logits (N, K).
 */
public final class GpuZooNetwork implements GpuNetwork {
    /** Every arena region starts on this many floats (256 bytes). */
    private static final long ALIGN = 64;

    /** A device activation (N, C, H, W) with its gradient (allocated on first use). */
    private static final class T {
        final DeviceBuffer data;
        final int n, c, h, w;
        DeviceBuffer grad;
        boolean input;   // the network input: no gradient

        T(DeviceBuffer data, int n, int c, int h, int w) {
            this.data = data;
            this.n = n;
            this.c = c;
            this.h = h;
            this.w = w;
        }

        long numel() { return (long) n * c * h * w; }

        int hw() { return h * w; }
    }

    /** One BatchNorm2d: parameter / gradient views, running statistics, saved batch statistics. */
    private static final class Norm {
        final String prefix;
        final int c;
        DeviceBuffer gamma, beta, dgamma, dbeta, runMean, runVar, saveMean, saveInvstd;
        long tracked;

        Norm(String prefix, int c) {
            this.prefix = prefix;
            this.c = c;
        }
    }

    /** Chunked bump allocation on the device, reset per step; chunks are kept and reused. */
    private final class Arena {
        final long chunk;
        final List<DeviceBuffer> chunks = new ArrayList<>();
        int cur;
        long off;

        Arena(long chunk) { this.chunk = chunk; }

        DeviceBuffer alloc(long len) {
            long need = Math.max(1, len);
            while (true) {
                if (cur == chunks.size()) chunks.add(DeviceBuffer.floats(gpu, Math.max(chunk, need)));
                DeviceBuffer c = chunks.get(cur);
                if (off + need <= c.length()) {
                    DeviceBuffer v = c.view(off, need);
                    off = align(off + need);
                    return v;
                }
                cur++;
                off = 0;
            }
        }

        void reset() {
            cur = 0;
            off = 0;
        }

        long bytes() {
            long b = 0;
            for (DeviceBuffer c : chunks) b += 4 * c.length();
            return b;
        }

        void close() {
            for (DeviceBuffer c : chunks) c.close();
            chunks.clear();
        }
    }

    private final Arch arch;
    private final ModelDef def;
    private final Gpu gpu;
    private final GpuBackends backends;
    private final int height, width, classes;
    private final long flatLength;
    private final DeviceBuffer params, grads, running, saved;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, DeviceBuffer> paramViews = new LinkedHashMap<>(), gradViews = new LinkedHashMap<>();
    private final Map<String, Norm> norms = new LinkedHashMap<>();
    private final Arena trainArena, evalArena;
    private LossesCuda.Workspace loss;
    private T lastLogits;
    private long seed, step;
    private boolean closed;

    /**
     * The network of {@code net} (its definition, and a copy of every state_dict entry) on {@code gpu}
     * for {@code height} x {@code width} inputs, running on {@code backends}.
     */
    public GpuZooNetwork(Gpu gpu, GpuBackends backends, ZooNetwork net, int height, int width) {
        this.def = net.definition();
        this.arch = def.arch();
        this.gpu = gpu;
        this.backends = backends;
        this.height = height;
        this.width = width;
        this.classes = arch.classes();
        long perImage = arch.trainingFloatsPerImage(height, width); // refuses an input size the model cannot take
        long off = 0;
        for (Var v : net.parameters()) {
            int len = v.value().numel();
            Slot s = new Slot(v.name(), off, len, v.shape());
            slots.add(s);
            off = align(off + len);
        }
        flatLength = off;
        ShapeException.check(flatLength <= Integer.MAX_VALUE, "GpuZooNetwork", "too many parameters for one flat buffer");
        gpu.makeCurrent();
        params = DeviceBuffer.floats(gpu, flatLength);
        grads = DeviceBuffer.floats(gpu, flatLength);
        params.zero(gpu.stream());
        grads.zero(gpu.stream());
        for (Slot s : slots) {
            paramViews.put(s.name(), params.view(s.offset(), s.length()));
            gradViews.put(s.name(), grads.view(s.offset(), s.length()));
        }
        for (StateLayout.Entry e : def.layout().entries()) {
            if (!e.key().endsWith(".running_mean")) continue;
            String prefix = e.key().substring(0, e.key().length() - ".running_mean".length());
            Norm b = new Norm(prefix, e.shape()[0]);
            b.gamma = paramViews.get(prefix + ".weight");
            b.beta = paramViews.get(prefix + ".bias");
            b.dgamma = gradViews.get(prefix + ".weight");
            b.dbeta = gradViews.get(prefix + ".bias");
            norms.put(prefix, b);
        }
        long statLen = 0;
        for (Norm b : norms.values()) statLen = align(align(statLen + b.c) + b.c);
        running = DeviceBuffer.floats(gpu, Math.max(1, statLen));
        saved = DeviceBuffer.floats(gpu, Math.max(1, statLen));
        long so = 0;
        for (Norm b : norms.values()) {
            b.runMean = running.view(so, b.c);
            b.saveMean = saved.view(so, b.c);
            so = align(so + b.c);
            b.runVar = running.view(so, b.c);
            b.saveInvstd = saved.view(so, b.c);
            so = align(so + b.c);
        }
        // a chunk holds a training step of 32 images (or one image's evaluation of 64): larger steps chain chunks
        trainArena = new Arena(align(perImage * 32) + 1024 * ALIGN);
        evalArena = new Arena(align(perImage / 2 * 64) + 1024 * ALIGN);
        load(net.stateDict());
    }

    private static long align(long floats) { return (floats + ALIGN - 1) / ALIGN * ALIGN; }

    @Override
    public Arch config() { return arch; }

    @Override
    public int classes() { return classes; }

    @Override
    public Gpu gpu() { return gpu; }

    @Override
    public int height() { return height; }

    @Override
    public int width() { return width; }

    @Override
    public DeviceBuffer params() { return params; }

    @Override
    public DeviceBuffer grads() { return grads; }

    @Override
    public int flatLength() { return (int) flatLength; }

    @Override
    public List<Slot> slots() { return Collections.unmodifiableList(slots); }

    @Override
    public void beginStep(long seed, long step) {
        this.seed = seed;
        this.step = step;
    }

    // ---------------------------------------------------------------- state

    @Override
    public void load(Map<String, Object> state) {
        for (Slot s : slots) paramViews.get(s.name()).copyFrom(entry(state, s.name(), s.length()));
        for (Norm b : norms.values()) {
            b.runMean.copyFrom(entry(state, b.prefix + ".running_mean", b.c));
            b.runVar.copyFrom(entry(state, b.prefix + ".running_var", b.c));
            Object t = state.get(b.prefix + ".num_batches_tracked");
            b.tracked = t instanceof long[] l && l.length == 1 ? l[0] : 0;
        }
    }

    private float[] entry(Map<String, Object> state, String key, int length) {
        if (!(state.get(key) instanceof float[] f) || f.length != length) {
            throw new IllegalArgumentException("state_dict entry " + key + " is missing or does not have " + length + " float values ("
                    + arch.label() + ")");
        }
        return f;
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (StateLayout.Entry e : def.layout().entries()) {
            String key = e.key();
            DeviceBuffer p = paramViews.get(key);
            if (p != null) {
                out.put(key, p.toFloats());
                continue;
            }
            int dot = key.lastIndexOf('.');
            Norm b = norms.get(key.substring(0, dot));
            switch (key.substring(dot + 1)) {
                case "running_mean" -> out.put(key, b.runMean.toFloats());
                case "running_var" -> out.put(key, b.runVar.toFloats());
                default -> out.put(key, new long[] {b.tracked});
            }
        }
        return out;
    }

    @Override
    public Map<String, float[]> gradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Slot s : slots) out.put(s.name(), gradViews.get(s.name()).toFloats());
        return out;
    }

    // ---------------------------------------------------------------- training

    @Override
    public void reserveTraining(int batch, int views) {
        int n = batch * views;
        if (loss == null || loss.b < n) {
            if (loss != null) loss.close();
            loss = new LossesCuda.Workspace(gpu, n, true);
        }
    }

    @Override
    public long arenaBytes() { return trainArena.bytes() + evalArena.bytes(); }

    @Override
    public LossesCuda.Workspace lossWorkspace() { return loss; }

    @Override
    public DeviceBuffer trainLogits(int n) { return lastLogits.data.view(0, (long) n * classes); }

    @Override
    public void forwardBackward(DeviceBuffer input, DeviceBuffer labels, int batch, int views) {
        ShapeException.check(views == 1 || views == 3, "GpuZooNetwork", "views must be 1 (CE) or 3 (JSD), got " + views);
        int n = batch * views;
        if (input.length() < (long) n * 3 * height * width) {
            throw new ShapeException("GpuZooNetwork: input " + input + " is shorter than (" + n + ", 3, " + height + ", " + width + ")");
        }
        reserveTraining(batch, views);
        trainArena.reset();
        DeviceLayers l = new DeviceLayers(trainArena, true);
        T in = new T(input.view(0, (long) n * 3 * height * width), n, 3, height, width);
        in.input = true;
        T logits = def.forward(l, in);
        lastLogits = logits;
        logits.grad = trainArena.alloc(logits.numel());
        LossesCuda.trainingLoss(logits.data, labels, logits.grad, loss.terms, loss.loss, loss.flag, batch, classes, views == 3, 1f);
        grads.zero(gpu.stream());
        for (int i = l.tape.size() - 1; i >= 0; i--) l.tape.get(i).run();
    }

    @Override
    public void logits(DeviceBuffer input, int n, DeviceBuffer out) {
        if (input.length() < (long) n * 3 * height * width || out.length() < (long) n * classes) {
            throw new ShapeException("GpuZooNetwork.logits: input " + input + " / out " + out + " too short for " + n + " images of "
                    + height + "x" + width + " and " + classes + " classes");
        }
        evalArena.reset();
        T y = def.forward(new DeviceLayers(evalArena, false), new T(input.view(0, (long) n * 3 * height * width), n, 3, height, width));
        out.view(0, (long) n * classes).copyFrom(y.data);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        trainArena.close();
        evalArena.close();
        if (loss != null) loss.close();
        params.close();
        grads.close();
        running.close();
        saved.close();
    }

    @Override
    public String toString() {
        return arch.label() + " on the GPU (" + String.format("%,d", arch.parameterCount()) + " parameters, flat buffer of " + flatLength
                + " floats)";
    }

    // ---------------------------------------------------------------- the layers on the device

    /** {@link Layers} on device tensors; in training every op records its backward on {@link #tape}. */
    private final class DeviceLayers implements Layers<T> {
        final Arena arena;
        final boolean train;
        final List<Runnable> tape = new ArrayList<>();

        DeviceLayers(Arena arena, boolean train) {
            this.arena = arena;
            this.train = train;
        }

        T out(int n, int c, int h, int w) { return new T(arena.alloc((long) n * c * h * w), n, c, h, w); }

        /** x's gradient, zero-filled when first allocated: for kernels that accumulate (dx +=); null for the input. */
        DeviceBuffer zeroedGrad(T x) {
            if (x.input) return null;
            if (x.grad == null) {
                x.grad = arena.alloc(x.numel());
                x.grad.zero(gpu.stream());
            }
            return x.grad;
        }

        /** Runs an op that OVERWRITES its output with x's gradient contribution: straight into a fresh gradient, else via scratch. */
        void intoGrad(T x, Consumer<DeviceBuffer> writer) {
            if (x.input) return;
            if (x.grad == null) {
                x.grad = arena.alloc(x.numel());
                writer.accept(x.grad);
            } else {
                DeviceBuffer tmp = arena.alloc(x.numel());
                writer.accept(tmp);
                ElementwiseCuda.accumulate(tmp, x.grad, Math.toIntExact(x.numel()));
            }
        }

        void record(Runnable backward) {
            if (train) tape.add(backward);
        }

        DeviceBuffer param(String key) {
            DeviceBuffer v = paramViews.get(key);
            if (v == null) throw new IllegalStateException(arch.label() + ": the layout has no parameter " + key);
            return v;
        }

        @Override
        public T conv(T x, String prefix, int stride, int pad, int groups) {
            DeviceBuffer wt = param(prefix + ".weight"), b = paramViews.get(prefix + ".bias");
            int[] ws = def.layout().get(prefix + ".weight").shape();
            ConvBackend.Shape s = new ConvBackend.Shape(x.n, x.c, x.h, x.w, ws[0], ws[2], ws[3], stride, pad, groups);
            T y = out(x.n, ws[0], s.ho(), s.wo());
            ConvBackend conv = backends.conv();
            conv.forward(x.data, wt, y.data, s);
            if (b != null) BiasCuda.forward(y.data, b, y.n, y.c, y.hw());
            record(() -> {
                if (y.grad == null) return;
                if (b != null) BiasCuda.backward(y.grad, gradViews.get(prefix + ".bias"), y.n, y.c, y.hw());
                conv.backwardFilter(x.data, y.grad, gradViews.get(prefix + ".weight"), s);
                intoGrad(x, dx -> conv.backwardData(y.grad, wt, dx, s));
            });
            return y;
        }

        private T norm(T x, String prefix, boolean relu) {
            Norm b = norms.get(prefix);
            if (b == null) throw new IllegalStateException(arch.label() + ": the layout has no batch norm " + prefix);
            BatchNormBackend bn = backends.batchNorm();
            T y = out(x.n, x.c, x.h, x.w);
            if (!train) {
                bn.evalForward(x.data, y.data, x.n, x.c, x.hw(), b.gamma, b.beta, b.runMean, b.runVar, relu);
                return y;
            }
            bn.trainForward(x.data, y.data, x.n, x.c, x.hw(), b.gamma, b.beta, b.runMean, b.runVar, b.saveMean, b.saveInvstd, relu);
            b.tracked++;
            record(() -> {
                if (y.grad == null) return;
                intoGrad(x, dx -> bn.trainBackward(x.data, y.grad, relu ? y.data : null, dx, x.n, x.c, x.hw(), b.gamma, b.saveMean,
                        b.saveInvstd, b.dgamma, b.dbeta));
            });
            return y;
        }

        @Override
        public T batchNorm(T x, String prefix) { return norm(x, prefix, false); }

        @Override
        public T batchNormRelu(T x, String prefix) { return norm(x, prefix, true); }

        @Override
        public T relu(T x) {
            T y = out(x.n, x.c, x.h, x.w);
            int len = Math.toIntExact(x.numel());
            ElementwiseCuda.reluForward(x.data, y.data, len);
            record(() -> {
                if (y.grad != null && !x.input) ElementwiseCuda.reluBackward(y.data, y.grad, zeroedGrad(x), len);
            });
            return y;
        }

        @Override
        public T gelu(T x) {
            T y = out(x.n, x.c, x.h, x.w);
            int len = Math.toIntExact(x.numel());
            GeluCuda.forward(x.data, y.data, len);
            record(() -> {
                if (y.grad != null && !x.input) GeluCuda.backward(x.data, y.grad, zeroedGrad(x), len);
            });
            return y;
        }

        @Override
        public T add(T a, T b) {
            ShapeException.check(a.numel() == b.numel() && a.c == b.c, "add", "shapes differ: " + a.c + "x" + a.h + "x" + a.w + " vs "
                    + b.c + "x" + b.h + "x" + b.w);
            T y = out(a.n, a.c, a.h, a.w);
            int len = Math.toIntExact(a.numel());
            ElementwiseCuda.add(a.data, b.data, y.data, len);
            record(() -> {
                if (y.grad == null) return;
                if (!a.input) ElementwiseCuda.accumulate(y.grad, zeroedGrad(a), len);
                if (!b.input) ElementwiseCuda.accumulate(y.grad, zeroedGrad(b), len);
            });
            return y;
        }

        @Override
        public T concat(T a, T b) {
            ShapeException.check(a.n == b.n && a.h == b.h && a.w == b.w, "concat", "maps differ: " + a.h + "x" + a.w + " vs " + b.h + "x" + b.w);
            T y = out(a.n, a.c + b.c, a.h, a.w);
            ConcatCuda.forward(a.data, a.c, b.data, b.c, y.data, a.n, a.hw());
            record(() -> {
                if (y.grad != null) ConcatCuda.backward(y.grad, zeroedGrad(a), zeroedGrad(b), a.n, a.c, b.c, a.hw()); // null: no gradient
            });
            return y;
        }

        @Override
        public T maxPool(T x, int k, int s) {
            T y = out(x.n, x.c, (x.h - k) / s + 1, (x.w - k) / s + 1);
            MaxPoolCuda.forward(x.data, y.data, x.n, x.c, x.h, x.w, k, s);
            record(() -> {
                if (y.grad != null && !x.input) MaxPoolCuda.backward(x.data, y.grad, zeroedGrad(x), x.n, x.c, x.h, x.w, k, s);
            });
            return y;
        }

        @Override
        public T avgPool(T x, int k, int s) {
            T y = out(x.n, x.c, (x.h - k) / s + 1, (x.w - k) / s + 1);
            AvgPoolCuda.forward(x.data, y.data, x.n, x.c, x.h, x.w, k, s);
            record(() -> {
                if (y.grad != null && !x.input) AvgPoolCuda.backward(y.grad, zeroedGrad(x), x.n, x.c, x.h, x.w, k, s);
            });
            return y;
        }

        @Override
        public T dropout(T x, float p, int site) {
            if (!train) return x;
            int len = Math.toIntExact(x.numel());
            DeviceBuffer mask = arena.alloc(len);
            DropoutCuda.mask(mask, seed, step * ZooNetwork.MAX_DROPOUT_SITES + site, p, len);
            T y = out(x.n, x.c, x.h, x.w);
            DropoutCuda.forward(x.data, mask, y.data, len);
            record(() -> {
                if (y.grad != null && !x.input) DropoutCuda.backward(mask, y.grad, zeroedGrad(x), len);
            });
            return y;
        }

        @Override
        public T linear(T x, String prefix) {
            DeviceBuffer wt = param(prefix + ".weight"), b = param(prefix + ".bias");
            int[] ws = def.layout().get(prefix + ".weight").shape();
            int k = ws[0], c = ws[1];
            ShapeException.check((long) x.c * x.h * x.w == c, "linear", prefix + " takes " + c + " features but gets " + x.c + "x" + x.h + "x" + x.w);
            T y = out(x.n, k, 1, 1);
            backends.linear().forward(x.data, wt, b, y.data, x.n, c, k);
            record(() -> {
                if (y.grad == null) return;
                intoGrad(x, dx -> backends.linear().backward(x.data, wt, y.grad, dx, gradViews.get(prefix + ".weight"),
                        gradViews.get(prefix + ".bias"), x.n, c, k));
            });
            return y;
        }
    }
}
