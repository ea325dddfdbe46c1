package org.augmix4j.selftest;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.cuda.Gpu;
import org.augmix4j.data.Dataset;
import org.augmix4j.data.EpochSampler;
import org.augmix4j.data.Synthetic;
import org.augmix4j.nn.AllConvNet;
import org.augmix4j.nn.Arch;
import org.augmix4j.nn.DenseNet;
import org.augmix4j.nn.ResNeXt;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.ops.GpuBackends;
import org.augmix4j.selftest.SelfCheck.Result;
import org.augmix4j.train.CpuEngine;
import org.augmix4j.train.Device;
import org.augmix4j.train.Engines;
import org.augmix4j.train.GpuEngine;
import org.augmix4j.train.Training;

/**
 * The whole training step through the {@link Engine} seam, {@link GpuEngine} against
 * {@link CpuEngine} on one JSD batch of 2 synthetic 32x32 images, for WRN-10-1 and small versions of
 * the zoo models (AllConvNet, DenseNet-BC, and with the libraries ResNeXt's grouped convolution) (the CUDA AugMix kernel
 * against the CPU pipeline, forward, fused loss, backward, Nesterov SGD): the loss, and every
 * state_dict entry and momentum buffer after the step, norm-wise relative. Twice: on our kernels
 * (tolerance 1e-4; runs on the emulator too), and on cuDNN + cuBLAS (FMA math, no TF32; tolerance
 * 1e-3), which is the first end-to-end use of the libraries on a new machine.
 */
final class EngineChecks {
    private EngineChecks() {}

    /** Small versions of the zoo models (the PyTorch fixtures' sizes): every new op of the zoo on the device. */
    static final Arch ALLCONV = new AllConvNet.Config(10, 12, 24), DENSENET_BC = new DenseNet.Config(10, 4, 16, 0.5, true),
            RESNEXT = new ResNeXt.Config(10, 11, 4, 32, 8), WRN = new WideResNet.Config(10, 1, 10);

    static List<SelfCheck> all() {
        List<SelfCheck> out = new ArrayList<>();
        // our kernels: also on the emulator, so the slow grouped convolution (ResNeXt) is left to the library run
        for (Arch a : List.of(WRN, ALLCONV, DENSENET_BC)) out.add(step("GPU training step, our kernels (" + a.label() + " JSD vs CPU engine)",
                SelfCheck.Needs.KERNELS, 1e-4, a));
        for (Arch a : List.of(WRN, ALLCONV, DENSENET_BC, RESNEXT)) out.add(step("GPU training step, cuDNN + cuBLAS (" + a.label()
                + " JSD vs CPU engine)", SelfCheck.Needs.CUDNN, 1e-3, a));
        return out;
    }

    private static SelfCheck step(String name, SelfCheck.Needs needs, double tol, Arch arch) {
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
                GpuBackends.Choice choice = needs == Needs.CUDNN ? GpuBackends.Choice.LIBRARIES : GpuBackends.Choice.KERNELS;
                return compare(gpu, choice, ctx.random(name), tol, arch);
            }
        };
    }

    private static Result compare(Gpu gpu, GpuBackends.Choice choice, SplittableRandom r, double tol, Arch model) {
        long seed = r.nextLong();
        Dataset set = Synthetic.generate("selftest", seed, 0, 2);
        Training training = new Training(0.9, 5e-4, seed, AugMixConfig.defaults(), 2);
        Arch arch = model.withClasses(set.numClasses());
        EpochSampler.Batch batch = new EpochSampler(set, seed, 2).epoch(0).batch(0);
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        List<String> names = new ArrayList<>();
        List<float[][]> outputs = new ArrayList<>();
        String summary;
        try (CpuEngine cpu = new CpuEngine(arch.build(seed), training);
             GpuEngine g = Engines.onGpu(gpu, Engines.Options.of(Device.GPU, 2).withBackends(choice), arch.build(seed), 32, 32,
                     training, quiet)) {
            summary = g.backends().summary();
            cpu.step(batch, 0.1);
            g.step(batch, 0.1);
            names.add("loss");
            outputs.add(new float[][] {{(float) g.stats("selftest").lossSum()}, {(float) cpu.stats("selftest").lossSum()}});
            Map<String, Object> want = cpu.stateDict(), got = g.stateDict();
            for (String k : want.keySet()) {
                if (want.get(k) instanceof float[] w) {
                    names.add(k + " after the step");
                    outputs.add(new float[][] {(float[]) got.get(k), w});
                }
            }
            Map<String, float[]> mw = cpu.optimizerState().momentum(), mg = g.optimizerState().momentum();
            for (String k : mw.keySet()) {
                names.add("momentum " + k);
                outputs.add(new float[][] {mg.get(k), mw.get(k)});
            }
        }
        double maxAbs = 0, worst = 0;
        String worstName = "";
        for (int i = 0; i < outputs.size(); i++) {
            float[][] gw = outputs.get(i);
            // momentum after one step is the gradient plus weight decay; AllConv's conv biases feed a batch norm, so their
            // gradient is 0 up to rounding noise (~1e-8 per value, on both engines) and the buffer only 5e-4 * bias: buffers
            // with a norm below 1e-2 are held absolutely (1e-2 * tol)
            double e = names.get(i).startsWith("momentum ") ? Compare.normRel(gw[0], gw[1], 1e-2) : Compare.normRel(gw[0], gw[1]);
            maxAbs = Math.max(maxAbs, Compare.errors(gw[0], gw[1], gw[1].length, 1e-6)[0]);
            if (!(e <= worst)) {
                worst = e;
                worstName = names.get(i);
            }
        }
        return new Result(maxAbs, worst, "norm rel " + tol, worst <= tol, summary + "; worst: " + worstName + String.format(" (%.2e)", worst));
    }
}
