#!/bin/sh
# Packs the CLAP-mini benchmark for a machine without Node or node_modules (the GPU host's CPU):
# one esbuild bundle of clap_mini.mjs, tfjs-wasm's .wasm files, this machine's Node binary (it
# needs only glibc) and the PyTorch script, in bench/clap-mini/.cache/device (git-ignored).
# There: `bash device.sh` (see the end of this file) with $OUT set; JSON lines go to $OUT.
set -e
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/.cache/device"
mkdir -p "$dest"
cd "$here/.."
esbuild=$(ls -d node_modules/.bin/esbuild ../node_modules/.pnpm/esbuild@*/node_modules/esbuild/bin/esbuild 2>/dev/null | head -1)
"$esbuild" clap-mini/clap_mini.mjs --bundle --platform=node --format=esm --target=node20 \
  --outfile="$dest/clap_mini.bundle.mjs" --log-level=error \
  --banner:js="import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
cp "$(readlink -f node_modules/@tensorflow/tfjs-backend-wasm)"/dist/*.wasm "$dest/"
cp clap-mini/clap_mini.py "$dest/"
gzip -1 -c "$(command -v node)" > "$dest/node.bin.gz"
cat > "$dest/device.sh" <<'EOS'
#!/bin/bash
set -u
cd "$(dirname "$0")"
R=$OUT/results.jsonl
gzip -dc node.bin.gz > /tmp/node && chmod +x /tmp/node
echo "{\"figure\":\"machine\",\"date\":\"$(date -u +%FT%TZ)\",\"nproc\":$(nproc),\"cpu\":\"$(lscpu | sed -n 's/^Model name: *//p' | head -1)\",\"node\":\"$(/tmp/node --version)\",\"loadavg\":\"$(cat /proc/loadavg)\"}" | tee -a $R
run() { timeout "$1" "${@:2}" 2>>$OUT/stderr.txt | grep '^{' | grep -v '"step"' | tee -a $R; }
run 100 /tmp/node clap_mini.bundle.mjs wasm pack 16 5 1
run 130 /tmp/node clap_mini.bundle.mjs wasm pack 64 3 1
run 60 python3 clap_mini.py 16 10 2 1
run 60 python3 clap_mini.py 16 10 2 16
run 90 python3 clap_mini.py 64 5 1 1
run 40 python3 clap_mini.py 64 5 1 16
EOS
du -sh "$dest"
