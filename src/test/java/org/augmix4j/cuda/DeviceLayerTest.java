package org.augmix4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.util.concurrent.CompletableFuture;
import jcuda.driver.CUresult;
import org.augmix4j.cuda.Launch.Dim;
import org.augmix4j.ops.ElementwiseCuda;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The device layer on the emulator ({@code mvn test}) or a real GPU ({@code mvn test -Pgpu}):
 * copies with offsets and views, the caching allocator, pinned buffers and async copies, streams
 * and events, use from another thread, use after close, and errors that name the kernel.
 */
@Tag("emulated")
class DeviceLayerTest {
    private static Gpu gpu;

    @BeforeEach
    void device() { gpu = DeviceTests.requireDevice(); }

    @Test
    void copiesWithOffsetsViewsAndDeviceToDevice() {
        float[] src = {1, 2, 3, 4, 5, 6, 7, 8};
        try (DeviceBuffer a = DeviceBuffer.floats(gpu, 8); DeviceBuffer b = DeviceBuffer.floats(gpu, 8)) {
            a.copyFrom(src);
            a.copyFrom(new float[] {-1, -2}, 0, 6, 2);
            float[] out = new float[10];
            a.copyTo(2, out, 1, 5);
            assertArrayEquals(new float[] {0, 3, 4, 5, 6, -1, 0, 0, 0, 0}, out, 0f);
            DeviceBuffer view = a.view(2, 4);
            assertArrayEquals(new float[] {3, 4, 5, 6}, view.toFloats(), 0f);
            b.zero(gpu.stream());
            b.view(4, 4).copyFrom(view);
            assertArrayEquals(new float[] {0, 0, 0, 0, 3, 4, 5, 6}, b.toFloats(), 0f);
            view.close();  // a view owns nothing
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, -1, -2}, a.toFloats(), 0f);
        }
        try (DeviceBuffer i = DeviceBuffer.of(gpu, new int[] {7, -8, Integer.MAX_VALUE});
             DeviceBuffer by = DeviceBuffer.of(gpu, new byte[] {1, (byte) 255, 0})) {
            assertArrayEquals(new int[] {7, -8, Integer.MAX_VALUE}, i.toInts());
            byte[] back = new byte[3];
            by.copyTo(back);
            assertArrayEquals(new byte[] {1, (byte) 255, 0}, back);
        }
    }

    @Test
    void boundsTypesAndUseAfterCloseAreErrors() {
        DeviceBuffer a = DeviceBuffer.floats(gpu, 4);
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyFrom(new float[5]));
        assertThrows(IndexOutOfBoundsException.class, () -> a.copyTo(2, new float[4], 0, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> a.view(3, 2));
        assertThrows(IllegalArgumentException.class, () -> a.copyFrom(new int[4]));
        a.close();
        a.close();  // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, a::toFloats);
        assertEquals("DeviceBuffer used after close()", e.getMessage());
        try (DeviceBuffer empty = DeviceBuffer.floats(gpu, 0)) {
            assertEquals(0, empty.toFloats().length);
        }
    }

    @Test
    void theAllocatorReusesFreedBlocks() {
        CachingAllocator alloc = gpu.allocator();
        long inUse = alloc.inUse();
        DeviceBuffer.floats(gpu, 1000).close();  // warm the 4096-byte class
        long driverCalls = alloc.driverAllocations();
        for (int i = 0; i < 10; i++) {
            try (DeviceBuffer b = DeviceBuffer.floats(gpu, 1000 + i)) {
                assertTrue(alloc.inUse() >= inUse + 4000);
            }
        }
        assertEquals(driverCalls, alloc.driverAllocations(), "freed blocks of the same class are reused");
        assertEquals(inUse, alloc.inUse());
        assertEquals(4096, CachingAllocator.sizeClass(4001));
        assertEquals(4L << 20, CachingAllocator.sizeClass((2L << 20) + 1));
    }

    @Test
    void pinnedAsyncCopiesStreamsAndEvents() {
        int n = 5000;
        try (PinnedBuffer up = PinnedBuffer.allocate(gpu, 4L * n); PinnedBuffer down = PinnedBuffer.allocate(gpu, 4L * n);
             DeviceBuffer d = DeviceBuffer.floats(gpu, n); Stream s = Stream.create(gpu);
             Event start = Event.create(gpu, true); Event end = Event.create(gpu, true)) {
            FloatBuffer f = up.buffer().asFloatBuffer();
            for (int i = 0; i < n; i++) f.put(i, i * 0.5f);
            start.record(s);
            d.copyFromAsync(up, n, s);
            d.copyToAsync(down, n, s);
            end.record(s);
            float ms = end.millisSince(start);
            assertTrue(ms >= 0, "elapsed " + ms);
            FloatBuffer back = down.buffer().asFloatBuffer();
            for (int i = 0; i < n; i += 499) assertEquals(i * 0.5f, back.get(i));
            assertThrows(IndexOutOfBoundsException.class, () -> d.copyFromAsync(up, n + 1, s));
        }
    }

    @Test
    void anotherThreadCanUseTheDevice() throws Exception {
        try (DeviceBuffer x = DeviceBuffer.of(gpu, new float[] {-1, 2, -3})) {
            float[] got = CompletableFuture.supplyAsync(() -> {
                ElementwiseCuda.reluForward(x, x, 3);  // the context must be made current on this thread
                return x.toFloats();
            }).get();
            assertArrayEquals(new float[] {0, 2, 0}, got, 0f);
        }
    }

    @Test
    void launchErrorsNameTheKernel() {
        Kernel missing = Kernel.parse("no_such_kernel(float* x, int n)");
        try (DeviceBuffer x = DeviceBuffer.floats(gpu, 4)) {
            CudaException e = assertThrows(CudaException.class, () -> Launch.linear(missing, gpu.stream(), 4, 256, x, 4));
            assertEquals(CUresult.CUDA_ERROR_NOT_FOUND, e.result());
            assertTrue(e.getMessage().contains("no_such_kernel") && e.getMessage().contains("kernels/build.sh"), e.getMessage());

            Kernel relu = Kernel.parse("relu_forward(const float* x, float* y, int n)");
            e = assertThrows(CudaException.class, () -> Launch.run(Kernels.module(gpu), relu, gpu.stream(), Dim.of(1), Dim.of(2048), 0, x, x, 4));
            assertTrue(e.getMessage().startsWith("launch of kernel relu_forward (grid (1,1,1), block (2048,1,1)"), e.getMessage());
        }
        gpu.synchronize();
    }

    @Test
    void syncDebugChecksAfterEachLaunch() {
        boolean old = Launch.syncDebug;
        Launch.syncDebug = true;
        try (DeviceBuffer x = DeviceBuffer.of(gpu, new float[] {1, 2})) {
            ElementwiseCuda.scale(x, 3f, 2);
            assertArrayEquals(new float[] {3, 6}, x.toFloats(), 0f);
        } finally {
            Launch.syncDebug = old;
        }
    }

    @Test
    void reportSaysWhatRunsWhere() {
        String report = DeviceReport.summary();
        assertTrue(report.contains("device: " + gpu.name()), report);
        assertTrue(report.contains("kernels: augmix4j.fatbin loaded"), report);
        assertTrue(report.contains("fatbin: "), report);
        assertEquals(gpu.isEmulated(), report.contains("GPU: EMULATED"), report);
        assertEquals(gpu.isEmulated(), DeviceReport.emulated());
    }
}
