package org.augmix4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.augmix4j.augment.AugMixConfig;
import org.augmix4j.data.Splits;
import org.augmix4j.data.Synthetic;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted and resumed CPU run ends with bit-identical weights (and batch-norm buffers,
 * momentum buffers) to an uninterrupted one; the logs hold each epoch once. Tiny: WRN-10-1, 48
 * synthetic images (batches of 32 and 16: the last batch is partial), 2 epochs, 2 threads.
 */
class ResumeTest {
    @TempDir
    Path dir;

    static Splits data;

    @BeforeAll
    static void data() {
        data = Synthetic.generate(11, 48, 30);
    }

    static TrainConfig config(Path save, int epochs, AugMixConfig.Mode mode) {
        return new TrainConfig("synthetic", save, epochs, 0.1, 32, 100, 0.9, 5e-4, "wrn", 10, 1, AugMixConfig.defaults().withMode(mode), save, 3,
                Device.CPU, 2, 0, "none", 50, 0, 0);
    }

    static Trainer trainer(TrainConfig cfg, ByteArrayOutputStream log) {
        return new Trainer(cfg, new PrintStream(log, true, StandardCharsets.UTF_8), false).withData(data);
    }

    @Test
    void interruptedAndResumedRunIsBitIdentical() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer whole = trainer(config(dir.resolve("whole"), 2, AugMixConfig.Mode.JSD), log);
        Trainer.EpochStats last = whole.run(null, 0);
        assertEquals(2, last.epoch());
        assertEquals(4, last.step());

        Trainer first = trainer(config(dir.resolve("parts"), 2, AugMixConfig.Mode.JSD), log);
        assertEquals(1, first.run(null, 1).epoch());
        Path ckpt = first.runDir().resolve(Trainer.CHECKPOINT);
        assertEquals(1, Checkpoint.readMeta(ckpt).epoch());
        // as if the process died after logging epoch 2 but before its checkpoint was written
        Files.writeString(first.runDir().resolve("training_log.jsonl"), Files.readAllLines(first.runDir().resolve("training_log.jsonl")).get(0)
                .replace("\"epoch\":1", "\"epoch\":2") + "\n", StandardOpenOption.APPEND);

        Trainer second = trainer(config(dir.resolve("parts"), 2, AugMixConfig.Mode.JSD), log);
        Trainer.EpochStats resumed = second.run(ckpt, 0);
        assertEquals(2, resumed.epoch());
        assertEquals(4, resumed.step());
        assertEquals(first.runDir(), second.runDir(), "a resumed run continues in its run directory");

        CheckpointTest.assertStateEquals(whole.finalState(), second.finalState());
        Path a = whole.runDir().resolve(Trainer.CHECKPOINT), b = second.runDir().resolve(Trainer.CHECKPOINT);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "weights files byte for byte");
        assertArrayEquals(Files.readAllBytes(Checkpoint.optimFile(a)), Files.readAllBytes(Checkpoint.optimFile(b)), "optimizer state");
        assertEquals(resumed.trainLoss(), last.trainLoss(), 0.0);
        assertEquals(resumed.testError(), last.testError(), 0.0);

        // the logs: one row per epoch, the same figures as the uninterrupted run's (times aside)
        List<String> csv = Files.readAllLines(second.runDir().resolve("training_log.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(0).startsWith("epoch,time(s),train_loss,test_loss,test_error(%)"));
        assertTrue(csv.get(1).startsWith("1,") && csv.get(2).startsWith("2,"), String.join("\n", csv));
        List<Trainer.EpochStats> rows = Charts.readLog(second.runDir()), ref = Charts.readLog(whole.runDir());
        assertEquals(2, rows.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(ref.get(i).trainLoss(), rows.get(i).trainLoss(), 0.0);
            assertEquals(ref.get(i).testError(), rows.get(i).testError(), 0.0);
            assertEquals(ref.get(i).step(), rows.get(i).step());
        }
        JsonObject config = new com.google.gson.Gson().fromJson(Files.readString(second.runDir().resolve("config.json")), JsonObject.class);
        assertEquals(1, config.getAsJsonArray("resumed").size());
        assertEquals(1, config.getAsJsonArray("resumed").get(0).getAsJsonObject().get("from_epoch").getAsInt());
        assertTrue(config.has("environment"));
        assertTrue(Files.isRegularFile(second.runDir().resolve(Charts.TRAINING_CURVES)));
    }

    @Test
    void resumeRefusesAnotherArchitectureOrBatching() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Trainer first = trainer(config(dir, 2, AugMixConfig.Mode.NONE), log);
        first.run(null, 1);
        Path ckpt = first.runDir().resolve(Trainer.CHECKPOINT);
        TrainConfig wider = new TrainConfig("synthetic", dir, 2, 0.1, 32, 100, 0.9, 5e-4, "wrn", 10, 2, AugMixConfig.defaults(), dir, 3,
                Device.CPU, 2, 0, "none", 50, 0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(wider, log).run(ckpt, 0));
        assertTrue(e.getMessage().contains("WRN-10-1") && e.getMessage().contains("WRN-10-2"), e.getMessage());
        TrainConfig otherBatch = new TrainConfig("synthetic", dir, 2, 0.1, 16, 100, 0.9, 5e-4, "wrn", 10, 1, AugMixConfig.defaults(), dir, 3,
                Device.CPU, 2, 0, "none", 50, 0, 0);
        e = assertThrows(IllegalArgumentException.class, () -> trainer(otherBatch, log).run(ckpt, 0));
        assertTrue(e.getMessage().contains("steps per epoch"), e.getMessage());
    }
}
