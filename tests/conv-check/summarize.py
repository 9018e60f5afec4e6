#!/usr/bin/python3
"""Markdown tables from a tests/conv-check/run.sh results folder (usage: summarize.py RESULTS_DIR)."""
import csv
import glob
import os
import re
import sys

WRONG = 1e-4  # as ConvCheck: relative error above this is a wrong result


def read(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def fmt(v):
    return "NaN" if v != v else ("inf" if v == float("inf") else f"{v:.1e}")


def kernels(path):
    """(mb, ic, oc, ih, kh, sh) -> {prop_kind: implementation} from a ONEDNN_VERBOSE=1 log."""
    found = {}
    if not os.path.exists(path):
        return found
    pattern = re.compile(r"mb(\d+)_ic(\d+)oc(\d+)_ih(\d+)oh\d+kh(\d+)sh(\d+)")
    for line in open(path, errors="replace"):
        parts = line.strip().split(",")
        if len(parts) < 8 or parts[2:4] != ["primitive", "exec"] or parts[5] != "convolution":
            continue
        m = pattern.search(line)
        if m:
            found.setdefault(tuple(int(g) for g in m.groups()), {})[parts[7]] = parts[6]
    return found


def main():
    d = sys.argv[1]
    cases = read(os.path.join(d, "cases.tsv"))
    rows = []
    for path in sorted(glob.glob(os.path.join(d, "libtorch*.tsv"))):
        rows += read(path)
    torch_rows = read(os.path.join(d, "results-torch.tsv"))
    crashes = read(os.path.join(d, "crashes.tsv"))
    labels = list(dict.fromkeys(r["label"] for r in torch_rows + rows))

    print("## Per configuration\n")
    print(f"{len(cases)} cases (conv2d forward + backward, float32); errors are max |float32 - float64| / max |float64| per tensor,"
          " worst over all repetitions; a repetition is *wrong* when its error exceeds 1e-4.\n")
    print("| configuration | cases run | crashed | cases with wrong dx | wrong dx reps / reps | cases with wrong dw |"
          " dx error, worst right case | dw error, worst right case | dx median | cases whose dx varied between reps |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label in labels:
        rs = [r for r in torch_rows + rows if r["label"] == label]
        crashed = sum(1 for c in crashes if c["label"] == label and c["index"] != "model")
        wrong_dx = [r for r in rs if int(r["dx_wrong"]) > 0]
        wrong_dw = [r for r in rs if int(r["dw_wrong"]) > 0]
        right = [r for r in rs if int(r["dx_wrong"]) == 0]
        right_w = [r for r in rs if int(r["dw_wrong"]) == 0]
        dx_right = max((num(r["dx_rel"]) for r in right), default=float("nan"))
        dw_right = max((num(r["dw_rel"]) for r in right_w), default=float("nan"))
        dxs = sorted(num(r["dx_rel"]) for r in right)
        med = dxs[len(dxs) // 2] if dxs else float("nan")
        varied = sum(1 for r in rs if int(r["dx_varying"]) > 0)
        wrong_reps = sum(int(r["dx_wrong"]) for r in rs)
        total_reps = sum(int(r["reps"]) for r in rs)
        print(f"| {label} | {len(rs)} | {crashed} | {len(wrong_dx)} | {wrong_reps} / {total_reps} | {len(wrong_dw)} | {fmt(dx_right)} |"
              f" {fmt(dw_right)} | {fmt(med)} | {varied} |")

    agree = [num(r["f64_vs_torch64"]) for r in rows if num(r["f64_vs_torch64"]) == num(r["f64_vs_torch64"])]
    if agree:
        print(f"\nlibtorch 2.10 float64 vs PyTorch 1.13 float64 on the same inputs: at most {fmt(max(agree))} (all cases, y/dx/dw/db).")

    print("\n## Cases with a wrong result or a crash\n")
    k_default = kernels(os.path.join(d, "verbose-default.log"))
    k_sse = kernels(os.path.join(d, "verbose-SSE41.log"))
    print("| case | N, Cin->Cout, HxW, k, stride | configuration | dx error | wrong reps | varying reps | non-finite values |"
          " backward-data kernel (default ISA / SSE41) |")
    print("|---|---|---|---:|---:|---:|---:|---|")
    by_index = {int(c["index"]) if "index" in c else i: c for i, c in enumerate(cases)}
    for r in rows:
        if int(r["dx_wrong"]) == 0 and int(r["dw_wrong"]) == 0:
            continue
        c = by_index[int(r["index"])]
        key = (int(c["n"]), int(c["cin"]), int(c["cout"]), int(c["h"]), int(c["k"]), int(c["stride"]))
        kd = k_default.get(key, {}).get("backward_data", "?")
        ks = k_sse.get(key, {}).get("backward_data", "?")
        print(f"| {r['name']} | {c['n']}, {c['cin']}->{c['cout']}, {c['h']}x{c['w']}, {c['k']}, {c['stride']} | {r['label']} |"
              f" {fmt(num(r['dx_rel']))} | {r['dx_wrong']}/{r['reps']} | {r['dx_varying']} | {r['nonfinite']} | {kd} / {ks} |")
    for c in crashes:
        if c["index"] == "model":
            continue
        cs = by_index[int(c["index"])]
        key = (int(cs["n"]), int(cs["cin"]), int(cs["cout"]), int(cs["h"]), int(cs["k"]), int(cs["stride"]))
        print(f"| {c['name']} | {cs['n']}, {cs['cin']}->{cs['cout']}, {cs['h']}x{cs['w']}, {cs['k']}, {cs['stride']} | {c['label']} |"
              f" crash (exit {c['exit_code']}, signal {int(c['exit_code']) - 128}) | | | | {k_default.get(key, {}).get('forward_training', '?')} (fwd) / "
              f"{k_sse.get(key, {}).get('backward_data', '?')} |")

    print("\n## Float32 rounding level: the right cases, per group (worst dx / dw error)\n")
    groups = list(dict.fromkeys(c["group"] for c in cases))
    print("| configuration | " + " | ".join(groups) + " |")
    print("|---|" + "---|" * len(groups))
    for label in labels:
        rs = [r for r in torch_rows + rows if r["label"] == label]
        cells = []
        for g in groups:
            gr = [r for r in rs if r["name"].startswith(g + "/")]
            dx = max((num(r["dx_rel"]) for r in gr if int(r["dx_wrong"]) == 0), default=float("nan"))
            dw = max((num(r["dw_rel"]) for r in gr if int(r["dw_wrong"]) == 0), default=float("nan"))
            bad = sum(1 for r in gr if int(r["dx_wrong"]) > 0 or int(r["dw_wrong"]) > 0)
            cells.append(f"{fmt(dx)} / {fmt(dw)}" + (f" ({bad} wrong)" if bad else ""))
        print(f"| {label} | " + " | ".join(cells) + " |")

    models = read(os.path.join(d, "models.tsv"))
    model_crashes = [c for c in crashes if c["index"] == "model"]
    if models or model_crashes:
        print("\n## Whole backbones (evaluation mode, batch 6, float32 vs float64 of the same network)\n")
        print("| backbone | configuration | reps | input-gradient error | worst parameter gradient (error) | reps differing | non-finite |")
        print("|---|---|---:|---:|---|---:|---:|")
        for m in models:
            print(f"| {m['model']}@{m['size']} | {m['label']} | {m['reps']} | {fmt(num(m['dx_rel']))} | {m['worst_param']} "
                  f"({fmt(num(m['worst_param_rel']))}) | {m['reps_differing']} | {m['nonfinite']} |")
        for c in model_crashes:
            print(f"| {c['name']} | {c['label']} | | crash (exit {c['exit_code']}, signal {int(c['exit_code']) - 128}) | | | |")


if __name__ == "__main__":
    main()
