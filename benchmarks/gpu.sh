#!/usr/bin/env bash
# GPU benchmark, ready to run on a machine with an NVIDIA GPU (.NET 10 SDK; ONNX Runtime's GPU package 1.32 needs CUDA 13 and
# cuDNN 9 libraries on the library path, and an NVIDIA driver recent enough for CUDA 13).
#   benchmarks/gpu.sh [--seconds N] [--out DIR]
# Builds the `emotion` CLI against ONNX Runtime's CUDA package (Microsoft.ML.OnnxRuntime.Gpu.Linux) instead of the CPU
# one and, where TorchSharp-cuda-linux restores from the configured feeds, gives the CLI its libtorch (EMOTION_LIBTORCH)
# instead of libtorch-cpu. Then one `emotion benchmark --precision fp32,fp16,int8,bf16` run measures ResNet-18 112x112 + GRU-128 on
# every backend x device it finds (TorchSharp CPU/CUDA, ONNX Runtime CPU/CUDA) in every precision that backend and device
# have (ONNX Runtime: the export, its float16 conversion, its int8 QDQ quantization on the CPU; TorchSharp: float32 and the
# backbone under float16/bfloat16 autocast on CUDA, bfloat16 on CPUs that have it), batch 4 x 8 frames and streaming one
# frame, and prints one table (backend x device x precision x mode; also written to DIR/benchmark.txt, default
# artifacts/gpu). Combinations that cannot run are listed under the table with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_CASE=10
OUT="$ROOT/artifacts/gpu"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_CASE=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    *) echo "usage: benchmarks/gpu.sh [--seconds N] [--out DIR]" >&2; exit 2 ;;
  esac
done
log() { printf '\033[1;34m[gpu]\033[0m %s\n' "$*" >&2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  log "no NVIDIA GPU here (nvidia-smi missing or lists no device): nothing to measure"; exit 1
fi
mkdir -p "$OUT"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv | tee "$OUT/gpu.txt"

ORT_GPU=Microsoft.ML.OnnxRuntime.Gpu.Linux
# The CLI does not reference libtorch: it loads it from EMOTION_LIBTORCH (samples/Emotion.Cli/Workflows/LibTorch.cs). For the
# TorchSharp CUDA path, restore TorchSharp-cuda-linux (same version as TorchSharp) and point EMOTION_LIBTORCH at the folder
# of its libtorch_cuda.so; where it does not restore, TorchSharp runs on the CPU only and the table says so.
TS_VERSION=$(sed -n 's/.*PackageVersion Include="TorchSharp" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
probe=$(mktemp -d)
cat > "$probe/probe.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><ImportDirectoryBuildProps>false</ImportDirectoryBuildProps></PropertyGroup>
  <ItemGroup><PackageReference Include="TorchSharp-cuda-linux" Version="$TS_VERSION" /></ItemGroup>
</Project>
PROJ
if dotnet build "$probe/probe.csproj" -o "$probe/bin" --configfile "$ROOT/nuget.config" >"$probe/restore.log" 2>&1 \
   && cuda_lib=$(find "$probe/bin" -name 'libtorch_cuda.so' | head -1) && [ -n "$cuda_lib" ]; then
  mkdir -p "$OUT/libtorch-cuda"
  cp "$(dirname "$cuda_lib")"/*.so* "$OUT/libtorch-cuda/"
  export EMOTION_LIBTORCH="$OUT/libtorch-cuda"
  log "TorchSharp-cuda-linux $TS_VERSION restored: EMOTION_LIBTORCH=$EMOTION_LIBTORCH, the TorchSharp CUDA path is measured too"
else
  log "TorchSharp-cuda-linux $TS_VERSION did not restore or has no libtorch_cuda.so: TorchSharp runs on the CPU only ($(grep -m1 -o 'NU1[0-9]*[^.]*' "$probe/restore.log" || echo 'see the restore log'))"
fi
rm -rf "$probe"

CLI_OUT="$OUT/cli"
log "building the CLI against $ORT_GPU"
dotnet build samples/Emotion.Cli -c Release -nologo -v:q -o "$CLI_OUT" -p:OnnxRuntimeNativePackage=$ORT_GPU
emotion() { dotnet "$CLI_OUT/emotion.dll" "$@"; }

log "benchmark: ResNet-18 112x112 + GRU-128, fp32/fp16/int8/bf16 (fresh weights: speed does not depend on them)"
emotion benchmark --backbone resnet18 --head gru --size 112 --batch 4 --frames 8 --precision fp32,fp16,int8,bf16 \
  --seconds "$SECONDS_PER_CASE" | tee "$OUT/benchmark.txt"
log "table written to $OUT/benchmark.txt"
