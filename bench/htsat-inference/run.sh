#!/bin/sh
# HTSAT-tiny + RoBERTa-base CLAP inference (bench/README.md, htsat-inference/): clapjs on the CLI's
# CPU routes beside the same architecture in PyTorch 1.13, in one run on one machine, interleaved
# (ours, theirs, ours, theirs) so that a changing load falls on both. Appends every JSON line to
# results.jsonl (with the machine's load average at start and end), then prints summary.mjs's
# ratios and a bench/RESULTS.md row.
# Environment: BATCHES (audio batches, default "1 16"), TEXT_BATCH (16), MEASURED (2), WARMUP (1),
# WASM_BATCHES (audio batches for the slower wasm + kernels-wasm route; default "1"),
# PEER_THREADS and PEER_ALLOCATORS (peer-env.sh).
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
BATCHES=${BATCHES:-1 16}
TEXT_BATCH=${TEXT_BATCH:-16}
MEASURED=${MEASURED:-2}
WARMUP=${WARMUP:-1}
WASM_BATCHES=${WASM_BATCHES:-1}
PY=/usr/bin/python3
. ../peer-env.sh
out=$(mktemp)
model=$(mktemp -d)
trap 'rm -rf "$out" "$model"' EXIT

if ! $PY -c 'import torch' 2>/dev/null; then
  echo '{"bench":"htsat-inference","figure":"error","message":"/usr/bin/python3 cannot import torch: apt-get install python3-torch libopenblas0-pthread"}'
  exit 1
fi

# Only JSON lines count (tfjs prints a banner on stdout).
json() { grep '^{' | tee -a "$out"; }
machine() {
  node -e '
const os = require("node:os");
const cpu = require("node:fs").readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0].model;
console.log(JSON.stringify({ bench: "htsat-inference", figure: process.argv[1], date: new Date().toISOString(),
  nproc: os.cpus().length, cpu, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' "$1" | json
}

machine machine
node htsat_roberta.mjs prepare "$model" >/dev/null 2>&1
for batch in $BATCHES; do
  echo "# audio batch $batch: ours (native), theirs, ours (wasm), theirs" >&2
  node htsat_roberta.mjs native "$model" "$batch" "$TEXT_BATCH" "$MEASURED" "$WARMUP" 2>/dev/null | json
  for threads in $PEER_THREADS; do
    for allocator in $PEER_ALLOCATORS; do
      peer_run "$threads" "$allocator" $PY htsat_roberta.py "$batch" "$TEXT_BATCH" "$MEASURED" "$WARMUP" "$threads" | json
    done
    for wasm_batch in $WASM_BATCHES; do
      if [ "$wasm_batch" = "$batch" ] && [ "$threads" = "$(echo $PEER_THREADS | cut -d' ' -f1)" ]; then
        node htsat_roberta.mjs wasm "$model" "$batch" "$TEXT_BATCH" "$MEASURED" "$WARMUP" 2>/dev/null | json
      fi
    done
  done
done
machine machine-end
cat "$out" >> results.jsonl
node summary.mjs < "$out"
