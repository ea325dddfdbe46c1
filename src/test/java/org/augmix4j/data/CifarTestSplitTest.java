package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Evaluation reads only the test split, of any whole number of records, with a notice when it is not 10,000. */
class CifarTestSplitTest {
    @TempDir Path tmp;

    @Test
    void onlyTheBinaryTestFileIsNeededAndAnyRecordCountIsAccepted() {
        Fixtures.write(tmp.resolve("cifar-10-batches-bin/test_batch.bin"), Fixtures.cifarBinary(new int[][] {{3}, {1}, {4}}, 5));
        List<String> notices = new ArrayList<>();
        Dataset d = Cifar.loadTest(Cifar.Variant.CIFAR10, tmp, notices::add);
        assertEquals(3, d.size());
        assertArrayEquals(new int[] {3, 1, 4}, d.labels());
        assertEquals(Fixtures.pixel(2, 1, 40, 5), d.images().get(2, 1, 8, 1), "planes to HWC");
        assertEquals(1, notices.size());
        assertTrue(notices.get(0).contains("test_batch.bin") && notices.get(0).contains("holds 3 CIFAR-10 test images")
                && notices.get(0).contains("10,000"), notices.get(0));
        // the same through Datasets, for the eval command
        Splits s = Datasets.forEvaluation("cifar10", Datasets.Options.defaults(tmp));
        assertEquals(0, s.train().size());
        assertEquals(3, s.test().size());
        assertEquals(10, s.numClasses());
        assertEquals("airplane", s.test().className(0));
        // the data directory may also be the extracted folder itself
        assertEquals(3, Cifar.loadTest(Cifar.Variant.CIFAR10, tmp.resolve("cifar-10-batches-bin"), n -> { }).size());
    }

    @Test
    void pythonTestFileAndCifar100() {
        Dataset py = Cifar.loadTest(Cifar.Variant.CIFAR10, Fixtures.resources(), n -> { });
        assertArrayEquals(new int[] {9, 0}, py.labels());
        Fixtures.write(tmp.resolve("cifar-100-binary/test.bin"), Fixtures.cifarBinary(new int[][] {{1, 5}, {19, 99}}, 9));
        Dataset c100 = Datasets.loadTest("cifar100", Datasets.Options.defaults(tmp));
        assertArrayEquals(new int[] {5, 99}, c100.labels());
        assertEquals(100, c100.numClasses());
    }

    @Test
    void missingOrDamagedTestFilesSayWhatToDo() {
        DataException e = fails(() -> Cifar.loadTest(Cifar.Variant.CIFAR10, tmp, n -> { }), "test_batch.bin",
                "evaluation needs only that file");
        assertInstanceOf(MissingDataException.class, e);
        byte[] rec = Fixtures.cifarBinary(new int[][] {{3}, {1}}, 0);
        Fixtures.write(tmp.resolve("cifar-10-batches-bin/test_batch.bin"), java.util.Arrays.copyOf(rec, rec.length - 5));
        fails(() -> Cifar.loadTest(Cifar.Variant.CIFAR10, tmp, n -> { }), "test_batch.bin",
                "not a whole number of CIFAR-10 records of 3073", "truncated");
    }
}
