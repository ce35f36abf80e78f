#!/bin/sh
# The default clapjs model (and the tiny config) on the CLI's CPU route beside the identical
# PyTorch model, in one run: same initial weights, same batch, same AdamW (default_model.mjs
# exports them, default_model.py loads them). PyTorch runs with 1 and 2 threads and with glibc's
# allocator as installed and keeping its heap (peer-env.sh says why), and the ratio is against its
# best setting. Runs are interleaved (clapjs, then each PyTorch setting) REPEATS times; each figure
# is the median over them.
# Prints one JSON line per figure (appended to default-model/local-<date>.jsonl), then
# ratio.mjs's summary and a bench/RESULTS.md row per config and batch.
# Environment: CONFIGS ("default tiny"), BATCHES ("16 32"), ROUTES ("native"; add "wasm" for
# wasm + @clapjs/kernels-wasm), STEPS measured (10), WARMUP (3), REPEATS (2), PROFILE (1),
# PEER_THREADS ("1 2"), PEER_ALLOCATORS ("default kept").
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
CONFIGS=${CONFIGS:-default tiny}
BATCHES=${BATCHES:-16 32}
ROUTES=${ROUTES:-native}
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-3}
REPEATS=${REPEATS:-2}
PROFILE=${PROFILE:-1}
PY=/usr/bin/python3
log="$here/local-$(date -u +%F).jsonl"
out=$(mktemp)
dir=$(mktemp -d)
trap 'rm -rf "$out" "$dir"' EXIT

if ! $PY -c 'import torch' 2>/dev/null; then
  echo '{"bench":"default-model","figure":"error","message":"/usr/bin/python3 cannot import torch: apt-get install python3-torch libopenblas0-pthread"}'
  exit 1
fi
if [ ! -f ../packages/trainer/dist/index.js ]; then
  echo '{"bench":"default-model","figure":"error","message":"packages are not built: run pnpm turbo run build --filter=@clapjs/bench... first"}'
  exit 1
fi

# Only JSON lines count (tfjs prints a banner on stdout).
json() { grep '^{' | tee -a "$out" >> "$log"; }
machine() {
  node -e '
const os = require("node:os");
console.log(JSON.stringify({ bench: "default-model", figure: "machine", when: process.argv[1], date: new Date().toISOString(),
  nproc: os.cpus().length, cpu: os.cpus()[0].model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' "$1" | json
}
. ./peer-env.sh
# peer THREADS ALLOCATOR EXPORT BATCH STEPS WARMUP [profile]
peer() { peer_run "$1" "$2" $PY default-model/default_model.py "$3" "$4" "$5" "$6" "$1" $7; }

machine start
for config in $CONFIGS; do
  for batch in $BATCHES; do
    echo "# $config, batch $batch" >&2
    node default-model/default_model.mjs native "$config" "$batch" 0 0 export "$dir/$config-$batch" 2>/dev/null | json
    if [ ! -f "$dir/$config-$batch/meta.json" ]; then
      echo "{\"bench\":\"default-model\",\"config\":\"$config\",\"batch\":$batch,\"figure\":\"error\",\"message\":\"the export failed: is every package built?\"}" | json
      continue
    fi
    r=0
    while [ "$r" -lt "$REPEATS" ]; do
      for route in $ROUTES; do
        node default-model/default_model.mjs "$route" "$config" "$batch" "$STEPS" "$WARMUP" 2>/dev/null | json
      done
      for threads in $PEER_THREADS; do
        for allocator in $PEER_ALLOCATORS; do
          peer "$threads" "$allocator" "$dir/$config-$batch" "$batch" "$STEPS" "$WARMUP" | json
        done
      done
      r=$((r + 1))
    done
    if [ "$PROFILE" = 1 ]; then
      for route in $ROUTES; do
        node default-model/default_model.mjs "$route" "$config" "$batch" 0 0 profile 2>/dev/null | json
      done
      peer 1 kept "$dir/$config-$batch" "$batch" 0 0 profile | json
    fi
  done
done
machine end
node default-model/ratio.mjs < "$out"
