package org.augmix4j.cuda;

/** No usable GPU: {@link #probe()} says which piece is missing and how to fix it. */
public final class GpuUnavailableException extends RuntimeException {
    private final GpuProbe probe;

    public GpuUnavailableException(GpuProbe probe) {
        super(probe.toString());
        this.probe = probe;
    }

    public GpuProbe probe() { return probe; }
}
