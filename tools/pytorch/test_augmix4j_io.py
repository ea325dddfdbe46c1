"""Tests of the AugMix4J <-> PyTorch scripts.

Run: ``python3 -m unittest discover -s tools/pytorch`` (the Java test PythonToolsTest runs it too).
The pure parts need only NumPy; the rest skips without PyTorch. With the environment variable
AUGMIX4J_INTEROP_DIR (set by PythonToolsTest) it also loads a checkpoint written by AugMix4J into
PyTorch and compares logits, and leaves a converted .pth.tar there for the Java side to check.

``WideResNet`` below is this test's own implementation of the official architecture and parameter
names (google-research/augmix third_party/WideResNet_pytorch/wideresnet.py), so that the tests need no checkout of the official code;
it is checked against the PyTorch-made fixture in src/test/resources/fixtures/pytorch/wrn10-2.
"""

import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import augmix4j_io  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(REPO, "src", "test", "resources", "fixtures", "pytorch", "wrn10-2")

try:
    import torch
    from torch import nn
    import torch.nn.functional as F
except ImportError:  # the pure tests still run
    torch = None

if torch is not None:
    class _Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.bn1 = nn.BatchNorm2d(cin)
            self.relu1 = nn.ReLU(inplace=True)
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu2 = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.equal = cin == cout
            self.convShortcut = None if self.equal else nn.Conv2d(cin, cout, 1, stride, 0, bias=False)

        def forward(self, x):
            a = self.relu1(self.bn1(x))
            h = self.conv2(self.relu2(self.bn2(self.conv1(a))))
            return (x if self.equal else self.convShortcut(a)) + h

    class _Stage(nn.Module):
        def __init__(self, n, cin, cout, stride):
            super().__init__()
            self.layer = nn.Sequential(*[_Block(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(n)])

        def forward(self, x):
            return self.layer(x)

    class WideResNet(nn.Module):
        """Same constructor as the official one: (depth, num_classes, widen_factor, drop_rate)."""

        def __init__(self, depth, num_classes, widen_factor=1, drop_rate=0.0):
            super().__init__()
            n, w = (depth - 4) // 6, [16, 16 * widen_factor, 32 * widen_factor, 64 * widen_factor]
            self.conv1 = nn.Conv2d(3, w[0], 3, 1, 1, bias=False)
            self.block1 = _Stage(n, w[0], w[1], 1)
            self.block2 = _Stage(n, w[1], w[2], 2)
            self.block3 = _Stage(n, w[2], w[3], 2)
            self.bn1 = nn.BatchNorm2d(w[3])
            self.relu = nn.ReLU(inplace=True)
            self.fc = nn.Linear(w[3], num_classes)

        def forward(self, x):
            h = self.relu(self.bn1(self.block3(self.block2(self.block1(self.conv1(x))))))
            return self.fc(F.adaptive_avg_pool2d(h, 1).flatten(1))


class PureTest(unittest.TestCase):
    def test_strip_module_prefix(self):
        m = augmix4j_io.strip_module_prefix(["module.conv1.weight", "fc.bias"])
        self.assertEqual(m, {"module.conv1.weight": "conv1.weight", "fc.bias": "fc.bias"})
        with self.assertRaises(ValueError):
            augmix4j_io.strip_module_prefix(["module.fc.bias", "fc.bias"])

    def test_find_state_dict_in_an_official_checkpoint(self):
        sd = {"module.conv1.weight": 1, "module.fc.bias": 2}
        ckpt = {"epoch": 100, "dataset": "cifar10", "model": "wrn", "state_dict": sd, "best_acc": 95.3, "optimizer": {"state": {}}}
        got, info = augmix4j_io.find_state_dict(ckpt)
        self.assertIs(got, sd)
        self.assertEqual(info, {"epoch": 100, "dataset": "cifar10", "model": "wrn", "best_acc": 95.3})
        bare = {"conv1.weight": 1, "fc.bias": 2}
        self.assertIs(augmix4j_io.find_state_dict(bare)[0], bare)
        with self.assertRaises(ValueError):
            augmix4j_io.find_state_dict({"epoch": 3})
        with self.assertRaises(ValueError):
            augmix4j_io.find_state_dict([1, 2])

    def test_infer_wrn(self):
        shapes = {"block1.layer.%d.conv1.weight" % i: (32, 16 if i == 0 else 32, 3, 3) for i in range(6)}
        shapes["fc.bias"] = (100,)
        self.assertEqual(augmix4j_io.infer_wrn(shapes), (40, 2, 100))
        with self.assertRaises(ValueError):
            augmix4j_io.infer_wrn({"fc.bias": (10,)})

    def test_safetensors_round_trip(self):
        t = {"w": np.arange(24, dtype=np.float32).reshape(2, 3, 4), "n": np.array(7, dtype=np.int64),
             "be": np.arange(3, dtype=">f4")}
        with tempfile.TemporaryDirectory() as d:
            f = os.path.join(d, "x.safetensors")
            augmix4j_io.save_file(t, f, {"format": "pt"})
            back, meta = augmix4j_io.load_file(f)
            self.assertEqual(meta, {"format": "pt"})
            np.testing.assert_array_equal(back["w"], t["w"])
            self.assertEqual(back["n"].shape, ())
            self.assertEqual(int(back["n"]), 7)
            np.testing.assert_array_equal(back["be"], [0, 1, 2])
            with open(f, "rb") as fh:
                raw = fh.read()
            self.assertEqual((8 + int.from_bytes(raw[:8], "little")) % 8, 0, "tensor data 8-byte aligned")
            with open(f, "wb") as fh:
                fh.write(raw[:-5])
            with self.assertRaises(ValueError):
                augmix4j_io.load_file(f)

    def test_reads_the_pytorch_fixture(self):
        t, meta = augmix4j_io.load_file(os.path.join(FIXTURE, "model.safetensors"))
        self.assertEqual(augmix4j_io.infer_wrn({k: v.shape for k, v in t.items()}), (10, 2, 10))
        self.assertEqual(t["bn1.num_batches_tracked"].dtype, np.int64)
        self.assertEqual(t["bn1.num_batches_tracked"].shape, ())


@unittest.skipIf(torch is None, "PyTorch is not installed")
class TorchTest(unittest.TestCase):
    def test_our_test_model_matches_the_pytorch_fixture(self):
        import load_augmix4j
        net, arch = load_augmix4j.load_augmix4j(os.path.join(FIXTURE, "model.safetensors"), WideResNet)
        self.assertEqual(arch, (10, 2, 10))
        exp, _ = augmix4j_io.load_file(os.path.join(FIXTURE, "expected.safetensors"))
        with torch.no_grad():
            logits = net(torch.from_numpy(exp["x_eval"])).numpy()
        np.testing.assert_allclose(logits, exp["logits_eval"], rtol=1e-4, atol=1e-4)

    # torch < 2's weights_only unpickler refuses floats (best_acc, the optimizer's lr): those need --allow-pickle
    PICKLE = ([] if int(torch.__version__.split(".")[0]) >= 2 else ["--allow-pickle"]) if torch is not None else []

    def _official_checkpoint(self, d, data_parallel=True):
        torch.manual_seed(0)
        net = WideResNet(10, 10, 2, 0.0)
        net.train()
        with torch.no_grad():
            net(torch.randn(6, 3, 32, 32))  # running statistics and num_batches_tracked move
        net.eval()
        model = nn.DataParallel(net) if data_parallel else net
        path = os.path.join(d, "checkpoint.pth.tar")
        torch.save({"epoch": 100, "dataset": "cifar10", "model": "wrn", "state_dict": model.state_dict(), "best_acc": 95.1,
                    "optimizer": torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9).state_dict()}, path)
        return net, path

    def test_convert_official_checkpoint(self):
        import convert_pth
        import load_augmix4j
        with tempfile.TemporaryDirectory() as d:
            net, path = self._official_checkpoint(d)
            out = os.path.join(d, "wrn.safetensors")
            convert_pth.main([path, out] + self.PICKLE)
            t, meta = augmix4j_io.load_file(out)
            self.assertEqual(set(t), set(net.state_dict()), "official keys, no 'module.' prefix")
            self.assertEqual(meta["source_epoch"], "100")
            self.assertEqual(t["block1.layer.0.bn1.num_batches_tracked"].dtype, np.int64)
            self.assertEqual(t["block1.layer.0.bn1.num_batches_tracked"].shape, (), "0-d, as in PyTorch")
            for k, v in net.state_dict().items():
                np.testing.assert_array_equal(t[k], v.numpy(), err_msg=k)
            back, arch = load_augmix4j.load_augmix4j(out, WideResNet)
            self.assertEqual(arch, (10, 2, 10))
            x = torch.randn(4, 3, 32, 32)
            with torch.no_grad():
                np.testing.assert_array_equal(back(x).numpy(), net(x).numpy())
            out2 = os.path.join(d, "wrn-nonbt.safetensors")
            convert_pth.main([path, out2, "--drop-num-batches-tracked"] + self.PICKLE)
            self.assertFalse(any(k.endswith("num_batches_tracked") for k in augmix4j_io.load_file(out2)[0]))

    @unittest.skipUnless(os.environ.get("AUGMIX4J_INTEROP_DIR"), "set by the Java test PythonToolsTest")
    def test_java_checkpoint_in_pytorch_and_back(self):
        """AugMix4J's checkpoint loads strictly into PyTorch and gives AugMix4J's logits; a converted
        official checkpoint is left for the Java side, with PyTorch's logits on the same images."""
        import convert_pth
        import load_augmix4j
        d = os.environ["AUGMIX4J_INTEROP_DIR"]
        net, arch = load_augmix4j.load_augmix4j(os.path.join(d, "java", "checkpoint.safetensors"), WideResNet)
        images = np.load(os.path.join(d, "images.npy"))
        x = (torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0 - 0.5) / 0.5
        java_logits = augmix4j_io.load_file(os.path.join(d, "java_logits.safetensors"))[0]["logits"]
        with torch.no_grad():
            np.testing.assert_allclose(net(x).numpy(), java_logits, rtol=1e-4, atol=1e-4)
        torch_net, path = self._official_checkpoint(d)
        convert_pth.main([path, os.path.join(d, "converted.safetensors")] + self.PICKLE)
        with torch.no_grad():
            augmix4j_io.save_file({"logits": torch_net(x).numpy()}, os.path.join(d, "torch_logits.safetensors"))


if __name__ == "__main__":
    unittest.main()
