#!/usr/bin/env python3
"""Convert an official AugMix checkpoint (``checkpoint.pth.tar`` / ``model_best.pth.tar`` from
google-research/augmix ``cifar.py``) into AugMix4J's safetensors layout.

Needs PyTorch (to unpickle the .pth.tar); ``safetensors`` is used when installed, else a built-in
writer of the same format. The output holds every state_dict entry under its official key, with
DataParallel's ``module.`` prefix removed, float32 weights and batch-norm statistics, and
``num_batches_tracked`` as int64 scalars when the checkpoint has them. AugMix4J's ``eval`` reads
it directly and infers the architecture from the tensors::

    python3 tools/pytorch/convert_pth.py snapshots/checkpoint.pth.tar wrn40-2.safetensors
    mvn -q compile exec:java -Dexec.args="eval --checkpoint wrn40-2.safetensors --dataset cifar10"

Only the weights are converted: the SGD state of a .pth.tar cannot continue an AugMix4J run
(``train --resume`` needs a checkpoint written by ``train``).
"""

import argparse
import inspect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import augmix4j_io  # noqa: E402  (beside this script)


def to_numpy_state(state_dict):
    """``{key without 'module.': numpy array}``: floating tensors as float32, integer ones as int64."""
    import numpy as np

    names = augmix4j_io.strip_module_prefix(list(state_dict))
    out = {}
    for k, t in state_dict.items():
        if not hasattr(t, "detach"):
            raise ValueError("state_dict entry %r is a %s, not a tensor" % (k, type(t).__name__))
        a = t.detach().cpu()
        a = a.float().numpy() if a.is_floating_point() else a.long().numpy()
        out[names[k]] = np.array(a, order="C")  # keeps 0-d num_batches_tracked 0-d
    return out


def load_checkpoint(path, allow_pickle):
    import torch

    kwargs = {"map_location": "cpu"}
    if "weights_only" in inspect.signature(torch.load).parameters:
        kwargs["weights_only"] = not allow_pickle
    try:
        return torch.load(path, **kwargs)
    except Exception as e:  # noqa: BLE001 - report what torch said
        if kwargs.get("weights_only"):
            raise SystemExit("error: %s could not be loaded with weights_only=True (%s).\n"
                             "If you trust the file, run again with --allow-pickle." % (path, e))
        raise


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", help="official .pth.tar (or any torch.save'd state_dict of the official WideResNet)")
    p.add_argument("output", help="the .safetensors file to write")
    p.add_argument("--drop-num-batches-tracked", action="store_true",
                   help="leave out the num_batches_tracked buffers (AugMix4J accepts both)")
    p.add_argument("--allow-pickle", action="store_true",
                   help="load with weights_only=False (runs arbitrary pickled code: only for files you trust)")
    args = p.parse_args(argv)

    ckpt = load_checkpoint(args.checkpoint, args.allow_pickle)
    state, info = augmix4j_io.find_state_dict(ckpt)
    tensors = to_numpy_state(state)
    if args.drop_num_batches_tracked:
        tensors = {k: v for k, v in tensors.items() if not k.endswith("num_batches_tracked")}
    depth, widen, classes = augmix4j_io.infer_wrn({k: v.shape for k, v in tensors.items()})
    meta = {"format": "pt", "producer": "augmix4j convert_pth.py", "source": os.path.basename(args.checkpoint)}
    meta.update({"source_" + k: v for k, v in info.items()})
    try:
        from safetensors.numpy import save_file
    except ImportError:
        save_file = augmix4j_io.save_file
    save_file(tensors, args.output, metadata={k: str(v) for k, v in meta.items()})
    extra = ", ".join("%s %s" % (k, v) for k, v in info.items() if k in ("epoch", "dataset", "best_acc"))
    print("Wrote %s: WRN-%d-%d, %d classes, %d tensors%s" % (args.output, depth, widen, classes, len(tensors),
                                                              " (" + extra + ")" if extra else ""))


if __name__ == "__main__":
    main()
