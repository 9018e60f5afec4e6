#!/usr/bin/env bash
# GPU benchmark, ready to run on a machine with an NVIDIA GPU (CUDA 12 + cuDNN 9 driver stack, .NET 10 SDK).
#   benchmarks/gpu.sh [--seconds N] [--out DIR]
# Builds the `emotion` CLI against ONNX Runtime's CUDA package (Microsoft.ML.OnnxRuntime.Gpu.Linux) instead of the CPU
# one and, where a TorchSharp CUDA package restores from the configured feeds, against TorchSharp-cuda-linux instead of
# TorchSharp-cpu. Then `emotion benchmark` measures ResNet-18 112x112 + GRU-128 in fp32 and in fp16 on every backend x
# device it finds (TorchSharp CPU/CUDA, ONNX Runtime CPU/CUDA; fp16 runs where the device has fp16 kernels), batch
# 4 x 8 frames and streaming one frame, and prints one table per precision (also written to DIR, default artifacts/gpu).
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
TORCH_NATIVE=TorchSharp-cpu
# TorchSharp's CUDA build comes as TorchSharp-cuda-linux (same version as TorchSharp). Probe whether the feeds hold it.
TS_VERSION=$(sed -n 's/.*PackageVersion Include="TorchSharp" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
probe=$(mktemp -d)
cat > "$probe/probe.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally><ImportDirectoryBuildProps>false</ImportDirectoryBuildProps></PropertyGroup>
  <ItemGroup><PackageReference Include="TorchSharp-cuda-linux" Version="$TS_VERSION" /></ItemGroup>
</Project>
PROJ
if dotnet restore "$probe/probe.csproj" --configfile "$ROOT/nuget.config" >"$probe/restore.log" 2>&1; then
  TORCH_NATIVE=TorchSharp-cuda-linux
  log "TorchSharp-cuda-linux $TS_VERSION restored: the TorchSharp CUDA path is measured too"
else
  log "TorchSharp-cuda-linux $TS_VERSION is not in the configured feeds: TorchSharp runs on the CPU only ($(grep -m1 -o 'NU1[0-9]*[^.]*' "$probe/restore.log" || echo 'restore failed'))"
fi
rm -rf "$probe"

CLI_OUT="$OUT/cli"
log "building the CLI against $ORT_GPU and $TORCH_NATIVE"
dotnet build samples/Emotion.Cli -c Release -nologo -v:q -o "$CLI_OUT" \
  -p:OnnxRuntimeNativePackage=$ORT_GPU -p:TorchSharpNativePackage=$TORCH_NATIVE
emotion() { dotnet "$CLI_OUT/emotion.dll" "$@"; }

for precision in fp32 fp16; do
  log "benchmark: ResNet-18 112x112 + GRU-128, $precision (fresh weights: speed does not depend on them)"
  emotion benchmark --backbone resnet18 --head gru --size 112 --batch 4 --frames 8 --precision "$precision" \
    --seconds "$SECONDS_PER_CASE" | tee "$OUT/benchmark-$precision.txt"
done
log "tables written to $OUT"
