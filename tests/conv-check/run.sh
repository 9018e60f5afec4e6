#!/usr/bin/env bash
# Reproduction for issue 14 item 5: are libtorch 2.10's float32 conv2d gradients (TorchSharp 0.107, oneDNN at the CPU's
# default ISA) right? Not part of the test suite. See docs/troubleshooting.md for what it found.
#
# Usage: tests/conv-check/run.sh [--quick]
#   --quick   fewer repetitions (about a minute on an idle 2-core machine instead of several)
# Output: tests/conv-check/results/ (ignored by git): summary.md, results-*.tsv, crashes.tsv, models.tsv, verbose-*.log
#
# Steps: build ConvCheck; write the cases' float32 inputs (.npy); PyTorch 1.13 (Debian's python3-torch) computes float32
# and float64 references; ConvCheck repeats every case in float32 under the default oneDNN ISA and under SSE41, with 1 and
# 2 threads, comparing with libtorch float64 and the PyTorch results (a crash is recorded and the run resumes at the next
# case); once more with Emotion.Torch's self-check; then whole backbones (float32 vs float64); summarize.py writes the tables.
# The forward question (is oneDNN's forward right, and are gradients right with oneDNN on for forward and off for backward?)
# is separate: `dotnet ConvCheck.dll forward layers|models [--threads T] [--reps N]` (ConvCheck/ForwardCheck.cs).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/results
bin=$here/out
quick=0
[ "${1:-}" = "--quick" ] && quick=1
if [ $quick = 1 ]; then reps=(--budget-gflop 0.5 --min-reps 3 --max-reps 100); model_reps=2
else reps=(--budget-gflop 4 --min-reps 20 --max-reps 500); model_reps=10; fi
unset ONEDNN_MAX_CPU_ISA ONEDNN_VERBOSE
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

echo "== $(date -u +%FT%TZ) $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
grep -o -w -E 'avx2|avx512f|avx512_bf16' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
rm -rf "$out"; mkdir -p "$out"
dotnet build "$here/ConvCheck/ConvCheck.csproj" -c Release -o "$bin" -v q -nologo >/dev/null || { echo "build failed" >&2; exit 1; }
cc() { dotnet "$bin/ConvCheck.dll" "$@"; }
cc gen "$out" || exit 1

if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 "$here/torch_reference.py" "$out" --threads 1 --reps $([ $quick = 1 ] && echo 3 || echo 20) > "$out/torch.log" || exit 1
else
  echo "PyTorch not found (apt-get install python3-torch): comparing with libtorch float64 only" | tee "$out/torch.log"
fi

# run LABEL ENV... -- ARGS...: all cases, resuming after a crash at the case after the one that crashed.
printf 'label\tindex\tname\texit_code\n' > "$out/crashes.tsv"
run() {
  local label=$1; shift
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  local from=0 rc early=0 current="$out/${label// /_}.tsv.current"
  while :; do
    rm -f "$current"
    env "${envs[@]}" dotnet "$bin/ConvCheck.dll" run "$out" --label "$label" --from $from "$@" >> "$out/run.log" 2>&1; rc=$?
    [ $rc = 0 ] && break
    if [ ! -f "$current" ]; then
      # Died before its first case (seen once with two threads: SIGABRT at start-up): record it and retry, at most 3 times.
      printf '%s\t%s\t%s\t%s\n' "$label" "start" "before case #$from" "$rc" >> "$out/crashes.tsv"
      echo "$label: exited with $rc before case #$from"
      early=$((early + 1)); [ $early -ge 3 ] && break
      continue
    fi
    local cur name; IFS=$'\t' read -r cur name < "$current"
    printf '%s\t%s\t%s\t%s\n' "$label" "$cur" "$name" "$rc" >> "$out/crashes.tsv"
    echo "$label: case #$cur $name exited with $rc (signal $((rc - 128)))"
    from=$((cur + 1))
  done
}
for isa in default SSE41; do
  for threads in 1 2; do
    label="libtorch2.10 isa=$isa threads=$threads"
    e=(ISA=default); [ $isa != default ] && e=(ONEDNN_MAX_CPU_ISA=$isa)
    echo "-- $label"
    run "$label" "${e[@]}" -- --threads $threads --out "$out/${label// /_}.tsv" "${reps[@]}"
  done
done
label="libtorch2.10 isa=default +Emotion.Torch self-check threads=2"
echo "-- $label"
run "$label" ISA=default -- --threads 2 --library --out "$out/${label// /_}.tsv" "${reps[@]}"

# Which oneDNN kernel ran each convolution (one repetition per case, verbose).
for isa in default SSE41; do
  e=(ISA=default); [ $isa != default ] && e=(ONEDNN_MAX_CPU_ISA=$isa)
  from=0
  while :; do
    env "${e[@]}" ONEDNN_VERBOSE=1 dotnet "$bin/ConvCheck.dll" run "$out" --threads 1 --min-reps 1 --max-reps 1 --from $from \
      --out "$out/verbose-tmp.tsv" >> "$out/verbose-$isa.log" 2>&1 && break
    IFS=$'\t' read -r cur name < "$out/verbose-tmp.tsv.current"; from=$((cur + 1))
  done
  rm -f "$out/verbose-tmp.tsv" "$out/verbose-tmp.tsv.current"
done

# Whole backbones at the sizes of ModelCombinationTests (32 px) and the face models' 112 px, float32 vs float64.
for spec in "resnet50 32" "resnet18 112" "vgg16 32" "mobilenet_v3_small 64" "mini_xception 64"; do
  set -- $spec
  for cfg in default SSE41 self-check; do
    case $cfg in
      default) e=(ISA=default); extra=() ;;
      SSE41) e=(ONEDNN_MAX_CPU_ISA=SSE41); extra=() ;;
      self-check) e=(ISA=default); extra=(--library) ;;
    esac
    env "${e[@]}" dotnet "$bin/ConvCheck.dll" model "$1" --size "$2" --reps $model_reps --threads 2 "${extra[@]}" \
      --label "libtorch2.10 $cfg" --out "$out/models.tsv" >> "$out/models.log" 2>&1
    rc=$?
    [ $rc != 0 ] && printf 'libtorch2.10 %s\tmodel\t%s@%s\t%s\n' "$cfg" "$1" "$2" "$rc" >> "$out/crashes.tsv"
  done
done

/usr/bin/python3 "$here/summarize.py" "$out" > "$out/summary.md"
cat "$out/summary.md"
echo "== done $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
