#!/bin/sh
# Gradient workers (issue 7, "both cores"): samples/s of @clapjs/trainer on the wasm route with
# `workers` 1 and 2 (tfjs-wasm has no threads under Node; the trainer's worker_threads are how it
# uses a second core), one process per run, the worker counts interleaved within each repeat so
# that they share the machine's load. Prints one JSON line per figure (stdout); progress on stderr.
# Needs packages/trainer/dist (pnpm --filter @clapjs/trainer build).
# Environment: MODELS ("default"; also "clap-mini"), BATCH (64), WORKERS ("1 2"), STEPS measured
# (8), WARMUP (4: the workers tier up their wasm code in the first steps), REPEATS (3), STEP_LINES (0: 1 prints every step too), ROUTE (wasm; native adds
# @clapjs/kernels-native, whose oneDNN threads the trainer divides among the workers).
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.."
MODELS=${MODELS:-default}
BATCH=${BATCH:-64}
WORKERS=${WORKERS:-1 2}
STEPS=${STEPS:-8}
WARMUP=${WARMUP:-4}
REPEATS=${REPEATS:-3}
STEP_LINES=${STEP_LINES:-0}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# Only JSON lines count (tfjs prints a banner on stdout).
json() {
  if [ "$STEP_LINES" = 1 ]; then grep '^{' | tee -a "$out"; else grep '^{' | tee -a "$out" | grep -v '"figure":"step"' || true; fi
}

node -e '
const os = require("node:os");
console.log(JSON.stringify({ bench: "workers", figure: "machine", date: new Date().toISOString(),
  nproc: os.availableParallelism(), cpu: os.cpus()[0].model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' | json

for model in $MODELS; do
  r=1
  while [ "$r" -le "$REPEATS" ]; do
    for k in $WORKERS; do
      echo "# $model, batch $BATCH, $k worker(s), repeat $r" >&2
      node workers/bench.mjs "$model" "$k" "$BATCH" "$STEPS" "$WARMUP" 2>/dev/null | json
    done
    r=$((r + 1))
  done
done

node workers/speedup.mjs < "$out"
