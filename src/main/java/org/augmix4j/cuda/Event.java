package org.augmix4j.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;

import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * A CUDA event: a point in a stream, for ordering streams ({@link Stream#waitFor}) and for timing
 * GPU work without host synchronisation inside the timed region:
 * <pre>{@code
 * try (Event start = Event.create(gpu, true); Event end = Event.create(gpu, true)) {
 *     start.record(s); ...launches on s...; end.record(s);
 *     float ms = end.millisSince(start);   // waits for `end`
 * }
 * }</pre>
 */
public final class Event implements AutoCloseable {
    private final Gpu gpu;
    private CUevent handle;

    private Event(Gpu gpu, CUevent handle) {
        this.gpu = gpu;
        this.handle = handle;
    }

    /** @param timing whether the event records time (otherwise it is cheaper, for ordering only) */
    public static Event create(Gpu gpu, boolean timing) {
        gpu.makeCurrent();
        CUevent e = new CUevent();
        CudaException.check(cuEventCreate(e, timing ? CUevent_flags.CU_EVENT_DEFAULT : CUevent_flags.CU_EVENT_DISABLE_TIMING),
                "cuEventCreate");
        return new Event(gpu, e);
    }

    public void record(Stream stream) {
        gpu.makeCurrent();
        CudaException.check(cuEventRecord(handle(), stream.handle()), "cuEventRecord");
    }

    public void synchronize() {
        gpu.makeCurrent();
        CudaException.check(cuEventSynchronize(handle()), "cuEventSynchronize (an earlier launch or copy failed)");
    }

    /** Milliseconds from {@code start} to this event, after waiting for this event. */
    public float millisSince(Event start) {
        synchronize();
        float[] ms = new float[1];
        CudaException.check(cuEventElapsedTime(ms, start.handle(), handle()), "cuEventElapsedTime");
        return ms[0];
    }

    CUevent handle() {
        if (handle == null) throw new IllegalStateException("Event used after close()");
        return handle;
    }

    @Override
    public void close() {
        if (handle == null) return;
        gpu.makeCurrent();
        CudaException.check(cuEventDestroy(handle), "cuEventDestroy");
        handle = null;
    }
}
