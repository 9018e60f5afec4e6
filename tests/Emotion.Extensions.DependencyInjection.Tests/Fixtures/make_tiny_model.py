#!/usr/bin/python3
"""Writes tiny_combined.onnx, the fixture of the DI tests (run once with Debian's /usr/bin/python3; torch 1.13).

The model follows Emotion.Core's exported-graph contract (docs/onnx-export.md): input `frames` float
[batch, time, 3, 4, 4] -> outputs `logits` [batch, time, 7] and `valence_arousal` [batch, time, 2], where for each
frame m = per-channel mean of the normalised pixels (3 values),
    logits = m @ W + b,   valence_arousal = tanh(m @ V + c)
with the weights below (repeated in the C# test, which derives the expected outputs from them). The Emotion.Core
metadata (`emotion.model_info`, EmotionModelInfo JSON) is appended as ONNX ModelProto.metadata_props (field 14):
appending a length-delimited field to a serialised protobuf message is equivalent to setting it.
"""
import io
import json
import os

import torch

W = [[1.0, -1.0, 0.5, 0.0, 2.0, -0.5, 0.25],
     [0.0, 1.0, -1.0, 0.5, 1.0, 0.0, -0.25],
     [-1.0, 0.0, 0.5, 1.0, -2.0, 0.5, 0.0]]
B = [0.1, 0.0, -0.1, 0.2, 0.0, 0.3, -0.2]
V = [[0.5, -0.5], [0.25, 0.5], [-0.5, 0.25]]
C = [0.0, 0.1]


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(W))
        self.b = torch.nn.Parameter(torch.tensor(B))
        self.v = torch.nn.Parameter(torch.tensor(V))
        self.c = torch.nn.Parameter(torch.tensor(C))

    def forward(self, frames):
        m = frames.mean(dim=(3, 4))  # [B, T, 3]
        return m @ self.w + self.b, torch.tanh(m @ self.v + self.c)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def metadata_entry(key, value):
    entry = field(1, key.encode()) + field(2, value.encode())
    return field(14, entry)


info = {
    "task": "combined",
    "categories": ["neutral", "anger", "disgust", "fear", "happiness", "sadness", "surprise"],
    "frameSize": 4,
    "normalization": {"mean": {"r": 0.5, "g": 0.5, "b": 0.5}, "std": {"r": 0.5, "g": 0.5, "b": 0.5}},
    "sequenceLength": 1,
    "libraryVersion": "0.1.0",
}

buffer = io.BytesIO()
torch.onnx.export(Tiny().eval(), torch.zeros(1, 2, 3, 4, 4), buffer, opset_version=17,
                  input_names=["frames"], output_names=["logits", "valence_arousal"],
                  dynamic_axes={"frames": {0: "batch", 1: "time"}, "logits": {0: "batch", 1: "time"},
                                "valence_arousal": {0: "batch", 1: "time"}})
data = buffer.getvalue() + metadata_entry("emotion.model_info", json.dumps(info))
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tiny_combined.onnx"), "wb") as f:
    f.write(data)
print(len(data), "bytes")
