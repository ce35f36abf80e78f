#!/bin/sh
# Embedding throughput of a library build, clapjs vs PyTorch on the same model and files, in one
# run: `clapjs index build` in one process (the CLI's route), clapjs's embedding alone on that
# route (embed-clapjs.mjs: no start-up, no LanceDB writes), queued builds with 1 and 2
# `clapjs worker` processes (throughput.mjs), then the PyTorch peer (embed_peer.py: decode +
# torchaudio log-mel + the same encoder and projection, batches of 16, checked against clapjs's
# vectors) with 1 and 2 threads and glibc's allocator as installed and keeping its heap
# (../peer-env.sh). Clips/s per core = clips per CPU-second of the process (every thread; for
# clapjs the whole CLI process, start-up and LanceDB writes included). Prints JSON lines (appended
# to index/local-<date>.jsonl) and a bench/RESULTS.md row.
# Environment: WORK (default /tmp/clapjs-gm-speech-e2e: gm-speech-e2e.sh's data and model are
# used), STEPS (which trained model, 150), CLIPS (1000), QUEUE (1: also the 1 vs 2 worker runs;
# needs redis-server).
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/../peer-env.sh"
WORK=${WORK:-/tmp/clapjs-gm-speech-e2e}
STEPS=${STEPS:-150}
CLIPS=${CLIPS:-1000}
QUEUE=${QUEUE:-1}
model="$WORK/train-$STEPS/model"
log="$here/local-$(date -u +%F).jsonl"
if [ ! -f "$model/config.json" ]; then
  echo "{\"bench\":\"index-embed\",\"figure\":\"error\",\"message\":\"no model at $model: run bench/index/gm-speech-e2e.sh first (same WORK and STEPS)\"}"
  exit 1
fi
tmp=$(mktemp -d "$WORK/embed-bench-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/clips"
ls "$WORK/data/gm-speech/clips/"*.wav | head -n "$CLIPS" >"$tmp/list.txt"
xargs cp -t "$tmp/clips" <"$tmp/list.txt"
ls "$tmp/clips/"*.wav >"$tmp/list.txt"
load() { cut -d' ' -f1-3 /proc/loadavg; }

# clapjs, one process: wall and CPU of the whole CLI run; the build loop's own rate from its progress line.
/usr/bin/time -f '%e %U %S' -o "$tmp/time" node "$repo/apps/train/dist/cli.js" index build "$tmp/clips" \
  --db "$tmp/db" -m "$model" --ann never --no-fts >"$tmp/out" 2>"$tmp/err"
read -r wall user sys <"$tmp/time"
loop=$(grep -o '[0-9.]* files/s' "$tmp/err" | tail -1 | cut -d' ' -f1)
echo "{\"bench\":\"index-embed\",\"engine\":\"clapjs index build (CLI route)\",\"clips\":$CLIPS,\"seconds\":$wall,\"cpuSeconds\":$(echo "$user + $sys" | bc),\"clipsPerSecond\":$(echo "scale=1; $CLIPS / $wall" | bc),\"buildLoopClipsPerSecond\":$loop,\"clipsPerCpuSecond\":$(echo "scale=1; $CLIPS / ($user + $sys)" | bc),\"date\":\"$(date -u +%FT%TZ)\",\"load\":\"$(load)\"}" | tee -a "$log"

node "$here/embed-clapjs.mjs" "$model" "$tmp/list.txt" native 2>/dev/null | grep '^{' |
  sed "s/}\$/,\"date\":\"$(date -u +%FT%TZ)\",\"load\":\"$(load)\"}/" | tee -a "$log"

if [ "$QUEUE" = 1 ]; then
  node "$here/throughput.mjs" "$CLIPS" "$model" "$tmp/clips" | tee -a "$log"
fi

node "$here/export-model.mjs" "$model" "$tmp/peer" "$tmp/list.txt" >/dev/null 2>&1
for threads in $PEER_THREADS; do
  for allocator in $PEER_ALLOCATORS; do
    peer_run "$threads" "$allocator" /usr/bin/python3 "$here/embed_peer.py" "$tmp/peer" "$tmp/list.txt" "$threads" |
      sed "s/}\$/, \"date\": \"$(date -u +%FT%TZ)\", \"load\": \"$(load)\"}/" | tee -a "$log"
  done
done
