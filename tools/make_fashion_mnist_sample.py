#!/usr/bin/env python3
"""Writes data/fashion-mnist-sample/: the real images the embedded default trains on.

The first 3,000 training and 1,000 test images of Fashion-MNIST (Zalando Research, MIT licence),
in the original IDX format (gzip), from Debian's dataset-fashion-mnist package:

    apt-get install dataset-fashion-mnist && python3 tools/make_fashion_mnist_sample.py
"""
import gzip
import os
import struct

SRC = "/usr/share/datasets/fashion-mnist"
OUT = os.path.join(os.path.dirname(__file__), "..", "data", "fashion-mnist-sample")
SIZES = {"train": 3000, "t10k": 1000}


def cut(name, n, item_bytes):
    with gzip.open(os.path.join(SRC, name + ".gz"), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    header = 16 if magic == 2051 else 8
    head = data[:4] + struct.pack(">I", n) + data[8:header]
    body = data[header:header + n * item_bytes]
    assert len(body) == n * item_bytes, name
    # mtime=0: the same bytes on every run
    with gzip.GzipFile(os.path.join(OUT, name + ".gz"), "wb", compresslevel=9, mtime=0) as g:
        g.write(head + body)


os.makedirs(OUT, exist_ok=True)
for split, n in SIZES.items():
    cut(split + "-images-idx3-ubyte", n, 28 * 28)
    cut(split + "-labels-idx1-ubyte", n, 1)
print("wrote", os.path.normpath(OUT))
