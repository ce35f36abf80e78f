#!/bin/sh
# Log-mel of 10 s clips at 32 kHz, 64 mel, 50-14000 Hz, n_fft 1024, hop 320 (bench/README.md):
# @clapjs/audio beside torchaudio 0.13 on the same clips, in one run. One JSON line per figure.
# Builds packages/audio when its dist is missing. Needs /usr/bin/python3 with torch,
# torchaudio and libopenblas0-pthread. Environment: CLIPS (8), REPS (5).
set -e
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
CLIPS=${CLIPS:-8}
REPS=${REPS:-5}
PY=/usr/bin/python3
dir=$(mktemp -d)
out="$dir/out.jsonl"
trap 'rm -rf "$dir"' EXIT

if ! $PY -c 'import torchaudio' 2>/dev/null; then
  echo '{"bench":"logmel","figure":"error","message":"/usr/bin/python3 cannot import torchaudio: apt-get install python3-torchaudio libopenblas0-pthread"}'
  exit 1
fi
if [ ! -f ../../packages/audio/dist/index.js ]; then
  echo "# building @clapjs/audio (its dist is missing)" >&2
  (cd ../.. && pnpm --filter @clapjs/audio build >&2)
fi
json() { grep '^{' | tee -a "$out"; }

# The same clips for both: tones + a chirp + noise (a fixed LCG), raw float32.
node -e '
const fs = require("node:fs"), os = require("node:os");
const [dir, n] = [process.argv[1], Number(process.argv[2])];
let s = 12345;
const noise = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
for (let c = 0; c < n; c++) {
  const x = new Float32Array(320000);
  for (let i = 0; i < x.length; i++) {
    const t = i / 32000;
    x[i] = 0.3 * Math.sin(2 * Math.PI * (220 * (c + 1)) * t) + 0.2 * Math.sin(2 * Math.PI * (100 * t + 600 * t * t)) + 0.05 * noise();
  }
  fs.writeFileSync(`${dir}/clip${c}.f32`, Buffer.from(x.buffer));
}
console.log(JSON.stringify({ bench: "logmel", figure: "machine", date: new Date().toISOString(), nproc: os.cpus().length,
  cpu: os.cpus()[0].model, node: process.version, loadavg: os.loadavg().map((x) => +x.toFixed(2)) }));
' "$dir" "$CLIPS" | json

# Interleaved (torch, clapjs, torch …) so that a change in machine load hits both sides. The peer
# runs in every setting of peer-env.sh (threads pinned, allocator as installed or keeping its heap).
. ../peer-env.sh
first=1
for threads in $PEER_THREADS; do
  for allocator in $PEER_ALLOCATORS; do
    if [ "$first" = 1 ]; then
      peer_run "$threads" "$allocator" $PY logmel.py "$dir" "$CLIPS" "$REPS" "$threads" "$dir/ref.f32" | json
      node logmel.mjs "$dir" "$CLIPS" "$REPS" "$dir/ref.f32" 2>/dev/null | json
      first=0
    else
      peer_run "$threads" "$allocator" $PY logmel.py "$dir" "$CLIPS" "$REPS" "$threads" | json
    fi
  done
done

# Ratio = torchaudio ms / clapjs ms (above 1: clapjs is faster), on CPU time and on wall time,
# against every peer setting and mode; "best" marks the peer's fastest (CPU time per clip).
node -e '
const lines = require("node:fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const ours = lines.find((l) => l.engine === "clapjs wasm kernel");
const peers = lines.filter((l) => l.figure === "logmel-10s-32k" && String(l.engine).startsWith("torchaudio"));
const best = peers.reduce((a, b) => (b.cpuMsPerClip < a.cpuMsPerClip ? b : a));
for (const peer of peers) {
  console.log(JSON.stringify({ bench: "logmel", figure: "ratio", best: peer === best,
    versus: `${peer.engine}, ${peer.mode}, ${peer.threads} thread(s), ${peer.allocator} allocator, ${peer.blas}`,
    clapjsCpuMs: ours.cpuMsPerClip, torchCpuMs: peer.cpuMsPerClip, cpuRatio: +(peer.cpuMsPerClip / ours.cpuMsPerClip).toFixed(2),
    clapjsWallMs: ours.wallMsPerClip, torchWallMs: peer.wallMsPerClip, wallRatio: +(peer.wallMsPerClip / ours.wallMsPerClip).toFixed(2) }));
}
' "$out"
