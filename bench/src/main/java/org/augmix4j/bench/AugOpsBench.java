package org.augmix4j.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.augmix4j.augment.Op;
import org.openjdk.jmh.annotations.*;

/**
 * Each AugMix op alone (augment/PilOps through Op.apply), one image per call, on one thread, for
 * 32x32 (CIFAR) and 224x224 (ImageNet) RGB images. Score: ops/s = images/s (the {@code images}
 * counter says the same). Bytes per image: read h*w*3 uint8, write h*w*3 uint8 (6 KB at 32x32,
 * 301 KB at 224x224); these ops are compute-bound, so no GB/s figure.
 * Parameters: the representative values below (CIFAR severity 3 ranges; rotate 5 degrees).
 * Setup checks the op against every Pillow golden case of it (tools/pillow/golden_augment.py),
 * byte for byte, before timing.
 * Run: bench/run.sh AugOpsBench   (or -p op=rotate -p size=32)
 */
public class AugOpsBench extends ThroughputBenchDefaults {
    @Param({"autocontrast", "equalize", "posterize", "rotate", "solarize", "shear_x", "shear_y", "translate_x", "translate_y",
            "color", "contrast", "brightness", "sharpness"})
    String op;
    @Param({"32", "224"})
    int size;

    static final int POOL = 16;
    Op o;
    double param;
    byte[][] src;
    byte[] dst;
    int next;

    @Setup(Level.Trial)
    public void setup() {
        o = Op.byName(op);
        int cases = PillowGolden.load().checkOp(o);
        param = switch (o) {
            case AUTOCONTRAST, EQUALIZE -> 0;
            case POSTERIZE -> 4;
            case ROTATE -> 5;
            case SOLARIZE -> 200;
            case SHEAR_X, SHEAR_Y -> 0.05;
            case TRANSLATE_X, TRANSLATE_Y -> 2;
            default -> 0.5;
        };
        src = new byte[POOL][];
        for (int i = 0; i < POOL; i++) src[i] = naturalImage(new Random(i), size, size);
        dst = new byte[size * size * 3];
        System.out.printf("%n[AugOpsBench] %s matches Pillow on %d golden cases; timing param %s on %dx%d%n", op, cases, param, size, size);
    }

    /** A smooth colour field with a few discs and mild noise (histograms like a photo's, not uniform noise). */
    static byte[] naturalImage(Random r, int h, int w) {
        byte[] px = new byte[h * w * 3];
        int[] c0 = {r.nextInt(256), r.nextInt(256), r.nextInt(256)}, c1 = {r.nextInt(256), r.nextInt(256), r.nextInt(256)};
        int discs = 1 + r.nextInt(3);
        int[][] d = new int[discs][6];
        for (int[] di : d) {
            di[0] = r.nextInt(w);
            di[1] = r.nextInt(h);
            di[2] = 3 + r.nextInt(Math.max(1, w / 3));
            for (int c = 3; c < 6; c++) di[c] = r.nextInt(256);
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                double t = (x + y) / (double) (h + w);
                for (int c = 0; c < 3; c++) {
                    double v = c0[c] * (1 - t) + c1[c] * t;
                    for (int[] di : d) if ((x - di[0]) * (x - di[0]) + (y - di[1]) * (y - di[1]) < di[2] * di[2]) v = di[3 + c];
                    v += r.nextGaussian() * 6;
                    px[(y * w + x) * 3 + c] = (byte) Math.max(0, Math.min(255, (int) v));
                }
            }
        return px;
    }

    @Benchmark
    public byte[] apply(BenchSupport.Images work) {
        o.apply(src[next++ & (POOL - 1)], 0, dst, 0, size, size, param);
        work.images++;
        return dst;
    }
}
