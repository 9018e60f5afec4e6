#!/usr/bin/env bash
# One table, one run, one machine: ResNet-18 112x112 + GRU-128, 4 sequences x 8 frames, N CPU threads (default 2), every
# backend and precision next to plain TorchSharp and PyTorch 1.13.
#   benchmarks/side-by-side.sh [--threads N] [--out DIR]
# Cases (BenchmarkDotNet --short job: 2 warm-up + 5 measured iterations, in process; frames/s = 1e9 / mean ns per frame):
#   TrainingBenchmarks            plain TorchSharp train step (baseline), library Trainer fp32, library Trainer bf16 autocast
#   PrecisionInferenceBenchmarks  plain TorchSharp inference (baseline), library TorchSharp, ONNX Runtime fp32 / int8 (QDQ) /
#                                 fp16 (on the CPU: Casts around float32 kernels, labelled)
#   benchmarks/pytorch/bench.py   PyTorch 1.13 + torchvision 0.14, the same network and shapes, train step + inference, timed
#                                 the same way (2 warm-up + 5 iterations, mean)
# and prints one markdown table (also DIR/table.md, default artifacts/side-by-side) with frames/s and the ratio to plain
# TorchSharp of the same kind (training or inference), headed by the machine (CPU, flags) and the load average before and
# after. Needs the .NET 10 SDK and Debian's python3-torch + python3-torchvision (PYTHON, default /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
THREADS=2
OUT=artifacts/side-by-side
while [ $# -gt 0 ]; do
  case "$1" in
    --threads) THREADS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: benchmarks/side-by-side.sh [--threads N] [--out DIR]" >&2; exit 2 ;;
  esac
done
PYTHON=${PYTHON:-/usr/bin/python3}
log() { printf '\033[1;34m[side-by-side]\033[0m %s\n' "$*" >&2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! "$PYTHON" -c 'import torch, torchvision' 2>/dev/null; then
  log "$PYTHON cannot import torch and torchvision (apt-get install python3-torch python3-torchvision)"; exit 1
fi
rm -rf "$OUT"; mkdir -p "$OUT"
START=$(date +%s)
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; $THREADS threads used"
  echo "isa: $(grep -m1 -o -w -E 'avx512f|avx512_vnni|avx512_bf16|amx_bf16|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"

log "building benchmarks/Emotion.Benchmarks"
dotnet build benchmarks/Emotion.Benchmarks -c Release -nologo -v:q
DLL=benchmarks/Emotion.Benchmarks/bin/Release/net10.0/Emotion.Benchmarks.dll
log "BenchmarkDotNet --short: TrainingBenchmarks, PrecisionInferenceBenchmarks ($THREADS threads)"
dotnet "$DLL" --short --threads "$THREADS" --filter '*TrainingBenchmarks*' '*PrecisionInferenceBenchmarks*' \
  --exporters json --artifacts "$OUT/bdn" > "$OUT/bdn.log" 2>&1 || { tail -30 "$OUT/bdn.log" >&2; exit 1; }
log "PyTorch 1.13: train step + inference"
"$PYTHON" benchmarks/pytorch/bench.py --threads "$THREADS" | tee "$OUT/pytorch.tsv" >&2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); whole run $(( $(date +%s) - START )) s" >> "$OUT/machine.txt"

"$PYTHON" - "$OUT" <<'PY' | tee "$OUT/table.md"
import glob, json, os, sys
out = sys.argv[1]
rows = {}
for path in glob.glob(os.path.join(out, "bdn", "**", "*.json"), recursive=True):
    with open(path) as f:
        report = json.load(f)
    for b in report.get("Benchmarks", []):
        mean = (b.get("Statistics") or {}).get("Mean")
        if mean:
            rows[(b["Type"], b["Method"])] = 1e9 / mean
for line in open(os.path.join(out, "pytorch.tsv")):
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
    print("missing (the case failed; see bdn.log): " + ", ".join(missing))
    sys.exit(1)
PY
