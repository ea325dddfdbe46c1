package org.augmix4j.train;

import java.nio.file.Path;
import org.augmix4j.augment.AugMixConfig;

/**
 * The resolved training configuration: the official cifar.py flags (names and defaults in
 * shared/spec/decisions.md) plus AugMix4J's additions. Saved with every run and checkpoint.
 *
 * @param dataset       cifar10 | cifar100 | fashion-mnist | mnist | synthetic
 * @param dataDir       where the datasets live (data/README.md)
 * @param epochs        training epochs (100)
 * @param learningRate  initial learning rate (0.1), cosine-decayed per step to 1e-6
 * @param batchSize     samples per step (128; x3 images in JSD mode); the last batch is smaller (drop_last False)
 * @param evalBatchSize images per evaluation forward (1000)
 * @param momentum      SGD momentum (0.9, Nesterov)
 * @param decay         weight decay on every parameter (5e-4)
 * @param layers        WRN depth (40)
 * @param widenFactor   WRN widen factor (2)
 * @param augmix        mode, width, depth, severity, all-ops of the AugMix pipeline
 * @param save          snapshot directory (./snapshots); the run directory lives inside it
 * @param seed          run seed: init, shuffling and every augmentation draw
 * @param device        cpu | gpu | auto
 * @param threads       CPU worker threads (0 = all cores)
 * @param trainLimit    use only the first N training images (0 = all), for quick runs
 * @param corrupted     corrupted evaluation after training: a CIFAR-C directory, "builtin", "none" or "auto"
 * @param printFreq     steps between log lines when the output is not a terminal (50)
 * @param corruptedLimit evaluate each corruption and severity on the first N test images only (0 = all)
 * @param testLimit     evaluate on the first N test images only (0 = all), per epoch and at the end
 */
public record TrainConfig(String dataset, Path dataDir, int epochs, double learningRate, int batchSize, int evalBatchSize,
                          double momentum, double decay, int layers, int widenFactor, AugMixConfig augmix, Path save,
                          long seed, String device, int threads, int trainLimit, String corrupted, int printFreq,
                          int corruptedLimit, int testLimit) {
    public TrainConfig {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (!(learningRate > 0)) throw new IllegalArgumentException("--learning-rate must be > 0, got " + learningRate);
        if (batchSize < 2) throw new IllegalArgumentException("--batch-size must be >= 2 (batch norm needs 2 images), got " + batchSize);
        if (evalBatchSize < 1) throw new IllegalArgumentException("--eval-batch-size must be >= 1, got " + evalBatchSize);
        if (momentum < 0 || momentum >= 1) throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        if (decay < 0) throw new IllegalArgumentException("--decay must be >= 0, got " + decay);
        if (trainLimit < 0) throw new IllegalArgumentException("--train-limit must be >= 0, got " + trainLimit);
        if (testLimit < 0) throw new IllegalArgumentException("--test-limit must be >= 0, got " + testLimit);
        if (corruptedLimit < 0) throw new IllegalArgumentException("--corrupted-limit must be >= 0, got " + corruptedLimit);
        if (printFreq < 1) throw new IllegalArgumentException("--print-freq must be >= 1, got " + printFreq);
    }
}
