package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.augmix4j.tensor.ImageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
    @TempDir Path tmp;

    @Test
    void acceptsTheCliNamesAndCommonSpellings() {
        for (String n : Datasets.NAMES) assertEquals(n, Datasets.canonical(n));
        assertEquals("cifar10", Datasets.canonical("CIFAR-10"));
        assertEquals("cifar100", Datasets.canonical("cifar_100"));
        assertEquals("fashion-mnist", Datasets.canonical("FashionMNIST"));
        assertEquals("fashion-mnist", Datasets.canonical("fmnist"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Datasets.canonical("imagenet"));
        assertTrue(e.getMessage().contains("cifar10, cifar100, fashion-mnist, mnist, synthetic"), e.getMessage());
    }

    @Test
    void syntheticNeedsNoFiles() {
        Splits s = Datasets.load("synthetic", Datasets.Options.defaults(tmp.resolve("nothing-here")).withSynthetic(9, 50, 20));
        assertEquals(50, s.train().size());
        assertEquals(20, s.test().size());
        assertEquals(10, s.numClasses());
        assertNull(Datasets.corrupted("synthetic", tmp));
    }

    @Test
    void theResolverInsistsOnThePublishedSizes() {
        // the committed fixture batches hold 2 images each: fine for the readers, not for --dataset cifar10
        fails(() -> Datasets.load("cifar10", Fixtures.resources()), "data_batch_1", "holds 2 images, expected 10000");
    }

    @Test
    void missingDatasetsPointToTheReadme() {
        fails(() -> Datasets.load("cifar100", tmp), "CIFAR-100", "cifar-100-binary/train.bin", "cifar-100-python.tar.gz", "data/README.md");
        fails(() -> Datasets.load("mnist", tmp), "MNIST", "train-images-idx3-ubyte.gz", "data/README.md");
        fails(() -> Datasets.corrupted("cifar10", tmp), "CIFAR-10-C", "labels.npy", "2535967", "--corrupted DIR");
    }

    @Test
    void datasetValueChecksItsInvariants() {
        ImageBatch four = ImageBatch.zeros(4, 32, 32, 3);
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", ImageBatch.zeros(4, 28, 28, 1), new int[4], 10, java.util.List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", four, new int[3], 10, java.util.List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", four, new int[] {0, 1, 2, 10}, 10, java.util.List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Dataset("x", four, new int[4], 10, java.util.List.of("a")));
        Dataset d = new Dataset("x", four, new int[] {0, 1, 2, 3}, 10, java.util.List.of());
        assertEquals("3", d.className(3));
        Dataset mid = d.slice(1, 3);
        assertEquals(2, mid.size());
        assertEquals(1, mid.labels()[0]);
    }
}
