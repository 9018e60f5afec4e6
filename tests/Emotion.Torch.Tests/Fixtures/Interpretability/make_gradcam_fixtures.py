#!/usr/bin/python3
"""Reference Grad-CAM, Grad-CAM++ and gradient-saliency maps for the Emotion.Torch interpretability tests.

Run with Debian's interpreter (torch 1.13):
    /usr/bin/python3 tests/Emotion.Torch.Tests/Fixtures/Interpretability/make_gradcam_fixtures.py
Writes gradcam_reference.json next to this script.

The network ("tinycam") is rebuilt in C# by tests/Emotion.Torch.Tests/Interpretability/TinyCamModel.cs with the same
parameter names; every parameter is filled from its name by the same formula on both sides (fill() below), and so is the
input, so no weights file is needed. The maps follow the published definitions as pytorch-grad-cam implements them:
  Grad-CAM (Selvaraju et al., 2017): w_k = mean_ij g_kij; cam = relu(sum_k w_k A_k)
  Grad-CAM++ (Chattopadhay et al., 2018): a = g^2 / (2 g^2 + sum_ij(A_k) g^3 + 1e-6), 0 where g == 0;
      w_k = sum_ij relu(g_kij) a_kij; cam = relu(sum_k w_k A_k)
  saliency (Simonyan et al., 2014): max_c |dY/dx_c|
then bilinear upsampling to the frame size between the layer's cell centres and, when normalised,
(m - min) / (max - min + 1e-7). The cell centres come from receptive-field arithmetic over the backbone's convolutions up to
the layer (Araujo et al., Distill 2019: output j of a convolution is centred on input j * stride - padding + (kernel - 1) / 2),
and the resampling is torch's grid_sample (align_corners=True between centres, border clamping) -- a different code path
from the library's interpolation matrices.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))
S, B, T, HIDDEN, CLASSES = 12, 2, 3, 4, 7


def fill(name, shape):
    offset = (sum(ord(c) for c in name) % 101) / 10.0
    n = 1
    for d in shape:
        n *= d
    return torch.tensor([0.5 * math.sin(0.9 * j + offset) for j in range(n)], dtype=torch.float32).view(*shape)


def make_input():
    n = B * T * 3 * S * S
    return torch.tensor([0.8 * math.sin(0.37 * i) + 0.2 * math.cos(1.3 * i) for i in range(n)], dtype=torch.float32).view(B, T, 3, S, S)


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3, padding=1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(4, 5, 3, stride=2, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten()

    def forward(self, x):
        return self.flatten(self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x))))))


class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(5, HIDDEN, 1, batch_first=True)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = Head()
        self.classifier = nn.Linear(HIDDEN, CLASSES)
        self.regressor = nn.Linear(HIDDEN, 2)

    def forward(self, x):
        b, t = x.shape[:2]
        features = self.backbone(x.reshape(b * t, 3, S, S)).view(b, t, -1)
        seq, _ = self.head.rnn(features)
        return self.classifier(seq), torch.tanh(self.regressor(seq))


model = Model().eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        p.copy_(fill(name, p.shape))


def select(target, logits, va):
    if target == "valence":
        return va[..., 0]
    if target == "arousal":
        return va[..., 1]
    return logits[..., int(target)]


def cell_grid(layer):
    """(stride, offset): cell j of the layer's map is centred on input pixel offset + stride * j."""
    stride, offset = 1.0, 0.0
    for name, module in model.backbone.named_children():
        if isinstance(module, nn.Conv2d):
            k, s, p = module.kernel_size[0], module.stride[0], module.padding[0]
            offset += stride * (-p + (k - 1) / 2)
            stride *= s
        if name == layer:
            return stride, offset
    raise ValueError(layer)


def upsample_between_centres(cam, layer):
    stride, offset = cell_grid(layer)
    h = cam.shape[-1]
    u = (torch.arange(S, dtype=torch.float64) - offset) / stride  # cell coordinate of each pixel
    norm = (2 * u / (h - 1) - 1).float()
    gy, gx = torch.meshgrid(norm, norm, indexing="ij")
    grid = torch.stack([gx, gy], -1).expand(cam.shape[0], S, S, 2)
    return F.grid_sample(cam[:, None], grid, mode="bilinear", padding_mode="border", align_corners=True)[:, 0]


def explain(method, layer, target, mode, normalize):
    x = make_input()
    captured = {}
    handle = None
    if method == "saliency":
        x.requires_grad_(True)
        source = x
    else:
        handle = getattr(model.backbone, layer).register_forward_hook(lambda m, i, o: captured.__setitem__("a", o))
    logits, va = model(x)
    if handle is not None:
        handle.remove()
        source = captured["a"]
    scores = select(target, logits, va)
    if mode == "all":
        grads = torch.autograd.grad(scores.sum(), source)[0]
    elif mode == "last":
        grads = torch.autograd.grad(scores[:, -1].sum(), source)[0]
    else:
        parts = []
        for t in range(T):
            g = torch.autograd.grad(scores[:, t].sum(), source, retain_graph=True)[0]
            g = g.view(B, T, *g.shape[(2 if method == "saliency" else 1):])
            parts.append(g[:, t])
        grads = torch.stack(parts, 1)
        if method != "saliency":
            grads = grads.reshape(source.shape)
    a = source.detach()
    if method == "saliency":
        cam = grads.abs().view(B * T, 3, S, S).amax(1)
    elif method == "gradcam":
        cam = F.relu((grads.mean((2, 3), keepdim=True) * a).sum(1))
    else:  # gradcam++
        g2 = grads ** 2
        g3 = g2 * grads
        aij = g2 / (2 * g2 + a.sum((2, 3), keepdim=True) * g3 + 1e-6)
        aij = torch.where(grads != 0, aij, torch.zeros_like(aij))
        w = (F.relu(grads) * aij).sum((2, 3), keepdim=True)
        cam = F.relu((w * a).sum(1))
    if method != "saliency":
        cam = upsample_between_centres(cam, layer)
    if normalize:
        flat = cam.view(B * T, -1)
        flat = flat - flat.min(1, keepdim=True)[0]
        cam = (flat / (flat.max(1, keepdim=True)[0] + 1e-7)).view(B * T, S, S)
    return [float(v) for v in cam.detach().reshape(-1)], [float(v) for v in scores.detach().reshape(-1)]


cases = []
for method, layer, target, mode, normalize in [
    ("gradcam", "relu2", "4", "same", True),
    ("gradcam", "relu2", "valence", "all", False),
    ("gradcam++", "relu2", "4", "same", False),
    ("gradcam++", "conv2", "1", "same", True),
    ("gradcam", "conv2", "arousal", "last", False),
    ("saliency", None, "1", "same", False),
]:
    maps, scores = explain(method, layer, target, mode, normalize)
    cases.append({"method": method, "layer": layer, "target": target, "mode": mode, "normalize": normalize,
                  "maps": maps, "scores": scores})

with open(os.path.join(here, "gradcam_reference.json"), "w") as f:
    json.dump({"source": f"torch {torch.__version__}", "size": S, "batch": B, "frames": T, "hidden": HIDDEN,
               "classes": CLASSES, "cases": cases}, f)
print("wrote gradcam_reference.json with", len(cases), "cases")
