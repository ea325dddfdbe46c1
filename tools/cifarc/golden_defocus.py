#!/usr/bin/python3
"""Reference outputs of defocus_blur at sizes other than 32x32 (org.augmix4j.corrupt.AnySize, through
ImageCorruptions), with the ImageNet-C parameters and the formula the imagecorruptions package uses at
any size, on OpenCV:

  kernel  disk(radius, alias_blur): float32 0/1 disk X^2 + Y^2 <= r^2 on the grid -8..8 (r <= 8) or
          -r..r, divided by its sum, cv2.GaussianBlur(ksize 3x3 (r <= 8) or 5x5, sigmaX alias_blur)
  image   per channel cv2.filter2D(x / 255. (float64), -1, kernel), (r, alias_blur) = (3, .1) (4, .5)
          (6, .5) (8, .5) (10, .5)

then np.uint8(clip(v, 0, 1) * 255). Writes src/test/resources/golden/anysize/:
  defocus_blur_<h>x<w>_s<severity>.u8 for severities 1..5 on in48.u8 (48x48) and in40x56.u8 (40x56)
  (the inputs golden_anysize.py writes), and defocus_disk_s<severity>.f32 (the kernels, float32 LE).
Needs python3-numpy and python3-opencv. Run: python3 tools/cifarc/golden_defocus.py
"""
import os
import numpy as np
import cv2

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'anysize')
C = [(3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)]


def disk(radius, alias_blur):
    if radius <= 8:
        grid, ksize = np.arange(-8, 9), (3, 3)
    else:
        grid, ksize = np.arange(-radius, radius + 1), (5, 5)
    xs, ys = np.meshgrid(grid, grid)
    d = np.array((xs ** 2 + ys ** 2) <= radius ** 2, dtype=np.float32)
    d /= np.sum(d)
    return cv2.GaussianBlur(d, ksize=ksize, sigmaX=alias_blur)


def defocus_blur(x8, s):
    x = x8 / 255.
    k = disk(*C[s - 1])
    ch = np.stack([cv2.filter2D(x[:, :, d], -1, k) for d in range(3)], axis=2)
    return np.clip(ch, 0, 1) * 255


def main():
    for s in range(1, 6):
        disk(*C[s - 1]).astype('<f4').tofile(os.path.join(OUT, f'defocus_disk_s{s}.f32'))
    for name, (h, w) in [('in48.u8', (48, 48)), ('in40x56.u8', (40, 56))]:
        x8 = np.fromfile(os.path.join(OUT, name), dtype=np.uint8).reshape(h, w, 3)
        for s in range(1, 6):
            np.uint8(defocus_blur(x8, s)).tofile(os.path.join(OUT, f'defocus_blur_{h}x{w}_s{s}.u8'))


if __name__ == '__main__':
    main()
