#!/usr/bin/python3
"""Generates the reference fixtures of Emotion.Core.Tests with independent implementations.

Run once with Debian's python3 (numpy, scipy, scikit-learn):  /usr/bin/python3 generate_fixtures.py
It writes the *.json files beside this script. Inputs are float32 values (what the C# API takes); references are computed
in float64 from exactly those values with numpy/scipy/scikit-learn, never with the C# code.
The PCA and t-SNE fixtures of Emotion.Analysis are in tests/Emotion.Analysis.Tests/Fixtures, written by the
generate_fixtures.py there, which continues this script's random stream after its last draw.
"""
import json
import os

import numpy as np
import scipy.stats
import sklearn
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_score, recall_score
from sklearn.neighbors import NearestCentroid

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(a):
    return np.asarray(a, dtype=np.float32)


def as_list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def write(name, payload):
    payload["generator"] = f"generate_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__})"
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=1)


def ccc(p, t):
    """Lin's CCC with population moments (numpy formula as in the AVEC/ABAW evaluation scripts)."""
    mp, mt = p.mean(), t.mean()
    vp, vt = p.var(), t.var()
    cov = ((p - mp) * (t - mt)).mean()
    return 2 * cov / (vp + vt + (mp - mt) ** 2)


def regression_cases(rng):
    cases = []
    specs = [("correlated", 200, 0.0, 0.3), ("noisy", 57, 0.0, 1.0), ("offset", 120, 0.4, 0.2), ("large-mean", 500, 1000.0, 0.05)]
    for name, n, offset, noise in specs:
        t = f32(np.clip(rng.normal(0, 0.5, n), -1, 1) + offset)
        p = f32(0.7 * t + rng.normal(0.1, noise, n) + (offset * 0.1 if name == "offset" else 0))
        mask = rng.random(n) > 0.25
        # Unscored entries hold garbage the metrics must never read (Aff-Wild2's -5 marker, NaN).
        t_in, p_in = t.copy(), p.copy()
        t_in[~mask] = -5.0
        p_in[np.flatnonzero(~mask)[:3]] = np.nan
        tm, pm = t[mask].astype(np.float64), p[mask].astype(np.float64)
        err = pm - tm
        cases.append({
            "name": name,
            "predictions": [None if np.isnan(x) else float(x) for x in p_in],
            "targets": as_list(t_in),
            "mask": [bool(m) for m in mask],
            "count": int(mask.sum()),
            "ccc": float(ccc(pm, tm)),
            "pearson": float(scipy.stats.pearsonr(pm, tm)[0]),
            "mse": float(np.mean(err ** 2)),
            "rmse": float(np.sqrt(np.mean(err ** 2))),
            "mae": float(np.mean(np.abs(err))),
            "meanPrediction": float(pm.mean()),
            "meanTarget": float(tm.mean()),
        })
    return cases


def classification_cases(rng):
    cases = []
    labels = list(range(7))
    for name, n, absent in [("seven-classes", 300, None), ("absent-class", 150, 3), ("small", 25, None)]:
        t = rng.integers(0, 7, n)
        p = np.where(rng.random(n) < 0.55, t, rng.integers(0, 7, n))
        if absent is not None:
            t[t == absent] = 0
            p[p == absent] = 1
        t_in = t.copy()
        t_in[rng.random(n) < 0.15] = -1          # unlabeled frames
        mask = rng.random(n) > 0.1               # padding frames
        scored = mask & (t_in >= 0)
        ts, ps = t_in[scored], p[scored]
        cases.append({
            "name": name,
            "predicted": [int(x) for x in p],
            "targets": [int(x) for x in t_in],
            "mask": [bool(m) for m in mask],
            "classCount": 7,
            "count": int(scored.sum()),
            "confusion": confusion_matrix(ts, ps, labels=labels).tolist(),
            "accuracy": float(accuracy_score(ts, ps)),
            "precision": as_list(precision_score(ts, ps, labels=labels, average=None, zero_division=0)),
            "recall": as_list(recall_score(ts, ps, labels=labels, average=None, zero_division=0)),
            "f1": as_list(f1_score(ts, ps, labels=labels, average=None, zero_division=0)),
            "macroF1": float(f1_score(ts, ps, labels=labels, average="macro", zero_division=0)),
            "macroF1PresentClasses": float(f1_score(ts, ps, average="macro", zero_division=0)),
        })
    return cases


def mapping_fixture(rng):
    centres = np.array([[0.0, 0.0], [-0.5, 0.6], [-0.6, 0.3], [-0.6, 0.7], [0.8, 0.5], [-0.6, -0.3], [0.4, 0.7]])
    spreads = [(0.10, 0.08, 0.3), (0.12, 0.10, -0.4), (0.08, 0.12, 0.2), (0.10, 0.10, 0.0), (0.15, 0.09, 0.5), (0.09, 0.14, -0.2), (0.11, 0.07, 0.6)]
    cats, vs, as_ = [], [], []
    for c, (centre, (sv, sa, rho)) in enumerate(zip(centres, spreads)):
        count = 40 + 10 * c
        cov = np.array([[sv * sv, rho * sv * sa], [rho * sv * sa, sa * sa]])
        pts = np.clip(rng.multivariate_normal(centre, cov, count), -1, 1)
        cats += [c] * count
        vs += list(pts[:, 0])
        as_ += list(pts[:, 1])
    order = rng.permutation(len(cats))
    cats = np.array(cats)[order]
    v = f32(np.array(vs)[order])
    a = f32(np.array(as_)[order])
    cats_in = cats.copy()
    cats_in[rng.random(len(cats)) < 0.1] = -1
    used = cats_in >= 0
    X = np.stack([v[used], a[used]], axis=1).astype(np.float64)
    y = cats_in[used]
    stats = []
    for c in range(7):
        pts = X[y == c]
        cov = np.cov(pts.T)  # sample covariance (ddof=1)
        stats.append({"classIndex": c, "count": int(len(pts)), "valence": float(pts[:, 0].mean()), "arousal": float(pts[:, 1].mean()),
                      "covariance": [float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])]})
    grid = f32(rng.uniform(-1, 1, (400, 2)))
    qda = QuadraticDiscriminantAnalysis(reg_param=0.0, store_covariance=True).fit(X, y)
    nc = NearestCentroid().fit(X, y)
    gridx = grid.astype(np.float64)
    write("mapping.json", {
        "categories": [int(c) for c in cats_in],
        "valence": as_list(v),
        "arousal": as_list(a),
        "stats": stats,
        "gridValence": as_list(grid[:, 0]),
        "gridArousal": as_list(grid[:, 1]),
        "qdaPredictions": [int(c) for c in qda.predict(gridx)],
        "qdaPosteriors": as_list(qda.predict_proba(gridx)),
        "nearestCentroidPredictions": [int(c) for c in nc.predict(gridx)],
    })


def main():
    rng = np.random.default_rng(20191)
    write("regression.json", {"cases": regression_cases(rng)})
    write("classification.json", {"cases": classification_cases(rng)})
    mapping_fixture(rng)


if __name__ == "__main__":
    main()
