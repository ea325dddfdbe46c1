#!/usr/bin/env python3
"""Writes src/test/resources/onnx/tiny-classifier.onnx: the small model the `eval --onnx` tests run.

images (N, 3, 32, 32) float32 -> GlobalAveragePool -> Flatten -> Gemm(W (3, 10), b (10)) -> logits (N, 10)
with W[c][k] = (c + 1) * (k - 4.5) / 10 and b[k] = k / 10, so a Java test can compute the same
logits by hand (OnnxClassifierTest). Needs Debian's python3-onnx (1.12):

    /usr/bin/python3 tools/onnx/make_tiny_classifier.py
"""
import os
import onnx
from onnx import TensorProto, helper

W = [[(c + 1) * (k - 4.5) / 10 for k in range(10)] for c in range(3)]
B = [k / 10 for k in range(10)]

graph = helper.make_graph(
    [helper.make_node("GlobalAveragePool", ["images"], ["pooled"]),
     helper.make_node("Flatten", ["pooled"], ["flat"], axis=1),
     helper.make_node("Gemm", ["flat", "W", "B"], ["logits"])],
    "tiny_classifier",
    [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["N", 3, 32, 32])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
    [helper.make_tensor("W", TensorProto.FLOAT, [3, 10], [v for row in W for v in row]),
     helper.make_tensor("B", TensorProto.FLOAT, [10], B)])
model = helper.make_model(graph, producer_name="augmix4j tools/onnx", opset_imports=[helper.make_opsetid("", 13)])
model.ir_version = 8
onnx.checker.check_model(model)
out = os.path.join(os.path.dirname(__file__), "..", "..", "src", "test", "resources", "onnx", "tiny-classifier.onnx")
onnx.save(model, out)
print("wrote", os.path.normpath(out), os.path.getsize(out), "bytes")
