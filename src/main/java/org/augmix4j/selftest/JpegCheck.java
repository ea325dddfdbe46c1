package org.augmix4j.selftest;

import java.io.IOException;
import java.io.InputStream;
import org.augmix4j.corrupt.Corruptions;
import org.augmix4j.tensor.ImageBatch;

/**
 * The {@code jpeg_compression} corruption on this Java runtime's JPEG codec (java.desktop's
 * ImageIO) against the reference outputs of tools/cifarc/golden_corrupt.py (the same files
 * corrupt/GoldenTest uses, packed into the jar by the pom): within one grey level, as there. This is
 * the check the self-contained bundle needs (docs/gpu.md, "The self-contained bundle"), whose
 * jlinked runtime brings its own codec.
 */
final class JpegCheck implements SelfCheck {
    static final String GOLDEN = "/org/augmix4j/selftest/golden/";
    private static final int IMG = 32 * 32 * 3;

    @Override public String name() { return "jpeg_compression (JDK ImageIO codec)"; }

    @Override public Needs needs() { return Needs.CPU; }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JpegCheck.class.getResourceAsStream(GOLDEN + name)) {
            if (in == null) throw new Skip("reference " + GOLDEN + name + " is not in this build");
            return in.readAllBytes();
        }
    }

    @Override
    public Result run(Context ctx) throws IOException {
        byte[] px = resource("inputs.u8"), want = resource("jpeg_compression.u8");
        int n = px.length / IMG;
        ImageBatch in = new ImageBatch(px, n, 32, 32, 3);
        int worst = 0;
        long off = 0;
        for (int s = 1; s <= 5; s++) {
            byte[] got = Corruptions.corrupt(in, "jpeg_compression", s, ctx.seed()).pixels();
            for (int i = 0; i < got.length; i++) {
                int d = Math.abs((got[i] & 255) - (want[(s - 1) * n * IMG + i] & 255));
                if (d != 0) off++;
                worst = Math.max(worst, d);
            }
        }
        return new Result(worst, worst / 255.0, "<= 1 grey level", worst <= 1,
                n + " images x 5 severities, " + off + " of " + 5L * n * IMG + " values differ; "
                        + System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
    }
}
