"""Shared helpers of the AugMix4J <-> PyTorch scripts; pure Python + NumPy (no PyTorch needed).

* state-dict key handling: DataParallel's ``module.`` prefix, finding the state dict inside an
  official ``checkpoint.pth.tar`` dictionary;
* the WideResNet architecture (depth, widen factor, classes) inferred from tensor names and shapes,
  as AugMix4J's ``eval`` does;
* a minimal safetensors reader and writer on NumPy arrays, used when the ``safetensors`` package is
  not installed (the format: 8-byte little-endian header length, a JSON header
  ``{name: {dtype, shape, data_offsets}}`` with an optional ``__metadata__`` string map, raw
  little-endian data).
"""

import json
import os
import struct

import numpy as np

MODULE_PREFIX = "module."

# safetensors dtype names <-> NumPy dtypes (little-endian)
_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U8": np.dtype("u1"), "BOOL": np.dtype("?"),
}


def strip_module_prefix(keys):
    """Maps each key to its name without DataParallel's ``module.`` prefix; refuses clashes."""
    out = {}
    for k in keys:
        new = k[len(MODULE_PREFIX):] if k.startswith(MODULE_PREFIX) else k
        if new in out.values():
            raise ValueError("key %r clashes with another key once 'module.' is stripped" % k)
        out[k] = new
    return out


def find_state_dict(obj):
    """The model's state dict inside what ``torch.load`` returned.

    The official cifar.py saves ``{'epoch', 'dataset', 'model', 'state_dict', 'best_acc',
    'optimizer'}``; other scripts save ``{'model': ...}``, ``{'net': ...}`` or the bare state dict.
    Returns ``(state_dict, info)`` where info holds the other scalar entries (epoch, dataset, ...).
    """
    if not isinstance(obj, dict):
        raise ValueError("expected a dict (a checkpoint or a state_dict), got %s" % type(obj).__name__)
    for key in ("state_dict", "model_state_dict", "model", "net"):
        if key in obj and isinstance(obj[key], dict):
            info = {k: v for k, v in obj.items() if isinstance(v, (int, float, str, bool))}
            return obj[key], info
    if any(isinstance(k, str) and k.endswith(".weight") for k in obj):
        return obj, {}
    raise ValueError("no state_dict in this checkpoint; its keys are %s" % sorted(map(str, obj))[:10])


def infer_wrn(shapes):
    """(depth, widen_factor, classes) of an official WideResNet from ``{name: shape}`` (prefix stripped).

    Blocks per stage n = number of ``block1.layer.<i>.conv1.weight``; depth = 6n + 4; the first
    block's conv1 has 16k output channels; fc.bias has one entry per class.
    """
    n = 0
    while "block1.layer.%d.conv1.weight" % n in shapes:
        n += 1
    if n == 0 or "fc.bias" not in shapes:
        raise ValueError("not an official WideResNet state_dict (no block1.layer.0.conv1.weight / fc.bias); keys: %s"
                         % sorted(shapes)[:8])
    width = int(shapes["block1.layer.0.conv1.weight"][0])
    if width % 16:
        raise ValueError("block1.layer.0.conv1.weight has %d output channels, not a multiple of 16" % width)
    return 6 * n + 4, width // 16, int(shapes["fc.bias"][0])


def save_file(tensors, path, metadata=None):
    """Writes ``{name: numpy array}`` as safetensors (tensor data 8-byte aligned, like the reference writer)."""
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, arr in tensors.items():
        a = np.asarray(arr)
        key = next((k for k, v in _DTYPES.items() if v.kind == a.dtype.kind and v.itemsize == a.dtype.itemsize), None)
        if key is None:
            raise ValueError("tensor %r has dtype %s, which safetensors does not name" % (name, a.dtype))
        a = a.astype(_DTYPES[key], order="C", copy=False)  # little-endian, C order (np.ascontiguousarray would make 0-d arrays 1-d)
        data = a.tobytes()
        header[name] = {"dtype": key, "shape": list(a.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = "%s.%d.tmp" % (path, os.getpid())
    try:
        with open(tmp, "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for b in blobs:
                f.write(b)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # atomic: never a half-written file under the final name
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_file(path):
    """Reads a safetensors file into ``({name: numpy array}, metadata)``, validating offsets against the size."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("%s: %d bytes, too short for a safetensors file" % (path, len(raw)))
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        raise ValueError("%s: header length %d does not fit a %d-byte file (truncated?)" % (path, n, len(raw)))
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    data = memoryview(raw)[8 + n:]
    out = {}
    for name, e in header.items():
        dt = _DTYPES.get(e["dtype"])
        if dt is None:
            raise ValueError("%s: tensor %r has unsupported dtype %s" % (path, name, e["dtype"]))
        b, end = e["data_offsets"]
        count = int(np.prod(e["shape"], dtype=np.int64))
        if not 0 <= b <= end <= len(data) or end - b != count * dt.itemsize:
            raise ValueError("%s: tensor %r has data_offsets %s that do not match shape %s" % (path, name, [b, end], e["shape"]))
        out[name] = np.frombuffer(data[b:end], dtype=dt).reshape(e["shape"]).copy()
    return out, meta
