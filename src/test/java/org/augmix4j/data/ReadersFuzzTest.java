package org.augmix4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.augmix4j.tensor.ImageBatch;

/**
 * Coverage-guided fuzz targets (Jazzer) for the dataset readers: CIFAR binary batches, CIFAR
 * python pickles, .npy and IDX. Each target feeds the bytes to the reader as a file and accepts
 * exactly two outcomes: a well-formed result, or a {@link DataException} whose message names the
 * file. Anything else (another exception, an Error such as StackOverflowError) is a crash.
 *
 * <p>Plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/org/augmix4j/data/ReadersFuzzTestInputs/<method>/} (regression mode);
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ReadersFuzzTest#npy} fuzzes one target for its maxDuration
 * (docs/reliability.md).
 */
class ReadersFuzzTest {
    /** One scratch file per target name, reused for every input. */
    static Path scratch(String name) {
        try {
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "augmix4j-fuzz");
            Files.createDirectories(dir);
            return dir.resolve(name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(String name, byte[] data) {
        Path f = scratch(name);
        try {
            Files.write(f, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** Runs {@code read}; a DataException must name {@code file}, anything else but success propagates. */
    static void readOrRefuse(Path file, Runnable read) {
        try {
            read.run();
        } catch (DataException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(file.getFileName().toString()),
                    "a DataException must name the file: " + e.getMessage());
        }
    }

    static void wellFormed(ImageBatch b) {
        assertEquals((long) b.count() * b.height() * b.width() * b.channels(), b.pixels().length);
    }

    static void wellFormed(Dataset d, int classes) {
        assertEquals(d.size(), d.images().count());
        wellFormed(d.images());
        for (int y : d.labels()) assertTrue(y >= 0 && y < classes, "label " + y);
    }

    @FuzzTest(maxDuration = "60s")
    void cifarBinary(byte[] data) {
        Path f = write("data_batch_1.bin", data);
        for (Cifar.Variant v : Cifar.Variant.values()) {
            readOrRefuse(f, () -> wellFormed(Cifar.readBinary(v, "fuzz", List.of(f), 0, List.of()), v.numClasses));
        }
    }

    @FuzzTest(maxDuration = "60s")
    void cifarPickle(byte[] data) {
        Path f = write("data_batch_1", data);
        readOrRefuse(f, () -> wellFormed(Cifar.readPython(Cifar.Variant.CIFAR10, "fuzz", List.of(f), 0, List.of()), 10));
    }

    @FuzzTest(maxDuration = "60s")
    void npy(byte[] data) {
        Path f = write("images.npy", data);
        readOrRefuse(f, () -> wellFormed(Npy.readImages(f, null)));
        readOrRefuse(f, () -> Npy.readLabels(f));
    }

    @FuzzTest(maxDuration = "60s")
    void idx(byte[] data) {
        Path f = write("train-images-idx3-ubyte", data);
        readOrRefuse(f, () -> {
            Idx.Images im = Idx.readImages(f);
            assertEquals((long) im.count() * im.rows() * im.cols(), im.pixels().length);
            if (im.rows() == 28 && im.cols() == 28) wellFormed(Mnist.padToRgb32(im));
        });
        readOrRefuse(f, () -> {
            for (int y : Idx.readLabels(f, 10)) assertTrue(y >= 0 && y < 10, "label " + y);
        });
    }
}
