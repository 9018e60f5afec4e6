#!/usr/bin/python3
"""Generates the reference fixtures of Emotion.Analysis.Tests (PCA, t-SNE) with independent implementations.

Run once with Debian's python3 (numpy, scipy, scikit-learn):  /usr/bin/python3 generate_fixtures.py
It writes pca.json and tsne_joint_probabilities.json beside this script. Inputs are float32 values (what the C# API
takes); references are computed in float64 from exactly those values with numpy/scikit-learn, never with the C# code.
"""
import json
import os

import numpy as np
import scipy
import sklearn
from sklearn.decomposition import PCA
from sklearn.manifold import _t_sne

HERE = os.path.dirname(os.path.abspath(__file__))

# These fixtures were first written by tests/Emotion.Core.Tests/Fixtures/generate_fixtures.py, which drew its own
# fixtures (regression, classification, mapping) from default_rng(20191) first: 7206 64-bit draws. Skipping them
# reproduces the committed pca.json and tsne_joint_probabilities.json byte for byte (numpy 1.24.2, scipy 1.10.1,
# scikit-learn 1.2.1, Debian 12).
SEED, SKIPPED_DRAWS = 20191, 7206


def f32(a):
    return np.asarray(a, dtype=np.float32)


def as_list(a):
    return [float(x) for x in np.asarray(a, dtype=np.float64).ravel()]


def write(name, payload):
    payload["generator"] = f"generate_fixtures.py (numpy {np.__version__}, scipy {scipy.__version__}, scikit-learn {sklearn.__version__})"
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=1)


def pca_fixture(rng):
    cases = []
    for name, n, d, k in [("tall", 80, 8, 3), ("wide", 12, 30, 4)]:
        latent = rng.normal(0, 1, (n, 3)) * np.array([3.0, 1.5, 0.7])
        X = f32(latent @ rng.normal(0, 1, (3, d)) + 0.1 * rng.normal(0, 1, (n, d)) + rng.normal(0, 2, d))
        pca = PCA(n_components=k, svd_solver="full").fit(X.astype(np.float64))
        cases.append({
            "name": name, "rows": n, "columns": d, "components": k,
            "data": as_list(X),
            "mean": as_list(pca.mean_),
            "axes": as_list(pca.components_),
            "explainedVariance": as_list(pca.explained_variance_),
            "explainedVarianceRatio": as_list(pca.explained_variance_ratio_),
            "scores": as_list(pca.transform(X.astype(np.float64))),
        })
    write("pca.json", {"cases": cases})


def joint_probabilities_numpy(D, perplexity, tol=1e-12, max_steps=200):
    """Own float64 implementation of t-SNE's P (van der Maaten & Hinton 2008): per-row bisection on beta = 1/(2 sigma^2)."""
    n = D.shape[0]
    cond = np.zeros((n, n))
    log_u = np.log(perplexity)
    for i in range(n):
        d = np.delete(D[i], i)
        lo, hi, beta = 0.0, np.inf, 1.0
        for _ in range(max_steps):
            w = np.exp(-(d - d.min()) * beta)
            p = w / w.sum()
            h = -np.sum(p[p > 0] * np.log(p[p > 0]))
            if abs(h - log_u) < tol:
                break
            if h > log_u:
                lo = beta
                beta = beta * 2 if np.isinf(hi) else (beta + hi) / 2
            else:
                hi = beta
                beta = (beta + lo) / 2
        cond[i] = np.insert(p, i, 0.0)
    return (cond + cond.T) / (2 * n)


def tsne_fixture(rng):
    n, d, perplexity = 45, 5, 6.0
    X = f32(np.concatenate([rng.normal(c, 1.0, (15, d)) for c in (0.0, 3.0, -2.0)]))
    Xd = X.astype(np.float64)
    D = ((Xd[:, None, :] - Xd[None, :, :]) ** 2).sum(-1)
    P = joint_probabilities_numpy(D, perplexity)
    # Cross-check with scikit-learn's implementation (float32 internally, tolerance 1e-5 in entropy).
    P_sk = _t_sne.squareform(_t_sne._joint_probabilities(D, perplexity, 0))
    assert np.allclose(P, P_sk, atol=2e-5), np.abs(P - P_sk).max()
    # Cost and gradient at a random embedding, from scikit-learn's exact KL(P||Q) with Student-t Q (dof 1).
    Y = rng.normal(0, 1.0, (n, 2))
    kl, grad = _t_sne._kl_divergence(Y.ravel(), _t_sne.squareform(P), 1, n, 2)
    write("tsne_joint_probabilities.json", {"rows": n, "columns": d, "perplexity": perplexity, "data": as_list(X), "p": as_list(P),
                                            "maxDifferenceToSklearn": float(np.abs(P - P_sk).max()),
                                            "embedding": as_list(Y), "kl": float(kl), "gradient": as_list(grad)})


def main():
    rng = np.random.default_rng(SEED)
    rng.bit_generator.advance(SKIPPED_DRAWS)
    pca_fixture(rng)
    tsne_fixture(rng)


if __name__ == "__main__":
    main()
