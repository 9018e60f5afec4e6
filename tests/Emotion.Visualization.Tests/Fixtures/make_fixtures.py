#!/usr/bin/python3
"""Writes the reference values the Emotion.Visualization tests compare against.

Run with Debian's interpreter (it has matplotlib, numpy and torch 1.13):
    /usr/bin/python3 tests/Emotion.Visualization.Tests/Fixtures/make_fixtures.py
Outputs (next to this script):
  colormaps.json  matplotlib's 'turbo' (Google's published table) and 'jet' sampled at v = i/255, i = 0..255, RGB in [0, 1]
  bilinear.json   torch.nn.functional.interpolate(mode='bilinear', align_corners=False) of small fixed maps
"""
import json
import os

import matplotlib
import numpy as np
import torch
import torch.nn.functional as F

here = os.path.dirname(os.path.abspath(__file__))

v = np.arange(256) / 255.0
maps = {}
for name in ("turbo", "jet"):
    cmap = matplotlib.colormaps[name]
    maps[name] = [[round(float(c), 6) for c in cmap(x)[:3]] for x in v]
with open(os.path.join(here, "colormaps.json"), "w") as f:
    json.dump({"source": f"matplotlib {matplotlib.__version__}", "values": list(v), "maps": maps}, f)

cases = []
rng = np.random.default_rng(7)
for (h, w, oh, ow) in [(3, 4, 7, 9), (2, 2, 5, 3), (4, 4, 4, 4), (7, 7, 28, 28), (5, 6, 3, 2)]:
    src = rng.random((h, w)).astype(np.float32)
    out = F.interpolate(torch.from_numpy(src)[None, None], size=(oh, ow), mode="bilinear", align_corners=False)[0, 0].numpy()
    cases.append({"h": h, "w": w, "outH": oh, "outW": ow,
                  "source": [float(x) for x in src.ravel()], "expected": [float(x) for x in out.ravel()]})
with open(os.path.join(here, "bilinear.json"), "w") as f:
    json.dump({"source": f"torch {torch.__version__}", "cases": cases}, f)
print("wrote colormaps.json and bilinear.json")
