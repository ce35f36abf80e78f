#!/bin/sh
# bench/losses: symmetric CLAP and SigLIP loss + gradient at N = 4,096 (bench/README.md), clapjs on
# tfjs wasm and cpu beside PyTorch CPU in one run, on the same logits. Prints one JSON line per
# figure, then a summary line with PyTorch-time / clapjs-time ratios (> 1: clapjs is faster).
# Needs: @clapjs/losses built (pnpm --filter @clapjs/losses build), Debian /usr/bin/python3 with
# python3-torch (+ libopenblas0-pthread). Env: N (4096), REPS (5), CPU_REPS (2), PEER_THREADS and
# PEER_ALLOCATORS (peer-env.sh; the ratio is against PyTorch's fastest setting).
set -e
here="$(cd "$(dirname "$0")" && pwd)"
n="${N:-4096}"
reps="${REPS:-5}"
cpu_reps="${CPU_REPS:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
logits="$work/logits.f32"
lines="$work/lines.jsonl"

node -e "console.log(JSON.stringify({ bench: 'losses', load_average_at_start: require('os').loadavg() }))" 
. "$here/../peer-env.sh"
: > "$lines"
for threads in $PEER_THREADS; do
  for allocator in $PEER_ALLOCATORS; do
    peer_run "$threads" "$allocator" /usr/bin/python3 "$here/torch_losses.py" "$logits" "$n" "$reps" "$threads" | tee -a "$lines"
  done
done
for backend in wasm cpu; do
  r="$reps"; [ "$backend" = cpu ] && r="$cpu_reps"
  for loss in symmetric-clap siglip; do
    for variant in clapjs autodiff; do
      node "$here/clapjs_losses.mjs" "$logits" "$n" "$r" "$backend" "$loss" "$variant" | tee -a "$lines"
    done
  done
done
node "$here/summary.mjs" "$lines"
