#!/usr/bin/python3
"""PyTorch 1.13 side of the convolution check (issue 14 item 5; Debian's python3-torch).

For every case written by `ConvCheck gen DIR` it computes conv2d forward + backward (y, dx, dw, db) from the same float32
inputs in float64 and in float32, saves float32 results (oneDNN / mkldnn enabled, PyTorch's default) as
DIR/cases/NN/torch_f32_*.npy and float64 ones as torch_f64_*.npy for ConvCheck to compare with, and appends PyTorch's own
figures (float32 vs float64, run-to-run variation) to DIR/results-torch.tsv in ConvCheck's format, twice: with mkldnn
enabled and disabled (ATen's own kernels).

usage: torch_reference.py DIR [--threads T] [--reps N]
"""
import argparse
import csv
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

HEADER = ("label\tisa\tthreads\tindex\tname\tn\tcin\tcout\th\tk\tstride\treps\tms_per_rep\t"
          "y_rel\tdx_rel\tdw_rel\tdb_rel\tdx_rel_vs_torch32\tdw_rel_vs_torch32\ttorch32_dx_rel\ttorch32_dw_rel\t"
          "f64_vs_torch64\tf64_repeat\ty_varying\tdx_varying\tdw_varying\tmax_variation_rel\tnonfinite\ty_wrong\tdx_wrong\tdw_wrong")
WRONG = 1e-4  # as ConvCheck: an error this far above float32 rounding is a wrong result


def compute(case, x, w, b, g, dtype):
    xt = torch.from_numpy(x).to(dtype).requires_grad_(True)
    wt = torch.from_numpy(w).to(dtype).requires_grad_(True)
    bt = torch.from_numpy(b).to(dtype).requires_grad_(True)
    gt = torch.from_numpy(g).to(dtype)
    y = F.conv2d(xt, wt, bt, stride=case["stride"], padding=case["pad"])
    y.backward(gt)
    return [t.detach().double().numpy().copy() for t in (y, xt.grad, wt.grad, bt.grad)]


def rel(a, b, ref=None):
    ref = b if ref is None else ref
    scale = np.abs(ref).max()
    err = np.abs(a - b).max()
    if not np.isfinite(err):
        return float("inf")
    return float(err / scale) if scale > 0 else float(err)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--reps", type=int, default=20)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    with open(os.path.join(a.dir, "cases.tsv")) as f:
        cases = list(csv.DictReader(f, delimiter="\t"))
    out_path = os.path.join(a.dir, "results-torch.tsv")
    new = not os.path.exists(out_path)
    with open(out_path, "a") as out:
        if new:
            out.write(HEADER + "\n")
        for i, c in enumerate(cases):
            for k in ("n", "cin", "cout", "h", "w", "k", "stride", "pad"):
                c[k] = int(c[k])
            d = os.path.join(a.dir, "cases", f"{i:02d}")
            x, w, b, g = (np.load(os.path.join(d, f"{n}.npy")) for n in ("x", "w", "b", "g"))
            ref = compute(c, x, w, b, g, torch.float64)
            for name, t in zip(("y", "dx", "dw", "db"), ref):
                np.save(os.path.join(d, f"torch_f64_{name}.npy"), t)
            for mkldnn in (True, False):
                with torch.backends.mkldnn.flags(enabled=mkldnn):
                    err = [0.0] * 4
                    varying = [0] * 4
                    wrong = [0] * 4
                    variation = 0.0
                    nonfinite = 0
                    first = None
                    start = time.perf_counter()
                    for _ in range(a.reps):
                        r = compute(c, x, w, b, g, torch.float32)
                        for k in range(4):
                            nonfinite += int((~np.isfinite(r[k])).sum())
                            e = rel(r[k], ref[k])
                            if not e <= WRONG:
                                wrong[k] += 1
                            err[k] = max(err[k], e)
                            if first is not None and not np.array_equal(r[k], first[k]):
                                varying[k] += 1
                                variation = max(variation, rel(r[k], first[k], ref[k]))
                        if first is None:
                            first = r
                    ms = (time.perf_counter() - start) * 1000 / a.reps
                if mkldnn:
                    for name, t in zip(("y", "dx", "dw", "db"), first):
                        np.save(os.path.join(d, f"torch_f32_{name}.npy"), t.astype(np.float32))
                label = f"torch{torch.__version__} mkldnn={'on' if mkldnn else 'off'} threads={a.threads}"
                row = [label, "n/a", a.threads, i, c["name"], c["n"], c["cin"], c["cout"], c["h"], c["k"], c["stride"], a.reps,
                       f"{ms:.2f}", *(f"{e:.2E}" for e in err), "NaN", "NaN", f"{err[1]:.2E}", f"{err[2]:.2E}", "0.00E+00", "0.00E+00",
                       *varying[:3], f"{variation:.2E}", nonfinite, *wrong[:3]]
                out.write("\t".join(str(v) for v in row) + "\n")
                out.flush()
                print(f"#{i:2d} {c['name']:<34} {label}: rel err vs f64 y {err[0]:.2E} dx {err[1]:.2E} dw {err[2]:.2E}"
                      f"  varying {varying[0]}/{varying[1]}/{varying[2]}", flush=True)


if __name__ == "__main__":
    main()
