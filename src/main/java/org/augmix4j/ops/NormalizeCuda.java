package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;
import org.augmix4j.cuda.Kernel;
import org.augmix4j.cuda.Launch;

/**
 * GPU launch of kernels/normalize.cu: uint8 NHWC images (uploaded as bytes) to the network's NCHW
 * float input, bit for bit {@link Normalize} (NormalizeCudaTest). Used by the GPU evaluation, so
 * the host only copies bytes.
 */
public final class NormalizeCuda {
    static final int BLOCK = 256;

    static final Kernel NORMALIZE_FORWARD = Kernel.declare(
            "normalize_forward(const unsigned char* images, float* out, int n, int hw, int c)");

    private NormalizeCuda() {}

    /** out (n, 3, hw) = normalised images (n, hw, c), c >= 3. */
    public static void forward(DeviceBuffer images, DeviceBuffer out, int n, int hw, int c) {
        if (n == 0) return;
        CudaChecks.positive("normalize", "N=" + n + " HW=" + hw + " C=" + c, n, hw, c);
        org.augmix4j.tensor.ShapeException.check(c >= 3, "normalize", "images need at least 3 channels (RGB), got " + c);
        CudaChecks.length("normalize", "images", images, (long) n * hw * c, "(N, HW, C) = (" + n + ", " + hw + ", " + c + ")");
        CudaChecks.length("normalize", "out", out, (long) n * 3 * hw, "(N, 3, HW) = (" + n + ", 3, " + hw + ")");
        Launch.linear(NORMALIZE_FORWARD, CudaChecks.stream(out), (long) n * 3 * hw, BLOCK, images, out, n, hw, c);
    }
}
