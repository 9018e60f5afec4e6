#!/usr/bin/env bash
# Consumer test: the packages as an application developer meets them (issue 17). Run by `./build.sh test` after the
# unit tests, or alone with `./build.sh consumer` (or this script after a Release build of the solution).
#
#  1. packs every package (--no-build, the suite's build) into a temporary feed, with a unique prerelease version so that
#     no earlier copy in a NuGet cache can stand in for it; every .nupkg must be under nuget.org's 250 MB limit;
#  2. app 1 (`dotnet new console` + Emotion.Torch, Emotion.Onnx.Export, Emotion.Synthetic, TorchSharp-cpu) is the README's training code,
#     read from README.md between the consumer: markers: generated synthetic faces, one epoch, ONNX export;
#  3. app 2 (Emotion.Extensions.DependencyInjection, Microsoft.Extensions.DependencyInjection, Microsoft.ML.OnnxRuntime)
#     is the README's prediction code: the exported model through DI; its package graph must hold no TorchSharp/libtorch;
#  4. the emotion tool from the feed (`dotnet tool install --tool-path`): predict on the exported model and frame folder
#     with no libtorch reachable, a Torch command without libtorch fails with one line, export with libtorch from the
#     NuGet cache, and the README's real-face line when the assets are there;
#  5. the samples in their documented order (Training, then OnnxInference on what it wrote), and their one-line errors.
#
# Environment: CONFIG (Release), KEEP_CONSUMER_WORK=1 keeps the temporary folder, CONSUMER_WORK chooses it.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CONFIG=${CONFIG:-Release}
TFM=net10.0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
LIMIT=250000000                                      # nuget.org's package size limit, 250 MB
START=$SECONDS

say() { printf '\033[1;36m[consumer]\033[0m %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; say "work folder kept: $WORK"; exit 1; }
# run NAME LOG command...: runs the command with its output in logs/LOG.log; on failure shows the log's end.
run() {
  local name=$1 log=$WORK/logs/$2.log t0=$SECONDS; shift 2
  if "$@" >"$log" 2>&1; then say "$name ($((SECONDS - t0)) s)"; else tail -n 40 "$log" >&2; fail "$name (log: $log)"; fi
}
# expect_error NAME LOG TEXT command...: the command must exit 1 with one line on stderr that contains TEXT, no stack trace.
expect_error() {
  local name=$1 log=$WORK/logs/$2.log text=$3 rc=0; shift 3
  "$@" >"$log.out" 2>"$log" || rc=$?
  [ "$rc" = 1 ] || { cat "$log.out" "$log" >&2; fail "$name: exit code $rc, expected 1"; }
  [ "$(grep -c . "$log")" = 1 ] || { cat "$log" >&2; fail "$name: expected one line on stderr"; }
  grep -q -- "$text" "$log" || { cat "$log" >&2; fail "$name: the error does not say '$text'"; }
  ! grep -q '^ *at ' "$log" "$log.out" || fail "$name: stack trace in the output"
  say "$name: $(cat "$log")"
}
version_of() { sed -n "s/.*PackageVersion Include=\"$1\" Version=\"\([^\"]*\)\".*/\1/p" "$ROOT/Directory.Packages.props"; }

# The C# block after <!-- consumer:NAME --> in README.md.
block() {
  awk -v marker="<!-- consumer:$1 -->" '
    $0 == marker { armed = 1; next }
    armed && /^```csharp/ { inside = 1; armed = 0; next }
    inside && /^```/ { found = 1; exit }
    inside { print }
    END { if (!found) exit 1 }' "$ROOT/README.md" || fail "README.md has no C# block after <!-- consumer:$1 -->"
}
USING='^using [A-Za-z0-9_.]+;$'

WORK=${CONSUMER_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/emotion-consumer.XXXXXX")}
rm -rf "$WORK/run" "$WORK/samples" "$WORK/TrainApp" "$WORK/PredictApp" "$WORK/tool" "$WORK/packages"
mkdir -p "$WORK/logs" "$WORK/run" "$WORK/samples" "$WORK/no-libtorch"
FEED=$WORK/feed
VERSION=0.1.0-consumer.$(date -u +%Y%m%d%H%M%S)
# Rerunning in the same CONSUMER_WORK reuses its feed (to iterate on the later steps without packing again).
[ -f "$FEED/version" ] && VERSION=$(cat "$FEED/version")
USER_PACKAGES=$(cd "$ROOT" && dotnet nuget locals global-packages --list | sed 's/^global-packages: //')
USER_PACKAGES=${USER_PACKAGES%/}
say "work folder $WORK, packages $VERSION, NuGet cache $USER_PACKAGES"

# Every C# block of the README is one the test compiles.
fences=$(grep -c '^```csharp' "$ROOT/README.md" || true)
markers=$(grep -c '^<!-- consumer:[a-z]* -->$' "$ROOT/README.md" || true)
[ "$fences" = "$markers" ] || fail "README.md has $fences C# blocks but $markers consumer: markers; mark every C# block so that this test compiles it"

# 1. Pack.
[ -f "$ROOT/samples/Emotion.Cli/bin/$CONFIG/$TFM/emotion.dll" ] || fail "no $CONFIG build: run ./build.sh build first"
[ -f "$FEED/version" ] || run "pack --no-build into the feed" pack dotnet pack "$ROOT/Emotion.Core.sln" -c "$CONFIG" --no-build -nologo -v:q -o "$FEED" -p:PackageVersion="$VERSION"
echo "$VERSION" >"$FEED/version"
for f in "$FEED"/*.nupkg; do
  size=$(stat -c %s "$f" 2>/dev/null || stat -f %z "$f")
  awk -v name="$(basename "$f")" -v size="$size" 'BEGIN { printf "  %-62s %8.1f MB\n", name, size / 1e6 }' >&2
  [ "$size" -lt "$LIMIT" ] || fail "$(basename "$f") is $size bytes, over nuget.org's limit of $LIMIT"
done
if unzip -l "$FEED/Emotion.Cli.$VERSION.nupkg" | grep -qE 'libtorch_cpu|torch_cpu\.dll'; then fail "the emotion tool package carries libtorch"; fi

# Apps restore from the feed (our packages only from there) and the repository's sources; a private packages folder with
# the user's as a fallback keeps the user's cache clean and reuses what it already holds (TorchSharp-cpu, ONNX Runtime).
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' >"$WORK/$f"; done
cp "$ROOT/nuget.config" "$WORK/nuget.config"
sed -i.bak -e "s#</packageSources>#  <add key=\"emotion-local\" value=\"$FEED\" />\n  </packageSources>#" \
  -e "s#<packageSourceMapping>#<packageSourceMapping>\n    <packageSource key=\"emotion-local\"><package pattern=\"Emotion.*\" /></packageSource>#" \
  -e "s#<configuration>#<configuration>\n  <fallbackPackageFolders><add key=\"user\" value=\"$USER_PACKAGES\" /></fallbackPackageFolders>#" "$WORK/nuget.config"
grep -q emotion-local "$WORK/nuget.config" || fail "could not add the feed to a copy of nuget.config"
export NUGET_PACKAGES=$WORK/packages

new_app() { # NAME PACKAGE=VERSION...
  local name=$1; shift
  dotnet new console -o "$WORK/$name" -n "$name" --framework "$TFM" --no-restore >/dev/null
  for p in "$@"; do dotnet add "$WORK/$name/$name.csproj" package "${p%%=*}" --version "${p#*=}" --no-restore >/dev/null; done
}

# 2. App 1: the README's training code (and its pretrained export, run on demand).
new_app TrainApp Emotion.Torch="$VERSION" Emotion.Onnx.Export="$VERSION" Emotion.Synthetic="$VERSION" TorchSharp-cpu="$(version_of TorchSharp-cpu)"
{
  { block train; block pretrained; } | grep -E "$USING" | sort -u
  echo 'if (args is ["pretrained"])'
  echo '{'
  block pretrained | grep -vE "$USING" | sed 's/^/    /'
  echo '    return;'
  echo '}'
  block train | grep -vE "$USING"
} >"$WORK/TrainApp/Program.cs"
run "app 1 (README training code): restore + build" build-train dotnet build "$WORK/TrainApp" -c Release -nologo -v:q
(cd "$WORK/run" && run "app 1: synthetic faces, one epoch, ONNX export" train dotnet "$WORK/TrainApp/bin/Release/$TFM/TrainApp.dll")
[ -s "$WORK/run/emotion.onnx" ] || fail "app 1 wrote no emotion.onnx"
grep -q 'at epoch 1' "$WORK/logs/train.log" || fail "app 1 did not report its epoch"

# 3. App 2: the README's prediction code, through DI, without TorchSharp.
new_app PredictApp Emotion.Extensions.DependencyInjection="$VERSION" \
  Microsoft.Extensions.DependencyInjection="$(version_of Microsoft.Extensions.DependencyInjection)" \
  Microsoft.ML.OnnxRuntime="$(version_of Microsoft.ML.OnnxRuntime)"
block predict >"$WORK/PredictApp/Program.cs"
run "app 2 (README prediction code, DI): restore + build" build-predict dotnet build "$WORK/PredictApp" -c Release -nologo -v:q
if grep -oiE '"(torchsharp|libtorch)[^"/]*/[^"]*"' "$WORK/PredictApp/obj/project.assets.json" | sort -u | grep .; then
  fail "app 2's package graph holds TorchSharp or libtorch (obj/project.assets.json)"
fi
say "app 2's package graph (obj/project.assets.json) holds no TorchSharp or libtorch"
(cd "$WORK/run" && run "app 2: predict the exported model's frames" predict dotnet "$WORK/PredictApp/bin/Release/$TFM/PredictApp.dll")
frames_dir=$WORK/run/data/cropped_aligned/synth_000
frames=$(find "$frames_dir" -name '*.jpg' | wc -l)
predicted=$(grep -c '^frame ' "$WORK/logs/predict.log" || true)
[ "$frames" -gt 0 ] && [ "$predicted" = "$frames" ] || fail "app 2 predicted $predicted frames of $frames"

# 4. The emotion tool, installed from the feed.
unset NUGET_PACKAGES
# A NuGet configuration without source mapping (which --add-source refuses) and without other sources: a tool package is
# self-contained, and nothing else on any source can stand in for it.
printf '<configuration>\n  <packageSources>\n    <clear />\n  </packageSources>\n</configuration>\n' >"$WORK/tool-nuget.config"
run "dotnet tool install Emotion.Cli from the feed" tool-install dotnet tool install --tool-path "$WORK/tool" \
  --configfile "$WORK/tool-nuget.config" --add-source "$FEED" Emotion.Cli --version "$VERSION"
EMOTION=$WORK/tool/emotion
NO_TORCH=(env NUGET_PACKAGES="$WORK/no-libtorch" EMOTION_LIBTORCH_DOWNLOAD=0 EMOTION_LIBTORCH=)
run "emotion predict on the exported model, no libtorch reachable" tool-predict \
  "${NO_TORCH[@]}" "$EMOTION" predict --model "$WORK/run/emotion.onnx" --input "$frames_dir" --out "$WORK/run/tool.csv"
[ "$(($(wc -l <"$WORK/run/tool.csv") - 1))" = "$frames" ] || fail "emotion predict wrote $(($(wc -l <"$WORK/run/tool.csv") - 1)) rows for $frames frames"
# The tool and app 2 run the same model on the same frames: the same category for every frame.
diff <(cut -d, -f3 "$WORK/run/tool.csv" | tail -n +2) \
     <(sed -n 's/^frame [0-9]*: \([A-Za-z]*\) .*/\1/p' "$WORK/logs/predict.log" | tr 'A-Z' 'a-z') >/dev/null \
  || fail "emotion predict and app 2 disagree on the categories"
checkpoint=$WORK/run/runs/combined/best
expect_error "emotion export without libtorch" tool-export-missing "needs libtorch" \
  "${NO_TORCH[@]}" "$EMOTION" export --model "$checkpoint" --out "$WORK/run/none.onnx"
run "emotion export with libtorch from the NuGet cache" tool-export "$EMOTION" export --model "$checkpoint" --out "$WORK/run/tool.onnx"
run "emotion predict on the tool's export" tool-predict-2 \
  "$EMOTION" predict --model "$WORK/run/tool.onnx" --input "$frames_dir" --out "$WORK/run/tool-2.csv"
cmp -s "$WORK/run/tool.csv" "$WORK/run/tool-2.csv" || fail "the tool's export predicts otherwise than app 1's export of the same weights"

ASSETS=${EMOTION_ASSETS:-$HOME/.cache/emotion-core/assets}
if [ -f "$ASSETS/grace_hopper.jpg" ] && [ -f "$ASSETS/blazeface_front_128.onnx" ]; then
  run "README: emotion predict --model mini-xception-fer2013 --detector blazeface" tool-real-face \
    "$EMOTION" predict --model mini-xception-fer2013 --detector blazeface --input "$ASSETS/grace_hopper.jpg" --out "$WORK/run/faces.csv"
  [ "$(wc -l <"$WORK/run/faces.csv")" -ge 2 ] || fail "no face predicted in grace_hopper.jpg"
  (cd "$WORK/run" && run "app 1: the README's pretrained export" pretrained dotnet "$WORK/TrainApp/bin/Release/$TFM/TrainApp.dll" pretrained)
  run "emotion predict with app 1's pretrained export" tool-real-face-2 "${NO_TORCH[@]}" "$EMOTION" predict --model "$WORK/run/real-face.onnx" \
    --detector "$ASSETS/blazeface_front_128.onnx" --input "$ASSETS/grace_hopper.jpg" --out "$WORK/run/faces-2.csv"
  diff <(cut -d, -f3- "$WORK/run/faces.csv") <(cut -d, -f3- "$WORK/run/faces-2.csv") >/dev/null \
    || fail "the tool's mini-xception-fer2013 and app 1's export of it disagree"
else
  say "SKIPPED the real-face checks: grace_hopper.jpg or blazeface_front_128.onnx is not in $ASSETS (./build.sh setup fetches them)"
fi

# 5. The samples, in their documented order, from the repository's build.
SAMPLES=$ROOT/samples
(cd "$WORK/samples" && run "sample 1: Emotion.Samples.Training --epochs 1" sample-training \
  dotnet "$SAMPLES/Emotion.Samples.Training/bin/$CONFIG/$TFM/Emotion.Samples.Training.dll" --epochs 1)
next=$(sed -n 's#^next: dotnet run --project samples/Emotion.Samples.OnnxInference -- ##p' "$WORK/logs/sample-training.log")
[ -n "$next" ] || fail "the training sample did not print the next command"
read -r sample_model sample_frames <<<"$next"
INFERENCE=(dotnet "$SAMPLES/Emotion.Samples.OnnxInference/bin/$CONFIG/$TFM/Emotion.Samples.OnnxInference.dll")
(cd "$WORK/samples" && run "sample 2: Emotion.Samples.OnnxInference $next" sample-inference "${INFERENCE[@]}" "$sample_model" "$sample_frames")
grep -q 'frames: 96x96 pixels, scaled to 64x64' "$WORK/logs/sample-inference.log" || fail "the inference sample does not say that it resizes the frames"
sample_count=$(cd "$WORK/samples" && find "$sample_frames" -name '*.jpg' | wc -l)
[ "$(grep -c '^frame ' "$WORK/logs/sample-inference.log")" = "$sample_count" ] || fail "the inference sample did not predict all $sample_count frames"
(cd "$WORK/samples" && expect_error "sample 2 on a missing folder" sample-missing "does not exist" "${INFERENCE[@]}" "$sample_model" missing-folder)
if command -v ffmpeg >/dev/null; then
  mkdir -p "$WORK/samples/wide"
  first=$(cd "$WORK/samples" && find "$sample_frames" -name '*.jpg' | sort | head -n 1)
  ffmpeg -loglevel error -i "$WORK/samples/$first" -vf scale=120:96 "$WORK/samples/wide/00001.jpg"
  (cd "$WORK/samples" && expect_error "sample 2 on 120x96 frames" sample-wide "ResizeFrames = true" "${INFERENCE[@]}" "$sample_model" wide)
else
  say "SKIPPED the stretched-frame error of sample 2: no ffmpeg to make a 120x96 frame"
fi

say "passed in $((SECONDS - START)) s"
[ "${KEEP_CONSUMER_WORK:-0}" = 1 ] && say "work folder kept: $WORK" || rm -rf "$WORK"
