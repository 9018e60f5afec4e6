#!/usr/bin/env bash
# Emotion.Core build entry point. The README's two commands go through this script:
#   ./build.sh demo   # set up the machine, build, and run the main job (train + predict on bundled data)
#   ./build.sh test   # set up the machine, build, run the whole test suite, then check the packages an app restores
# Other verbs: setup (native prerequisites only), build, pack, consumer (the consumer test alone), bench [--short], api,
# check-packages.
#   ./build.sh test --fast       # skips the tests marked [Trait("Category", "Slow")] and the package check (CI runs all)
#   ./build.sh pack              # NuGet packages of src/ into artifacts/packages, built with ContinuousIntegrationBuild=true
#   ./build.sh api               # adds new public symbols of src/ to each project's PublicAPI.Unshipped.txt
#   ./build.sh check-packages    # packs src/, restores apps that reference them (CPU, GPU, no native ONNX Runtime), checks the graph
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
CONFIG=${CONFIG:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '\033[1;34m[build]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; return 1; fi; }

# TorchSharp 0.107's native LibTorchSharp.so needs libstdc++ with GLIBCXX_3.4.32 (GCC 13+).
libstdcxx_ok() {
  local lib
  for lib in $(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF}') /usr/lib/x86_64-linux-gnu/libstdc++.so.6 /usr/lib/aarch64-linux-gnu/libstdc++.so.6; do
    [ -r "$lib" ] && grep -aq 'GLIBCXX_3\.4\.32' "$lib" && return 0
  done
  return 1
}

ensure_libstdcxx() {
  [ "$(uname -s)" = Linux ] || return 0
  libstdcxx_ok && return 0
  local id="" version=""
  if [ -r /etc/os-release ]; then . /etc/os-release; id=${ID:-}; version=${VERSION_ID:-}; fi
  if [ "$id" = debian ] && [ "$version" = 12 ]; then
    log "libstdc++ lacks GLIBCXX_3.4.32 (needed by TorchSharp); installing libstdc++6 from Debian 13 (trixie), pinned at priority 100"
    as_root tee /etc/apt/sources.list.d/trixie.list >/dev/null <<'LIST'
deb http://deb.debian.org/debian trixie main
LIST
    as_root tee /etc/apt/preferences.d/trixie-pin >/dev/null <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100
PIN
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq -t trixie libstdc++6 >/dev/null
    libstdcxx_ok || { log "libstdc++6 from trixie did not provide GLIBCXX_3.4.32"; exit 1; }
  else
    log "WARNING: this system's libstdc++ lacks GLIBCXX_3.4.32, which TorchSharp 0.107 needs."
    log "Install libstdc++ from GCC 13 or newer (Ubuntu 24.04+, Debian 13+ ship it), then run again."
  fi
}

# Video input (FFMpegCore) runs Debian's ffmpeg/ffprobe binaries.
ensure_ffmpeg() {
  command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null && return 0
  if command -v apt-get >/dev/null; then
    log "installing ffmpeg (video input) with apt-get"
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null \
      || log "WARNING: could not install ffmpeg; video input will not work (images and frame folders still do)"
  else
    log "WARNING: ffmpeg/ffprobe not found: install them (brew install ffmpeg, winget install ffmpeg) for video input"
  fi
}

# The web sample's page test drives Debian's headless Chromium (no browser download); without it that test is skipped.
ensure_chromium() {
  command -v chromium >/dev/null && return 0
  if command -v apt-get >/dev/null; then
    log "installing chromium (the web sample's browser test) with apt-get"
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null \
      || log "WARNING: could not install chromium; the web sample's browser test will be skipped"
  else
    log "WARNING: chromium not found: the web sample's browser test will be skipped (set CHROMIUM_PATH to a Chrome/Chromium binary)"
  fi
}

# Real faces, a video and pretrained detector/emotion models used by tests and the demo (assets/assets.tsv).
ensure_assets() { assets/fetch.sh || { log "WARNING: some assets could not be fetched; tests that use them will fail and say which"; return 0; }; }

setup() { ensure_libstdcxx; ensure_ffmpeg; ensure_chromium; ensure_assets; }

build() { dotnet build Emotion.Core.sln -c "$CONFIG" -nologo -v:q "$@"; }

# The packages as an application meets them: pack, build apps from `dotnet new console` against the feed, install the tool,
# run the samples in order (tests/consumer/run.sh; about 2-3 minutes on 2 cores). CONSUMER_TEST=0 skips it, visibly.
consumer() {
  if [ "${CONSUMER_TEST:-1}" = 0 ]; then log "SKIPPED the consumer test (CONSUMER_TEST=0)"; return 0; fi
  CONFIG=$CONFIG tests/consumer/run.sh
}

# A solution filter of the packable projects (src/*), so that pack-only settings reach the libraries and not the tests
# (tests locate fixtures by [CallerFilePath], which ContinuousIntegrationBuild maps to /_/).
packages_filter() {
  local filter="$ROOT/artifacts/packages.slnf" first=1 p
  mkdir -p "$ROOT/artifacts"
  { printf '{ "solution": { "path": "../Emotion.Core.sln", "projects": ['
    for p in src/*/*.csproj; do [ $first = 1 ] || printf ','; first=0; printf '\n  "%s"' "${p//\//\\\\}"; done
    printf '\n] } }\n'; } > "$filter"
  echo "$filter"
}

pack() { dotnet pack "$(packages_filter)" -c "$CONFIG" -nologo -v:q -p:ContinuousIntegrationBuild=true -o "$ROOT/artifacts/packages" "$@"; }

verb=${1:-test}; shift || true
case "$verb" in
  setup) setup ;;
  build) setup; build "$@" ;;
  test)
    fast=0; filter=""; args=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --fast) fast=1 ;;
        --filter) filter=$2; shift ;;
        *) args+=("$1") ;;
      esac
      shift
    done
    if [ $fast = 1 ]; then filter=${filter:+($filter)&}'Category!=Slow'; fi
    [ -n "$filter" ] && args+=(--filter "$filter")
    setup; build
    # No oneDNN pin: the tests run what users run. libtorch 2.10's oneDNN gets some convolution gradients wrong (and crashes
    # in others) on AVX2/AVX-512 CPUs; Emotion.Torch's self-check switches it off there (docs/troubleshooting.md).
    dotnet test Emotion.Core.sln -c "$CONFIG" --no-build -nologo ${args[@]+"${args[@]}"}
    if [ $fast = 0 ]; then
      # What an application restores from our packages: no CPU native ONNX Runtime next to the GPU one, no libtorch.
      CONFIG=$CONFIG tests/packaging/check-app-packages.sh --no-build
      consumer
    fi ;;
  consumer) setup; build; consumer ;;
  demo)
    setup; build
    dotnet "samples/Emotion.Cli/bin/$CONFIG/net10.0/emotion.dll" demo --out "${DEMO_OUT:-$ROOT/artifacts/demo}" "$@" ;;
  pack) setup; pack "$@" ;;
  check-packages) CONFIG=$CONFIG tests/packaging/check-app-packages.sh "$@" ;;
  api)
    # The code fix of RS0016 writes each new public symbol into the project's PublicAPI.Unshipped.txt.
    for p in src/*/*.csproj; do dotnet format analyzers "$p" --diagnostics RS0016 RS0017 --severity warn -v q "$@"; done ;;
  bench)
    setup
    # libtorch's OpenMP threads spin while waiting; on a busy machine that inflates latencies several-fold (docs/benchmarks.md).
    export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
    dotnet run -c Release --project benchmarks/Emotion.Benchmarks -- "$@" ;;
  *) echo "usage: ./build.sh [setup|build|test [--fast]|consumer|demo|pack|bench|api|check-packages] [args]" >&2; exit 2 ;;
esac
