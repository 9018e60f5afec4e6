#!/usr/bin/env bash
# Fuzzes one parser of Emotion.Core with SharpFuzz + afl++ (not part of CI).
# Usage: tests/fuzz/run.sh TARGET SECONDS
#   TARGET: affwild2-expr affwild2-va manifest facebox model-options model-info training-state weights onnx tfjs
# Output: tests/fuzz/findings/TARGET/default/{crashes,hangs,queue,fuzzer_stats} (ignored by git).
# Replay an input: dotnet tests/fuzz/out/Emotion.Fuzz.dll TARGET FILE...
set -euo pipefail
target=${1:?usage: run.sh TARGET SECONDS}
seconds=${2:?usage: run.sh TARGET SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
export PATH="$PATH:$HOME/.dotnet/tools"

if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi
if ! command -v sharpfuzz >/dev/null; then
  dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0 >/dev/null
fi
[ -d "$here/seeds/$target" ] || { echo "no seeds for target '$target' in $here/seeds" >&2; exit 2; }

# Build and instrument once per run (the library assemblies only: the parsers, not the BCL or TorchSharp).
if [ -z "${FUZZ_NO_BUILD:-}" ] || [ ! -f "$out/Emotion.Fuzz.dll" ]; then
  rm -rf "$out"
  dotnet build "$here/Emotion.Fuzz/Emotion.Fuzz.csproj" -c Release -o "$out" -v q -nologo >/dev/null
  for dll in Emotion.Core Emotion.Preprocessing Emotion.Torch; do
    sharpfuzz "$out/$dll.dll" >/dev/null
  done
fi

findings=$here/findings/$target
mkdir -p "$here/findings"; rm -rf "$findings"
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000
# -t: per-input timeout (ms); a parser that needs more than 2 s for a few-KB input is a hang worth reporting.
afl-fuzz -i "$here/seeds/$target" -o "$findings" -t 2000 -m none -V "$seconds" \
  -- dotnet "$out/Emotion.Fuzz.dll" "$target" > "$findings.log" 2>&1 || true

stats=$findings/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "afl-fuzz did not start; see $findings.log" >&2
  tail -20 "$findings.log" >&2
  exit 1
fi
get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "target=$target seconds=$seconds execs=$(get execs_done) execs_per_sec=$(get execs_per_sec) paths=$(get corpus_count) crashes=$(get saved_crashes) hangs=$(get saved_hangs)"
for f in "$findings"/default/crashes/id:* "$findings"/default/hangs/id:*; do
  [ -e "$f" ] && echo "finding: $f"
done
exit 0
