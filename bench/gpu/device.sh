#!/bin/sh
# Runs on the GPU machine (or here, on SwiftShader, for a smoke test with small settings): the
# CLAP-mini step on tfjs-webgpu with and without @clapjs/kernels-webgpu, per-kernel profiles, an
# n³ matMul rate, and the identical PyTorch model, all in one go. JSON lines to stdout and to
# $OUT/results.jsonl. Then the default clapjs model's step (default_model_webgpu.mjs) with and
# without the pack, its per-kernel profiles and its dispatches per step (dispatch_count.mjs).
# Settings: BATCHES ("64 256"), STEPS (10),
# WARMUP (2), NOPACK_STEPS (3), MATMUL_N (4096), DEFAULT_BATCHES ("32", the default config's),
# STEP_TIMEOUT_S (90).
set -u
here=$(cd "$(dirname "$0")" && pwd)
carry="$here/.carry"
OUT=${OUT:-/tmp/clapjs-gpu-out}
BATCHES=${BATCHES:-64 256}
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-2}
NOPACK_STEPS=${NOPACK_STEPS:-3}
MATMUL_N=${MATMUL_N:-4096}
T=${STEP_TIMEOUT_S:-90}
PY=${PY:-python3}
mkdir -p "$OUT"
work=/tmp/clapjs-gpu
mkdir -p "$work/dist/linux-x64"
unxz() {
  xz -dc "$1" > "$2" 2>/dev/null ||
    $PY -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
}
[ -x "$work/node" ] || { unxz "$carry/node.xz" "$work/node" && chmod +x "$work/node"; }
[ -f "$work/dist/linux-x64/dawn.node" ] || unxz "$carry/dawn.node.xz" "$work/dist/linux-x64/dawn.node"
cp "$carry/clap_mini_webgpu.mjs" "$carry/default_model_webgpu.mjs" "$carry/dispatch_count.mjs" "$work/"
if ! ldconfig -p | grep -q 'libvulkan.so.1 '; then
  for f in "$carry"/debs/*.deb; do dpkg -x "$f" /; done
  ldconfig
fi
nv=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_ICD_FILENAMES:-}" ] && [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nv" ]; then export VK_DRIVER_FILES="$nv"; fi
results="$OUT/results.jsonl"
: > "$results"
json() { grep '^{' | tee -a "$results"; }
node() { timeout "$T" "$work/node" "$work/clap_mini_webgpu.mjs" "$@" 2>>"$OUT/stderr.log" | json; }
default_model() { timeout "$T" "$work/node" "$work/default_model_webgpu.mjs" "$@" 2>>"$OUT/stderr.log" | json; }

"$work/node" -e '
const os = require("node:os");
const { execSync } = require("node:child_process");
let gpu = null; try { gpu = execSync("nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv,noheader", { stdio: ["ignore", "pipe", "ignore"] }).toString().trim(); } catch {}
console.log(JSON.stringify({ bench: "clap-mini", figure: "machine", date: new Date().toISOString(), gpu,
  cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, vulkanIcd: process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? null }));
' | json

for b in $BATCHES; do
  node pack "$b" "$STEPS" "$WARMUP"
  timeout "$T" $PY "$here/clap_mini_cuda.py" "$b" 20 5 2>>"$OUT/stderr.log" | json
done
for b in $BATCHES; do node pack "$b" 1 1 profile; done
# tfjs-webgpu submits its command buffers every 15 kernels by default; fewer, larger submits:
export WEBGPU_SUBMIT_BATCH=${SUBMIT_BATCH:-128}
node pack "${BATCHES%% *}" "$STEPS" "$WARMUP"
unset WEBGPU_SUBMIT_BATCH
node pack-mm-dw "${BATCHES%% *}" "$STEPS" "$WARMUP"
node pack-fused-loss "${BATCHES%% *}" "$STEPS" "$WARMUP"
node pack matmul "$MATMUL_N"
node nopack matmul "$MATMUL_N"
timeout "$T" $PY "$here/clap_mini_cuda.py" matmul "$MATMUL_N" 2>>"$OUT/stderr.log" | json
for b in $BATCHES; do
  node nopack "$b" "$NOPACK_STEPS" 1
  node nopack "$b" 1 1 profile
done
for b in ${DEFAULT_BATCHES:-32}; do
  default_model pack "$b" "$STEPS" "$WARMUP"
  default_model pack "$b" 1 1 profile
  default_model nopack "$b" "$NOPACK_STEPS" 1
  default_model nopack "$b" 1 1 profile
done
# Dispatches per default-model step (the trainer's AdamOptimizer): no pack, pack without its fused
# Adam and UnsortedSegmentSum, whole pack.
timeout "$T" "$work/node" "$work/dispatch_count.mjs" "${DEFAULT_BATCHES%% *}" "${DEFAULT_MODEL_CLIP_SECONDS:-2}" 2>>"$OUT/stderr.log" | json
echo '{"bench":"clap-mini","figure":"done"}' | json
