#!/usr/bin/python3
"""Prints benchmarks/side-by-side.sh's one markdown table from its output folder: BenchmarkDotNet's JSON reports under
DIR/bdn (frames/s = 1e9 / mean ns per frame), PyTorch's DIR/pytorch.tsv and DIR/machine.txt. Rows whose case did not run
are printed with '-' and listed; the exit code is then 1.

usage: side-by-side-table.py DIR
"""
import glob, json, os, re, sys
out = sys.argv[1]
rows = {}
for path in glob.glob(os.path.join(out, "bdn", "**", "*.json"), recursive=True):
    with open(path) as f:
        report = json.load(f)
    for b in report.get("Benchmarks", []):
        mean = (b.get("Statistics") or {}).get("Mean")
        if mean:
            rows[(b["Type"], b["Method"])] = 1e9 / mean
# A case whose type did not finish (the run was stopped) has no JSON report; its WorkloadResult lines in the log still give
# BenchmarkDotNet's mean (the measured iterations left after its outlier removal, at least 3).
log = os.path.join(out, "bdn.log")
if os.path.exists(log):
    current, results = None, {}
    for line in open(log):
        m = re.match(r"// Benchmark: (\w+)\.(\w+):", line)
        if m:
            current = (m.group(1), m.group(2))
            results[current] = []
        m = re.match(r"WorkloadResult\s+\d+: (\d+) op, ([\d.]+) ns", line)
        if m and current:
            results[current].append(float(m.group(2)) / int(m.group(1)))
    for key, values in results.items():
        if key not in rows and len(values) >= 3:
            rows[key] = 1e9 / (sum(values) / len(values))
pytorch = os.path.join(out, "pytorch.tsv")
for line in (open(pytorch) if os.path.exists(pytorch) else []):
    if not line.startswith("#"):
        case, fps = line.split("\t")[:2]
        rows[("pytorch", case)] = float(fps)
cases = [
    ("train", "TrainingBenchmarks", "PlainTorchSharp", "plain TorchSharp (baseline)", "TorchSharp", "fp32"),
    ("train", "TrainingBenchmarks", "Library", "library Trainer (JPEG loader + trainer)", "TorchSharp", "fp32"),
    ("train", "TrainingBenchmarks", "LibraryBFloat16", "library Trainer, bf16 autocast backbone", "TorchSharp", "bf16"),
    ("train", "pytorch", "pytorch-train", "PyTorch 1.13 (torchvision resnet18 + GRU)", "PyTorch", "fp32"),
    ("infer", "PrecisionInferenceBenchmarks", "PlainTorchSharp", "plain TorchSharp (baseline)", "TorchSharp", "fp32"),
    ("infer", "PrecisionInferenceBenchmarks", "LibraryTorchSharp", "library EmotionModel", "TorchSharp", "fp32"),
    ("infer", "PrecisionInferenceBenchmarks", "OnnxRuntimeFp32", "library export", "ONNX Runtime", "fp32"),
    ("infer", "PrecisionInferenceBenchmarks", "OnnxRuntimeInt8", "library export, int8 QDQ (U8S8)", "ONNX Runtime", "int8"),
    ("infer", "PrecisionInferenceBenchmarks", "OnnxRuntimeFp16Cpu", "library export, fp16 (CPU: Casts around fp32 kernels)", "ONNX Runtime", "fp16"),
    ("infer", "pytorch", "pytorch-infer", "PyTorch 1.13 (torchvision resnet18 + GRU)", "PyTorch", "fp32"),
]
print("".join(open(os.path.join(out, "machine.txt")).readlines()).rstrip().replace("\n", "  \n"))
print()
print("| mode | backend | precision | case | frames/s | vs plain TorchSharp |")
print("|---|---|---|---|---:|---:|")
missing = []
for mode, typ, method, label, backend, precision in cases:
    key = (typ, method)
    base = rows.get(("TrainingBenchmarks" if mode == "train" else "PrecisionInferenceBenchmarks", "PlainTorchSharp"))
    if key not in rows:
        missing.append(f"{typ}.{method}")
        print(f"| {mode} | {backend} | {precision} | {label} | - | - |")
        continue
    ratio = f"{rows[key] / base:.2f}x" if base else "-"
    print(f"| {mode} | {backend} | {precision} | {label} | {rows[key]:.1f} | {ratio} |")
print()
print("train: 4 steps of 4 x 8 frames per iteration (forward, cross-entropy + MSE, backward, Adam); infer: one call of 4 x 8 frames, no gradients.")
print("Not in this table: GPU rows (benchmarks/gpu.sh); TorchSharp fp16 on the CPU (libtorch's x86 CPU float16 kernels are not a speed path).")
if missing:
    print("missing (the case failed or the run was stopped first; see bdn.log): " + ", ".join(missing))
    sys.exit(1)
