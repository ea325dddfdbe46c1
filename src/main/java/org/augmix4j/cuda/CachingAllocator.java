package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/**
 * Device memory with a cache of freed blocks, so that the per-step buffers of training do not call
 * cuMemAlloc/cuMemFree (which synchronise the device) after the first step.
 *
 * <p>Requests are rounded up to a size class (a multiple of 512 bytes up to 1 MiB, of 2 MiB above)
 * and a freed block goes back to its class's free list. A block freed while a kernel on the compute
 * stream still uses it is safe to hand out again for later work on that same stream (stream order);
 * work on other streams must synchronise before freeing. When cuMemAlloc runs out of memory the
 * cache is released and the allocation retried once.
 */
public final class CachingAllocator {
    /** One device allocation (of {@code bytes}, the size class). */
    record Block(CUdeviceptr pointer, long bytes) {}

    private static final long SMALL = 1L << 20, SMALL_STEP = 512, LARGE_STEP = 2L << 20;

    private final Gpu gpu;
    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private long inUse, cached, peak, driverAllocations;

    CachingAllocator(Gpu gpu) { this.gpu = gpu; }

    static long sizeClass(long bytes) {
        long step = bytes <= SMALL ? SMALL_STEP : LARGE_STEP;
        return Math.max(step, (bytes + step - 1) / step * step);
    }

    synchronized Block allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("device allocation of " + bytes + " bytes");
        long size = sizeClass(bytes);
        ArrayDeque<Block> list = free.get(size);
        Block b = list == null ? null : list.poll();
        if (b != null) {
            cached -= size;
        } else {
            gpu.makeCurrent();
            CUdeviceptr p = new CUdeviceptr();
            int rc = cuMemAlloc(p, size);
            if (rc == CUresult.CUDA_ERROR_OUT_OF_MEMORY && cached > 0) {
                releaseCache();
                rc = cuMemAlloc(p, size);
            }
            if (rc != CUresult.CUDA_SUCCESS) {
                throw new CudaException(rc, "cuMemAlloc of " + size + " bytes (" + inUse + " in use, " + cached
                        + " cached by the allocator)");
            }
            b = new Block(p, size);
            driverAllocations++;
        }
        inUse += size;
        peak = Math.max(peak, inUse);
        return b;
    }

    synchronized void release(Block b) {
        free.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).push(b);
        inUse -= b.bytes();
        cached += b.bytes();
    }

    /** Returns every cached block to the driver. */
    public synchronized void releaseCache() {
        gpu.makeCurrent();
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) CudaException.check(cuMemFree(b.pointer()), "cuMemFree");
        }
        free.clear();
        cached = 0;
    }

    /** Bytes held by live buffers. */
    public synchronized long inUse() { return inUse; }

    /** Bytes of freed blocks kept for reuse. */
    public synchronized long cached() { return cached; }

    /** The largest {@link #inUse()} seen. */
    public synchronized long peak() { return peak; }

    /** How many times the allocator called cuMemAlloc. */
    public synchronized long driverAllocations() { return driverAllocations; }
}
