package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * A CUDA stream (a blocking one: it stays ordered with the legacy default stream, which the
 * synchronous copies of {@link DeviceBuffer} use). Work on one stream runs in launch order.
 */
public final class Stream implements AutoCloseable {
    private final Gpu gpu;
    private CUstream handle;

    private Stream(Gpu gpu, CUstream handle) {
        this.gpu = gpu;
        this.handle = handle;
    }

    public static Stream create(Gpu gpu) {
        gpu.makeCurrent();
        CUstream s = new CUstream();
        CudaException.check(cuStreamCreate(s, CUstream_flags.CU_STREAM_DEFAULT), "cuStreamCreate");
        return new Stream(gpu, s);
    }

    /** Waits until everything queued on this stream is done; kernel faults surface here. */
    public void synchronize() {
        gpu.makeCurrent();
        CudaException.check(cuStreamSynchronize(handle()), "cuStreamSynchronize (an earlier launch or copy failed)");
    }

    /** Later work on this stream waits for {@code event} (recorded on another stream). */
    public void waitFor(Event event) {
        gpu.makeCurrent();
        CudaException.check(cuStreamWaitEvent(handle(), event.handle(), 0), "cuStreamWaitEvent");
    }

    public Gpu gpu() { return gpu; }

    CUstream handle() {
        if (handle == null) throw new IllegalStateException("Stream used after close()");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        gpu.makeCurrent();
        CudaException.check(cuStreamDestroy(handle), "cuStreamDestroy");
        handle = null;
    }
}
