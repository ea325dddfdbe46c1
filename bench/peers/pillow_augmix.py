#!/usr/bin/python3
"""Peer: the official Pillow AugMix pipeline, timed in the units of `augmix4j bench`.

    /usr/bin/python3 bench/peers/pillow_augmix.py [--workers 1,2] [--runs 5] [--samples 1024] [--json FILE]

Written from the published algorithm (google-research/augmix `augmentations.py` and `cifar.py`;
Hendrycks et al., ICLR 2020, Algorithm 1), with the same Pillow calls the official code makes:
per training sample, RandomHorizontalFlip then RandomCrop(32, padding=4) on the PIL image, then in
JSD mode the tuple (preprocess(x), aug(x), aug(x)), where aug draws Dirichlet weights and a Beta
mixing weight, runs `width` chains of 1..3 random ops on copies of x and mixes them after
normalisation in float32; preprocess is ToTensor + Normalize(0.5, 0.5). Randomness comes from
NumPy's global generator (as augmentations.py uses it) and Python's `random` (as torchvision's
flip and crop use it), seeded per worker.

ToTensor/Normalize and the DataLoader's collate are done with NumPy here (torch is not needed);
torch would add its own per-call overhead, so this is if anything a favourable figure for the
peer. Each timed run makes whole batches (the three views stacked as cat([clean, aug1, aug2]),
as the training loop feeds them) in `workers` processes at once, like DataLoader workers.

Figures (same names and units as `augmix4j bench`, device "cpu"):
  augmix_jsd_samples_per_s_1thread   JSD samples/s, one worker process
  augmix_jsd_samples_per_s           JSD samples/s, N worker processes (N = the last of --workers, default all cores)
  augmix_nojsd_samples_per_s         one AugMix view per sample (--no-jsd), N worker processes
Needs Debian's python3-pil and python3-numpy (apt-get install -y python3-pil python3-numpy);
run it with /usr/bin/python3.
"""
import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

try:
    import numpy as np
    from PIL import Image, ImageOps
    import PIL
except ImportError as e:  # pragma: no cover - depends on the machine
    peerlib.missing("pillow_augmix.py", "Python package missing (%s)" % e.name,
                    "apt-get install -y python3-pil python3-numpy, then run with /usr/bin/python3")

IMAGE_SIZE = 32


# ---------------------------------------------------------------- augmentations.py, restated

def int_parameter(level, maxval):
    return int(level * maxval / 10)


def float_parameter(level, maxval):
    return float(level) * maxval / 10.


def sample_level(n):
    return np.random.uniform(low=0.1, high=n)


def autocontrast(pil_img, _):
    return ImageOps.autocontrast(pil_img)


def equalize(pil_img, _):
    return ImageOps.equalize(pil_img)


def posterize(pil_img, level):
    level = int_parameter(sample_level(level), 4)
    return ImageOps.posterize(pil_img, 4 - level)


def rotate(pil_img, level):
    degrees = int_parameter(sample_level(level), 30)
    if np.random.uniform() > 0.5:
        degrees = -degrees
    return pil_img.rotate(degrees, resample=Image.BILINEAR)


def solarize(pil_img, level):
    level = int_parameter(sample_level(level), 256)
    return ImageOps.solarize(pil_img, 256 - level)


def _affine(pil_img, data):
    return pil_img.transform((IMAGE_SIZE, IMAGE_SIZE), Image.AFFINE, data, resample=Image.BILINEAR)


def shear_x(pil_img, level):
    level = float_parameter(sample_level(level), 0.3)
    if np.random.uniform() > 0.5:
        level = -level
    return _affine(pil_img, (1, level, 0, 0, 1, 0))


def shear_y(pil_img, level):
    level = float_parameter(sample_level(level), 0.3)
    if np.random.uniform() > 0.5:
        level = -level
    return _affine(pil_img, (1, 0, 0, level, 1, 0))


def translate_x(pil_img, level):
    level = int_parameter(sample_level(level), IMAGE_SIZE / 3)
    if np.random.random() > 0.5:
        level = -level
    return _affine(pil_img, (1, 0, level, 0, 1, 0))


def translate_y(pil_img, level):
    level = int_parameter(sample_level(level), IMAGE_SIZE / 3)
    if np.random.random() > 0.5:
        level = -level
    return _affine(pil_img, (1, 0, 0, 0, 1, level))


AUGMENTATIONS = [autocontrast, equalize, posterize, rotate, solarize, shear_x, shear_y, translate_x, translate_y]


# ---------------------------------------------------------------- cifar.py, restated

def preprocess(pil_img):
    """ToTensor + Normalize([0.5] * 3, [0.5] * 3): CHW float32 in [-1, 1]."""
    a = np.asarray(pil_img, dtype=np.uint8).astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    return (a - np.float32(0.5)) / np.float32(0.5)


def aug(image, severity=3, width=3, depth=-1, alpha=1.):
    ws = np.float32(np.random.dirichlet([alpha] * width))
    m = np.float32(np.random.beta(alpha, alpha))
    mix = np.zeros((3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    for i in range(width):
        image_aug = image.copy()
        d = depth if depth > 0 else np.random.randint(1, 4)
        for _ in range(d):
            op = np.random.choice(AUGMENTATIONS)
            image_aug = op(image_aug, severity)
        mix += ws[i] * preprocess(image_aug)
    return (1 - m) * preprocess(image) + m * mix


def train_transform(img):
    """RandomHorizontalFlip() then RandomCrop(32, padding=4), as torchvision draws them (Python's random)."""
    if random.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    img = ImageOps.expand(img, border=4, fill=0)
    top, left = random.randint(0, 8), random.randint(0, 8)
    return img.crop((left, top, left + IMAGE_SIZE, top + IMAGE_SIZE))


def sample(img, jsd):
    x = train_transform(img)
    if jsd:
        return preprocess(x), aug(x), aug(x)
    return (aug(x),)


def make_batch(images, order, jsd):
    """One training batch: per sample the views, then the views stacked as cat([clean, aug1, aug2])."""
    views = [sample(images[i], jsd) for i in order]
    return np.concatenate([np.stack([v[k] for v in views]) for k in range(len(views[0]))])


# ---------------------------------------------------------------- data and timing

def make_images(n, seed):
    """n natural-looking 32x32 RGB images: smooth colour fields, a few shapes, pixel noise."""
    rs = np.random.RandomState(seed)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    out = []
    for _ in range(n):
        c0, c1 = rs.randint(0, 256, 3), rs.randint(0, 256, 3)
        t = ((xx * rs.uniform(-1, 1) + yy * rs.uniform(-1, 1)) / 64 + 0.5).clip(0, 1)[..., None]
        img = c0 * (1 - t) + c1 * t
        for _ in range(rs.randint(1, 4)):
            cx, cy, r = rs.randint(0, 32), rs.randint(0, 32), rs.randint(3, 10)
            img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] = rs.randint(0, 256, 3)
        img = (img + rs.normal(0, 6, img.shape)).clip(0, 255).astype(np.uint8)
        out.append(Image.fromarray(img, "RGB"))
    return out


def measure(args, workers, jsd):
    """JSD (or no-JSD) samples/s of `workers` processes each making whole batches."""
    batches = max(1, args.samples // args.batch)

    def setup(wid):
        np.random.seed(args.seed + 1000 * wid)
        random.seed(args.seed + 1000 * wid)
        return make_images(args.images, args.seed + wid), np.random.RandomState(args.seed + 7 * wid)

    def work(state):
        images, rs = state
        for _ in range(batches):
            make_batch(images, rs.randint(0, len(images), args.batch), jsd)
        return batches * args.batch

    return peerlib.run_in_workers(workers, args.runs, args.warmup, setup, work)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--workers", default="1,%d" % peerlib.cores(),
                   help="worker process counts, comma-separated; 1 gives the _1thread figure, the last one the all-cores figures (default: 1,cores)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per figure (default: 5)")
    p.add_argument("--warmup", type=int, default=1, help="untimed batches per worker first (default: 1)")
    p.add_argument("--samples", type=int, default=1024, help="samples per worker per run (default: 1024, 8 batches of 128 as in augmix4j bench)")
    p.add_argument("--batch", type=int, default=128, help="samples per batch (default: 128)")
    p.add_argument("--images", type=int, default=256, help="distinct source images per worker (default: 256)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="tiny sizes for a plumbing check (2 runs, 1 batch of 16)")
    peerlib.add_output_args(p)
    args = p.parse_args()
    if args.quick:
        args.runs, args.samples, args.batch, args.images, args.warmup = 2, 16, 16, 16, 0
    workers = sorted({int(w) for w in args.workers.split(",")})
    figs = peerlib.Figures("pillow peer (official AugMix pipeline)",
                           {"Pillow": PIL.__version__, "numpy": np.__version__, "python": sys.version.split()[0]})
    what = "%d x %d samples per worker per run" % (max(1, args.samples // args.batch), args.batch)
    if 1 in workers:
        rates, share = measure(args, 1, True)
        figs.add("augmix_jsd_samples_per_s_1thread", rates, "samples/s", "cpu", "1 worker process, " + what, share)
    n = workers[-1]
    if n > 1:
        rates, share = measure(args, n, True)
        figs.add("augmix_jsd_samples_per_s", rates, "samples/s", "cpu", "%d worker processes, %s" % (n, what), share)
        rates, share = measure(args, n, False)
        figs.add("augmix_nojsd_samples_per_s", rates, "samples/s", "cpu",
                 "%d worker processes, one AugMix view per sample" % n, share)
    figs.finish(args)


if __name__ == "__main__":
    main()
