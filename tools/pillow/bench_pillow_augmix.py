#!/usr/bin/python3
"""Throughput of the official Pillow AugMix pipeline on one core, for comparison with AugmentBench.

    /usr/bin/python3 tools/pillow/bench_pillow_augmix.py [SECONDS]

Per JSD sample, as cifar.py / augmentations.py do it: RandomHorizontalFlip + RandomCrop(32, pad 4)
in PIL, then (preprocess(x), aug(x), aug(x)) with NumPy's RNG choosing widths, depths, ops and
levels, Pillow ops, and float32 mixing. ToTensor/Normalize are done in NumPy instead of torch
(torch is not needed here; torch adds its own per-call overhead, so this is if anything an
optimistic baseline). Prints JSD samples/s on one process (one core).
"""
import os
import random
import sys
import time

import numpy as np
from PIL import Image, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from golden_augment import DEFAULT_OPS, apply_op, make_inputs, param_from_level  # noqa: E402


def preprocess(img):
    a = np.asarray(img, dtype=np.uint8).astype(np.float32).transpose(2, 0, 1)
    return (a / np.float32(255) - np.float32(0.5)) / np.float32(0.5)


def aug(image, rs, width=3, depth=-1, severity=3):
    ws = np.float32(rs.dirichlet([1] * width))
    m = np.float32(rs.beta(1, 1))
    mix = np.zeros((3, image.size[1], image.size[0]), dtype=np.float32)
    for i in range(width):
        image_aug = image.copy()
        d = depth if depth > 0 else rs.randint(1, 4)
        for _ in range(d):
            op = DEFAULT_OPS[rs.randint(len(DEFAULT_OPS))]
            level = rs.uniform(low=0.1, high=severity) if op not in ("autocontrast", "equalize") else 0.0
            negate = rs.uniform() > 0.5 if op in ("rotate", "shear_x", "shear_y", "translate_x", "translate_y") else False
            image_aug = apply_op(image_aug, op, param_from_level(op, level, negate, image.size[0], image.size[1]))
        mix += ws[i] * preprocess(image_aug)
    return (1 - m) * preprocess(image) + m * mix


def train_transform(img):
    if random.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    top, left = random.randint(0, 8), random.randint(0, 8)
    return ImageOps.expand(img, border=4, fill=0).crop((left, top, left + 32, top + 32))


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    imgs = [Image.fromarray(a, "RGB") for a in make_inputs().values() if a.shape == (32, 32, 3)]
    rs = np.random.RandomState(1)
    random.seed(1)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 1.0:  # warm-up
        x = train_transform(imgs[n % len(imgs)])
        (preprocess(x), aug(x, rs), aug(x, rs))
        n += 1
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while True:
        x = train_transform(imgs[n % len(imgs)])
        (preprocess(x), aug(x, rs), aug(x, rs))
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            break
    cpu = time.process_time() - c0
    print("Pillow %s official AugMix pipeline, one process: %.0f JSD samples/s wall, %.0f per CPU-second "
          "(%d samples, %.1f s wall, %.1f s CPU)" % (Image.__version__, n / dt, n / cpu, n, dt, cpu))


if __name__ == "__main__":
    main()
