package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;

/**
 * Page-locked host memory: the source or destination of asynchronous copies
 * ({@link DeviceBuffer#copyFromAsync}, {@link DeviceBuffer#copyToAsync}), seen from Java as a
 * native-order {@link ByteBuffer}. Allocating it is expensive: keep one per purpose, and do not
 * touch its contents while a copy queued on a stream may still be running.
 */
public final class PinnedBuffer implements AutoCloseable {
    private final Gpu gpu;
    private final long bytes;
    private Pointer pointer;
    private final ByteBuffer buffer;

    private PinnedBuffer(Gpu gpu, long bytes, Pointer pointer) {
        this.gpu = gpu;
        this.bytes = bytes;
        this.pointer = pointer;
        this.buffer = pointer.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
    }

    public static PinnedBuffer allocate(Gpu gpu, long bytes) {
        if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes (1 .. 2^31-1)");
        }
        gpu.makeCurrent();
        Pointer p = new Pointer();
        CudaException.check(cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + ")");
        return new PinnedBuffer(gpu, bytes, p);
    }

    /** The memory, native byte order; use {@code asFloatBuffer()} etc. for typed access. */
    public ByteBuffer buffer() {
        pointer();
        return buffer;
    }

    public long bytes() { return bytes; }

    Pointer pointer() {
        if (pointer == null) throw new IllegalStateException("PinnedBuffer used after close()");
        return pointer;
    }

    void checkBytes(String op, long n) {
        if (n > bytes) throw new IndexOutOfBoundsException(op + ": " + n + " bytes do not fit a pinned buffer of " + bytes);
    }

    @Override
    public void close() {
        if (pointer == null) return;
        gpu.makeCurrent();
        CudaException.check(cuMemFreeHost(pointer), "cuMemFreeHost");
        pointer = null;
    }
}
