package org.augmix4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.cuda.Stream;
import org.augmix4j.ops.BatchNormBackend;
import org.augmix4j.ops.Conv;
import org.augmix4j.ops.ConvBackend;
import org.augmix4j.ops.ElementwiseCuda;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.LinearBackend;
import org.augmix4j.ops.LossesCuda;
import org.augmix4j.ops.PoolCuda;
import org.augmix4j.tensor.ShapeException;

/**
 * {@link WideResNet} on the GPU: the same network (official state_dict names and order), run as a
 * fixed schedule of launches instead of a tape (the network is static, so its backward is written
 * once, in reverse order, below its forward).
 *
 * <p><b>Memory.</b> Parameters and their gradients live in two flat float buffers with the same
 * layout (parameters in {@link WideResNet#parameters()} order = state_dict order, each starting on a
 * 256-byte boundary; the gaps stay zero), each parameter a {@link DeviceBuffer#view}: one memset
 * zeroes every gradient and one launch of {@code optim.GpuSgd} updates every parameter. Batch
 * norm's running statistics live in a third flat buffer, {@code num_batches_tracked} on the host.
 * Activations live in an arena allocated once for the largest batch seen (every smaller batch, e.g.
 * the last one of an epoch, reuses its layout): per block the fused BN+ReLU outputs (conv inputs and
 * ReLU masks), the conv outputs that feed batch norm, and the block output; gradients of activations
 * rotate through three buffers of the largest activation size. Evaluation has its own arena of five
 * rotating buffers.
 *
 * <p><b>One training step</b> ({@link #forwardBackward}; nothing is read back):
 * forward: stem conv; per pre-activation block a = relu(bn1(x)) (fused), h = conv1(a),
 * h2 = relu(bn2(h)) (fused), out = conv2(h2) + (shortcut ? conv_sc(a) : x); head relu(bn(x)),
 * global average pool, linear; then the fused CE + 12 JS loss kernel (dlogits, loss scalars, sticky
 * NaN flag). Backward: one memset of the flat gradients, linear backward, pool backward, the head's
 * BN+ReLU backward, then per block in reverse conv2 backward (filter, data), bn2+ReLU backward,
 * conv1 backward, shortcut backward (its data gradient added to da), bn1+ReLU backward, plus the
 * identity's gradient; finally the stem's filter gradient. The float operations (including the
 * order of the gradient additions at the residuals) are those of the CPU engine, so with our kernels
 * the result agrees with {@code nn.WideResNet} to rounding (GpuWideResNetTest).
 *
 * <p>Backends ({@link GpuBackends}) are chosen once by the caller: cuDNN / cuBLAS or our kernels.
 */
public final class GpuWideResNet implements GpuNetwork {
    /** Every region starts on this many floats (256 bytes). */
    static final long ALIGN = 64;

    /** One BatchNorm2d: its parameter and gradient views, running statistics and saved batch statistics. */
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

    /** A convolution's weight and gradient views and its shape for one image. */
    private record ConvLayer(DeviceBuffer w, DeviceBuffer dw, ConvBackend.Shape shape) {
        ConvBackend.Shape at(int n) { return shape.withBatch(n); }
    }

    /** One pre-activation basic block; the input is (in, h, w), the output (out, ho, wo). */
    private record Block(Norm bn1, ConvLayer conv1, Norm bn2, ConvLayer conv2, ConvLayer shortcut, int in, int out, int h, int w, int ho,
                         int wo) {
        long inSize() { return (long) in * h * w; }

        long outSize() { return (long) out * ho * wo; }
    }

    private final WideResNet.Config config;
    private final Gpu gpu;
    private final GpuBackends backends;
    private final int height, width;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Slot> slotByName = new LinkedHashMap<>();
    private final long flatLength;
    private final DeviceBuffer params, grads, running, saved;
    private final Map<String, DeviceBuffer> paramViews = new LinkedHashMap<>(), gradViews = new LinkedHashMap<>();
    private final List<Norm> norms = new ArrayList<>();
    private final Map<String, Norm> normByPrefix = new LinkedHashMap<>();
    private final ConvLayer stem;
    private final List<Block> blocks = new ArrayList<>();
    private final Norm head;
    private final DeviceBuffer fcW, fcB, fcDw, fcDb;
    private final int features, classes, headH, headW;
    private TrainArena train;
    private EvalArena eval;
    private boolean closed;

    /**
     * The network of {@code net} (architecture, and a copy of every state_dict entry) on {@code gpu},
     * for input images of {@code height} x {@code width}, running on {@code backends}.
     */
    public GpuWideResNet(Gpu gpu, GpuBackends backends, WideResNet net, int height, int width) {
        this.config = net.config();
        this.gpu = gpu;
        this.backends = backends;
        this.height = height;
        this.width = width;
        ShapeException.check(height > 0 && width > 0, "GpuWideResNet", "image size must be positive, got " + height + "x" + width);
        long off = 0;
        for (Var v : net.parameters()) {
            int len = v.value().numel();
            Slot s = new Slot(v.name(), off, len, v.shape());
            slots.add(s);
            slotByName.put(s.name(), s);
            off = align(off + len);
        }
        flatLength = off;
        ShapeException.check(flatLength <= Integer.MAX_VALUE, "GpuWideResNet", "too many parameters for one flat buffer");
        gpu.makeCurrent();
        params = DeviceBuffer.floats(gpu, flatLength);
        grads = DeviceBuffer.floats(gpu, flatLength);
        params.zero(gpu.stream());
        grads.zero(gpu.stream());
        for (Slot s : slots) {
            paramViews.put(s.name(), params.view(s.offset(), s.length()));
            gradViews.put(s.name(), grads.view(s.offset(), s.length()));
        }

        WrnSpec spec = net.spec();
        int[] widths = WrnSpec.widths(config.widen());
        stem = conv("conv1.weight", 3, height, width, widths[0], 3, 1, 1);
        int h = height, w = width;
        for (WrnSpec.Block s : spec.blocks()) {
            String p = s.prefix();
            Norm b1 = norm(p + "bn1", s.in());
            ConvLayer c1 = conv(p + "conv1.weight", s.in(), h, w, s.out(), 3, s.stride(), 1);
            int ho = c1.shape().ho(), wo = c1.shape().wo();
            Norm b2 = norm(p + "bn2", s.out());
            ConvLayer c2 = conv(p + "conv2.weight", s.out(), ho, wo, s.out(), 3, 1, 1);
            ConvLayer sc = s.hasShortcut() ? conv(p + "convShortcut.weight", s.in(), h, w, s.out(), 1, s.stride(), 0) : null;
            blocks.add(new Block(b1, c1, b2, c2, sc, s.in(), s.out(), h, w, ho, wo));
            h = ho;
            w = wo;
        }
        head = norm("bn1", widths[3]);
        headH = h;
        headW = w;
        features = widths[3];
        classes = config.classes();
        fcW = paramViews.get("fc.weight");
        fcB = paramViews.get("fc.bias");
        fcDw = gradViews.get("fc.weight");
        fcDb = gradViews.get("fc.bias");
        if (paramViews.size() != slots.size() || fcW == null || fcB == null) {
            throw new IllegalStateException("GpuWideResNet: the parameters of " + config.label() + " do not match the CPU network's");
        }

        // running statistics (mean, var per norm) and saved batch statistics (mean, invstd per norm)
        long statLen = 0;
        for (Norm b : norms) statLen = align(align(statLen + b.c) + b.c);
        running = DeviceBuffer.floats(gpu, statLen);
        saved = DeviceBuffer.floats(gpu, statLen);
        running.zero(gpu.stream());
        saved.zero(gpu.stream());
        long so = 0;
        for (Norm b : norms) {
            b.runMean = running.view(so, b.c);
            b.saveMean = saved.view(so, b.c);
            so = align(so + b.c);
            b.runVar = running.view(so, b.c);
            b.saveInvstd = saved.view(so, b.c);
            so = align(so + b.c);
        }
        load(net);
    }

    private static long align(long floats) { return (floats + ALIGN - 1) / ALIGN * ALIGN; }

    private ConvLayer conv(String name, int c, int h, int w, int k, int r, int stride, int pad) {
        DeviceBuffer wt = view(paramViews, name), dw = view(gradViews, name);
        ConvBackend.Shape s = new ConvBackend.Shape(1, c, h, w, k, r, r, stride, pad);
        ShapeException.check(s.ho() > 0 && s.wo() > 0, "GpuWideResNet", "images of " + height + "x" + width + " are too small for "
                + config.label() + " (layer " + name + " gets " + h + "x" + w + ")");
        if (wt.length() != s.weightLength()) throw new IllegalStateException(name + " has " + wt.length() + " values, expected " + s.weightLength());
        return new ConvLayer(wt, dw, s);
    }

    private Norm norm(String prefix, int c) {
        Norm b = new Norm(prefix, c);
        b.gamma = view(paramViews, prefix + ".weight");
        b.beta = view(paramViews, prefix + ".bias");
        b.dgamma = view(gradViews, prefix + ".weight");
        b.dbeta = view(gradViews, prefix + ".bias");
        norms.add(b);
        normByPrefix.put(prefix, b);
        return b;
    }

    private DeviceBuffer view(Map<String, DeviceBuffer> m, String name) {
        DeviceBuffer b = m.get(name);
        if (b == null) throw new IllegalStateException("GpuWideResNet: " + config.label() + " has no parameter " + name);
        return b;
    }

    // ---------------------------------------------------------------- state

    @Override
    public WideResNet.Config config() { return config; }

    @Override
    public Gpu gpu() { return gpu; }

    public GpuBackends backends() { return backends; }

    /** Input images are (3, height, width). */
    @Override
    public int height() { return height; }

    @Override
    public int width() { return width; }

    /** The flat parameter buffer (every parameter, state_dict order, 256-byte aligned slots, zero gaps). */
    @Override
    public DeviceBuffer params() { return params; }

    /** The flat gradient buffer, same layout as {@link #params()}. */
    @Override
    public DeviceBuffer grads() { return grads; }

    /** Length of the flat buffers (parameters plus alignment gaps). */
    @Override
    public int flatLength() { return (int) flatLength; }

    /** The parameters' slots in state_dict order. */
    @Override
    public List<Slot> slots() { return Collections.unmodifiableList(slots); }

    /** The view of one parameter in {@link #params()}. */
    public DeviceBuffer param(String name) { return view(paramViews, name); }

    /** The view of one parameter's gradient in {@link #grads()}. */
    public DeviceBuffer grad(String name) { return view(gradViews, name); }

    /** Copies every state_dict entry of {@code net} (parameters, running statistics, num_batches_tracked) to the device. */
    public void load(WideResNet net) {
        if (!net.config().equals(config)) throw new IllegalArgumentException("cannot load " + net.config() + " into " + config);
        load(net.stateDict());
    }

    /**
     * Copies a whole state dict (float[] per tensor, long[1] per num_batches_tracked, every key of
     * this architecture; {@link WideResNet#loadStateDict} validates such a map) to the device.
     */
    @Override
    public void load(Map<String, Object> state) {
        for (Slot s : slots) paramViews.get(s.name()).copyFrom(entry(state, s.name(), s.length()));
        for (Norm b : norms) {
            b.runMean.copyFrom(entry(state, b.prefix + ".running_mean", b.c));
            b.runVar.copyFrom(entry(state, b.prefix + ".running_var", b.c));
            Object t = state.get(b.prefix + ".num_batches_tracked");
            b.tracked = t instanceof long[] l && l.length == 1 ? l[0] : 0;
        }
    }

    private float[] entry(Map<String, Object> state, String key, int length) {
        if (!(state.get(key) instanceof float[] f) || f.length != length) {
            throw new IllegalArgumentException("state_dict entry " + key + " is missing or does not have " + length + " float values ("
                    + config.label() + ")");
        }
        return f;
    }

    /** Every state_dict entry as the CPU network holds it: float[] per tensor, long[1] per num_batches_tracked (synchronises). */
    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            float[] a = new float[s.length()];
            paramViews.get(s.name()).copyTo(a);
            out.put(s.name(), a);
        }
        for (Norm b : norms) {
            out.put(b.prefix + ".running_mean", b.runMean.toFloats());
            out.put(b.prefix + ".running_var", b.runVar.toFloats());
            out.put(b.prefix + ".num_batches_tracked", new long[] {b.tracked});
        }
        return out;
    }

    /** Copies the device state into {@code net} (same architecture), e.g. before a checkpoint or a CPU evaluation. */
    public void store(WideResNet net) { net.loadStateDict(stateDict()); }

    /** Every parameter's gradient by name (synchronises). */
    @Override
    public Map<String, float[]> gradients() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Slot s : slots) {
            float[] a = new float[s.length()];
            gradViews.get(s.name()).copyTo(a);
            out.put(s.name(), a);
        }
        return out;
    }

    // ---------------------------------------------------------------- arenas

    /** Activations of a training step for up to maxN images (N = views * batch). */
    private final class TrainArena {
        final int maxN;
        final DeviceBuffer mem;
        final long stemOff, afOff, pooledOff, logitsOff, dlogitsOff, dpooledOff;
        final long[] aOff, hOff, h2Off, outOff, gOff = new long[3];
        final long maxPer;
        final LossesCuda.Workspace loss;

        TrainArena(int maxN) {
            this.maxN = maxN;
            long o = 0, per = (long) features * headH * headW;
            stemOff = o;
            o = align(o + (long) maxN * stem.shape().outputLength());
            per = Math.max(per, stem.shape().outputLength());
            int nb = blocks.size();
            aOff = new long[nb];
            hOff = new long[nb];
            h2Off = new long[nb];
            outOff = new long[nb];
            for (int j = 0; j < nb; j++) {
                Block b = blocks.get(j);
                aOff[j] = o;
                o = align(o + maxN * b.inSize());
                hOff[j] = o;
                o = align(o + maxN * b.outSize());
                h2Off[j] = o;
                o = align(o + maxN * b.outSize());
                outOff[j] = o;
                o = align(o + maxN * b.outSize());
                per = Math.max(per, Math.max(b.inSize(), b.outSize()));
            }
            afOff = o;
            o = align(o + (long) maxN * features * headH * headW);
            pooledOff = o;
            o = align(o + (long) maxN * features);
            dpooledOff = o;
            o = align(o + (long) maxN * features);
            logitsOff = o;
            o = align(o + (long) maxN * classes);
            dlogitsOff = o;
            o = align(o + (long) maxN * classes);
            maxPer = per;
            for (int g = 0; g < 3; g++) {
                gOff[g] = o;
                o = align(o + maxN * per);
            }
            mem = DeviceBuffer.floats(gpu, o);
            loss = new LossesCuda.Workspace(gpu, maxN, true);
        }

        DeviceBuffer at(long off, long len) { return mem.view(off, len); }

        void close() {
            mem.close();
            loss.close();
        }
    }

    /** Activations of an evaluation forward for up to maxN images: five rotating buffers and the head. */
    private final class EvalArena {
        final int maxN;
        final DeviceBuffer mem;
        final long maxPer;
        final long[] bufOff = new long[5];
        final long pooledOff;

        EvalArena(int maxN) {
            this.maxN = maxN;
            long per = Math.max(stem.shape().outputLength(), (long) features * headH * headW);
            for (Block b : blocks) per = Math.max(per, Math.max(b.inSize(), b.outSize()));
            maxPer = per;
            long o = 0;
            for (int i = 0; i < 5; i++) {
                bufOff[i] = o;
                o = align(o + maxN * per);
            }
            pooledOff = o;
            o = align(o + (long) maxN * features);
            mem = DeviceBuffer.floats(gpu, o);
        }

        DeviceBuffer buf(int i, long len) { return mem.view(bufOff[i], len); }
    }

    private TrainArena trainArena(int n) {
        if (train == null || train.maxN < n) {
            if (train != null) train.close();
            train = new TrainArena(n);
        }
        return train;
    }

    private EvalArena evalArena(int n) {
        if (eval == null || eval.maxN < n) {
            if (eval != null) eval.mem.close();
            eval = new EvalArena(n);
        }
        return eval;
    }

    /** Allocates the training arena for up to {@code batch} samples of {@code views} images now (else at the first step). */
    @Override
    public void reserveTraining(int batch, int views) { trainArena(batch * views); }

    /** Device bytes of the arenas allocated so far. */
    @Override
    public long arenaBytes() {
        return 4 * ((train == null ? 0 : train.mem.length()) + (eval == null ? 0 : eval.mem.length()));
    }

    /** The loss scratch of the training arena (loss scalars {total, CE, JS} and the sticky flag); null before the first step. */
    @Override
    public LossesCuda.Workspace lossWorkspace() { return train == null ? null : train.loss; }

    /** The logits (views * batch, K) of the last training step, in the arena (valid until the next step). */
    @Override
    public DeviceBuffer trainLogits(int n) { return train.at(train.logitsOff, (long) n * classes); }

    // ---------------------------------------------------------------- training step

    /**
     * Forward (training mode: batch statistics, running statistics updated), the fused loss
     * (JSD: CE(clean) + 12 JS over {@code views} = 3; else CE), and backward into {@link #grads()}
     * (zeroed first) for {@code batch} samples: input (views * batch, 3, H, W) NCHW float, labels
     * (batch) int. Queues everything on the compute stream; reads nothing back.
     */
    @Override
    public void forwardBackward(DeviceBuffer input, DeviceBuffer labels, int batch, int views) {
        ShapeException.check(views == 1 || views == 3, "GpuWideResNet", "views must be 1 (CE) or 3 (JSD), got " + views);
        int n = batch * views;
        TrainArena a = trainArena(n);
        if (input.length() < (long) n * 3 * height * width) {
            throw new ShapeException("GpuWideResNet: input " + input + " is shorter than (" + n + ", 3, " + height + ", " + width + ")");
        }
        ConvBackend conv = backends.conv();
        BatchNormBackend bn = backends.batchNorm();
        LinearBackend linear = backends.linear();
        Stream stream = gpu.stream();

        // ---- forward
        DeviceBuffer x0 = input.view(0, (long) n * 3 * height * width);
        DeviceBuffer s0 = a.at(a.stemOff, n * stem.shape().outputLength());
        conv.forward(x0, stem.w(), s0, stem.at(n));
        DeviceBuffer cur = s0;
        DeviceBuffer[] xs = new DeviceBuffer[blocks.size()], as = new DeviceBuffer[blocks.size()], hs = new DeviceBuffer[blocks.size()],
                h2s = new DeviceBuffer[blocks.size()], outs = new DeviceBuffer[blocks.size()];
        DeviceBuffer scratch = a.at(a.gOff[0], n * a.maxPer);
        for (int j = 0; j < blocks.size(); j++) {
            Block b = blocks.get(j);
            xs[j] = cur;
            as[j] = a.at(a.aOff[j], n * b.inSize());
            hs[j] = a.at(a.hOff[j], n * b.outSize());
            h2s[j] = a.at(a.h2Off[j], n * b.outSize());
            outs[j] = a.at(a.outOff[j], n * b.outSize());
            trainNorm(bn, b.bn1(), cur, as[j], n, b.h() * b.w());
            conv.forward(as[j], b.conv1().w(), hs[j], b.conv1().at(n));
            trainNorm(bn, b.bn2(), hs[j], h2s[j], n, b.ho() * b.wo());
            conv.forward(h2s[j], b.conv2().w(), outs[j], b.conv2().at(n));
            int len = Math.toIntExact(n * b.outSize());
            if (b.shortcut() != null) {
                DeviceBuffer sc = scratch.view(0, len);
                conv.forward(as[j], b.shortcut().w(), sc, b.shortcut().at(n));
                ElementwiseCuda.accumulate(sc, outs[j], len);
            } else {
                ElementwiseCuda.accumulate(cur, outs[j], len);
            }
            cur = outs[j];
        }
        int hw = headH * headW;
        DeviceBuffer af = a.at(a.afOff, (long) n * features * hw);
        trainNorm(bn, head, cur, af, n, hw);
        DeviceBuffer pooled = a.at(a.pooledOff, (long) n * features);
        PoolCuda.globalAvgForward(af, pooled, n * features, hw);
        DeviceBuffer logits = a.at(a.logitsOff, (long) n * classes), dlogits = a.at(a.dlogitsOff, (long) n * classes);
        linear.forward(pooled, fcW, fcB, logits, n, features, classes);

        // ---- loss: dlogits = d(loss)/d(logits); scalars and the sticky flag stay on the device
        LossesCuda.trainingLoss(logits, labels, dlogits, a.loss.terms, a.loss.loss, a.loss.flag, batch, classes, views == 3, 1f);

        // ---- backward
        grads.zero(stream);
        DeviceBuffer dpooled = a.at(a.dpooledOff, (long) n * features);
        linear.backward(pooled, fcW, dlogits, dpooled, fcDw, fcDb, n, features, classes);
        DeviceBuffer[] g = {a.at(a.gOff[0], n * a.maxPer), a.at(a.gOff[1], n * a.maxPer), a.at(a.gOff[2], n * a.maxPer)};
        DeviceBuffer daf = g[0].view(0, (long) n * features * hw);
        daf.zero(stream);
        PoolCuda.globalAvgBackward(dpooled, daf, n * features, hw);
        DeviceBuffer dcur = g[1].view(0, (long) n * features * hw);
        bn.trainBackward(cur, daf, af, dcur, n, features, hw, head.gamma, head.saveMean, head.saveInvstd, head.dgamma, head.dbeta);
        int d = 1, f1 = 2, f2 = 0;  // indices into g: the current gradient and two free buffers
        for (int j = blocks.size() - 1; j >= 0; j--) {
            Block b = blocks.get(j);
            long inLen = n * b.inSize(), outLen = n * b.outSize();
            DeviceBuffer dout = g[d].view(0, outLen);
            // conv2
            conv.backwardFilter(h2s[j], dout, b.conv2().dw(), b.conv2().at(n));
            DeviceBuffer dh2 = g[f1].view(0, outLen);
            conv.backwardData(dout, b.conv2().w(), dh2, b.conv2().at(n));
            // bn2 + relu (dh2 is consumed: the backend may mask it in place)
            DeviceBuffer dh = g[f2].view(0, outLen);
            bn.trainBackward(hs[j], dh2, h2s[j], dh, n, b.out(), b.ho() * b.wo(), b.bn2().gamma, b.bn2().saveMean, b.bn2().saveInvstd,
                    b.bn2().dgamma, b.bn2().dbeta);
            // conv1
            conv.backwardFilter(as[j], dh, b.conv1().dw(), b.conv1().at(n));
            DeviceBuffer da = g[f1].view(0, inLen);
            conv.backwardData(dh, b.conv1().w(), da, b.conv1().at(n));
            if (b.shortcut() != null) {
                conv.backwardFilter(as[j], dout, b.shortcut().dw(), b.shortcut().at(n));
                DeviceBuffer dsc = g[f2].view(0, inLen);
                conv.backwardData(dout, b.shortcut().w(), dsc, b.shortcut().at(n));
                ElementwiseCuda.accumulate(dsc, da, Math.toIntExact(inLen));
            }
            // bn1 + relu into the block input's gradient
            DeviceBuffer dx = g[f2].view(0, inLen);
            bn.trainBackward(xs[j], da, as[j], dx, n, b.in(), b.h() * b.w(), b.bn1().gamma, b.bn1().saveMean, b.bn1().saveInvstd,
                    b.bn1().dgamma, b.bn1().dbeta);
            if (b.shortcut() == null) ElementwiseCuda.accumulate(dout, dx, Math.toIntExact(inLen));
            int nd = f2;
            f2 = f1;
            f1 = d;
            d = nd;
        }
        conv.backwardFilter(x0, g[d].view(0, n * stem.shape().outputLength()), stem.dw(), stem.at(n));
    }

    private void trainNorm(BatchNormBackend bn, Norm b, DeviceBuffer x, DeviceBuffer y, int n, int hw) {
        bn.trainForward(x, y, n, b.c, hw, b.gamma, b.beta, b.runMean, b.runVar, b.saveMean, b.saveInvstd, true);
        b.tracked++;
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Logits (n, K) of n images in evaluation mode (running statistics) into {@code out}: input
     * (n, 3, H, W) NCHW float. Queues everything; nothing read back.
     */
    @Override
    public void logits(DeviceBuffer input, int n, DeviceBuffer out) {
        if (input.length() < (long) n * 3 * height * width || out.length() < (long) n * classes) {
            throw new ShapeException("GpuWideResNet.logits: input " + input + " / out " + out + " too short for " + n + " images of "
                    + height + "x" + width + " and " + classes + " classes");
        }
        EvalArena e = evalArena(n);
        ConvBackend conv = backends.conv();
        BatchNormBackend bn = backends.batchNorm();
        int cur = 0;
        conv.forward(input.view(0, (long) n * 3 * height * width), stem.w(), e.buf(cur, n * stem.shape().outputLength()), stem.at(n));
        for (Block b : blocks) {
            int ia = (cur + 1) % 5, ib = (cur + 2) % 5, ic = (cur + 3) % 5, id = (cur + 4) % 5;
            long inLen = n * b.inSize(), outLen = n * b.outSize();
            DeviceBuffer x = e.buf(cur, inLen), av = e.buf(ia, inLen), hv = e.buf(ib, outLen), h2 = e.buf(ic, outLen), o = e.buf(id, outLen);
            bn.evalForward(x, av, n, b.in(), b.h() * b.w(), b.bn1().gamma, b.bn1().beta, b.bn1().runMean, b.bn1().runVar, true);
            conv.forward(av, b.conv1().w(), hv, b.conv1().at(n));
            bn.evalForward(hv, h2, n, b.out(), b.ho() * b.wo(), b.bn2().gamma, b.bn2().beta, b.bn2().runMean, b.bn2().runVar, true);
            conv.forward(h2, b.conv2().w(), o, b.conv2().at(n));
            if (b.shortcut() != null) {
                conv.forward(av, b.shortcut().w(), hv, b.shortcut().at(n));
                ElementwiseCuda.accumulate(hv, o, Math.toIntExact(outLen));
            } else {
                ElementwiseCuda.accumulate(x, o, Math.toIntExact(outLen));
            }
            cur = id;
        }
        int hw = headH * headW;
        long len = (long) n * features * hw;
        DeviceBuffer x = e.buf(cur, len), af = e.buf((cur + 1) % 5, len);
        bn.evalForward(x, af, n, features, hw, head.gamma, head.beta, head.runMean, head.runVar, true);
        DeviceBuffer pooled = e.mem.view(e.pooledOff, (long) n * features);
        PoolCuda.globalAvgForward(af, pooled, n * features, hw);
        backends.linear().forward(pooled, fcW, fcB, out.view(0, (long) n * classes), n, features, classes);
    }

    /** Number of classes (K). */
    @Override
    public int classes() { return classes; }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (train != null) train.close();
        if (eval != null) eval.mem.close();
        params.close();
        grads.close();
        running.close();
        saved.close();
    }

    /** For messages: "WRN-40-2 on the GPU (2,243,546 parameters, flat buffer of N floats)". */
    @Override
    public String toString() {
        long p = 0;
        for (Slot s : slots) p += s.length();
        return config.label() + " on " + gpu.name() + " (" + p + " parameters in a flat buffer of " + flatLength + " floats; "
                + backends.summary() + ")";
    }

    static int outSize(int in, int k, int stride, int pad) { return Conv.outSize(in, k, stride, pad); }
}
