package org.augmix4j.train;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.nn.WideResNet;
import org.augmix4j.optim.Sgd;

/** Test helper: writes a checkpoint of a CPU network and its optimiser through the engine seam, as the trainer does. */
public final class TestCheckpoints {
    private TestCheckpoints() {}

    /** The checkpoint of {@code net}'s weights and {@code sgd}'s state (null: no optimiser state yet). */
    public static void save(Path weights, WideResNet net, Sgd sgd, int epoch, long step, long seed, JsonObject config) throws IOException {
        CpuEngine engine = new CpuEngine(net, new Training(0.9, 5e-4, seed, AugMixConfig.defaults(), 2));
        if (sgd != null) engine.load(net.stateDict(), sgd.state());
        Checkpoint.save(weights, engine, epoch, step, seed, config);
    }
}
