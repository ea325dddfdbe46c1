package org.augmix4j.corrupt;

import java.util.ArrayDeque;

/**
 * The OpenCV 4 operations that the spatter corruption's water mode uses, on single-channel h x w
 * images: Canny (3x3 Sobel, L1 gradient), distanceTransform (DIST_L2, 5x5 chamfer), equalizeHist,
 * 3x3 box blur and an 8-bit filter2D, all with OpenCV's default borders.
 */
final class CvOps {
    private CvOps() {}

    /** cv2.Canny(img, low, high) with apertureSize 3 and L1 gradient; 255 = edge. */
    static int[] canny(int[] img, int h, int w, int low, int high) {
        int[] dx = new int[h * w], dy = new int[h * w];
        for (int y = 0; y < h; y++) {
            int ym = Math.max(y - 1, 0), yp = Math.min(y + 1, h - 1);
            for (int x = 0; x < w; x++) {
                int xm = Math.max(x - 1, 0), xp = Math.min(x + 1, w - 1);
                int a = img[ym * w + xm], b = img[ym * w + x], c = img[ym * w + xp];
                int d = img[y * w + xm], f = img[y * w + xp];
                int g = img[yp * w + xm], hh = img[yp * w + x], i = img[yp * w + xp];
                dx[y * w + x] = (c + 2 * f + i) - (a + 2 * d + g);
                dy[y * w + x] = (g + 2 * hh + i) - (a + 2 * b + c);
            }
        }
        // magnitude with a zero frame so neighbours outside the image read 0
        int W = w + 2;
        int[] mag = new int[(h + 2) * W];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) mag[(y + 1) * W + x + 1] = Math.abs(dx[y * w + x]) + Math.abs(dy[y * w + x]);
        // map: 0 = weak candidate, 1 = not an edge, 2 = strong edge
        int[] map = new int[(h + 2) * W];
        java.util.Arrays.fill(map, 1);
        ArrayDeque<Integer> stack = new ArrayDeque<>();
        final int TG22 = (int) (0.4142135623730950488016887242097 * (1 << 15) + 0.5);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y + 1) * W + x + 1;
                int m = mag[p];
                if (m <= low) continue;
                int xs = dx[y * w + x], ys = dy[y * w + x];
                int ax = Math.abs(xs), ay = Math.abs(ys) << 15;
                int tg22x = ax * TG22;
                boolean keep;
                if (ay < tg22x) {
                    keep = m > mag[p - 1] && m >= mag[p + 1];
                } else {
                    int tg67x = tg22x + (ax << 16);
                    if (ay > tg67x) {
                        keep = m > mag[p - W] && m >= mag[p + W];
                    } else {
                        int s = (xs ^ ys) < 0 ? -1 : 1;
                        keep = m > mag[p - W - s] && m > mag[p + W + s];
                    }
                }
                if (!keep) continue;
                if (m > high) {
                    map[p] = 2;
                    stack.push(p);
                } else {
                    map[p] = 0;
                }
            }
        }
        int[] nb = {-W - 1, -W, -W + 1, -1, 1, W - 1, W, W + 1};
        while (!stack.isEmpty()) {
            int p = stack.pop();
            for (int o : nb) {
                int q = p + o;
                if (map[q] == 0) {
                    map[q] = 2;
                    stack.push(q);
                }
            }
        }
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) out[y * w + x] = map[(y + 1) * W + x + 1] == 2 ? 255 : 0;
        return out;
    }

    /** cv2.distanceTransform(img, DIST_L2, 5): 5x5 chamfer (1, 1.4, 2.1969) in 16.16 fixed point. */
    static float[] distanceTransform(int[] img, int h, int w) {
        final long HV = Math.round(1.0 * 65536), DIAG = Math.round(1.4 * 65536), LONG = Math.round(2.1969 * 65536);
        final long INIT = Integer.MAX_VALUE;
        int B = 2, W = w + 2 * B;
        long[] t = new long[(h + 2 * B) * W];
        java.util.Arrays.fill(t, INIT);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = (y + B) * W + x + B;
                if (img[y * w + x] == 0) {
                    t[p] = 0;
                    continue;
                }
                long t0 = t[p - 2 * W - 1] + LONG;
                t0 = Math.min(t0, t[p - 2 * W + 1] + LONG);
                t0 = Math.min(t0, t[p - W - 2] + LONG);
                t0 = Math.min(t0, t[p - W - 1] + DIAG);
                t0 = Math.min(t0, t[p - W] + HV);
                t0 = Math.min(t0, t[p - W + 1] + DIAG);
                t0 = Math.min(t0, t[p - W + 2] + LONG);
                t0 = Math.min(t0, t[p - 1] + HV);
                t[p] = t0;
            }
        }
        float[] out = new float[h * w];
        float scale = 1.0f / 65536;
        for (int y = h - 1; y >= 0; y--) {
            for (int x = w - 1; x >= 0; x--) {
                int p = (y + B) * W + x + B;
                long t0 = t[p];
                if (t0 > HV) {
                    t0 = Math.min(t0, t[p + 2 * W + 1] + LONG);
                    t0 = Math.min(t0, t[p + 2 * W - 1] + LONG);
                    t0 = Math.min(t0, t[p + W + 2] + LONG);
                    t0 = Math.min(t0, t[p + W + 1] + DIAG);
                    t0 = Math.min(t0, t[p + W] + HV);
                    t0 = Math.min(t0, t[p + W - 1] + DIAG);
                    t0 = Math.min(t0, t[p + W - 2] + LONG);
                    t0 = Math.min(t0, t[p + 1] + HV);
                    t[p] = t0;
                }
                out[y * w + x] = (float) t0 * scale;
            }
        }
        return out;
    }

    /** cv2.blur(float image, (3,3)), BORDER_REFLECT_101, double sums, float result. */
    static float[] box3(float[] a, int h, int w) {
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int j = -1; j <= 1; j++)
                    for (int i = -1; i <= 1; i++) s += a[Kernels.r101(y + j, h) * w + Kernels.r101(x + i, w)];
                out[y * w + x] = (float) (s * (1.0 / 9));
            }
        }
        return out;
    }

    /** cv2.blur(uint8 image, (3,3)): integer sum times 1/9, rounded half to even. */
    static int[] box3u8(int[] a, int h, int w) {
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = 0;
                for (int j = -1; j <= 1; j++)
                    for (int i = -1; i <= 1; i++) s += a[Kernels.r101(y + j, h) * w + Kernels.r101(x + i, w)];
                out[y * w + x] = sat8(Math.rint(s * (1.0 / 9)));
            }
        }
        return out;
    }

    /** cv2.equalizeHist on 8-bit values. */
    static int[] equalizeHist(int[] a) {
        int[] hist = new int[256];
        for (int v : a) hist[v]++;
        int i = 0;
        while (hist[i] == 0) i++;
        int total = a.length;
        int[] out = new int[a.length];
        if (hist[i] == total) {
            java.util.Arrays.fill(out, i);
            return out;
        }
        float scale = 255.0f / (total - hist[i]);
        int[] lut = new int[256];
        int sum = 0;
        lut[i++] = 0;
        for (; i < 256; i++) {
            sum += hist[i];
            lut[i] = sat8(Math.rint(sum * scale));
        }
        for (int k = 0; k < a.length; k++) out[k] = lut[a[k]];
        return out;
    }

    /** cv2.filter2D(uint8, CV_8U, 3x3 kernel k (row-major)): correlation, REFLECT_101, saturating. */
    static int[] filter3x3u8(int[] a, int h, int w, int[] k) {
        int[] out = new int[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int s = 0;
                for (int j = -1; j <= 1; j++)
                    for (int i = -1; i <= 1; i++) s += k[(j + 1) * 3 + i + 1] * a[Kernels.r101(y + j, h) * w + Kernels.r101(x + i, w)];
                out[y * w + x] = Math.max(0, Math.min(255, s));
            }
        }
        return out;
    }

    static int sat8(double v) { return v < 0 ? 0 : v > 255 ? 255 : (int) v; }
}
