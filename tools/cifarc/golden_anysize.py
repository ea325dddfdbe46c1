#!/usr/bin/python3
"""Reference outputs of the ImageNet-C-parameter corruptions at sizes other than 32x32
(org.augmix4j.corrupt.AnySize, through ImageCorruptions), from the formulas of the ImageNet-C /
imagecorruptions code on NumPy + SciPy (what skimage.filters.gaussian and clipped_zoom call):

  contrast       (x - mean) * c + mean, c = .4 .3 .2 .1 .05
  gaussian_blur  per-channel gaussian, sigma 1 2 3 4 6, mode nearest, truncate 4 (ImageNet-C's multichannel=True)
  zoom_blur      mean of x and clipped_zoom(x, z), z = np.arange(1, end, step), float32; clipped_zoom crops,
                 zooms and trims each axis on its own (ImageNet-C's centred trim, per axis)

then np.uint8(clip(v, 0, 1) * 255). Writes src/test/resources/golden/anysize/:
  in48.u8 (48x48x3), in40x56.u8 (40x56x3): inputs, integer formulas below
  <name>_<h>x<w>_s<severity>.u8: outputs for severities 1, 3, 5
Needs python3-numpy and python3-scipy. Run: python3 tools/cifarc/golden_anysize.py
"""
import os
import numpy as np
from scipy.ndimage import gaussian_filter, zoom as scizoom

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'src', 'test', 'resources', 'golden', 'anysize')


def picture(h, w):
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing='ij')
    return ((x * 5 + y * 3 + c * 70 + (x * y) % 23 * 4) % 256).astype(np.uint8)


def clipped_zoom(img, z):
    h, w = img.shape[:2]
    ch, cw = int(np.ceil(h / z)), int(np.ceil(w / z))
    top, left = (h - ch) // 2, (w - cw) // 2
    img = scizoom(img[top:top + ch, left:left + cw], (z, z, 1), order=1)
    t, u = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
    return img[t:t + h, u:u + w]


def contrast(x8, s):
    x = x8 / 255.
    c = [0.4, .3, .2, .1, .05][s - 1]
    m = np.mean(x, axis=(0, 1), keepdims=True)
    return np.clip((x - m) * c + m, 0, 1) * 255


def gaussian_blur(x8, s):
    c = [1, 2, 3, 4, 6][s - 1]
    return np.clip(gaussian_filter(x8 / 255., sigma=(c, c, 0), mode='nearest', truncate=4.0), 0, 1) * 255


def zoom_blur(x8, s):
    c = [np.arange(1, 1.11, 0.01), np.arange(1, 1.16, 0.01), np.arange(1, 1.21, 0.02),
         np.arange(1, 1.26, 0.02), np.arange(1, 1.31, 0.03)][s - 1]
    x = (x8 / 255.).astype(np.float32)
    out = np.zeros_like(x)
    for z in c:
        out += clipped_zoom(x, z)
    return np.clip((x + out) / (len(c) + 1), 0, 1) * 255


def main():
    os.makedirs(OUT, exist_ok=True)
    for (h, w), fns in [((48, 48), [contrast, gaussian_blur, zoom_blur]), ((40, 56), [contrast, gaussian_blur, zoom_blur])]:
        x8 = picture(h, w)
        x8.tofile(os.path.join(OUT, 'in48.u8' if h == w else 'in40x56.u8'))
        for f in fns:
            for s in (1, 3, 5):
                np.uint8(f(x8, s)).tofile(os.path.join(OUT, f'{f.__name__}_{h}x{w}_s{s}.u8'))


if __name__ == '__main__':
    main()
