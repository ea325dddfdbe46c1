#!/usr/bin/python3
"""Reference vectors and reference statistics for org.augmix4j.corrupt.

Re-implements the CIFAR-10-C generator's corruptions (semantics and CIFAR parameter tables
of hendrycks/robustness ImageNet-C/create_c/make_cifar_c.py) on top of the libraries the generator used
(NumPy, SciPy, scikit-image, OpenCV, Pillow, ImageMagick through Wand), then writes

  src/test/resources/golden/corrupt/inputs.u8          16 clean 32x32x3 images (raw uint8, NHWC)
  src/test/resources/golden/corrupt/<name>.u8          [5][16][32][32][3] outputs, severity-major,
                                                       for the 8 deterministic corruptions
  src/test/resources/golden/corrupt/motion_fixed.u8    motion_blur at fixed angles (ImageMagick)
  src/test/resources/golden/corrupt/motion_grey.u8     grey-layer motion blur (snow's second stage)
  src/test/resources/golden/corrupt/manifest.json      what the files hold
  src/test/resources/golden/corrupt/stats.json         per corruption and severity, over 1000
                                                       procedural test images: mean |out - x|,
                                                       PSNR(out, x) and, for the noises, the
                                                       histogram of out - x

Debian 12 packages: apt-get install python3-numpy python3-scipy python3-skimage python3-pil
python3-opencv python3-wand. Run with the system interpreter:

  /usr/bin/python3 tools/cifarc/golden_corrupt.py [--frost-dir DIR] [--stats-images 1000]

--frost-dir: a directory with the original frost1.png ... frost5.jpg (from the ImageNet-C
repository); without it the frost statistics are left out (the committed stats.json was made
with them). The test images are drawn with integer arithmetic from the same counter-based
generator as org.augmix4j.corrupt.TestImages, so both sides corrupt identical pixels; the SHA-256
of the 1000 images is recorded and checked by the Java test.
"""
import argparse
import hashlib
import io
import json
import math
import os
import sys
import time
import warnings

import numpy as np
import cv2
import scipy
import scipy.ndimage as ndi
import skimage
from skimage.filters import gaussian as sk_gaussian
from PIL import Image
import PIL
import wand.image
import wand.version

warnings.simplefilter("ignore")

# ----------------------------------------------------------------------------- test images
MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    z &= MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def mix64_np(z):
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for ch in s:
        h ^= ord(ch)
        h = (h * 0x100000001B3) & MASK
    return h


def stream_key(seed, name, severity, index):
    k = mix64(seed + GAMMA)
    k = mix64(k ^ fnv1a64(name))
    k = mix64(k + severity * GAMMA)
    return mix64(k ^ mix64(index + GAMMA))


def draw(key, k):
    return mix64(key + k * GAMMA)


def test_image(seed, index):
    """Mirror of TestImages.draw (integer arithmetic only)."""
    key = stream_key(seed, "test_image", 0, index)
    counter = [0]

    def pick(n):
        counter[0] += 1
        return (draw(key, counter[0]) >> 33) % n

    c0 = [pick(256) for _ in range(3)]
    c1 = [pick(256) for _ in range(3)]
    direction = pick(3)
    ys, xs = np.mgrid[0:32, 0:32]
    t = xs if direction == 0 else ys if direction == 1 else (xs + ys) // 2
    img = np.stack([(c0[c] * (31 - t) + c1[c] * t) // 31 for c in range(3)], axis=-1).astype(np.int64)
    for _ in range(1 + pick(4)):
        kind = pick(3)
        col = [pick(256) for _ in range(3)]
        cx, cy, a, b = pick(32), pick(32), 3 + pick(12), 3 + pick(12)
        period = 2 + pick(4)
        if kind == 0:
            inside = (np.abs(xs - cx) <= a // 2) & (np.abs(ys - cy) <= b // 2)
        elif kind == 1:
            inside = (xs - cx) ** 2 + (ys - cy) ** 2 <= (a * a) // 2
        else:
            inside = (np.abs(xs - cx) <= a) & (np.abs(ys - cy) <= b) & (((xs + ys) // period) % 2 == 0)
        img[inside] = col
    ks = np.arange(1001, 1001 + 3072, dtype=np.uint64)
    with np.errstate(over="ignore"):
        v = mix64_np(np.uint64(key) + ks * np.uint64(GAMMA)) >> np.uint64(33)
    noise = (v % np.uint64(9)).astype(np.int64) - 4
    return np.clip(img.reshape(-1) + noise, 0, 255).astype(np.uint8).reshape(32, 32, 3)


# ----------------------------------------------------------------------------- library helpers
def gauss(x, sigma, **kw):
    """skimage.filters.gaussian as the generator called it (multichannel for HWC images)."""
    if x.ndim == 3:
        return sk_gaussian(x, sigma=sigma, channel_axis=-1, preserve_range=True, **kw)
    return sk_gaussian(x, sigma=sigma, preserve_range=True, **kw)


def out8(v):
    """np.uint8 of an already clipped float array: truncation."""
    return np.uint8(v)


def im_motion_blur(png_bytes, radius, sigma, angle):
    """ImageMagick MotionBlurImage through Wand; returns what cv2.imdecode(IMREAD_UNCHANGED) gives."""
    with wand.image.Image(blob=png_bytes) as im:
        im.motion_blur(radius=radius, sigma=sigma, angle=angle)
        blob = im.make_blob()
    return cv2.imdecode(np.frombuffer(blob, np.uint8), cv2.IMREAD_UNCHANGED)


def to_png(arr, mode):
    buf = io.BytesIO()
    Image.fromarray(arr, mode=mode).save(buf, format="PNG")
    return buf.getvalue()


def clipped_zoom(img, z):
    h = img.shape[0]
    ch = int(np.ceil(h / z))
    top = (h - ch) // 2
    zoomed = ndi.zoom(img[top:top + ch, top:top + ch], (z, z, 1), order=1)
    t = (zoomed.shape[0] - h) // 2
    return zoomed[t:t + h, t:t + h]


def plasma(rs, mapsize=32, wibbledecay=3):
    m = np.empty((mapsize, mapsize), dtype=np.float64)
    m[0, 0] = 0
    step = mapsize
    wib = [100.0]

    def jitter(a):
        return a / 4 + wib[0] * rs.uniform(-wib[0], wib[0], a.shape)

    while step >= 2:
        half = step // 2
        corners = m[0:mapsize:step, 0:mapsize:step]
        acc = corners + np.roll(corners, -1, axis=0)
        acc = acc + np.roll(acc, -1, axis=1)
        m[half:mapsize:step, half:mapsize:step] = jitter(acc)
        centres = m[half:mapsize:step, half:mapsize:step]
        corners = m[0:mapsize:step, 0:mapsize:step]
        m[0:mapsize:step, half:mapsize:step] = jitter((centres + np.roll(centres, 1, axis=0))
                                                      + (corners + np.roll(corners, -1, axis=1)))
        m[half:mapsize:step, 0:mapsize:step] = jitter((centres + np.roll(centres, 1, axis=1))
                                                      + (corners + np.roll(corners, -1, axis=0)))
        step //= 2
        wib[0] /= wibbledecay
    m -= m.min()
    return m / m.max()


def disk_kernel(radius, alias_blur):
    r = np.arange(-8, 9)
    xx, yy = np.meshgrid(r, r)
    d = np.array((xx ** 2 + yy ** 2) <= radius ** 2, dtype=np.float32)
    d /= np.sum(d)
    return cv2.GaussianBlur(d, ksize=(3, 3), sigmaX=alias_blur)


# ----------------------------------------------------------------------------- the corruptions
# x: uint8 (32,32,3) RGB; rs: np.random.RandomState; return uint8 (32,32,3).

def gaussian_noise(x, s, rs):
    c = [0.04, 0.06, .08, .09, .10][s - 1]
    x = x / 255.
    return out8(np.clip(x + rs.normal(size=x.shape, scale=c), 0, 1) * 255)


def shot_noise(x, s, rs):
    c = [500, 250, 100, 75, 50][s - 1]
    x = x / 255.
    return out8(np.clip(rs.poisson(x * c) / c, 0, 1) * 255)


def impulse_noise(x, s, rs):
    # scikit-image 0.14 random_noise(mode='s&p', amount=a, salt_vs_pepper=0.5): every value is
    # flipped with probability a, a flipped value becomes 1 (salt) or 0 (pepper) with even odds.
    a = [.01, .02, .03, .05, .07][s - 1]
    x = x / 255.
    flipped = rs.choice([True, False], size=x.shape, p=[a, 1 - a])
    salted = rs.choice([True, False], size=x.shape, p=[0.5, 0.5])
    y = x.copy()
    y[flipped & salted] = 1.0
    y[flipped & ~salted] = 0.0
    return out8(np.clip(y, 0, 1) * 255)


def speckle_noise(x, s, rs):
    c = [.06, .1, .12, .16, .2][s - 1]
    x = x / 255.
    return out8(np.clip(x + x * rs.normal(size=x.shape, scale=c), 0, 1) * 255)


def gaussian_blur(x, s, rs=None):
    c = [.4, .6, 0.7, .8, 1][s - 1]
    return out8(np.clip(gauss(x / 255., c), 0, 1) * 255)


def glass_blur(x, s, rs):
    sigma, delta, iters = [(0.05, 1, 1), (0.25, 1, 1), (0.4, 1, 1), (0.25, 1, 2), (0.4, 1, 2)][s - 1]
    y = np.uint8(gauss(x / 255., sigma) * 255)
    for _ in range(iters):
        for h in range(32 - delta, delta, -1):
            for w in range(32 - delta, delta, -1):
                dx, dy = rs.randint(-delta, delta, size=(2,))
                hp, wp = h + dy, w + dx
                y[h, w], y[hp, wp] = y[hp, wp], y[h, w]   # NumPy views: a one-way copy
    return out8(np.clip(gauss(y / 255., sigma), 0, 1) * 255)


def defocus_blur(x, s, rs=None):
    radius, alias = [(0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1)][s - 1]
    x = x / 255.
    k = disk_kernel(radius, alias)
    y = np.stack([cv2.filter2D(x[:, :, d], -1, k) for d in range(3)], axis=-1)
    return out8(np.clip(y, 0, 1) * 255)


def motion_blur_at(x, s, angle):
    radius, sigma = [(6, 1), (6, 1.5), (6, 2), (8, 2), (9, 2.5)][s - 1]
    y = im_motion_blur(to_png(x, "RGB"), radius, sigma, angle)
    if y.ndim == 3:
        return np.clip(y[..., [2, 1, 0]], 0, 255).astype(np.uint8)
    return np.clip(np.stack([y, y, y], axis=-1), 0, 255).astype(np.uint8)


def motion_blur(x, s, rs):
    return motion_blur_at(x, s, rs.uniform(-45, 45))


def zoom_blur(x, s, rs=None):
    ends = [1.06, 1.11, 1.16, 1.21, 1.26]
    zs = np.arange(1, ends[s - 1], 0.01)
    x = (x / 255.).astype(np.float32)
    acc = np.zeros_like(x)
    for z in zs:
        acc += clipped_zoom(x, z)
    x = (x + acc) / (len(zs) + 1)
    return out8(np.clip(x, 0, 1) * 255)


def snow(x, s, rs):
    mu, sd, zoom, thr, mb_r, mb_s, blend = [
        (0.1, 0.2, 1, 0.6, 8, 3, 0.95), (0.1, 0.2, 1, 0.5, 10, 4, 0.9), (0.15, 0.3, 1.75, 0.55, 10, 4, 0.9),
        (0.25, 0.3, 2.25, 0.6, 12, 6, 0.85), (0.3, 0.3, 1.25, 0.65, 14, 12, 0.8)][s - 1]
    x = np.array(x, dtype=np.float32) / 255.
    layer = rs.normal(size=x.shape[:2], loc=mu, scale=sd)
    layer = clipped_zoom(layer[..., np.newaxis], zoom)
    layer[layer < thr] = 0
    l8 = (np.clip(layer.squeeze(), 0, 1) * 255).astype(np.uint8)
    layer = im_motion_blur(to_png(l8, "L"), mb_r, mb_s, rs.uniform(-135, -45)) / 255.
    layer = layer[..., np.newaxis]
    grey = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).reshape(32, 32, 1)
    x = blend * x + (1 - blend) * np.maximum(x, grey * 1.5 + 0.5)
    return out8(np.clip(x + layer + np.rot90(layer, k=2), 0, 1) * 255)


FROST_TILES = None


def load_frost(dirname):
    tiles = []
    for f in ["frost1.png", "frost2.png", "frost3.png", "frost4.jpg", "frost5.jpg"]:
        im = cv2.imread(os.path.join(dirname, f))
        if im is None:
            raise SystemExit("cannot read " + os.path.join(dirname, f))
        tiles.append(cv2.resize(im, (0, 0), fx=0.2, fy=0.2))
    return tiles


def frost(x, s, rs):
    a, b = [(1, 0.2), (1, 0.3), (0.9, 0.4), (0.85, 0.4), (0.75, 0.45)][s - 1]
    tile = FROST_TILES[rs.randint(5)]
    r0, c0 = rs.randint(0, tile.shape[0] - 32), rs.randint(0, tile.shape[1] - 32)
    f = tile[r0:r0 + 32, c0:c0 + 32][..., [2, 1, 0]]
    return out8(np.clip(a * np.array(x) + b * f, 0, 255))


def fog(x, s, rs):
    t, decay = [(.2, 3), (.5, 3), (0.75, 2.5), (1, 2), (1.5, 1.75)][s - 1]
    x = x / 255.
    m = x.max()
    x = x + t * plasma(rs, wibbledecay=decay)[:32, :32][..., np.newaxis]
    return out8(np.clip(x * m / (m + t), 0, 1) * 255)


def brightness(x, s, rs=None):
    c = [.05, .1, .15, .2, .3][s - 1]
    hsv = skimage.color.rgb2hsv(x / 255.)
    hsv[:, :, 2] = np.clip(hsv[:, :, 2] + c, 0, 1)
    return out8(np.clip(skimage.color.hsv2rgb(hsv), 0, 1) * 255)


def saturate(x, s, rs=None):
    mul, add = [(0.3, 0), (0.1, 0), (1.5, 0), (2, 0.1), (2.5, 0.2)][s - 1]
    hsv = skimage.color.rgb2hsv(x / 255.)
    hsv[:, :, 1] = np.clip(hsv[:, :, 1] * mul + add, 0, 1)
    return out8(np.clip(skimage.color.hsv2rgb(hsv), 0, 1) * 255)


def contrast(x, s, rs=None):
    c = [.75, .5, .4, .3, 0.15][s - 1]
    x = x / 255.
    mu = np.mean(x, axis=(0, 1), keepdims=True)
    return out8(np.clip((x - mu) * c + mu, 0, 1) * 255)


def pixelate(x, s, rs=None):
    c = [0.95, 0.9, 0.85, 0.75, 0.65][s - 1]
    im = Image.fromarray(x).resize((int(32 * c), int(32 * c)), Image.BOX).resize((32, 32), Image.BOX)
    return np.array(im)


def jpeg_compression(x, s, rs=None):
    q = [80, 65, 58, 50, 40][s - 1]
    buf = io.BytesIO()
    Image.fromarray(x).save(buf, "JPEG", quality=q)
    buf.seek(0)
    return np.array(Image.open(buf).convert("RGB"))


def elastic_transform(x, s, rs):
    alpha, sigma, aff = [(32 * 0, 32 * 0, 32 * 0.08), (32 * 0.05, 32 * 0.2, 32 * 0.07),
                         (32 * 0.08, 32 * 0.06, 32 * 0.06), (32 * 0.1, 32 * 0.04, 32 * 0.05),
                         (32 * 0.1, 32 * 0.03, 32 * 0.03)][s - 1]
    img = np.array(x, dtype=np.float32) / 255.
    centre = np.float32((32, 32)) // 2
    sq = 32 // 3
    pts1 = np.float32([centre + sq, [centre[0] + sq, centre[1] - sq], centre - sq])
    pts2 = pts1 + rs.uniform(-aff, aff, size=pts1.shape).astype(np.float32)
    img = cv2.warpAffine(img, cv2.getAffineTransform(pts1, pts2), (32, 32), borderMode=cv2.BORDER_REFLECT_101)
    dx = (gauss(rs.uniform(-1, 1, size=(32, 32)), sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)
    dy = (gauss(rs.uniform(-1, 1, size=(32, 32)), sigma, mode="reflect", truncate=3) * alpha).astype(np.float32)
    xs, ys, zs = np.meshgrid(np.arange(32), np.arange(32), np.arange(3))
    coords = (np.reshape(ys + dy[..., None], (-1, 1)), np.reshape(xs + dx[..., None], (-1, 1)), np.reshape(zs, (-1, 1)))
    y = ndi.map_coordinates(img, coords, order=1, mode="reflect").reshape(img.shape)
    return out8(np.clip(y, 0, 1) * 255)


def spatter(x, s, rs):
    mu, sd, sigma, thr, intensity, mode = [
        (0.62, 0.1, 0.7, 0.7, 0.5, 0), (0.65, 0.1, 0.8, 0.7, 0.5, 0), (0.65, 0.3, 1, 0.69, 0.5, 0),
        (0.65, 0.1, 0.7, 0.69, 0.6, 1), (0.65, 0.1, 0.5, 0.68, 0.6, 1)][s - 1]
    x = np.array(x, dtype=np.float32) / 255.
    liquid = gauss(rs.normal(size=(32, 32), loc=mu, scale=sd), sigma)
    liquid[liquid < thr] = 0
    if mode == 0:
        l8 = (liquid * 255).astype(np.uint8)
        dist = cv2.distanceTransform(255 - cv2.Canny(l8, 50, 150), cv2.DIST_L2, 5)
        _, dist = cv2.threshold(dist, 20, 20, cv2.THRESH_TRUNC)
        dist = cv2.equalizeHist(cv2.blur(dist, (3, 3)).astype(np.uint8))
        dist = cv2.filter2D(dist, cv2.CV_8U, np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float32))
        dist = cv2.blur(dist, (3, 3)).astype(np.float32)
        m = (l8 * dist)[..., None]
        m = m / np.max(m) * intensity
        colour = np.array([175 / 255., 238 / 255., 238 / 255.], dtype=np.float32)
        return out8(np.clip(x + m * colour, 0, 1) * 255)
    m = np.where(liquid > thr, 1, 0)
    m = gauss(m.astype(np.float32), intensity)
    m[m < 0.8] = 0
    colour = np.array([63 / 255., 42 / 255., 20 / 255.], dtype=np.float32) * m[..., None]
    x = x * (1 - m[..., None])
    return out8(np.clip(x + colour, 0, 1) * 255)


CORRUPTIONS = [gaussian_noise, shot_noise, impulse_noise, defocus_blur, glass_blur, motion_blur, zoom_blur,
               snow, frost, fog, brightness, contrast, elastic_transform, pixelate, jpeg_compression,
               speckle_noise, gaussian_blur, spatter, saturate]
DETERMINISTIC = ["brightness", "contrast", "saturate", "pixelate", "jpeg_compression", "defocus_blur",
                 "gaussian_blur", "zoom_blur"]
NOISES = ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise"]


# ----------------------------------------------------------------------------- main
def golden_inputs(seed, n_random):
    imgs = [test_image(seed, i) for i in range(n_random)]
    ramp = np.zeros((32, 32, 3), np.uint8)
    v = np.arange(1024).reshape(32, 32)
    ramp[..., 0] = v % 256
    ramp[..., 1] = (v // 4) % 256
    ramp[..., 2] = 255 - v % 256
    imgs += [np.zeros((32, 32, 3), np.uint8), np.full((32, 32, 3), 255, np.uint8),
             np.full((32, 32, 3), 128, np.uint8), ramp]
    return np.stack(imgs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                                  "src", "test", "resources", "golden", "corrupt"))
    ap.add_argument("--frost-dir", default=None)
    ap.add_argument("--stats-images", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=2024, help="test-image seed (TestImages)")
    ap.add_argument("--rng-seed", type=int, default=12345, help="NumPy RandomState seed of the reference draws")
    ap.add_argument("--only-golden", action="store_true")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    global FROST_TILES
    if args.frost_dir:
        FROST_TILES = load_frost(args.frost_dir)

    versions = {"numpy": np.__version__, "scipy": scipy.__version__, "skimage": skimage.__version__,
                "opencv": cv2.__version__, "pillow": PIL.__version__, "imagemagick": wand.version.MAGICK_VERSION,
                "wand": wand.version.VERSION}

    # golden vectors for the deterministic corruptions
    inp = golden_inputs(args.seed, 12)
    inp.tofile(os.path.join(out, "inputs.u8"))
    for name in DETERMINISTIC:
        fn = globals()[name]
        res = np.stack([np.stack([fn(im, s) for im in inp]) for s in range(1, 6)])
        assert res.dtype == np.uint8 and res.shape == (5, len(inp), 32, 32, 3)
        res.tofile(os.path.join(out, name + ".u8"))
    n = len(inp)
    angles = [-45 + 90.0 * i / (n - 1) for i in range(n)]
    mf = np.stack([np.stack([motion_blur_at(inp[i], s, angles[i]) for i in range(n)]) for s in range(1, 6)])
    mf.tofile(os.path.join(out, "motion_fixed.u8"))
    # snow's second stage: a thresholded grey layer blurred along a steep angle
    grey_params = [(8, 3, -50.0), (10, 4, -80.0), (10, 4, -95.0), (12, 6, -120.0), (14, 12, -134.0)]
    greys = []
    for s, (r, sg, ang) in enumerate(grey_params):
        rows = []
        for i in range(n):
            layer = inp[i][..., 1].copy()
            layer[layer < 150] = 0
            y = im_motion_blur(to_png(layer, "L"), r, sg, ang)
            assert y.ndim == 2, y.shape
            rows.append(y)
        greys.append(np.stack(rows))
    np.stack(greys).astype(np.uint8).tofile(os.path.join(out, "motion_grey.u8"))
    manifest = {
        "generator": "tools/cifarc/golden_corrupt.py", "versions": versions,
        "images": n, "shape": [32, 32, 3], "layout": "raw uint8; <name>.u8 is [severity 1..5][image][32][32][3]",
        "inputs": "indices 0..11 of TestImages seed %d, then black, white, grey 128, a ramp" % args.seed,
        "deterministic": DETERMINISTIC,
        "motion_fixed": {"angles_deg": angles, "note": "motion_blur severity s at angle angles[i] for image i"},
        "motion_grey": {"params": grey_params, "note": "green channel of image i, values < 150 set to 0, "
                        "as a grey PNG through MotionBlurImage(radius, sigma, angle); [severity][image][32][32]"},
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("golden vectors written to", out)
    if args.only_golden:
        return

    # reference statistics over the procedural test images
    t0 = time.time()
    imgs = np.stack([test_image(args.seed, i) for i in range(args.stats_images)])
    sha = hashlib.sha256(imgs.tobytes()).hexdigest()
    ref = imgs.astype(np.int64)
    stats = {"generator": "tools/cifarc/golden_corrupt.py", "versions": versions, "test_image_seed": args.seed,
             "images": args.stats_images, "sha256": sha, "rng_seed": args.rng_seed,
             "frost_source": ("original frost1..frost5" if FROST_TILES is not None else None),
             "definitions": {"mad": "mean over all values of |out - x| (grey levels)",
                             "psnr": "10 log10(255^2 / MSE), MSE over all values of all images (dB)",
                             "hist": "counts of out - x + 255 (511 bins), all values"},
             "corruptions": {}}
    for fn in CORRUPTIONS:
        name = fn.__name__
        if name == "frost" and FROST_TILES is None:
            continue
        rs = np.random.RandomState(args.rng_seed + fnv1a64(name) % 100000)
        per = []
        for s in range(1, 6):
            res = np.stack([fn(im, s, rs) for im in imgs]).astype(np.int64)
            d = res - ref
            mse = float(np.mean(d * d))
            entry = {"severity": s, "mad": float(np.mean(np.abs(d))),
                     "psnr": (10 * math.log10(255.0 ** 2 / mse) if mse > 0 else None)}
            if name in NOISES:
                entry["hist"] = np.bincount((d + 255).ravel(), minlength=511).tolist()
            per.append(entry)
        stats["corruptions"][name] = per
        print("%-18s %s  (%.0f s)" % (name, " ".join("%.2f/%.2f" % (e["mad"], e["psnr"] or 0) for e in per),
                                      time.time() - t0), flush=True)
    with open(os.path.join(out, "stats.json"), "w") as f:
        json.dump(stats, f, separators=(",", ":"))
    print("statistics written to", os.path.join(out, "stats.json"))


if __name__ == "__main__":
    main()
