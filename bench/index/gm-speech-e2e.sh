#!/bin/sh
# A real library end to end with the CLI: render the 5,000-clip gm-speech library, train the
# default model on it (apps/train/configs/gm-speech.yaml), index every clip with
# `clapjs index build` (the README's command; `--ann always` because 5,000 rows is below the
# row count from which an ANN index is built by default), then search it with every caption of the
# clips outside the training split: R@10 of the ANN index at the parameters it chose vs exact
# search over the same rows (gm-speech-recall.mjs). Prints JSON lines (also appended to
# index/local-<date>.jsonl) and a bench/RESULTS.md row.
# Environment: WORK (scratch directory, default /tmp/clapjs-gm-speech-e2e; data and model there are
# reused when present), CLIPS (5000), STEPS (150), SEED (1).
# Needs fluidsynth, fluid-soundfont-gm and espeak-ng (Debian) and the built CLI
# (pnpm turbo run build --filter=clapjs...).
set -e
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WORK=${WORK:-/tmp/clapjs-gm-speech-e2e}
CLIPS=${CLIPS:-5000}
STEPS=${STEPS:-150}
SEED=${SEED:-1}
cli="node $repo/apps/train/dist/cli.js"
log="$here/local-$(date -u +%F).jsonl"
data="$WORK/data/gm-speech"
run="$WORK/train-$STEPS"
db="$WORK/library-$STEPS.lance"
mkdir -p "$WORK"

# Seconds a command took (wall), printed as a JSON line named $1.
timed() {
  name=$1
  shift
  t0=$(date +%s.%N)
  "$@"
  t1=$(date +%s.%N)
  echo "{\"bench\":\"index-gm-speech\",\"step\":\"$name\",\"seconds\":$(echo "$t1 - $t0" | bc),\"date\":\"$(date -u +%FT%TZ)\",\"load\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" | tee -a "$log"
}

if [ ! -f "$data/manifest.jsonl" ]; then
  timed data-build $cli data build gm-speech --out "$data" --clips "$CLIPS" --seed "$SEED"
fi
if [ ! -f "$run/model/config.json" ]; then
  # The repository's config with the data root pointed at $data.
  sed "s#^  root: .*#  root: $data#" "$repo/apps/train/configs/gm-speech.yaml" >"$WORK/gm-speech.yaml"
  timed train $cli train --config "$WORK/gm-speech.yaml" --steps "$STEPS" --out "$run" --no-progress
fi
rm -rf "$db"
timed index-build $cli index build "$data" --db "$db" -m "$run/model" --ann always --no-progress
timed index-rebuild $cli index build "$data" --db "$db" -m "$run/model" --ann always --no-progress
result=$(node "$here/gm-speech-recall.mjs" "$data" "$db" "$run/model")
echo "$result" | tee -a "$log"
echo "$result" | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(`| ${r.date.slice(0, 16)} | ${r.rows} | ${r.parameters.type}, ${r.parameters.numPartitions} partitions, ${r.parameters.nprobes} probed | ${r.queries} (${r.clips} clips) | ${r.ann.r10} / ${r.exact.r10} (${r.r10GapPoints} points) | ${r.ann.r1} / ${r.exact.r1} | ${r.annRecallOfExactTop10} | ${r.ann.msPerQuery} / ${r.exact.msPerQuery} |`);'
