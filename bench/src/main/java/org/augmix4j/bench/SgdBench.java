package org.augmix4j.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.autograd.Var;
import org.augmix4j.cpu.Parallel;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;
import org.openjdk.jmh.annotations.*;

/**
 * One Nesterov SGD step (optim/Sgd: momentum 0.9, weight decay 5e-4, PyTorch's update order) over
 * every parameter of a WideResNet (WRN-16-2: 691,674 values; WRN-40-2: 2,243,546), with
 * gradients in place. Score: ops/s = steps/s; {@code bytes} gives GB/s over the minimal traffic,
 * 20 bytes per parameter (read p, grad, momentum buffer; write p, buffer; float32).
 * Setup checks two steps against a float64 implementation of torch.optim.SGD's formula
 * (torch.optim.SGD's documented update, nesterov=True, as cifar.py configures it) on the same parameters: relative error below 1e-6.
 * Run: bench/run.sh SgdBench
 */
public class SgdBench extends ThroughputBenchDefaults {
    @Param({"16-2", "40-2"})
    String model;
    @Param({"0"})
    int threads;

    List<Var> params;
    Sgd sgd;
    long values;

    @Setup(Level.Trial)
    public void setup() {
        Parallel.setThreads(threads);
        String[] p = model.split("-");
        WideResNet net = new WideResNet(new WideResNet.Config(Integer.parseInt(p[0]), Integer.parseInt(p[1]), 10), 1);
        params = net.parameters();
        Random r = new Random(5);
        for (Var v : params) v.setGrad(BenchSupport.gaussian(r, v.data().length, 0.01));
        values = net.parameterCount();
        validate(net);
        sgd = Sgd.official(params, 5e-4f);
        sgd.step(0.1f); // buffers exist from here on, as in training
    }

    private void validate(WideResNet net) {
        double[][] pd = new double[params.size()][], buf = new double[params.size()][];
        for (int i = 0; i < params.size(); i++) pd[i] = BenchSupport.toDouble(params.get(i).data());
        float[][] keep = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) keep[i] = params.get(i).data().clone();
        Sgd check = Sgd.official(params, 5e-4f);
        for (int step = 0; step < 2; step++) {
            check.step(0.1f);
            for (int i = 0; i < params.size(); i++) {
                float[] g = params.get(i).gradOrNull();
                for (int j = 0; j < pd[i].length; j++) {
                    double d = g[j] + 5e-4 * pd[i][j];
                    if (buf[i] == null) buf[i] = new double[pd[i].length];
                    buf[i][j] = step == 0 ? d : 0.9 * buf[i][j] + d;
                    pd[i][j] -= 0.1 * (d + 0.9 * buf[i][j]);
                }
                BenchSupport.require("SGD step " + (step + 1) + " of " + params.get(i).name() + " vs float64",
                        BenchSupport.normRel(params.get(i).data(), pd[i]), 1e-6);
            }
        }
        for (int i = 0; i < params.size(); i++) System.arraycopy(keep[i], 0, params.get(i).data(), 0, keep[i].length);
    }

    @Benchmark
    public void step(BenchSupport.Bytes work) {
        sgd.step(1e-6f); // tiny lr: the parameters barely move over millions of steps
        work.bytes += 20 * values;
    }
}
