package org.augmix4j.ops;

import org.augmix4j.cuda.DeviceBuffer;

/**
 * How the GPU engine runs a convolution (NCHW, no bias, cross-correlation, the same stride and pad
 * in both dimensions; {@link Conv}'s semantics, grouped as {@link GroupedConv} when
 * {@link Shape#groups()} &gt; 1): cuDNN ({@link ConvCudnn}) or our own kernels
 * ({@link ConvCuda}, {@link #kernels()}). Chosen once at start-up ({@link GpuBackends}). Every output
 * is overwritten; every call queues work on the compute stream and returns.
 */
public interface ConvBackend {
    /**
     * One convolution: x (n, c, h, w), weights (k, c / groups, r, s), y (n, k, ho, wo); groups &ge; 1
     * divides c and k (1: a plain convolution; ResNeXt's grouped 3x3 has the cardinality).
     */
    record Shape(int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int groups) {
        public Shape {
            if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0 || stride < 1 || pad < 0 || groups < 1
                    || c % groups != 0 || k % groups != 0) {
                // the parameters, not this.toString(): the fields are assigned only after this block
                throw new IllegalArgumentException("bad convolution shape " + describe(n, c, h, w, k, r, s, stride, pad, groups)
                        + (groups >= 1 && (c % groups != 0 || k % groups != 0) ? ": groups must divide C and K" : ""));
            }
        }

        /** A plain (ungrouped) convolution: groups = 1. */
        public Shape(int n, int c, int h, int w, int k, int r, int s, int stride, int pad) {
            this(n, c, h, w, k, r, s, stride, pad, 1);
        }

        public int ho() { return Conv.outSize(h, r, stride, pad); }

        public int wo() { return Conv.outSize(w, s, stride, pad); }

        public long inputLength() { return (long) n * c * h * w; }

        public long outputLength() { return (long) n * k * ho() * wo(); }

        public long weightLength() { return (long) k * (c / groups) * r * s; }

        /** The same layer with another batch size. */
        public Shape withBatch(int batch) { return new Shape(batch, c, h, w, k, r, s, stride, pad, groups); }

        @Override
        public String toString() { return describe(n, c, h, w, k, r, s, stride, pad, groups); }

        private static String describe(int n, int c, int h, int w, int k, int r, int s, int stride, int pad, int groups) {
            return "(N=" + n + ", C=" + c + ", H=" + h + ", W=" + w + ", K=" + k + ", " + r + "x" + s + ", stride " + stride + ", pad " + pad
                    + (groups != 1 ? ", groups " + groups : "") + ")";
        }
    }

    /** "cuDNN 9.24.0 (FMA math)" or "AugMix4J kernels". */
    String name();

    /** y = conv(x, w), w (k, c / groups, r, s). */
    void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, Shape s);

    /** dx = d(sum y * dy)/dx. */
    void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, Shape s);

    /** dw = d(sum y * dy)/dw. */
    void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, Shape s);

    /** Our own kernels ({@link ConvCuda}): the fallback, and the only choice under the emulator. */
    static ConvBackend kernels() {
        return new ConvBackend() {
            @Override public String name() { return "AugMix4J kernels (kernels/conv.cu)"; }

            @Override
            public void forward(DeviceBuffer x, DeviceBuffer w, DeviceBuffer y, Shape s) {
                ConvCuda.forward(x, w, y, s.n(), s.c(), s.h(), s.w(), s.k(), s.r(), s.s(), s.stride(), s.pad(), s.groups());
            }

            @Override
            public void backwardData(DeviceBuffer dy, DeviceBuffer w, DeviceBuffer dx, Shape s) {
                ConvCuda.backwardData(dy, w, dx, s.n(), s.c(), s.h(), s.w(), s.k(), s.r(), s.s(), s.stride(), s.pad(), s.groups());
            }

            @Override
            public void backwardFilter(DeviceBuffer x, DeviceBuffer dy, DeviceBuffer dw, Shape s) {
                ConvCuda.backwardFilter(x, dy, dw, s.n(), s.c(), s.h(), s.w(), s.k(), s.r(), s.s(), s.stride(), s.pad(), s.groups());
            }
        };
    }
}
