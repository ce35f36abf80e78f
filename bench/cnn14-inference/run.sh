#!/bin/sh
# Full-size CNN14 inference (bench/README.md, cnn14-inference/): clapjs on the CLI's CPU routes
# beside the same network in PyTorch, in one run on one machine, interleaved (ours, theirs, ours,
# theirs) so that a changing load falls on both. Prints one JSON line per figure (stdout), then
# the summary lines of ratio.mjs (median of every measured call across rounds).
# Environment: BATCHES (default "1 8"), ROUNDS (2), MEASURED per process and round (3), WARMUP
# per process (1), WASM_BATCHES (batches for the slower wasm + kernels-wasm route; default "1").
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
BATCHES=${BATCHES:-1 8}
ROUNDS=${ROUNDS:-2}
MEASURED=${MEASURED:-3}
WARMUP=${WARMUP:-1}
WASM_BATCHES=${WASM_BATCHES:-1}
PY=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! $PY -c 'import torch' 2>/dev/null; then
  echo '{"bench":"cnn14-inference","figure":"error","message":"/usr/bin/python3 cannot import torch: apt-get install python3-torch libopenblas0-pthread"}'
  exit 1
fi

# Only JSON lines count (tfjs prints a banner on stdout).
json() { grep '^{' | tee -a "$out"; }
. ../peer-env.sh
torch_run() { # batch threads: every allocator setting of peer-env.sh
  for allocator in $PEER_ALLOCATORS; do
    peer_run "$2" "$allocator" $PY cnn14.py "$1" "$MEASURED" "$WARMUP" "$2" | json
  done
}

node -e '
const os = require("node:os");
console.log(JSON.stringify({ bench: "cnn14-inference", figure: "machine", date: new Date().toISOString(),
  nproc: os.cpus().length, cpu: os.cpus()[0].model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' | json

round=1
while [ "$round" -le "$ROUNDS" ]; do
  for batch in $BATCHES; do
    echo "# round $round, batch $batch: ours (native), theirs (1 thread), ours (wasm), theirs (2 threads)" >&2
    node cnn14.mjs native "$batch" "$MEASURED" "$WARMUP" 2>/dev/null | json
    torch_run "$batch" 1
    for wasm_batch in $WASM_BATCHES; do
      if [ "$wasm_batch" = "$batch" ]; then
        node cnn14.mjs wasm "$batch" "$MEASURED" "$WARMUP" 2>/dev/null | json
      fi
    done
    torch_run "$batch" 2
  done
  round=$((round + 1))
done

node -e '
const os = require("node:os");
console.log(JSON.stringify({ bench: "cnn14-inference", figure: "machine-end", date: new Date().toISOString(),
  loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' | json
node ratio.mjs < "$out"
