#!/bin/sh
# Runs every benchmark folder's run.sh in turn (each prints one JSON line per figure).
set -e
cd "$(dirname "$0")"
for script in */run.sh; do
  echo "# $script" >&2
  sh "$script"
done
