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
# and prints one markdown table (benchmarks/side-by-side-table.py; also DIR/table.md, default artifacts/side-by-side) with
# frames/s and the ratio to plain
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
# Two processes, inference first: a convolution check that finds a model's forward kernels wrong switches oneDNN off for the
# rest of its process (docs/troubleshooting.md), which would slow every TorchSharp case run after it in the same process.
for cls in PrecisionInferenceBenchmarks TrainingBenchmarks; do
  log "BenchmarkDotNet --short: $cls ($THREADS threads)"
  dotnet "$DLL" --short --threads "$THREADS" --filter "*$cls*" \
    --exporters json --artifacts "$OUT/bdn" >> "$OUT/bdn.log" 2>&1 || { tail -30 "$OUT/bdn.log" >&2; exit 1; }
done
log "PyTorch 1.13: train step + inference"
"$PYTHON" benchmarks/pytorch/bench.py --threads "$THREADS" | tee "$OUT/pytorch.tsv" >&2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); whole run $(( $(date +%s) - START )) s" >> "$OUT/machine.txt"

"$PYTHON" benchmarks/side-by-side-table.py "$OUT" | tee "$OUT/table.md"
