#!/bin/sh
# CLAP-mini (bench/README.md): clapjs on each CPU route beside the identical PyTorch model, in one
# run on one machine. Prints one JSON line per figure (stdout); progress goes to stderr.
# Environment: BATCHES (default "16"), STEPS measured (10), WARMUP (2), CPU_LIMIT_S (75: the tfjs
# cpu backend gets one step within this limit, or is reported as skipped), PROFILE (1: a per-kernel
# profile of one wasm step), ROUTES (tfjs-wasm with "pack" = @clapjs/kernels-wasm, "native" =
# @clapjs/kernels-native, "nopack"; default all three), PEER_THREADS ("1 2"), PEER_ALLOCATORS ("default kept"; peer-env.sh).
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
BATCHES=${BATCHES:-16}
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
CPU_LIMIT_S=${CPU_LIMIT_S:-75}
PROFILE=${PROFILE:-1}
ROUTES=${ROUTES:-pack native nopack}
PY=/usr/bin/python3
. ./peer-env.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! $PY -c 'import torch' 2>/dev/null; then
  echo '{"bench":"clap-mini","figure":"error","message":"/usr/bin/python3 cannot import torch: apt-get install python3-torch libopenblas0-pthread"}'
  exit 1
fi

# Only JSON lines count (tfjs prints a banner on stdout).
json() { grep '^{' | tee -a "$out"; }

node -e '
const os = require("node:os");
console.log(JSON.stringify({ bench: "clap-mini", figure: "machine", date: new Date().toISOString(),
  nproc: os.cpus().length, cpu: os.cpus()[0].model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' | json

for batch in $BATCHES; do
  for route in $ROUTES; do
    echo "# batch $batch: tfjs wasm, route $route" >&2
    if [ "$route" = nopack ]; then
      node clap-mini/clap_mini.mjs wasm nopack "$batch" 1 0 2>/dev/null | json
      continue
    fi
    node clap-mini/clap_mini.mjs wasm "$route" "$batch" "$STEPS" "$WARMUP" 2>/dev/null | json
    if [ "$PROFILE" = 1 ]; then
      CLAP_MINI_PROFILE=1 node clap-mini/clap_mini.mjs wasm "$route" "$batch" 1 1 2>/dev/null | json
    fi
  done
  for threads in $PEER_THREADS; do
    for allocator in $PEER_ALLOCATORS; do
      echo "# batch $batch: PyTorch, $threads thread(s), $allocator allocator" >&2
      peer_run "$threads" "$allocator" $PY clap-mini/clap_mini.py "$batch" "$STEPS" "$WARMUP" "$threads" | json
    done
  done
  if [ "$batch" = 16 ] && [ "$CPU_LIMIT_S" -gt 0 ]; then
    echo "# batch $batch: tfjs cpu, one step within ${CPU_LIMIT_S}s" >&2
    if ! timeout "$CPU_LIMIT_S" node clap-mini/clap_mini.mjs cpu pack "$batch" 1 0 2>/dev/null | json; then :; fi
    if ! grep -q '"engine":"tfjs-cpu".*"figure":"summary"' "$out"; then
      echo "{\"bench\":\"clap-mini\",\"engine\":\"tfjs-cpu\",\"batch\":$batch,\"figure\":\"skipped\",\"reason\":\"no training step finished within ${CPU_LIMIT_S} s\"}" | json
    fi
  fi
done

node clap-mini/ratio.mjs < "$out"
