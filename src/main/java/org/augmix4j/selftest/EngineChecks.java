package org.augmix4j.selftest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.nn.GpuWideResNet;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.GpuSgd;
import org.augmix4j.optim.Sgd;
import org.augmix4j.selftest.SelfCheck.Result;
import org.augmix4j.tensor.Tensor;

/**
 * The whole GPU training step ({@link GpuWideResNet} + {@link GpuSgd}: forward, fused loss, backward,
 * SGD) against the CPU engine on a WRN-10-1 JSD batch (B = 2 x 3 views of 8x8 images): logits, loss,
 * every gradient and the parameters after one Nesterov step, norm-wise relative. Twice: on our
 * kernels (tolerance 1e-4; runs on the emulator too), and on cuDNN + cuBLAS (FMA math, no TF32;
 * tolerance 1e-3), which is the first end-to-end use of the libraries on a new machine.
 */
final class EngineChecks {
    private EngineChecks() {}

    static List<SelfCheck> all() {
        return List.of(step("GPU training step, our kernels (WRN-10-1 JSD vs CPU engine)", SelfCheck.Needs.KERNELS, 1e-4),
                step("GPU training step, cuDNN + cuBLAS (WRN-10-1 JSD vs CPU engine)", SelfCheck.Needs.CUDNN, 1e-3));
    }

    private static SelfCheck step(String name, SelfCheck.Needs needs, double tol) {
        return new SelfCheck() {
            @Override public String name() { return name; }

            @Override public Needs needs() { return needs; }

            @Override
            public Result run(Context ctx) {
                Gpu gpu = ctx.gpu();
                gpu.makeCurrent();
                if (needs == Needs.CUDNN) {
                    String why = ctx.unavailable(Needs.CUBLAS);
                    if (why != null) throw new Skip("cuBLAS: " + why);
                }
                try (GpuBackends b = needs == Needs.CUDNN ? GpuBackends.select(gpu, GpuBackends.Choice.LIBRARIES, false) : GpuBackends.kernels()) {
                    return compare(gpu, b, ctx.random(name), tol);
                }
            }
        };
    }

    private static double err(float[] a, float[] r) {
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double d = (double) a[i] - r[i];
            num += d * d;
            den += (double) r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-6);
    }

    private static Result compare(Gpu gpu, GpuBackends backends, SplittableRandom r, double tol) {
        int b = 2, views = 3, n = b * views, h = 8, w = 8, classes = 10;
        WideResNet cpu = new WideResNet(new WideResNet.Config(10, 1, classes), r.nextLong());
        float[] x = SelfCheck.Compare.uniform(r, n * 3 * h * w, -1, 1);
        int[] y = new int[b];
        for (int i = 0; i < b; i++) y[i] = r.nextInt(classes);
        List<String> names = new ArrayList<>();
        List<Double> errs = new ArrayList<>();
        double maxAbs = 0;
        try (GpuWideResNet g = new GpuWideResNet(gpu, backends, cpu, h, w); GpuSgd gs = new GpuSgd(g, 0.9f, 5e-4f, true);
             DeviceBuffer in = DeviceBuffer.of(gpu, x); DeviceBuffer lab = DeviceBuffer.of(gpu, y)) {
            g.forwardBackward(in, lab, b, views);
            float[] gl = new float[n * classes];
            g.trainLogits(n).copyTo(gl);
            float gLoss = g.lossWorkspace().readLoss()[0];
            Tape t = new Tape();
            Var logits = cpu.forward(t, Tensor.of(x, n, 3, h, w), true);
            Var loss = F.weightedSum(t, F.crossEntropy(t, logits, y, b), 1f, F.jsd(t, logits, b), Losses.JSD_WEIGHT);
            t.backward(loss);
            names.add("logits");
            errs.add(err(gl, logits.data()));
            names.add("loss");
            errs.add(Math.abs(gLoss - loss.data()[0]) / Math.max(1e-3, Math.abs(loss.data()[0])));
            Map<String, float[]> grads = g.gradients();
            for (Var v : cpu.parameters()) {
                names.add("grad " + v.name());
                errs.add(err(grads.get(v.name()), v.grad()));
            }
            gs.step(0.1f);
            Sgd.official(cpu.parameters(), 5e-4f).step(0.1f);
            Map<String, Object> after = g.stateDict();
            for (Var v : cpu.parameters()) {
                names.add(v.name() + " after SGD");
                float[] a = (float[]) after.get(v.name());
                errs.add(err(a, v.data()));
                for (int i = 0; i < a.length; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i] - v.data()[i]));
            }
        }
        int worst = 0;
        for (int i = 1; i < errs.size(); i++) if (!(errs.get(i) <= errs.get(worst))) worst = i;
        double e = errs.get(worst);
        return new Result(maxAbs, e, "norm rel " + tol, e <= tol, backends.summary() + "; worst: " + names.get(worst));
    }
}
