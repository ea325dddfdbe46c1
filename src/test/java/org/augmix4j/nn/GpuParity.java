package org.augmix4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.autograd.F;
import org.augmix4j.autograd.Tape;
import org.augmix4j.autograd.Var;
import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.ops.Losses;
import org.augmix4j.optim.CosineSchedule;
import org.augmix4j.optim.GpuSgd;
import org.augmix4j.optim.Sgd;
import org.augmix4j.tensor.Tensor;
import org.augmix4j.testing.Check;

/**
 * The GPU engine ({@link GpuWideResNet} or {@link GpuZooNetwork}, + {@link GpuSgd}) against the CPU
 * engine ({@link WideResNet} or {@link ZooNetwork}, + autograd + {@link Sgd}) on the same weights and batches: logits, loss, every parameter's
 * gradient, the batch-norm running statistics and num_batches_tracked, and the parameters after
 * each SGD step (Nesterov, weight decay, cosine learning rate). Used by the emulated tests (our
 * kernels) and the gpu-tagged ones (cuDNN / cuBLAS). Tolerances are norm-wise relative errors
 * ({@link Check#normRel}) with an absolute floor for near-zero tensors.
 */
final class GpuParity {
    /** The tolerances of one comparison. */
    record Tolerance(double logits, double loss, double grads, double stats, double params) {}

    /** What a run measured: the worst error of each kind, and where. */
    record Report(double logits, double loss, double grads, String worstGrad, double stats, double params, double seconds) {
        @Override
        public String toString() {
            return String.format("logits %.2e, loss %.2e, grads %.2e (%s), running stats %.2e, params after SGD %.2e; %.1f s", logits, loss,
                    grads, worstGrad, stats, params, seconds);
        }
    }

    private GpuParity() {}

    /** Normalised-image-like inputs in [-1, 1] and labels in [0, classes). */
    static float[] images(SplittableRandom r, int n, int h, int w) {
        float[] x = new float[n * 3 * h * w];
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static int[] labels(SplittableRandom r, int b, int classes) {
        int[] y = new int[b];
        for (int i = 0; i < b; i++) y[i] = r.nextInt(classes);
        return y;
    }

    /** Error of a against r, norm-wise relative, where r's norm is at least {@code floor} (absolute below). */
    static double err(float[] a, float[] r, double floor) {
        double num = 0, den = 0;
        for (int i = 0; i < r.length; i++) {
            double d = (double) a[i] - r[i];
            num += d * d;
            den += (double) r[i] * r[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), floor);
    }

    /**
     * Runs {@code steps} training steps of a {@code depth}-{@code widen} WRN on both engines from the
     * same initialisation: batch {@code b}, {@code views} images per sample (3 = JSD), images h x w;
     * compares everything after each step; asserts the tolerances; returns the worst errors.
     */
    static Report run(Gpu gpu, GpuBackends backends, int depth, int widen, int classes, int b, int views, int h, int w, int steps,
                      long seed, Tolerance tol) {
        return run(gpu, backends, new WideResNet(new WideResNet.Config(depth, widen, classes), seed), b, views, h, w, steps, seed, tol);
    }

    /** The same comparison for any network of the zoo ({@link GpuWideResNet} for the WRN, {@link GpuZooNetwork} otherwise). */
    static Report run(Gpu gpu, GpuBackends backends, Network cpu, int b, int views, int h, int w, int steps, long seed, Tolerance tol) {
        long t0 = System.nanoTime();
        int classes = cpu.arch().classes();
        // non-trivial BN parameters and running statistics, so the copy and the updates are exercised
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Map<String, Object> state = cpu.stateDict();
        for (Map.Entry<String, Object> e : state.entrySet()) {
            String k = e.getKey();
            boolean norm = state.containsKey(k.substring(0, k.lastIndexOf('.')) + ".running_mean");
            if (e.getValue() instanceof float[] a && norm) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = k.endsWith("running_var") || k.endsWith(".weight") ? (float) (0.5 + r.nextDouble()) : (float) (0.2 * r.nextDouble() - 0.1);
                }
            }
        }
        cpu.loadStateDict(state);
        int n = b * views;
        Sgd sgd = Sgd.official(cpu.parameters(), 5e-4f);
        CosineSchedule schedule = new CosineSchedule(0.1, Math.max(steps, 2));
        double wl = 0, wloss = 0, wg = 0, ws = 0, wp = 0;
        String worst = "";
        try (GpuNetwork g = cpu instanceof WideResNet wrn ? new GpuWideResNet(gpu, backends, wrn, h, w)
                : new GpuZooNetwork(gpu, backends, (ZooNetwork) cpu, h, w); GpuSgd gsgd = new GpuSgd(g, 0.9f, 5e-4f, true);
             DeviceBuffer in = DeviceBuffer.floats(gpu, (long) n * 3 * h * w); DeviceBuffer lab = DeviceBuffer.ints(gpu, b)) {
            for (int step = 0; step < steps; step++) {
                float[] x = images(r, n, h, w);
                int[] y = labels(r, b, classes);
                float lr = (float) schedule.lr(step);
                // CPU engine, as the trainer runs it (the same dropout draws on both: keyed by (seed, step))
                cpu.beginStep(seed, step);
                g.beginStep(seed, step);
                Tape t = new Tape();
                Var logits = cpu.forward(t, Tensor.of(x, n, 3, h, w), true);
                Var loss = AugMixLoss.of(t, logits, y, b, views);
                t.backward(loss);
                // GPU engine
                in.copyFrom(x);
                lab.copyFrom(y);
                g.forwardBackward(in, lab, b, views);
                float[] gLogits = new float[n * classes];
                g.trainLogits(n).copyTo(gLogits);
                float gLoss = g.lossWorkspace().readLoss()[0];
                assertEquals(0, g.lossWorkspace().readFlag(), "the loss kernel's NaN/label flag");
                wl = Math.max(wl, assertClose("step " + step + " logits", gLogits, logits.data(), tol.logits(), 1e-3));
                double le = Math.abs(gLoss - loss.data()[0]) / Math.max(Math.abs(loss.data()[0]), 1e-3);
                assertTrue(le <= tol.loss(), "step " + step + " loss: GPU " + gLoss + " vs CPU " + loss.data()[0] + " (rel " + le + ")");
                wloss = Math.max(wloss, le);
                Map<String, float[]> gg = g.gradients();
                for (Var v : cpu.parameters()) {
                    if (ZooPytorchFixtureTest.zeroGradient(cpu, v.name())) {
                        // a conv bias in front of a batch norm: the true gradient is 0 and both engines hold rounding noise
                        Check.allClose("step " + step + " gradient of " + v.name() + " (zero up to rounding)", gg.get(v.name()), v.grad(), 1e-6, 0);
                        continue;
                    }
                    double e = assertClose("step " + step + " gradient of " + v.name(), gg.get(v.name()), v.grad(), tol.grads(), 1e-6);
                    if (e >= wg) {
                        wg = e;
                        worst = v.name();
                    }
                }
                // SGD on both
                sgd.step(lr);
                cpu.zeroGrad();
                gsgd.step(lr);
                Map<String, Object> gs = g.stateDict(), cs = cpu.stateDict();
                for (Map.Entry<String, Object> e : cs.entrySet()) {
                    String k = e.getKey();
                    if (e.getValue() instanceof long[] count) {
                        assertEquals(count[0], ((long[]) gs.get(k))[0], k);
                    } else if (k.contains("running_")) {
                        ws = Math.max(ws, assertClose("step " + step + " " + k, (float[]) gs.get(k), (float[]) e.getValue(), tol.stats(), 1e-3));
                    } else {
                        wp = Math.max(wp, assertClose("step " + step + " " + k + " after SGD", (float[]) gs.get(k), (float[]) e.getValue(),
                                tol.params(), 1e-3));
                    }
                }
            }
            // the momentum buffers go back to the CPU optimiser unchanged
            Sgd back = Sgd.official(cpu.parameters(), 5e-4f);
            gsgd.store(back);
            assertEquals(sgd.steps(), back.steps());
            List<Double> errs = new ArrayList<>();
            for (int i = 0; i < cpu.parameters().size(); i++) errs.add(err(back.buffer(i), sgd.buffer(i), 1e-3));
            double mb = errs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            assertTrue(mb <= Math.max(tol.params(), tol.grads()), "momentum buffers: " + mb);
        }
        return new Report(wl, wloss, wg, worst, ws, wp, (System.nanoTime() - t0) / 1e9);
    }

    private static double assertClose(String what, float[] got, float[] want, double tol, double floor) {
        assertEquals(want.length, got.length, what + ": length");
        double e = err(got, want, floor);
        if (!(e <= tol)) {
            int at = 0;
            double worst = -1;
            for (int i = 0; i < want.length; i++) {
                double d = Math.abs((double) got[i] - want[i]);
                if (!(d <= worst)) {
                    worst = d;
                    at = i;
                }
            }
            throw new AssertionError(what + ": norm-wise relative error " + e + " > " + tol + "; worst at " + at + ": GPU " + got[at]
                    + " vs CPU " + want[at]);
        }
        return e;
    }
}
