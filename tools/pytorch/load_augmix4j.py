#!/usr/bin/env python3
"""Load an AugMix4J checkpoint into the official PyTorch WideResNet, strictly.

The official model definition is not copied here: point ``--augmix`` at a checkout of
google-research/augmix (which provides ``third_party/WideResNet_pytorch/wideresnet.py``), or
``--wrn-module`` at any file that defines ``WideResNet(depth, num_classes, widen_factor, drop_rate)``
with the official parameter names. Needs PyTorch; ``safetensors`` is used when installed, else a
built-in reader of the same format. In your own code the whole job is::

    from safetensors.torch import load_file
    from third_party.WideResNet_pytorch.wideresnet import WideResNet
    net = WideResNet(40, 10, 2, 0.0)                     # depth, classes, widen factor, drop rate
    net.load_state_dict(load_file("snapshots/RUN/checkpoint.safetensors"), strict=True)
    net.eval()

Command line (architecture from the sidecar checkpoint.json, else inferred from the tensors)::

    python3 tools/pytorch/load_augmix4j.py snapshots/RUN/checkpoint.safetensors --augmix ~/src/augmix
    # and optionally the error on uint8 NHWC images (e.g. a CIFAR-10-C file) with the official preprocessing:
    python3 tools/pytorch/load_augmix4j.py CKPT --augmix ~/src/augmix --images fog.npy --labels labels.npy
"""

import argparse
import importlib.util
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import augmix4j_io  # noqa: E402  (beside this script)


def read_state_dict(path):
    """``{key: torch.Tensor}`` from a safetensors file (DataParallel's ``module.`` prefix removed)."""
    import torch

    try:
        from safetensors.torch import load_file
        state = load_file(path)
    except ImportError:
        arrays, _ = augmix4j_io.load_file(path)
        state = {k: torch.from_numpy(v) for k, v in arrays.items()}
    names = augmix4j_io.strip_module_prefix(list(state))
    return {names[k]: v for k, v in state.items()}


def architecture(path, state):
    """(depth, widen, classes): from the sidecar NAME.json that AugMix4J writes, else from the tensors."""
    stem = path[:-len(".safetensors")] if path.endswith(".safetensors") else path
    side = stem + ".json"
    if os.path.isfile(side):
        with open(side) as f:
            s = json.load(f)
        if "layers" in s and "widen_factor" in s and "classes" in s:
            return s["layers"], s["widen_factor"], s["classes"]
    return augmix4j_io.infer_wrn({k: tuple(v.shape) for k, v in state.items()})


def wideresnet_class(augmix_dir=None, module_file=None):
    if module_file:
        spec = importlib.util.spec_from_file_location("wideresnet", module_file)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod.WideResNet
    if augmix_dir:
        sys.path.insert(0, os.path.abspath(os.path.expanduser(augmix_dir)))
    try:
        from third_party.WideResNet_pytorch.wideresnet import WideResNet
    except ImportError as e:
        raise SystemExit("error: cannot import the official WideResNet (%s); pass --augmix DIR (a checkout of "
                         "google-research/augmix) or --wrn-module FILE.py" % e)
    return WideResNet


def load_augmix4j(path, WideResNet):
    """The official WideResNet with the checkpoint's weights, loaded with strict=True, in eval mode."""
    state = read_state_dict(path)
    depth, widen, classes = architecture(path, state)
    net = WideResNet(depth, classes, widen, 0.0)
    # AugMix4J names the WRN shortcut convShortcut (the third-party WideResNet's name); the released
    # official wideresnet.py names it conv_shortcut: follow whichever this module uses
    wanted = set(net.state_dict())
    state = {(k.replace(".convShortcut.", ".conv_shortcut.")
              if k not in wanted and k.replace(".convShortcut.", ".conv_shortcut.") in wanted else k): v
             for k, v in state.items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    return net, (depth, widen, classes)


def error_on(net, images_npy, labels_npy, batch=500):
    """Top-1 error (%) on uint8 (N, 32, 32, 3) images with the official test preprocessing (x/255 - 0.5)/0.5."""
    import numpy as np
    import torch

    x = np.load(images_npy, mmap_mode="r")
    y = np.load(labels_npy).astype(np.int64)
    if len(x) != len(y):
        raise SystemExit("error: %d images but %d labels" % (len(x), len(y)))
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            b = torch.from_numpy(np.ascontiguousarray(x[i:i + batch])).permute(0, 3, 1, 2).float()
            b = (b / 255.0 - 0.5) / 0.5
            correct += int((net(b).argmax(1).numpy() == y[i:i + batch]).sum())
    return 100.0 * (len(y) - correct) / len(y)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="checkpoint.safetensors written by AugMix4J's train")
    p.add_argument("--augmix", help="checkout of google-research/augmix (for third_party/WideResNet_pytorch)")
    p.add_argument("--wrn-module", help="a .py file defining the official WideResNet (instead of --augmix)")
    p.add_argument("--images", help="uint8 NHWC .npy images to evaluate on (e.g. a CIFAR-10-C file)")
    p.add_argument("--labels", help="labels .npy for --images")
    args = p.parse_args(argv)
    net, (d, k, c) = load_augmix4j(args.checkpoint, wideresnet_class(args.augmix, args.wrn_module))
    n = sum(p.numel() for p in net.parameters())
    print("Loaded %s into the official WideResNet (WRN-%d-%d, %d classes, %d parameters) with strict=True"
          % (args.checkpoint, d, k, c, n))
    if args.images:
        if not args.labels:
            raise SystemExit("error: --images needs --labels")
        print("Error on %s: %.2f%%" % (args.images, error_on(net, args.images, args.labels)))


if __name__ == "__main__":
    main()
