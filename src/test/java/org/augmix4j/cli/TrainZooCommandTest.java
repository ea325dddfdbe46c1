package org.augmix4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.augmix4j.train.Checkpoint;
import org.augmix4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code train -m NAME} and {@code eval} for the official models beside WRN: a short run of each
 * (official size, a few synthetic images) writes a checkpoint whose sidecar names the model; eval
 * finds the architecture from the sidecar, and from the tensors alone once the sidecar is gone;
 * resume refuses another model; a PyTorch-made fixture evaluates as it is.
 */
class TrainZooCommandTest {
    @TempDir
    Path dir;

    private static Path onlyRun(Path save) throws Exception {
        try (Stream<Path> s = Files.list(save)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    @ParameterizedTest
    @CsvSource({"allconv, AllConvNet, 1409674", "densenet, DenseNet-40-12, 1059298", "resnext, ResNeXt-29 (4x32d), 6807882"})
    void trainsAndEvaluatesEachModel(String model, String label, long params) throws Exception {
        Path save = dir.resolve(model);
        CliRun r = CliRun.of("train", "-m", model, "--dataset", "synthetic", "--epochs", "1", "--train-limit", "6", "--batch-size", "3",
                "--no-jsd", "--test-limit", "4", "--eval-batch-size", "4", "--corrupted", "none", "--save", save.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains(label), r.out());
        Path run = onlyRun(save);
        assertTrue(run.getFileName().toString().startsWith("synthetic-" + model + "-augmix-"), run.toString());
        JsonObject config = new Gson().fromJson(Files.readString(run.resolve("config.json")), JsonObject.class);
        assertEquals(model, config.get("model").getAsString());
        assertEquals(label, config.get("architecture").getAsString());
        assertEquals(params, config.get("parameters").getAsLong(), "parameters of the official " + label + " with 10 classes");
        Path ckpt = run.resolve(Trainer.CHECKPOINT);
        assertEquals(model, Checkpoint.readMeta(ckpt).model());

        CliRun e = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains(label + " from its sidecar"), e.out());
        Files.delete(Checkpoint.sidecar(ckpt));
        e = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains(label + " inferred from the tensors"), e.out());
        // --layers sizes a WRN only
        e = CliRun.of("eval", "--checkpoint", ckpt.toString(), "--dataset", "synthetic", "--corrupted", "none", "--layers", "16");
        assertEquals(1, e.code(), e.toString());
        assertTrue(e.err().contains("--layers/--widen-factor size a WideResNet"), e.err());
    }

    @Test
    void resumeRefusesAnotherModelAndUnknownModelsAreNamed() throws Exception {
        Path save = dir.resolve("a");
        CliRun r = CliRun.of("train", "-m", "allconv", "--dataset", "synthetic", "--epochs", "2", "--train-limit", "4", "--batch-size", "2",
                "--no-augmix", "--test-limit", "2", "--corrupted", "none", "--save", save.toString());
        assertEquals(0, r.code(), r.toString());
        Path ckpt = onlyRun(save).resolve(Trainer.CHECKPOINT);
        CliRun again = CliRun.of("train", "--resume", ckpt.toString(), "-m", "densenet", "--dataset", "synthetic", "--train-limit", "4",
                "--save", save.toString());
        assertEquals(1, again.code(), again.toString());
        assertTrue(again.err().contains("holds AllConvNet") && again.err().contains("DenseNet-40-12"), again.err());
        CliRun bad = CliRun.of("train", "-m", "vgg", "--dataset", "synthetic");
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains("unknown model 'vgg'") && bad.err().contains("wrn, allconv, densenet, resnext"), bad.err());
    }

    @Test
    void evaluatesAPytorchMadeResNeXt() throws Exception {
        Path fixture = Path.of(getClass().getResource("/fixtures/pytorch/resnext-small/model.safetensors").toURI());
        Path copy = dir.resolve("resnext-small.safetensors");
        Files.copy(fixture, copy);
        CliRun e = CliRun.of("eval", "--checkpoint", copy.toString(), "--dataset", "synthetic", "--corrupted", "none", "--test-limit", "4");
        assertEquals(0, e.code(), e.toString());
        assertTrue(e.out().contains("ResNeXt-11 (4x32d, base 8) inferred from the tensors"), e.out());
    }
}
