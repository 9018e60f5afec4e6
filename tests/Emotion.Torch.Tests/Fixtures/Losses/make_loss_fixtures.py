#!/usr/bin/python3
"""Reference values for Emotion.Torch's losses (tests/Emotion.Torch.Tests/Losses).

Run with Debian's interpreter (numpy, scikit-learn and PyTorch 1.13 installed):
    /usr/bin/python3 make_loss_fixtures.py > loss_fixtures.json

Everything is computed in float64 from float32-rounded inputs:
 - cross-entropy with torch.nn.functional.cross_entropy (ignore_index=-1, label_smoothing, weight), value and d loss / d logits;
 - balanced class weights with sklearn.utils.class_weight.compute_class_weight('balanced');
 - 1 - CCC per dimension over the masked frames (population moments, written out with torch ops here), averaged with
   dimension weights, value and d loss / d predictions by autograd;
 - masked MSE per dimension.
"""
import json
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils.class_weight import compute_class_weight

rng = np.random.default_rng(20190701)


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def ce_case(name, B, T, K, smoothing=0.0, weights=None, unlabeled=0.3):
    logits = f32(rng.normal(0, 2, size=(B, T, K)))
    targets = rng.integers(0, K, size=(B, T))
    targets[rng.random((B, T)) < unlabeled] = -1
    x = torch.tensor(logits, requires_grad=True)
    w = None if weights is None else torch.tensor(f32(weights))
    loss = F.cross_entropy(x.reshape(-1, K), torch.tensor(targets.reshape(-1)), weight=w, ignore_index=-1,
                           label_smoothing=smoothing, reduction="mean")
    loss.backward()
    return {
        "name": name, "shape": [B, T, K], "logits": logits.ravel().tolist(), "targets": targets.ravel().tolist(),
        "labelSmoothing": smoothing, "classWeights": None if weights is None else f32(weights).tolist(),
        "loss": loss.item(), "grad": x.grad.numpy().ravel().tolist(),
    }


def ccc_terms(x, y, m):
    """Per-dimension 1 - CCC of [N, D] tensors over the rows where m is 1 (population moments)."""
    out = []
    for d in range(x.shape[1]):
        sel = m[:, d] > 0
        xs, ys = x[sel, d], y[sel, d]
        mx, my = xs.mean(), ys.mean()
        vx = ((xs - mx) ** 2).mean()
        vy = ((ys - my) ** 2).mean()
        cov = ((xs - mx) * (ys - my)).mean()
        out.append(1 - 2 * cov / (vx + vy + (mx - my) ** 2))
    return out


def mse_terms(x, y, m):
    return [((x[m[:, d] > 0, d] - y[m[:, d] > 0, d]) ** 2).mean() for d in range(x.shape[1])]


def va_case(name, kind, B, T, dim_weights=None, keep=(0.7, 0.7), max_arousal_frames=None):
    pred = f32(np.tanh(rng.normal(0, 0.7, size=(B, T, 2))))
    target = f32(np.clip(0.6 * pred + rng.normal(0, 0.3, size=(B, T, 2)), -1, 1))
    mask = np.stack([rng.random((B, T)) < keep[0], rng.random((B, T)) < keep[1]], axis=-1).astype(np.float64)
    if max_arousal_frames is not None:
        idx = np.flatnonzero(mask[..., 1].ravel())
        flat = mask[..., 1].ravel()
        flat[idx[max_arousal_frames:]] = 0
        mask[..., 1] = flat.reshape(B, T)
    target = target * mask  # unlabeled targets are 0, as EmotionTargets writes them
    x = torch.tensor(pred, requires_grad=True)
    xf, yf, mf = x.reshape(-1, 2), torch.tensor(target).reshape(-1, 2), torch.tensor(mask).reshape(-1, 2)
    counts = [int(mask[..., d].sum()) for d in range(2)]
    w = [1.0, 1.0] if dim_weights is None else list(dim_weights)
    minimum = 2 if kind == "ccc" else 1
    per_dim = ccc_terms(xf, yf, mf) if kind == "ccc" else mse_terms(xf, yf, mf)
    loss = sum(w[d] * per_dim[d] for d in range(2) if counts[d] >= minimum) / sum(w)
    loss.backward()
    return {
        "name": name, "kind": kind, "shape": [B, T, 2], "predictions": pred.ravel().tolist(), "targets": target.ravel().tolist(),
        "mask": mask.ravel().tolist(), "dimensionWeights": dim_weights, "counts": counts,
        "loss": float(loss.item()), "grad": x.grad.numpy().ravel().tolist(),
    }


labels = np.array([0] * 50 + [1] * 5 + [2] * 3 + [3] * 7 + [4] * 80 + [5] * 20 + [6] * 12)
balanced = compute_class_weight("balanced", classes=np.arange(7), y=labels)
labels_missing = np.array([0] * 10 + [4] * 30 + [6] * 2)  # classes 1, 2, 3, 5 absent
present = np.unique(labels_missing)
balanced_missing = compute_class_weight("balanced", classes=present, y=labels_missing)

fixtures = {
    "generator": f"make_loss_fixtures.py, torch {torch.__version__}, scikit-learn compute_class_weight",
    "crossEntropy": [
        ce_case("plain", 3, 5, 7),
        ce_case("smoothing", 3, 5, 7, smoothing=0.1),
        ce_case("weighted", 3, 5, 7, weights=rng.uniform(0.2, 3.0, size=7)),
        ce_case("weighted_smoothing", 3, 5, 7, smoothing=0.2, weights=rng.uniform(0.2, 3.0, size=7)),
        ce_case("balanced_smoothing", 4, 6, 7, smoothing=0.05, weights=balanced),
    ],
    "balancedWeights": [
        {"counts": np.bincount(labels, minlength=7).tolist(), "weights": balanced.tolist()},
        {"counts": np.bincount(labels_missing, minlength=7).tolist(),
         "presentClasses": present.tolist(), "weights": balanced_missing.tolist()},
    ],
    "valenceArousal": [
        va_case("ccc_equal", "ccc", 3, 8),
        va_case("ccc_weighted", "ccc", 2, 10, dim_weights=[1.0, 3.0]),
        va_case("ccc_one_arousal_frame", "ccc", 2, 6, dim_weights=[1.0, 3.0], max_arousal_frames=1),
        va_case("mse_equal", "mse", 3, 8),
        va_case("mse_weighted", "mse", 2, 5, dim_weights=[2.0, 0.5]),
    ],
}
print(json.dumps(fixtures))
