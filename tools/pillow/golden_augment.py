#!/usr/bin/python3
"""Golden vectors for AugMix4J's Pillow-exact augmentation ops and AugMix samples.

Run with Debian's Python and Pillow (not a pyenv/venv Python):

    apt-get update && apt-get install -y python3-pil python3-numpy dataset-fashion-mnist
    /usr/bin/python3 tools/pillow/golden_augment.py [OUT_DIR]

OUT_DIR defaults to src/test/resources/golden/augment (relative to the repository root). The
script is deterministic: re-running it with the same Pillow/NumPy writes identical files.

Writes
  manifest.json   Pillow/NumPy versions, the input images, every op case, the AugMix samples
                  (their full sampled programs) and the rotation matrices Pillow used
  inputs.bin.gz   all input images, uint8 HWC RGB, concatenated (offsets in the manifest)
  outputs.bin.gz  every op case's Pillow output, uint8 HWC RGB, concatenated
  augmix.bin.gz   the AugMix samples' outputs, float32 little-endian NCHW (clean, view1, view2),
                  rows [rows[0], rows[1]) of each image only (all rows except for the 224x224 sample)

The AugMix samples re-implement, independently of the Java code, the project's Philox4x32-10
counter layout (see org.augmix4j.augment.Philox) and the official cifar.py / augmentations.py
pipeline with Pillow ops and NumPy float32 mixing, for alpha = 1.
"""
import gzip
import json
import math
import os
import sys

import numpy as np
import PIL
from PIL import Image, ImageEnhance, ImageOps

FMNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

# ----------------------------------------------------------------------------- Philox4x32-10

MASK = 0xFFFFFFFF
M0, M1, W0, W1 = 0xD2511F53, 0xCD9E8D57, 0x9E3779B9, 0xBB67AE85
TAG_STEP, TAG_DEPTH, TAG_DIRICHLET, TAG_BETA, TAG_CROP = 1, 2, 3, 4, 5


def philox(ctr, key, rounds=10):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(rounds):
        if r:
            k0 = (k0 + W0) & MASK
            k1 = (k1 + W1) & MASK
        p0 = M0 * c0
        p1 = M1 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & MASK, (p0 >> 32) ^ c3 ^ k1, p0 & MASK)
    return [c0, c1, c2, c3]


KAT = [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((MASK,) * 4, (MASK, MASK), (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]
for _c, _k, _want in KAT:
    assert tuple(philox(_c, _k)) == _want, "Philox known-answer vector failed"


def draw(seed, epoch, sample, tag, view, chain, step, d):
    s = seed & 0xFFFFFFFFFFFFFFFF
    c2 = (tag << 24) | (view << 16) | (chain << 8) | step
    return philox((sample & MASK, epoch & MASK, c2, d), (s & MASK, s >> 32))


def u53(a, b):
    return ((a >> 5) * 67108864 + (b >> 6)) * 2.0 ** -53


def uniform_int(a, n):
    return (a * n) >> 32


# ----------------------------------------------------------------------------- ops (Pillow calls)

def apply_op(img, op, p):
    """The op with an explicit parameter, as the official augmentations.py calls Pillow."""
    size = img.size
    if op == "autocontrast":
        return ImageOps.autocontrast(img)
    if op == "equalize":
        return ImageOps.equalize(img)
    if op == "posterize":
        return ImageOps.posterize(img, int(p))
    if op == "rotate":
        return img.rotate(p, resample=Image.BILINEAR)
    if op == "solarize":
        return ImageOps.solarize(img, p)
    if op == "shear_x":
        return img.transform(size, Image.AFFINE, (1, p, 0, 0, 1, 0), resample=Image.BILINEAR)
    if op == "shear_y":
        return img.transform(size, Image.AFFINE, (1, 0, 0, p, 1, 0), resample=Image.BILINEAR)
    if op == "translate_x":
        return img.transform(size, Image.AFFINE, (1, 0, p, 0, 1, 0), resample=Image.BILINEAR)
    if op == "translate_y":
        return img.transform(size, Image.AFFINE, (1, 0, 0, 0, 1, p), resample=Image.BILINEAR)
    if op == "color":
        return ImageEnhance.Color(img).enhance(p)
    if op == "contrast":
        return ImageEnhance.Contrast(img).enhance(p)
    if op == "brightness":
        return ImageEnhance.Brightness(img).enhance(p)
    if op == "sharpness":
        return ImageEnhance.Sharpness(img).enhance(p)
    raise ValueError(op)


DEFAULT_OPS = ["autocontrast", "equalize", "posterize", "rotate", "solarize", "shear_x", "shear_y",
               "translate_x", "translate_y"]
ALL_OPS = DEFAULT_OPS + ["color", "contrast", "brightness", "sharpness"]
SIGNED = {"rotate", "shear_x", "shear_y", "translate_x", "translate_y"}


def param_from_level(op, level, negate, w, h):
    """augmentations.py: int_parameter = int(level * maxval / 10), float_parameter = level * maxval / 10."""
    if op in ("autocontrast", "equalize"):
        return 0.0
    if op == "posterize":
        p = 4 - int(level * 4 / 10)
    elif op == "rotate":
        p = int(level * 30 / 10)
    elif op == "solarize":
        p = 256 - int(level * 256 / 10)
    elif op in ("shear_x", "shear_y"):
        p = float(level) * 0.3 / 10
    elif op == "translate_x":
        p = int(level * (w / 3) / 10)
    elif op == "translate_y":
        p = int(level * (h / 3) / 10)
    else:
        p = float(level) * 1.8 / 10 + 0.1
    if negate and op in SIGNED:
        p = -p
    return float(p)


# ----------------------------------------------------------------------------- AugMix (alpha = 1)

def preprocess(img):
    """ToTensor + Normalize([0.5]*3, [0.5]*3) in float32, CHW."""
    a = np.asarray(img, dtype=np.uint8).astype(np.float32).transpose(2, 0, 1)
    return (a / np.float32(255) - np.float32(0.5)) / np.float32(0.5)


def program(seed, epoch, sample, view, cfg, w, h):
    width = cfg["width"]
    g = []
    for k in range(width):
        r = draw(seed, epoch, sample, TAG_DIRICHLET, view, k, 0, 0)
        g.append(-math.log(1.0 - u53(r[0], r[1])))
    acc = 0.0
    for v in g:
        acc = acc + v
    inv = 1.0 / acc
    ws = [float(np.float32(v * inv)) for v in g]
    r = draw(seed, epoch, sample, TAG_BETA, view, 0, 0, 0)
    m = float(np.float32(u53(r[0], r[1])))
    ops = ALL_OPS if cfg["all_ops"] else DEFAULT_OPS
    chains = []
    for i in range(width):
        depth = cfg["depth"]
        if depth <= 0:
            depth = 1 + uniform_int(draw(seed, epoch, sample, TAG_DEPTH, view, i, 0, 0)[0], 3)
        steps = []
        for j in range(depth):
            r = draw(seed, epoch, sample, TAG_STEP, view, i, j, 0)
            op = ops[uniform_int(r[0], len(ops))]
            level = 0.1 + (cfg["severity"] - 0.1) * u53(r[1], r[2])
            negate = (r[3] >> 31) == 1
            steps.append({"op": op, "level": level, "negate": negate,
                          "param": param_from_level(op, level, negate, w, h)})
        chains.append(steps)
    return {"view": view, "w": ws, "m": m, "chains": chains}


def augment_and_mix(img, prog):
    mix = np.zeros((3, img.size[1], img.size[0]), dtype=np.float32)
    for i, steps in enumerate(prog["chains"]):
        image_aug = img.copy()
        for st in steps:
            image_aug = apply_op(image_aug, st["op"], st["param"])
        mix += np.float32(prog["w"][i]) * preprocess(image_aug)
    m = np.float32(prog["m"])
    return (np.float32(1) - m) * preprocess(img) + m * mix


def augmix_sample(arr, seed, epoch, sample, cfg):
    img = Image.fromarray(arr, "RGB")
    w, h = img.size
    r = draw(seed, epoch, sample, TAG_CROP, 0, 0, 0, 0)
    flip, top, left = (r[0] >> 31) == 1, uniform_int(r[1], 9), uniform_int(r[2], 9)
    if flip:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    img = ImageOps.expand(img, border=4, fill=0).crop((left, top, left + w, top + h))
    views = [prog for prog in (program(seed, epoch, sample, v, cfg, w, h) for v in (1, 2))]
    outs = [preprocess(img)] + [augment_and_mix(img, p) for p in views]
    return {"crop": [flip, top, left], "views": views}, np.stack(outs).astype("<f4")


# ----------------------------------------------------------------------------- inputs

def fashion(n):
    with gzip.open(FMNIST, "rb") as f:
        data = f.read()
    assert int.from_bytes(data[0:4], "big") == 2051
    rows, cols = int.from_bytes(data[8:12], "big"), int.from_bytes(data[12:16], "big")
    imgs = np.frombuffer(data, dtype=np.uint8, offset=16).reshape(-1, rows, cols)
    return imgs[:n]


def tint(gray, rgb):
    """Grey uint8 -> RGB with per-channel gain (a 'tinted' real image)."""
    g = gray.astype(np.float64)
    return np.stack([np.floor(g * c) for c in rgb], axis=-1).astype(np.uint8)


def smooth(h, w, phase):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 127.5 + 127.5 * np.sin(x / w * 2 * np.pi + phase) * np.cos(y / h * np.pi)
    g = 255.0 * (x + y) / (w + h - 2)
    b = 127.5 + 100.0 * np.cos((x - y) / (w + h) * 6 * np.pi + phase)
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def make_inputs():
    rs = np.random.RandomState(20240607)
    imgs = {}
    imgs["random0"] = rs.randint(0, 256, (32, 32, 3)).astype(np.uint8)
    imgs["random_narrow"] = rs.randint(60, 141, (32, 32, 3)).astype(np.uint8)
    imgs["smooth0"] = smooth(32, 32, 0.3)
    imgs["constant"] = np.broadcast_to(np.array([77, 140, 200], np.uint8), (32, 32, 3)).copy()
    one = rs.randint(0, 256, (32, 32, 3)).astype(np.uint8)
    one[:, :, 0] = 128
    imgs["one_constant_channel"] = one
    sparse = np.zeros((32, 32, 3), np.uint8)  # few levels, one dominant: equalize LUT > 255 case
    sparse[rs.rand(32, 32) < 0.1] = [200, 30, 255]
    sparse[5, 7] = [1, 2, 3]
    imgs["sparse"] = sparse
    fm = fashion(3)
    for i, (g, t) in enumerate(zip(fm, [(1.0, 0.8, 0.55), (0.5, 0.9, 1.0), (1.0, 1.0, 1.0)])):
        imgs["fmnist%d" % i] = np.pad(tint(g, t), ((2, 2), (2, 2), (0, 0)))
    imgs["nonsquare_24x40"] = rs.randint(0, 256, (24, 40, 3)).astype(np.uint8)
    big = Image.fromarray(tint(fm[0], (0.9, 0.75, 0.5)), "RGB").resize((224, 224), Image.BILINEAR)
    imgs["fmnist0_224"] = np.asarray(big, dtype=np.uint8).copy()
    imgs["smooth_224"] = smooth(224, 224, 1.1)
    return imgs


# ----------------------------------------------------------------------------- case grid

ROTATE = [0, 1, -1, 2, -3, 5, -5, 8, -8, 0.3, 2.5, -7.25, 12.75, 15, -15, 22.2, -29.9, 30, -30,
          45, 90, -90, 180, 270, 360.5]
SHEAR = [0.0, 0.003, -0.003, 0.05, -0.05, 0.0899, -0.09, 0.123456, -0.17, 0.25, 0.3, -0.3]
SHIFT = [0, 1, -1, 2, -3, 3, 0.5, -0.5, 1.25, -2.75, 7.7, -10.5, 33, -40]
POSTERIZE = list(range(0, 9))
SOLARIZE = [0, 1, 64, 127.5, 128, 180, 200, 254, 255, 256]
ENHANCE = [0.0, 0.1, 0.118, 0.25, 0.5, 0.64, 0.9, 0.999, 1.0, 1.1, 1.3, 1.5, 1.9]


def full_grid():
    cases = [("autocontrast", 0.0), ("equalize", 0.0)]
    cases += [("rotate", float(a)) for a in ROTATE]
    for op in ("shear_x", "shear_y"):
        cases += [(op, float(s)) for s in SHEAR]
    for op in ("translate_x", "translate_y"):
        cases += [(op, float(t)) for t in SHIFT]
    cases += [("posterize", float(b)) for b in POSTERIZE]
    cases += [("solarize", float(t)) for t in SOLARIZE]
    for op in ("color", "contrast", "brightness", "sharpness"):
        cases += [(op, float(f)) for f in ENHANCE]
    return cases


SMALL_GRID = [("autocontrast", 0.0), ("equalize", 0.0), ("rotate", 7.0), ("rotate", -12.5), ("rotate", 90.0),
              ("shear_x", 0.07), ("shear_y", -0.21), ("translate_x", -2.0), ("translate_y", 1.5),
              ("posterize", 3.0), ("posterize", 1.0), ("solarize", 100.0), ("color", 0.3), ("color", 1.7),
              ("contrast", 0.45), ("contrast", 1.6), ("brightness", 0.2), ("brightness", 1.8),
              ("sharpness", 0.15), ("sharpness", 1.9)]

BIG_GRID = [("autocontrast", 0.0), ("equalize", 0.0), ("rotate", 5.0), ("rotate", -17.5), ("shear_x", 0.09),
            ("shear_y", -0.3), ("translate_x", 2.5), ("translate_y", -7.0), ("posterize", 3.0),
            ("solarize", 200.0), ("color", 0.3), ("contrast", 1.4), ("brightness", 0.6),
            ("sharpness", 0.2), ("sharpness", 1.9)]

GRIDS = {
    "random0": "full", "smooth0": "full", "fmnist0": "full", "one_constant_channel": "full",
    "random_narrow": "small", "constant": "small", "sparse": "small", "fmnist1": "small",
    "fmnist2": "small", "nonsquare_24x40": "small", "fmnist0_224": "big", "smooth_224": "big_geo",
}

AUGMIX = [
    # image, seed, epoch, sample, config
    ("fmnist0", 1, 0, 0, {"width": 3, "depth": -1, "severity": 3, "all_ops": False}),
    ("fmnist1", 1, 0, 1, {"width": 3, "depth": -1, "severity": 3, "all_ops": False}),
    ("random0", 1, 7, 123456, {"width": 3, "depth": -1, "severity": 3, "all_ops": False}),
    ("smooth0", 0x1234567887654321, 99, 49999, {"width": 3, "depth": -1, "severity": 3, "all_ops": False}),
    ("fmnist2", 42, 3, 17, {"width": 3, "depth": -1, "severity": 3, "all_ops": True}),
    ("random_narrow", 42, 3, 18, {"width": 4, "depth": 2, "severity": 10, "all_ops": True}),
    ("one_constant_channel", 5, 1, 2, {"width": 1, "depth": 3, "severity": 6, "all_ops": True}),
    ("nonsquare_24x40", 9, 2, 3, {"width": 3, "depth": -1, "severity": 3, "all_ops": True}),
    ("fmnist0_224", 1, 0, 5, {"width": 3, "depth": -1, "severity": 1, "all_ops": False}),
]
# rows [y0, y1) of the stored float output, to keep the 224x224 sample small (None: all rows)
AUGMIX_ROWS = {"fmnist0_224": (100, 110)}


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src/test/resources/golden/augment")
    os.makedirs(out_dir, exist_ok=True)

    # record the affine data Pillow's rotate passes to transform
    matrices = []
    orig_transform = Image.Image.transform

    def recording_transform(self, size, method, data=None, *args, **kwargs):
        if method == Image.AFFINE and recording_transform.angle is not None:
            matrices.append({"angle": recording_transform.angle, "h": self.size[1], "w": self.size[0],
                             "matrix": [float(v) for v in data]})
        return orig_transform(self, size, method, data, *args, **kwargs)

    recording_transform.angle = None
    Image.Image.transform = recording_transform

    imgs = make_inputs()
    inputs, images, off = [], [], 0
    for name, a in imgs.items():
        images.append({"name": name, "h": a.shape[0], "w": a.shape[1], "offset": off})
        inputs.append(a.tobytes())
        off += a.nbytes

    grids = {"full": full_grid(), "small": SMALL_GRID, "big": BIG_GRID,
             "big_geo": [("rotate", -17.5), ("shear_y", -0.3)]}
    cases, outputs, off = [], [], 0
    seen_angles = set()
    for name, grid in GRIDS.items():
        img = Image.fromarray(imgs[name], "RGB")
        for op, p in grids[grid]:
            key = (p, img.size)
            recording_transform.angle = p if (op == "rotate" and key not in seen_angles) else None
            seen_angles.add(key)
            res = apply_op(img, op, p)
            recording_transform.angle = None
            assert res.mode == "RGB" and res.size == img.size
            b = np.asarray(res, dtype=np.uint8).tobytes()
            cases.append({"image": name, "op": op, "param": p, "offset": off})
            outputs.append(b)
            off += len(b)

    samples, floats, off = [], [], 0
    for name, seed, epoch, sample, cfg in AUGMIX:
        meta, arr = augmix_sample(imgs[name], seed, epoch, sample, cfg)
        rows = AUGMIX_ROWS.get(name, (0, arr.shape[2]))
        arr = np.ascontiguousarray(arr[:, :, rows[0]:rows[1], :])
        meta.update({"rows": list(rows), "image": name, "seed": seed, "epoch": epoch, "sample": sample, "config": cfg,
                     "offset": off, "floats": int(arr.size)})
        samples.append(meta)
        floats.append(arr.tobytes())
        off += arr.size
    Image.Image.transform = orig_transform

    manifest = {
        "generator": "tools/pillow/golden_augment.py",
        "pillow": PIL.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
        "images": images, "cases": cases, "augmix": samples, "rotate_matrices": matrices,
    }
    with open(os.path.join(out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    for fname, chunks in (("inputs.bin.gz", inputs), ("outputs.bin.gz", outputs), ("augmix.bin.gz", floats)):
        with open(os.path.join(out_dir, fname), "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
                for c in chunks:
                    f.write(c)
    print("wrote %d images, %d op cases, %d AugMix samples, %d rotate matrices to %s (Pillow %s)"
          % (len(images), len(cases), len(samples), len(matrices), out_dir, PIL.__version__))


if __name__ == "__main__":
    main()
