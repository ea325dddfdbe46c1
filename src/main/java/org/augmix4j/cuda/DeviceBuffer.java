package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A typed array in device memory (float32, int32 or uint8), owned: {@link #close()} gives the
 * memory back to the {@link CachingAllocator}. Use try-with-resources, or one long-lived owner.
 *
 * <p>Copies from and to Java arrays are synchronous (they return when the data has arrived) and
 * ordered with the kernels on the {@link Gpu#stream() compute stream}; the {@code Async} forms take
 * a {@link PinnedBuffer} and a stream. Every copy is bounds-checked here, with the offending sizes
 * in the message. A {@link #view} is a non-owning window onto part of a buffer (e.g. one parameter
 * inside the flat parameter buffer); closing a view does nothing.
 */
public final class DeviceBuffer implements AutoCloseable {
    /** Element types; the C type names are those of the kernels' signatures. */
    public enum Type {
        FLOAT(4, "float"), INT(4, "int"), BYTE(1, "unsigned char");

        final int bytes;
        final String cType;

        Type(int bytes, String cType) {
            this.bytes = bytes;
            this.cType = cType;
        }
    }

    private final Gpu gpu;
    private final Type type;
    private final long length;
    private final CUdeviceptr pointer;
    private final CachingAllocator.Block block;  // null for views and empty buffers
    private final DeviceBuffer owner;            // the owning buffer of a view, else this
    private boolean closed;

    private DeviceBuffer(Gpu gpu, Type type, long length, CUdeviceptr pointer, CachingAllocator.Block block,
                         DeviceBuffer owner) {
        this.gpu = gpu;
        this.type = type;
        this.length = length;
        this.pointer = pointer;
        this.block = block;
        this.owner = owner == null ? this : owner;
    }

    /** {@code length} uninitialised elements of {@code type}. */
    public static DeviceBuffer allocate(Gpu gpu, Type type, long length) {
        if (length < 0) throw new IllegalArgumentException("DeviceBuffer of negative length " + length);
        if (length == 0) return new DeviceBuffer(gpu, type, 0, new CUdeviceptr(), null, null);
        CachingAllocator.Block b = gpu.allocator().allocate(length * type.bytes);
        return new DeviceBuffer(gpu, type, length, b.pointer(), b, null);
    }

    public static DeviceBuffer floats(Gpu gpu, long length) { return allocate(gpu, Type.FLOAT, length); }

    public static DeviceBuffer ints(Gpu gpu, long length) { return allocate(gpu, Type.INT, length); }

    public static DeviceBuffer bytes(Gpu gpu, long length) { return allocate(gpu, Type.BYTE, length); }

    /** A new float buffer holding a copy of {@code data}. */
    public static DeviceBuffer of(Gpu gpu, float[] data) {
        DeviceBuffer b = floats(gpu, data.length);
        b.copyFrom(data);
        return b;
    }

    /** A new int buffer holding a copy of {@code data}. */
    public static DeviceBuffer of(Gpu gpu, int[] data) {
        DeviceBuffer b = ints(gpu, data.length);
        b.copyFrom(data);
        return b;
    }

    /** A new byte buffer holding a copy of {@code data}. */
    public static DeviceBuffer of(Gpu gpu, byte[] data) {
        DeviceBuffer b = bytes(gpu, data.length);
        b.copyFrom(data);
        return b;
    }

    /** Elements {@code [offset, offset + length)} of this buffer, not owned. */
    public DeviceBuffer view(long offset, long length) {
        checkRange("view", offset, length);
        return new DeviceBuffer(gpu, type, length, pointer(offset), null, owner);
    }

    // ---------------------------------------------------------------- host <-> device

    public void copyFrom(float[] src) { copyFrom(src, 0, 0, src.length); }

    /** Copies {@code n} floats from {@code src[srcOffset..]} to this buffer at {@code dstOffset}. */
    public void copyFrom(float[] src, int srcOffset, long dstOffset, int n) {
        hostToDevice(Type.FLOAT, src.length, srcOffset, dstOffset, n, Pointer.to(src));
    }

    public void copyFrom(int[] src) { copyFrom(src, 0, 0, src.length); }

    public void copyFrom(int[] src, int srcOffset, long dstOffset, int n) {
        hostToDevice(Type.INT, src.length, srcOffset, dstOffset, n, Pointer.to(src));
    }

    public void copyFrom(byte[] src) { copyFrom(src, 0, 0, src.length); }

    public void copyFrom(byte[] src, int srcOffset, long dstOffset, int n) {
        hostToDevice(Type.BYTE, src.length, srcOffset, dstOffset, n, Pointer.to(src));
    }

    public void copyTo(float[] dst) { copyTo(0, dst, 0, (int) Math.min(length, dst.length)); }

    /** Copies {@code n} floats from this buffer at {@code srcOffset} to {@code dst[dstOffset..]}. */
    public void copyTo(long srcOffset, float[] dst, int dstOffset, int n) {
        deviceToHost(Type.FLOAT, srcOffset, dst.length, dstOffset, n, Pointer.to(dst));
    }

    public void copyTo(int[] dst) { copyTo(0, dst, 0, (int) Math.min(length, dst.length)); }

    public void copyTo(long srcOffset, int[] dst, int dstOffset, int n) {
        deviceToHost(Type.INT, srcOffset, dst.length, dstOffset, n, Pointer.to(dst));
    }

    public void copyTo(byte[] dst) { copyTo(0, dst, 0, (int) Math.min(length, dst.length)); }

    public void copyTo(long srcOffset, byte[] dst, int dstOffset, int n) {
        deviceToHost(Type.BYTE, srcOffset, dst.length, dstOffset, n, Pointer.to(dst));
    }

    /** The whole buffer as a new float array. */
    public float[] toFloats() {
        requireType(Type.FLOAT, "toFloats");
        float[] a = new float[Math.toIntExact(length)];
        copyTo(a);
        return a;
    }

    /** The whole buffer as a new int array. */
    public int[] toInts() {
        requireType(Type.INT, "toInts");
        int[] a = new int[Math.toIntExact(length)];
        copyTo(a);
        return a;
    }

    // ---------------------------------------------------------------- device <-> device, pinned, memset

    /** Copies all of {@code src} (same type, at most this long) to the start of this buffer. */
    public void copyFrom(DeviceBuffer src) {
        src.requireType(type, "copyFrom(DeviceBuffer)");
        checkRange("copyFrom(DeviceBuffer)", 0, src.length);
        if (src.length == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemcpyDtoD(pointer(0), src.pointer(0), src.length * type.bytes), "cuMemcpyDtoD");
    }

    /** Queues a copy of {@code n} elements from {@code src} (element offset 0) on {@code stream}. */
    public void copyFromAsync(PinnedBuffer src, long n, Stream stream) {
        checkRange("copyFromAsync", 0, n);
        src.checkBytes("copyFromAsync", n * type.bytes);
        if (n == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemcpyHtoDAsync(pointer(0), src.pointer(), n * type.bytes, stream.handle()),
                "cuMemcpyHtoDAsync");
    }

    /** Queues a copy of the first {@code n} elements into {@code dst} on {@code stream}. */
    public void copyToAsync(PinnedBuffer dst, long n, Stream stream) {
        checkRange("copyToAsync", 0, n);
        dst.checkBytes("copyToAsync", n * type.bytes);
        if (n == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemcpyDtoHAsync(dst.pointer(), pointer(0), n * type.bytes, stream.handle()),
                "cuMemcpyDtoHAsync");
    }

    /** Queues setting every byte to zero on {@code stream} (0.0f, 0 for every type). */
    public void zero(Stream stream) {
        if (length == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemsetD8Async(pointer(0), (byte) 0, length * type.bytes, stream.handle()), "cuMemsetD8Async");
    }

    // ---------------------------------------------------------------- accessors

    public Gpu gpu() { return gpu; }

    public Type type() { return type; }

    /** Number of elements. */
    public long length() { return length; }

    /** The device pointer of element 0 (for kernel arguments and library calls). */
    public CUdeviceptr pointer() { return pointer(0); }

    CUdeviceptr pointer(long elementOffset) {
        if (owner.closed) throw new IllegalStateException("DeviceBuffer used after close()");
        return elementOffset == 0 ? pointer : pointer.withByteOffset(elementOffset * type.bytes);
    }

    @Override
    public void close() {
        if (owner != this || closed) return;
        closed = true;
        if (block != null) gpu.allocator().release(block);
    }

    @Override
    public String toString() { return "DeviceBuffer(" + type.cType + "[" + length + "])"; }

    // ---------------------------------------------------------------- checks

    private void hostToDevice(Type t, int hostLength, int hostOffset, long devOffset, int n, Pointer host) {
        requireType(t, "copyFrom(" + t.cType + "[])");
        checkHost("copyFrom", hostLength, hostOffset, n);
        checkRange("copyFrom", devOffset, n);
        if (n == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemcpyHtoD(pointer(devOffset), host.withByteOffset((long) hostOffset * t.bytes),
                (long) n * t.bytes), "cuMemcpyHtoD");
    }

    private void deviceToHost(Type t, long devOffset, int hostLength, int hostOffset, int n, Pointer host) {
        requireType(t, "copyTo(" + t.cType + "[])");
        checkHost("copyTo", hostLength, hostOffset, n);
        checkRange("copyTo", devOffset, n);
        if (n == 0) return;
        gpu.makeCurrent();
        CudaException.check(cuMemcpyDtoH(host.withByteOffset((long) hostOffset * t.bytes), pointer(devOffset),
                (long) n * t.bytes), "cuMemcpyDtoH (an earlier launch may have failed)");
    }

    private void requireType(Type t, String op) {
        if (type != t) throw new IllegalArgumentException(op + " on " + this + ": element types differ (" + t.cType + ")");
    }

    private void checkRange(String op, long offset, long n) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IndexOutOfBoundsException(op + ": elements [" + offset + ", " + (offset + n) + ") are outside " + this);
        }
    }

    private static void checkHost(String op, int hostLength, int offset, int n) {
        if (offset < 0 || n < 0 || (long) offset + n > hostLength) {
            throw new IndexOutOfBoundsException(op + ": host elements [" + offset + ", " + ((long) offset + n)
                    + ") are outside an array of " + hostLength);
        }
    }
}
