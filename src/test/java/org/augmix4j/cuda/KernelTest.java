package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing kernel signatures and checking launch arguments against them (no GPU needed). */
class KernelTest {
    @Test
    void parsesAndNormalisesSignatures() {
        Kernel k = Kernel.parse("mix_forward(const float* __restrict__ x, float *y, const unsigned char* img, int n, float w, long long seed)");
        assertEquals("mix_forward", k.name());
        assertEquals("mix_forward(float* x, float* y, unsigned char* img, int n, float w, long long seed)", k.toString());
        assertEquals(List.of(Kernel.Kind.FLOAT_BUFFER, Kernel.Kind.FLOAT_BUFFER, Kernel.Kind.BYTE_BUFFER, Kernel.Kind.INT,
                Kernel.Kind.FLOAT, Kernel.Kind.LONG), k.params().stream().map(Kernel.Param::kind).toList());
        assertEquals(0, Kernel.parse("noop()").params().size());
    }

    @Test
    void rejectsWhatItCannotPass() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Kernel.parse("k(__half* x)"));
        assertTrue(e.getMessage().contains("'__half*' has no Java mapping"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Kernel.parse("k(float*)"));
        assertThrows(IllegalArgumentException.class, () -> Kernel.parse("not a signature"));
    }

    @Test
    void checksScalarArguments() {
        Kernel k = Kernel.parse("fill_forward(float* x, float v, int n)");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> k.checkArgs(new Object[] {null, 1f, 2}));
        assertEquals("kernel fill_forward(float* x, float v, int n): argument 0 (x) must be a float DeviceBuffer, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> k.checkArgs(new Object[] {1}));
        assertTrue(e.getMessage().endsWith("takes 3 arguments, got 1"), e.getMessage());
    }
}
