#!/usr/bin/env python3
"""Peer: torchvision's AugMix transform, timed in the units of `augmix4j bench`.

    python3 bench/peers/torchvision_augmix.py [--device cpu|cuda|both] [--workers 1,N] [--runs 5] [--json FILE]

The same training sample as the official pipeline, built from torchvision transforms:
RandomHorizontalFlip + RandomCrop(32, padding=4), then (preprocess(x), augmix(x), augmix(x)) with
augmix = transforms.AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=False)
(the official 9-op set; torchvision's default all_ops=True adds the 4 enhance ops) and
preprocess = ToTensor + Normalize(0.5, 0.5); batches stacked as cat([clean, aug1, aug2]).
torchvision's AugMix is not the official algorithm bit for bit: it mixes in pixel space before
normalisation, draws its own op parameters, and its tensor ops interpolate differently from
Pillow; the work per sample (3 chains of 1..3 ops, twice, plus a clean view) is the same.

CPU (device "cpu"): PIL images in `workers` forked processes (torch.set_num_threads(1) each, as
DataLoader workers run), figures augmix_jsd_samples_per_s_1thread (1 worker),
augmix_jsd_samples_per_s and augmix_nojsd_samples_per_s (N workers).
CUDA (device "gpu"): the images live on the GPU as uint8 tensors and each sample is augmented with
its own random parameters, one transform call per image (torchvision draws one parameter set per
call, so per-sample randomness needs a loop), then stacked; each run ends with
torch.cuda.synchronize(). Figure augmix_jsd_samples_per_s. For contrast,
augmix_jsd_samples_per_s_shared_params calls AugMix once per batch (one random program for all
128 images: not the same work, an upper bound for torchvision on the GPU).

Needs torch and torchvision (pip install torch torchvision); without them it says so and exits 3.
"""
import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

PEER = "torchvision_augmix.py"

try:
    import numpy as np
except ImportError:
    peerlib.missing(PEER, "Python package missing (numpy)", "pip install numpy torch torchvision")
try:
    import torch
except ImportError:
    peerlib.missing(PEER, "PyTorch is not installed (no module torch)",
                    "pip install torch torchvision (CPU or CUDA wheels), then rerun; the figures compare with "
                    "`augmix4j bench --only augment`")
try:
    import torchvision
    from torchvision import transforms
    from torchvision.transforms import InterpolationMode
    transforms.AugMix
except (ImportError, AttributeError) as e:
    peerlib.missing(PEER, "torch %s is installed but not torchvision >= 0.13 with transforms.AugMix (%s)" % (torch.__version__, e),
                    "pip install torchvision matching torch %s (or Debian: apt-get install python3-torchvision), then rerun"
                    % torch.__version__)
try:
    from PIL import Image
except ImportError:
    peerlib.missing(PEER, "Pillow is not installed", "pip install pillow (torchvision's PIL path needs it)")

from pillow_augmix import make_images  # noqa: E402  (same synthetic source images as the Pillow peer)


def augmix_transform():
    return transforms.AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=False,
                             interpolation=InterpolationMode.BILINEAR)


def cpu_pipeline():
    flipcrop = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.RandomCrop(32, padding=4)])
    preprocess = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5] * 3, [0.5] * 3)])
    augmix = augmix_transform()

    def sample(img, jsd):
        x = flipcrop(img)
        if jsd:
            return preprocess(x), preprocess(augmix(x)), preprocess(augmix(x))
        return (preprocess(augmix(x)),)

    def batch(images, order, jsd):
        views = [sample(images[i], jsd) for i in order]
        return torch.cat([torch.stack([v[k] for v in views]) for k in range(len(views[0]))])

    return batch


def measure_cpu(args, workers, jsd):
    batches = max(1, args.samples // args.batch)

    def setup(wid):
        torch.set_num_threads(1)
        torch.manual_seed(args.seed + 1000 * wid)
        random.seed(args.seed + 1000 * wid)
        return make_images(args.images, args.seed + wid), np.random.RandomState(args.seed + 7 * wid), cpu_pipeline()

    def work(state):
        images, rs, batch = state
        for _ in range(batches):
            batch(images, rs.randint(0, len(images), args.batch), jsd)
        return batches * args.batch

    return peerlib.run_in_workers(workers, args.runs, args.warmup, setup, work)


def measure_cuda(args, shared):
    """JSD samples/s on the GPU: per-image AugMix calls (shared=False) or one call per batch (shared=True)."""
    dev = torch.device("cuda")
    torch.manual_seed(args.seed)
    imgs = np.stack([np.asarray(im, dtype=np.uint8) for im in make_images(args.images, args.seed)])
    data = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous().to(dev)  # (N, 3, 32, 32) uint8
    augmix = augmix_transform()
    flipcrop = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.RandomCrop(32, padding=4)])
    mean = torch.tensor([0.5] * 3, device=dev).view(1, 3, 1, 1)

    def norm(u8):
        return (u8.float() / 255 - mean) / 0.5

    batches = max(1, args.samples // args.batch)

    def one_batch():
        idx = torch.randint(0, data.shape[0], (args.batch,), device=dev)
        x = data[idx]
        if shared:
            x = flipcrop(x)
            return torch.cat([norm(x), norm(augmix(x)), norm(augmix(x))])
        xs = [flipcrop(x[i]) for i in range(args.batch)]
        clean = torch.stack(xs)
        a1 = torch.stack([augmix(t) for t in xs])
        a2 = torch.stack([augmix(t) for t in xs])
        return torch.cat([norm(clean), norm(a1), norm(a2)])

    for _ in range(args.warmup):
        one_batch()
    torch.cuda.synchronize()
    rates = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        for _ in range(batches):
            one_batch()
        torch.cuda.synchronize()
        rates.append(batches * args.batch / (time.perf_counter() - t0))
    return rates


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="both", choices=["cpu", "cuda", "both"],
                   help="cpu: PIL path in worker processes; cuda: tensors on the GPU; both: cuda only where available (default)")
    p.add_argument("--workers", default="1,%d" % peerlib.cores(), help="CPU worker process counts (default: 1,cores)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1, help="untimed batches first (default: 1)")
    p.add_argument("--samples", type=int, default=1024, help="samples per worker per run (default: 1024)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--images", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="tiny sizes for a plumbing check")
    peerlib.add_output_args(p)
    args = p.parse_args()
    if args.quick:
        args.runs, args.samples, args.batch, args.images, args.warmup = 2, 16, 16, 16, 0
    cuda = torch.cuda.is_available()
    if args.device == "cuda" and not cuda:
        peerlib.missing(PEER, "--device cuda but torch.cuda.is_available() is False (torch %s, built for CUDA %s)"
                        % (torch.__version__, torch.version.cuda), "run on a machine with an NVIDIA GPU and a CUDA build of torch")
    versions = {"torch": torch.__version__, "torchvision": torchvision.__version__, "python": sys.version.split()[0]}
    if cuda:
        versions["gpu"] = torch.cuda.get_device_name(0)
        versions["cuda"] = torch.version.cuda
    figs = peerlib.Figures("torchvision peer (transforms.AugMix)", versions)
    what = "%d x %d samples per run" % (max(1, args.samples // args.batch), args.batch)
    if args.device in ("cpu", "both"):
        workers = sorted({int(w) for w in args.workers.split(",")})
        if 1 in workers:
            r, s = measure_cpu(args, 1, True)
            figs.add("augmix_jsd_samples_per_s_1thread", r, "samples/s", "cpu", "1 worker process, PIL, " + what, s)
        n = workers[-1]
        if n > 1:
            r, s = measure_cpu(args, n, True)
            figs.add("augmix_jsd_samples_per_s", r, "samples/s", "cpu", "%d worker processes, PIL, %s per worker" % (n, what), s)
            r, s = measure_cpu(args, n, False)
            figs.add("augmix_nojsd_samples_per_s", r, "samples/s", "cpu", "%d worker processes, one AugMix view per sample" % n, s)
    if args.device in ("cuda", "both"):
        if cuda:
            figs.add("augmix_jsd_samples_per_s", measure_cuda(args, False), "samples/s", "gpu",
                     "uint8 tensors on %s, one AugMix call per image (per-sample randomness), %s" % (versions["gpu"], what))
            figs.add("augmix_jsd_samples_per_s_shared_params", measure_cuda(args, True), "samples/s", "gpu",
                     "one AugMix call per batch: ONE random program for all images (not the same work)")
        else:
            figs.skip("augmix_jsd_samples_per_s [gpu]", "torch.cuda.is_available() is False")
    figs.finish(args)


if __name__ == "__main__":
    main()
