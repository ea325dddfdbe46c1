package org.augmix4j.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * IDX files as MNIST and Fashion-MNIST ship them, plain or gzip-compressed (detected by content,
 * not by name): a big-endian header {@code 00 00 08 NDIM} (0x00000803 for uint8 images (N, rows, cols),
 * 0x00000801 for uint8 labels (N)), NDIM big-endian int32 dimensions, then the data.
 */
public final class Idx {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {}

    /** Grey uint8 images, row-major, image after image. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    /** Reads an images file (magic 0x00000803). */
    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            int[] dims = header(file, in, IMAGES_MAGIC, 3);
            // three int32s can overflow a long: compare as a double first (exact enough to tell "too large")
            double approx = (double) dims[0] * dims[1] * dims[2];
            long size = approx > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : (long) dims[0] * dims[1] * dims[2];
            if (size > Integer.MAX_VALUE - 16) {
                throw DataException.badFile(file, "the header declares " + dims[0] + " images of " + dims[1] + "x" + dims[2] + " (" + size
                        + " bytes), more than one Java array holds", "Split the file into smaller parts, or check that it is not damaged");
            }
            byte[] px = body(file, in, (int) size, dims[0] + " images of " + dims[1] + "x" + dims[2]);
            return new Images(dims[0], dims[1], dims[2], px);
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    /** Reads a labels file (magic 0x00000801), checking every label is in {@code [0, numClasses)}. */
    public static int[] readLabels(Path file, int numClasses) {
        try (InputStream in = open(file)) {
            int n = header(file, in, LABELS_MAGIC, 1)[0];
            byte[] raw = body(file, in, n, n + " labels");
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = raw[i] & 0xFF;
                if (out[i] >= numClasses) {
                    throw DataException.badFile(file, "label " + i + " is " + out[i] + ", expected 0.." + (numClasses - 1));
                }
            }
            return out;
        } catch (IOException e) {
            throw ioFailure(file, e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        if (b0 == 0x1F && b1 == 0x8B) {
            try {
                return new GZIPInputStream(raw, 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        }
        return raw;
    }

    private static int[] header(Path file, InputStream in, int magic, int ndim) throws IOException {
        byte[] h = in.readNBytes(4 + 4 * ndim);
        if (h.length >= 4) {
            int found = be(h, 0);
            if (found != magic) {
                String what = found == IMAGES_MAGIC ? " (an images file)" : found == LABELS_MAGIC ? " (a labels file)" : "";
                throw DataException.badFile(file, String.format("bad IDX magic 0x%08X%s, expected 0x%08X (%s)", found, what, magic,
                        magic == IMAGES_MAGIC ? "uint8 images, 3 dimensions" : "uint8 labels, 1 dimension"),
                        "Check that the images and labels files are not swapped and that this is an IDX file; otherwise download it again (see "
                                + DataException.README + ")");
            }
        }
        if (h.length < 4 + 4 * ndim) {
            throw DataException.badFile(file, "truncated IDX header: " + h.length + " bytes, expected " + (4 + 4 * ndim));
        }
        int[] dims = new int[ndim];
        for (int k = 0; k < ndim; k++) {
            dims[k] = be(h, 4 + 4 * k);
            if (dims[k] < 0) throw DataException.badFile(file, "negative IDX dimension " + dims[k]);
        }
        return dims;
    }

    private static byte[] body(Path file, InputStream in, int size, String what) throws IOException {
        byte[] data = in.readNBytes(size);
        if (data.length < size) {
            throw DataException.badFile(file, "truncated: the header declares " + what + " (" + size + " data bytes) but only "
                    + data.length + " follow");
        }
        if (in.read() >= 0) {
            throw DataException.badFile(file, "too long: data continues after the " + what + " (" + size + " bytes) the header declares");
        }
        return data;
    }

    private static DataException ioFailure(Path file, IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return DataException.badFile(file, "corrupt or truncated gzip data (" + e.getMessage() + ")");
        }
        return DataException.ioFailure(file, e);
    }

    private static int be(byte[] b, int o) {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }
}
