#!/usr/bin/env bash
# Regenerates the real-face fixtures of this folder (crops and reference.json) with the original TF.js runtime.
# Needs node 20+ and the npm registry; the packages go into a scratch folder that is never committed.
#   SCRATCH=/tmp/tfjs-ref ./make_references.sh     (reuse an existing scratch folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
assets="${EMOTION_ASSETS:-${XDG_CACHE_HOME:-$HOME/.cache}/emotion-core/assets}"
scratch="${SCRATCH:-$(mktemp -d)}"
mkdir -p "$scratch"
if [ ! -d "$scratch/node_modules/@vladmandic/face-api" ]; then
  (cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund \
    @tensorflow/tfjs@4.22.0 @tensorflow/tfjs-backend-wasm@4.22.0 @vladmandic/face-api@1.7.15 pngjs@7.0.0 jpeg-js@0.4.4)
fi
NODE_PATH="$scratch/node_modules" node "$here/reference.js" "$assets" "$here"
