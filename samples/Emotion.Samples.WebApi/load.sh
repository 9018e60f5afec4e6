#!/usr/bin/env bash
# Load test of the web service sample on loopback: builds it in Release, starts it on 127.0.0.1, and drives POST /predict
# with wrk (Debian package 'wrk') posting a real face photo: 16 connections for 60 s by default. Prints requests/s,
# p50/p90/p99 latency, errors (connect/read/write/timeout), non-2xx answers, 200 answers without exactly one face, and
# the server's RSS before the first request, after a warm-up, every 5 s, and at the end. Exits 1 if any request failed
# or the RSS grew by more than 10 % over the second half of the run.
#
#   samples/Emotion.Samples.WebApi/load.sh [MODEL.onnx]
#
# Without MODEL, the default real-face model is exported first with the CLI (emotion export --model mini-xception-fer2013).
# Settings (environment): CONNECTIONS=16 THREADS=2 DURATION=60 PORT=5089 PHOTO=<asset cache>/grace_hopper.jpg
# OUT=<folder for server.log, rss.csv, wrk.txt> NO_BUILD=1 (use the existing Release build).
set -euo pipefail
cd "$(dirname "$0")"
HERE=$(pwd)
ROOT=$(cd ../.. && pwd)
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
DURATION=${DURATION:-60}
PORT=${PORT:-5089}
ASSETS=${EMOTION_ASSETS:-$HOME/.cache/emotion-core/assets}
PHOTO=${PHOTO:-$ASSETS/grace_hopper.jpg}
OUT=${OUT:-$(mktemp -d /tmp/emotion-webapi-load.XXXXXX)}
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

log() { printf '[load] %s\n' "$*" >&2; }
[ -f "$PHOTO" ] || { log "photo $PHOTO not found: run ./build.sh setup (it fetches the asset cache) or set PHOTO"; exit 2; }
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing wrk with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
  else
    log "wrk is not installed: apt-get install wrk (Debian/Ubuntu) or brew install wrk"; exit 2
  fi
fi

if [ "${NO_BUILD:-}" != 1 ]; then
  log "building the sample (Release)"
  dotnet build "$HERE" -c Release -nologo -v:q >/dev/null
fi
MODEL=${1:-}
if [ -z "$MODEL" ]; then
  MODEL=$OUT/mini-xception-fer2013.onnx
  log "exporting the default real-face model to $MODEL"
  [ "${NO_BUILD:-}" = 1 ] || dotnet build "$ROOT/samples/Emotion.Cli" -c Release -nologo -v:q >/dev/null
  dotnet "$ROOT/samples/Emotion.Cli/bin/Release/net10.0/emotion.dll" export --model mini-xception-fer2013 --out "$MODEL" >/dev/null
fi
[ -f "$MODEL" ] || { log "model $MODEL not found"; exit 2; }

URL=http://127.0.0.1:$PORT
dotnet "$HERE/bin/Release/net10.0/Emotion.Samples.WebApi.dll" --urls "$URL" --contentRoot "$HERE" \
  --EmotionRecognition:ModelPath="$MODEL" --Logging:LogLevel:Default=Warning >"$OUT/server.log" 2>&1 &
SERVER=$!
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
}
trap cleanup EXIT
rss_mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$SERVER/status"; }

for _ in $(seq 1 120); do
  curl -sf "$URL/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER" 2>/dev/null || { log "the server exited:"; cat "$OUT/server.log" >&2; exit 1; }
  sleep 0.5
done
curl -sf "$URL/health" >/dev/null || { log "the server did not answer /health in 60 s"; exit 1; }
RSS_START=$(rss_mib)
TYPE=image/jpeg
case "$PHOTO" in *.png|*.PNG) TYPE=image/png ;; esac
for _ in $(seq 1 50); do
  curl -sf -H "Content-Type: $TYPE" --data-binary "@$PHOTO" "$URL/predict" >/dev/null
done
RSS_WARM=$(rss_mib)

{
  echo "seconds,rss_mib"
  start=$(date +%s)
  while kill -0 "$SERVER" 2>/dev/null; do
    echo "$(( $(date +%s) - start )),$(rss_mib)"
    sleep 5
  done
} >"$OUT/rss.csv" &
SAMPLER=$!

log "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) cores; before: $(uptime)"
IMAGE=$PHOTO IMAGE_TYPE=$TYPE wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 30s --latency \
  -s "$HERE/load/post-image.lua" "$URL/predict" | tee "$OUT/wrk.txt"
UPTIME_AFTER=$(uptime)
RSS_END=$(rss_mib)
kill "$SAMPLER" 2>/dev/null || true
SAMPLER=""
RSS_MID=$(awk -F, -v half=$((DURATION / 2)) 'NR > 1 && $1 >= half {print $2; exit}' "$OUT/rss.csv")

echo "== load test: $CONNECTIONS connections, $THREADS wrk threads, ${DURATION}s, POST $(basename "$PHOTO") ($(stat -c %s "$PHOTO") bytes)"
echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), $(nproc) cores, load after: ${UPTIME_AFTER#*load average: }"
grep '^RESULT' "$OUT/wrk.txt" | sed 's/^RESULT /  /'
echo "server RSS (MiB): start $RSS_START, after 50 warm-up requests $RSS_WARM, at ${DURATION}/2 s ${RSS_MID:-?}, end $RSS_END"
echo "RSS every 5 s: $(tail -n +2 "$OUT/rss.csv" | cut -d, -f2 | paste -sd' ')"
echo "files: $OUT"

failed=$(awk '/^RESULT errors/ {for (i = 2; i <= NF; i++) {split($i, kv, "="); s += kv[2]}} END {print s + 0}' "$OUT/wrk.txt")
grown=$(awk -v a="${RSS_MID:-$RSS_WARM}" -v b="$RSS_END" 'BEGIN {print (b > a * 1.10) ? 1 : 0}')
[ "$failed" = 0 ] || { echo "FAIL: $failed failed requests (errors, non-2xx or wrong face count)"; exit 1; }
[ "$grown" = 0 ] || { echo "FAIL: RSS grew by more than 10 % over the second half ($RSS_MID -> $RSS_END MiB)"; exit 1; }
echo "OK: no failed request; RSS flat over the second half"
