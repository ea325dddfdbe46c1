#!/usr/bin/env python3
"""Peer: a PyTorch WideResNet AugMix(+JSD) training step and epoch, timed in the units of `augmix4j bench`.

    python3 bench/peers/pytorch_wrn_train.py [--device cpu|cuda] [--models 16-2,40-2] [--modes jsd,nojsd,noaugmix]
                                             [--precision fp32,bf16] [--runs 3] [--epoch] [--json FILE]

The model is the official AugMix WideResNet (pre-activation basic blocks of widths 16k, 32k, 64k;
the shortcut 1x1 conv takes the activated input where the width changes; BN, ReLU, global
average pool, fc), written here from that description. The step is the official cifar.py step:
one forward over cat([clean, aug1, aug2]) (3B images, so batch norm sees all of them), loss
CE(clean) + 12 * JS(clean, aug1, aug2) with the mixture clamped to [1e-7, 1] (or CE alone),
backward, SGD lr 0.1 momentum 0.9 Nesterov weight decay 5e-4, and float(loss) every step (the
official loss EMA, which synchronises the GPU each step).

Figures (same names as `augmix4j bench`; device "cpu" or "gpu"; mixed precision adds _bf16 or
_fp16 before the unit part of the name):
  train_step_wrn40_2_jsd_samples_per_s, train_step_wrn40_2_jsd_ms: the step on an already-made batch
      (augmentation excluded: in the official pipeline DataLoader workers make batches in parallel;
      `augmix4j bench` includes its augmentation in the step and prints its share)
  epoch_estimate_wrn40_2_jsd_s: 50,000 / median samples/s
  epoch_wrn40_2_jsd_s (--epoch): a real epoch of --epoch-size synthetic samples through a DataLoader
      with --loader-workers processes running the official Pillow AugMix pipeline (bench/peers/pillow_augmix.py)
  eval_wrn40_2_images_per_s: eval-mode forward of --eval-batch images (no grad)
CUDA: cudnn.benchmark = True as in cifar.py; TF32 is left at PyTorch's defaults unless --tf32 on|off
(PyTorch's default lets cuDNN convolutions use TF32); every timed run ends with torch.cuda.synchronize().
bf16 runs under torch.autocast (no loss scaling); fp16 uses a GradScaler.

Needs torch (pip install torch, or Debian's python3-torch with /usr/bin/python3); without it it says so and exits 3.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peerlib  # noqa: E402

PEER = "pytorch_wrn_train.py"
CIFAR_TRAIN = 50_000

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as e:
    peerlib.missing(PEER, "PyTorch is not installed (no module %s)" % e.name,
                    "pip install torch (CPU or CUDA wheel), then rerun; the figures compare with `augmix4j bench --only train,eval`")


# ---------------------------------------------------------------- the official WideResNet, restated

class Block(nn.Module):
    """Pre-activation basic block: BN-ReLU-conv3x3(stride)-BN-ReLU-conv3x3, plus the shortcut."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.convShortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout else None

    def forward(self, x):
        a = F.relu(self.bn1(x))
        h = self.conv2(F.relu(self.bn2(self.conv1(a))))
        # where widths differ the shortcut sees the activated input; otherwise the raw input
        return (self.convShortcut(a) if self.convShortcut is not None else x) + h


class Stage(nn.Module):
    def __init__(self, n, cin, cout, stride):
        super().__init__()
        self.layer = nn.Sequential(*[Block(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, classes=10):
        super().__init__()
        assert (depth - 4) % 6 == 0, "depth must be 6n+4"
        n = (depth - 4) // 6
        w = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
        self.block1 = Stage(n, w[0], w[1], 1)
        self.block2 = Stage(n, w[1], w[2], 2)
        self.block3 = Stage(n, w[2], w[3], 2)
        self.bn1 = nn.BatchNorm2d(w[3])
        self.fc = nn.Linear(w[3], classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
                m.weight.data.normal_(0, (2.0 / k) ** 0.5)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.data.fill_(1)
                m.bias.data.zero_()
            elif isinstance(m, nn.Linear):
                m.bias.data.zero_()

    def forward(self, x):
        h = self.block3(self.block2(self.block1(self.conv1(x))))
        h = F.relu(self.bn1(h))
        return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


def loss_fn(logits, y, b, jsd):
    logits = logits.float()
    if not jsd:
        return F.cross_entropy(logits, y)
    lc, l1, l2 = torch.split(logits, b)
    loss = F.cross_entropy(lc, y)
    pc, p1, p2 = F.softmax(lc, dim=1), F.softmax(l1, dim=1), F.softmax(l2, dim=1)
    logm = torch.clamp((pc + p1 + p2) / 3., 1e-7, 1).log()
    return loss + 12 * (F.kl_div(logm, pc, reduction="batchmean") + F.kl_div(logm, p1, reduction="batchmean")
                        + F.kl_div(logm, p2, reduction="batchmean")) / 3.


# ---------------------------------------------------------------- timing

def grad_scaler():
    try:
        return torch.amp.GradScaler("cuda")
    except (AttributeError, TypeError):  # torch < 2.3
        return torch.cuda.amp.GradScaler()


class Trainer:
    def __init__(self, depth, widen, dev, precision, seed):
        torch.manual_seed(seed)
        self.dev = dev
        self.net = WideResNet(depth, widen).to(dev)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True)
        self.precision = precision
        self.dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
        self.scaler = grad_scaler() if precision == "fp16" else None
        self.loss_ema = 0.0

    def autocast(self):
        if self.dtype is None:
            return torch.autocast(self.dev.type, enabled=False)
        return torch.autocast(self.dev.type, dtype=self.dtype)

    def step(self, x, y, b, jsd):
        self.net.train()
        with self.autocast():
            logits = self.net(x)
        loss = loss_fn(logits, y, b, jsd)
        self.opt.zero_grad(set_to_none=True)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.opt)
            self.scaler.update()
        else:
            loss.backward()
            self.opt.step()
        self.loss_ema = self.loss_ema * 0.9 + float(loss) * 0.1  # as cifar.py does: a sync per step

    @torch.no_grad()
    def evaluate(self, x):
        self.net.eval()
        with self.autocast():
            return self.net(x)


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize()


def timed(dev, runs, warmup, fn):
    """Seconds per run, and the median CPU share (process CPU time / (wall x threads); None on CUDA)."""
    for _ in range(warmup):
        fn()
    sync(dev)
    secs, shares = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        sync(dev)
        wall = time.perf_counter() - t0
        secs.append(wall)
        shares.append((time.process_time() - c0) / (wall * torch.get_num_threads()))
    shares.sort()
    return secs, (None if dev.type == "cuda" else shares[len(shares) // 2])


def real_epoch(tr, args, jsd_mode, dev):
    """One epoch through a DataLoader running the official Pillow AugMix pipeline in worker processes."""
    import numpy as np
    import pillow_augmix as pa
    from torch.utils.data import DataLoader, Dataset

    class AugMixSet(Dataset):
        def __init__(self, n):
            self.images = pa.make_images(min(n, 2048), args.seed)
            self.labels = np.random.RandomState(args.seed).randint(0, 10, n)
            self.n = n

        def __len__(self):
            return self.n

        def __getitem__(self, i):
            x = pa.train_transform(self.images[i % len(self.images)])
            if jsd_mode == "jsd":
                views = (pa.preprocess(x), pa.aug(x), pa.aug(x))
            elif jsd_mode == "nojsd":
                views = (pa.aug(x),)
            else:
                views = (pa.preprocess(x),)
            return tuple(torch.from_numpy(np.ascontiguousarray(v)) for v in views), int(self.labels[i])

    def seed_worker(wid):
        np.random.seed(args.seed + 1000 * wid)

    loader = DataLoader(AugMixSet(args.epoch_size), batch_size=args.batch, shuffle=True, num_workers=args.loader_workers,
                        pin_memory=dev.type == "cuda", drop_last=False, worker_init_fn=seed_worker)
    sync(dev)
    t0 = time.perf_counter()
    for views, y in loader:
        b = y.shape[0]
        x = torch.cat(views, 0).to(dev, non_blocking=True)
        tr.step(x, y.to(dev, non_blocking=True), b, jsd_mode == "jsd")
    sync(dev)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="auto", choices=["cpu", "cuda", "auto"], help="auto: cuda when available, else cpu (default)")
    p.add_argument("--models", default="16-2,40-2", help="depth-widen list (default: 16-2,40-2)")
    p.add_argument("--modes", default="jsd,nojsd,noaugmix", help="jsd, nojsd, noaugmix (default: all three)")
    p.add_argument("--precision", default=None,
                   help="fp32, bf16, fp16, comma-separated (default: fp32 on CPU; fp32,bf16 on CUDA)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--eval-batch", type=int, default=500, help="images per eval forward (default: 500, as augmix4j bench)")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first (cudnn.benchmark tries algorithms on the first)")
    p.add_argument("--steps", type=int, default=None, help="steps per timed run (default: 1 on CPU, 20 on CUDA)")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads; 0 = all cores (default)")
    p.add_argument("--tf32", default="default", choices=["default", "on", "off"])
    p.add_argument("--epoch", action="store_true", help="also time one real epoch through a DataLoader with Pillow AugMix workers")
    p.add_argument("--epoch-size", type=int, default=CIFAR_TRAIN)
    p.add_argument("--loader-workers", type=int, default=4, help="DataLoader workers for --epoch (default: 4, as cifar.py)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quick", action="store_true", help="tiny sizes for a plumbing check")
    peerlib.add_output_args(p)
    args = p.parse_args()
    if args.quick:
        args.batch, args.eval_batch, args.runs, args.warmup, args.steps, args.epoch_size = 4, 8, 2, 1, 1, 64
    cuda = torch.cuda.is_available()
    if args.device == "cuda" and not cuda:
        peerlib.missing(PEER, "--device cuda but torch.cuda.is_available() is False (torch %s, CUDA build %s)"
                        % (torch.__version__, torch.version.cuda), "run on a machine with an NVIDIA GPU and a CUDA build of torch")
    dev = torch.device("cuda" if args.device == "cuda" or (args.device == "auto" and cuda) else "cpu")
    device_name = "gpu" if dev.type == "cuda" else "cpu"
    precisions = (args.precision or ("fp32,bf16" if dev.type == "cuda" else "fp32")).split(",")
    steps = args.steps or (20 if dev.type == "cuda" else 1)
    # all cores unless told otherwise (some builds, e.g. Debian's python3-torch, start with one OpenMP thread)
    torch.set_num_threads(args.threads if args.threads > 0 else peerlib.cores())
    versions = {"torch": torch.__version__, "python": sys.version.split()[0], "threads": str(torch.get_num_threads())}
    if dev.type == "cuda":
        torch.backends.cudnn.benchmark = True
        if args.tf32 != "default":
            torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = args.tf32 == "on"
        versions.update({"gpu": torch.cuda.get_device_name(0), "cuda": str(torch.version.cuda),
                         "cudnn": str(torch.backends.cudnn.version()),
                         "tf32": "conv %s, matmul %s" % (torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32)})
    figs = peerlib.Figures("pytorch peer (WRN AugMix training, %s)" % dev.type, versions)
    g = torch.Generator(device="cpu").manual_seed(args.seed)
    for spec in args.models.split(","):
        depth, widen = (int(v) for v in spec.lower().replace("wrn", "").strip("-").split("-"))
        key = "wrn%d_%d" % (depth, widen)
        for prec in precisions:
            suffix = "" if prec == "fp32" else "_" + prec
            for mode in args.modes.split(","):
                jsd = mode == "jsd"
                views = 3 if jsd else 1
                tr = Trainer(depth, widen, dev, prec, args.seed)
                x = (torch.rand(views * args.batch, 3, 32, 32, generator=g) * 2 - 1).to(dev)
                y = torch.randint(0, 10, (args.batch,), generator=g).to(dev)

                def run():
                    for _ in range(steps):
                        tr.step(x, y, args.batch, jsd)

                secs, share = timed(dev, args.runs, args.warmup, run)
                rates = [steps * args.batch / s for s in secs]
                name = "train_step_%s_%s%s" % (key, mode, suffix)
                what = "%s %s, batch %d (%d images per forward), %d step(s) per run, augmentation excluded" % (
                    key, mode, args.batch, views * args.batch, steps)
                f = figs.add(name + "_samples_per_s", rates, "samples/s", device_name, what, share)
                figs.add(name + "_ms", [1000 * s / steps for s in secs], "ms", device_name, "per step of %d samples" % args.batch, share)
                figs.add("epoch_estimate_%s_%s%s_s" % (key, mode, suffix), [], "s", device_name,
                         "derived: 50,000 samples / median samples/s", derived_value=CIFAR_TRAIN / f["value"])
                if args.epoch:
                    s = real_epoch(Trainer(depth, widen, dev, prec, args.seed), args, mode, dev)
                    figs.add("epoch_%s_%s%s_s" % (key, mode, suffix), [s], "s", device_name,
                             "one real epoch of %d synthetic samples, DataLoader with %d Pillow AugMix workers"
                             % (args.epoch_size, args.loader_workers))
                del tr, x, y
            tr = Trainer(depth, widen, dev, prec, args.seed)
            xe = (torch.rand(args.eval_batch, 3, 32, 32, generator=g) * 2 - 1).to(dev)
            secs, share = timed(dev, args.runs, args.warmup, lambda: tr.evaluate(xe))
            f = figs.add("eval_%s%s_images_per_s" % (key, suffix), [args.eval_batch / s for s in secs], "images/s", device_name,
                         "eval mode, no grad, one batch of %d" % args.eval_batch, share)
            figs.add("cifar10c_eval_estimate_%s%s_s" % (key, suffix), [], "s", device_name,
                     "derived: 750,000 images / median images/s", derived_value=750_000 / f["value"])
            del tr, xe
    figs.finish(args)


if __name__ == "__main__":
    main()
