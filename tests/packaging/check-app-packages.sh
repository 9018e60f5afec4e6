#!/usr/bin/env bash
# What an application gets when it references our packages (docs/deployment.md, "CPU or GPU"):
#   1. packs the libraries of src/ into a temporary feed (a unique prerelease version, so no cached copy is reused);
#   2. creates an app that references Emotion.Onnx, Emotion.FaceDetection, Emotion.Onnx.Video and
#      Emotion.Extensions.DependencyInjection plus Microsoft.ML.OnnxRuntime.Gpu.Linux, restores and builds it, and checks the
#      resolved graph (obj/project.assets.json): the GPU native package and Microsoft.ML.OnnxRuntime.Managed are there, the
#      CPU native package Microsoft.ML.OnnxRuntime is not, and nothing of TorchSharp/libtorch is; then runs it: BlazeFace
#      and an emotion model run on the CPU provider of the GPU package, and CUDA either runs or fails with
#      ExecutionProviderUnavailableException;
#   3. the same app without any native package: it builds, and opening a model fails with the exception that says which
#      native package to add;
#   4. the symbols of Emotion.Onnx.Export (its .snupkg): the protobuf classes generated at build time into obj/ are
#      embedded in the PDB (EmbedUntrackedSources), and every other source file is covered by the Source Link map when
#      the repository has a remote to link to.
# Usage: tests/packaging/check-app-packages.sh [--no-build]   (--no-build packs what `./build.sh build` already built)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
CONFIG=${CONFIG:-Release}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '\033[1;34m[packages]\033[0m %s\n' "$*" >&2; }
fail() { printf '\033[1;31m[packages] FAILED:\033[0m %s\n' "$*" >&2; exit 1; }

no_build=()
for a in "$@"; do
  case "$a" in
    --no-build) no_build=(--no-build) ;;
    *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
  esac
done

ort=$(sed -n 's/.*PackageVersion Include="Microsoft.ML.OnnxRuntime.Managed" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
[ -n "$ort" ] || fail "no Microsoft.ML.OnnxRuntime.Managed version in Directory.Packages.props"
version="0.0.0-appcheck.$(date +%s).$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/emotion-appcheck-XXXXXX")
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
cleanup() {
  rm -rf "$work"
  # The unique versions restored into the global packages folder are of no further use.
  for p in "$packages"/emotion.*/"$version"; do [ -d "$p" ] && rm -rf "$p"; done
  return 0
}
trap cleanup EXIT

# 1. Pack src/*.
filter="$work/packages.slnf"
{ printf '{ "solution": { "path": "%s", "projects": [' "$ROOT/Emotion.Core.sln"; first=1
  for p in src/*/*.csproj; do [ $first = 1 ] || printf ','; first=0; printf '\n  "%s"' "${p//\//\\\\}"; done
  printf '\n] } }\n'; } > "$filter"
log "packing src/ as $version into $work/feed"
start=$SECONDS
dotnet pack "$filter" -c "$CONFIG" -nologo -v:q ${no_build[@]+"${no_build[@]}"} -p:PackageVersion="$version" -o "$work/feed" >"$work/pack.log" 2>&1 \
  || { cat "$work/pack.log" >&2; fail "dotnet pack"; }
ls "$work/feed"/*.nupkg >/dev/null 2>&1 || fail "no package was packed"

cat > "$work/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="Emotion.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
EOF

# The app: finds a face with BlazeFace, reads its expression with a third-party FER-2013 model, and tries CUDA.
make_app() { # folder, native package ('' for none)
  local dir=$1 native=$2
  mkdir -p "$dir"
  cat > "$dir/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Emotion.Onnx" Version="$version" />
    <PackageReference Include="Emotion.FaceDetection" Version="$version" />
    <PackageReference Include="Emotion.Onnx.Video" Version="$version" />
    <PackageReference Include="Emotion.Extensions.DependencyInjection" Version="$version" />
$( [ -n "$native" ] && echo "    <PackageReference Include=\"$native\" Version=\"$ort\" />" )
  </ItemGroup>
</Project>
EOF
  cat > "$dir/Program.cs" <<'EOF'
using Emotion.Core.IO;
using Emotion.FaceDetection;
using Emotion.Preprocessing.Transforms;
using Emotion.Onnx;
using Emotion.Onnx.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

string assets = AssetCache.DefaultDirectory;
string blazeFace = Path.Combine(assets, "blazeface_front_128.onnx");
try
{
    using var image = Image.Load<Rgb24>(Path.Combine(assets, "astronaut.png"));
    using var detector = new BlazeFaceDetector(blazeFace, new BlazeFaceOptions { IntraOpThreads = 1 });
    var faces = detector.Detect(image);
    Console.WriteLine($"cpu: {faces.Count} face(s)");
    var crop = faces[0].Box.ClampTo(image.Width, image.Height, margin: 0.2f);
    var box = faces[0].Box with { X = crop.X, Y = crop.Y, Width = crop.Width, Height = crop.Height };
    using var predictor = new EmotionPredictor(Path.Combine(assets, "fr_expression.onnx"), new EmotionPredictorOptions
    {
        Descriptor = OnnxModelDescriptor.Fer2013Classifier("input", "output", size: 224),
        IntraOpThreads = 1,
    });
    var prediction = predictor.Predict(image, box);
    Console.WriteLine($"cpu: expression {prediction.Category}");
}
catch (ExecutionProviderUnavailableException e)
{
    Console.WriteLine($"native: missing: {e.Message}");
    return 3;
}
try
{
    using var gpu = new BlazeFaceDetector(blazeFace, new BlazeFaceOptions { CudaDeviceId = 0 });
    Console.WriteLine("cuda: available");
}
catch (ExecutionProviderUnavailableException e) when (e.Provider == OnnxExecutionProvider.Cuda)
{
    Console.WriteLine($"cuda: unavailable: {e.Message.Split('\n')[0]}");
}
return 0;
EOF
}

# Lists the resolved packages of an app whose id matters here and checks what must and must not be there.
check_graph() { # folder, expected native package ('' for none)
  python3 - "$1/obj/project.assets.json" "$2" "$ort" <<'EOF'
import json, re, sys
path, native, ort = sys.argv[1], sys.argv[2], sys.argv[3]
libraries = json.load(open(path))["libraries"]
ids = {key.split("/")[0].lower(): key for key in libraries}
shown = sorted(key for key in libraries if re.match(r"(?i)(microsoft\.ml\.onnxruntime|emotion\.|torchsharp|libtorch)", key))
print("    resolved: " + "\n              ".join(shown))
errors = []
if "microsoft.ml.onnxruntime" in ids:
    errors.append("the CPU native package " + ids["microsoft.ml.onnxruntime"] + " is in the graph")
torch = [key for key in libraries if re.match(r"(?i)(torchsharp|libtorch)", key)]
if torch:
    errors.append("TorchSharp/libtorch in the graph: " + ", ".join(torch))
if ids.get("microsoft.ml.onnxruntime.managed") != f"Microsoft.ML.OnnxRuntime.Managed/{ort}":
    errors.append(f"expected Microsoft.ML.OnnxRuntime.Managed/{ort}, got {ids.get('microsoft.ml.onnxruntime.managed')}")
if native and ids.get(native.lower()) != f"{native}/{ort}":
    errors.append(f"expected {native}/{ort}, got {ids.get(native.lower())}")
natives = [key for key in libraries if re.match(r"(?i)microsoft\.ml\.onnxruntime\.gpu", key)]
if not native and natives:
    errors.append("a native package came without being asked for: " + ", ".join(natives))
for name in ["Emotion.Onnx", "Emotion.Onnx.Runtime", "Emotion.FaceDetection", "Emotion.Onnx.Video", "Emotion.Extensions.DependencyInjection"]:
    if name.lower() not in ids:
        errors.append(f"{name} is not in the graph")
if errors:
    print("\n".join("    " + e for e in errors))
    sys.exit(1)
EOF
}

run_app() { # folder -> output in $dir/run.log, exit code echoed
  local dir=$1 rc=0
  dotnet "$dir/bin/$CONFIG/net10.0/App.dll" >"$dir/run.log" 2>&1 || rc=$?
  sed 's/^/    /' "$dir/run.log" >&2
  echo $rc
}

build_app() { # folder, label
  (cd "$1" && dotnet build -c "$CONFIG" -nologo -v:q --configfile "$work/nuget.config" >"$1/build.log" 2>&1) \
    || { cat "$1/build.log" >&2; fail "$2: restore/build"; }
}

# 2. GPU app.
gpu_package=Microsoft.ML.OnnxRuntime.Gpu.Linux
case "$(uname -s)" in MINGW*|MSYS*|CYGWIN*) gpu_package=Microsoft.ML.OnnxRuntime.Gpu.Windows ;; esac
log "app with $gpu_package $ort: restore and build"
make_app "$work/gpu" "$gpu_package"
build_app "$work/gpu" "GPU app"
check_graph "$work/gpu" "$gpu_package" || fail "GPU app: package graph"
ls "$work/gpu/bin/$CONFIG/net10.0/runtimes/"*/native/*onnxruntime_providers_cuda* >/dev/null 2>&1 \
  || fail "GPU app: the CUDA provider library is not in the output"
log "GPU app: run (CPU provider of the GPU package, then CUDA)"
rc=$(run_app "$work/gpu")
[ "$rc" = 0 ] || fail "GPU app exited $rc"
grep -qx 'cpu: 1 face(s)' "$work/gpu/run.log" || fail "GPU app: expected one face on the CPU provider"
grep -qx 'cpu: expression Happiness' "$work/gpu/run.log" || fail "GPU app: expected Happiness for the smiling astronaut"
grep -Eq '^cuda: (available|unavailable: The CUDA execution provider \(device 0\) is not available)' "$work/gpu/run.log" \
  || fail "GPU app: CUDA neither ran nor failed with ExecutionProviderUnavailableException"

# 3. No native package.
log "app without a native ONNX Runtime package: restore, build, run"
make_app "$work/none" ""
build_app "$work/none" "app without a native package"
check_graph "$work/none" "" || fail "app without a native package: package graph"
rc=$(run_app "$work/none")
[ "$rc" = 3 ] || fail "app without a native package exited $rc; expected ExecutionProviderUnavailableException (3)"
grep -q "add a native ONNX Runtime package to the application, Microsoft.ML.OnnxRuntime for the CPU or Microsoft.ML.OnnxRuntime.Gpu for CUDA" "$work/none/run.log" \
  || fail "app without a native package: the error does not say which package to add"

# 4. Symbols: generated sources embedded, tracked sources linked.
log "symbols of Emotion.Onnx.Export: embedded generated sources and Source Link"
mkdir -p "$work/pdbcheck" "$work/symbols"
python3 -m zipfile -e "$work/feed/Emotion.Onnx.Export.$version.snupkg" "$work/symbols"
cat > "$work/pdbcheck/PdbCheck.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
</Project>
EOF
cat > "$work/pdbcheck/Program.cs" <<'EOF'
using System.Reflection.Metadata;
using System.Text.Json;

// Lists a portable PDB's documents: embedded (source inside the PDB), linked (matched by the Source Link map), or neither.
var embeddedSource = new Guid("0E8A571B-6926-466E-B4AD-8AB04611F5FE");
var sourceLink = new Guid("CC110556-A091-4D38-9FEC-25AB9A351A6A");
using var stream = File.OpenRead(args[0]);
using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
var reader = provider.GetMetadataReader();
var map = new List<(string Path, string Url)>();
foreach (var handle in reader.GetCustomDebugInformation(EntityHandle.ModuleDefinition))
{
    var info = reader.GetCustomDebugInformation(handle);
    if (reader.GetGuid(info.Kind) != sourceLink) continue;
    using var json = JsonDocument.Parse(reader.GetBlobBytes(info.Value));
    foreach (var entry in json.RootElement.GetProperty("documents").EnumerateObject())
        map.Add((entry.Name.TrimEnd('*'), entry.Value.GetString()!.TrimEnd('*')));
}
Console.WriteLine($"source link map: {(map.Count == 0 ? "none" : string.Join(", ", map.Select(m => $"{m.Path}* -> {m.Url}*")))}");
int generated = 0, generatedNotEmbedded = 0, unlinked = 0, documents = 0;
foreach (var handle in reader.Documents)
{
    var document = reader.GetDocument(handle);
    string name = reader.GetString(document.Name);
    bool embedded = reader.GetCustomDebugInformation(handle).Any(h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == embeddedSource);
    bool linked = map.Any(m => name.StartsWith(m.Path, StringComparison.Ordinal));
    bool isGenerated = name.Replace('\\', '/').Contains("/obj/", StringComparison.Ordinal);
    documents++;
    if (isGenerated) generated++;
    Console.WriteLine($"  {(embedded ? "embedded" : linked ? "linked  " : "NEITHER ")} {name}");
    if (isGenerated && !embedded) generatedNotEmbedded++;
    if (!embedded && !linked) unlinked++;
}
Console.WriteLine($"{documents} documents, {generated} generated under obj/, {unlinked} neither embedded nor linked");
if (generated == 0) { Console.WriteLine("no generated (obj/) source in the PDB: expected the protobuf classes"); return 1; }
if (generatedNotEmbedded > 0) { Console.WriteLine($"{generatedNotEmbedded} generated source(s) not embedded"); return 1; }
if (map.Count > 0 && unlinked > 0) { Console.WriteLine($"{unlinked} source(s) neither embedded nor linked"); return 1; }
if (map.Count == 0) Console.WriteLine("no Source Link map (the repository has no remote to link to): tracked sources not checked");
return 0;
EOF
(cd "$work/pdbcheck" && dotnet build -c "$CONFIG" -nologo -v:q --configfile "$work/nuget.config" >"$work/pdbcheck/build.log" 2>&1) \
  || { cat "$work/pdbcheck/build.log" >&2; fail "symbol check: build"; }
pdb=$(ls "$work/symbols"/lib/*/Emotion.Onnx.Export.pdb)
dotnet "$work/pdbcheck/bin/$CONFIG/net10.0/PdbCheck.dll" "$pdb" >"$work/pdbcheck/run.log" 2>&1 \
  || { sed 's/^/    /' "$work/pdbcheck/run.log" >&2; fail "symbols of Emotion.Onnx.Export: generated sources must be embedded, the others linked"; }
grep -v '^  ' "$work/pdbcheck/run.log" | sed 's/^/    /' >&2
grep '/obj/' "$work/pdbcheck/run.log" | sed 's/^/    /' >&2

log "passed in $((SECONDS - start)) s: the GPU app resolves $gpu_package $ort without Microsoft.ML.OnnxRuntime or libtorch"
