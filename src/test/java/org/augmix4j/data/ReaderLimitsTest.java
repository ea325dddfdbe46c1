package org.augmix4j.data;

import static org.augmix4j.data.Fixtures.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that once escaped the readers as internal errors (StackOverflowError, NullPointerException,
 * NegativeArraySizeException, IllegalArgumentException from an overflowed size) and now are
 * DataExceptions that name the file and the problem.
 */
class ReaderLimitsTest {
    @TempDir Path tmp;
    private static final Path F = Path.of("deep.pkl");

    /** Protocol 2 pickle: PROTO 2, {@code body}, STOP. */
    private static byte[] pickle(byte[] body) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(0x80);
        b.write(2);
        b.writeBytes(body);
        b.write('.');
        return b.toByteArray();
    }

    private static byte[] repeat(String op, int n) { return op.repeat(n).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1); }

    @Test
    void deeplyNestedListsAreRefusedWithoutOverflowingTheStack() {
        // ']' * n then 'a' * (n - 1): each list appended into the one below it, n levels deep
        int n = 200_000;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(repeat("]", n));
        b.writeBytes(repeat("a", n - 1));
        fails(() -> Pickle.loads(F, pickle(b.toByteArray())), "deep.pkl", "nests containers more than 100 levels deep");
    }

    @Test
    void deeplyNestedTupleAsADictKeyIsRefusedBeforeItIsHashed() {
        // '}' then N, TUPLE1 * n (a tuple n deep), N, SETITEM: hashing that key recursed n frames deep
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write('}');
        b.write('N');
        b.writeBytes(repeat("\u0085", 1_000_000));
        b.write('N');
        b.write('s');
        fails(() -> Pickle.loads(F, pickle(b.toByteArray())), "deep.pkl", "tuples nested more than 100 deep");
    }

    @Test
    void aListInsideItselfIsRefused() {
        // EMPTY_LIST, DUP, APPEND: l.append(l)
        fails(() -> Pickle.loads(F, pickle("]2a".getBytes())), "deep.pkl", "contains itself");
    }

    @Test
    void unhashableDictKeyIsRefusedLikePythonDoes() {
        // EMPTY_DICT, EMPTY_LIST, NONE, SETITEM: {[]: None}
        fails(() -> Pickle.loads(F, pickle("}]Ns".getBytes())), "deep.pkl", "dict key", "unhashable");
    }

    @Test
    void tupleOfNoneAndShallowNestingStillRead() {
        // NONE, TUPLE1: (None,) used to be a NullPointerException (List.of refuses null)
        Object t = Pickle.loads(F, pickle("N\u0085".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertEquals(1, ((List<?>) t).size());
        assertNull(((List<?>) t).get(0));
        // {(1,): [[]]}: a hashable tuple key and lists nested three deep
        Object d = Pickle.loads(F, pickle("}K\u0001\u0085]]as".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertEquals(Map.of(List.of(1L), List.of(List.of())), d);
    }

    @Test
    void moreImagesThanOneArrayHoldsIsASentenceNotANegativeArraySize() {
        // 700,000 padded images need 2,150,400,000 bytes: n * 32 * 32 * 3 overflowed int
        Idx.Images many = new Idx.Images(700_000, 28, 28, new byte[0]);
        fails(() -> Mnist.padToRgb32(many), "700000 images padded to 32x32 RGB need 2150400000 bytes", "at most 699050 images",
                "split the file");
    }

    @Test
    void idxDimensionsWhoseProductOverflowsALongAreASentence() {
        // 0x7fffffff^3 wrapped around to a small long and reached readNBytes as a negative length
        Path f = Fixtures.write(tmp.resolve("train-images-idx3-ubyte"),
                Fixtures.idx(Idx.IMAGES_MAGIC, new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}, new byte[0]));
        fails(() -> Idx.readImages(f), "train-images-idx3-ubyte", "more than one Java array holds");
    }
}
