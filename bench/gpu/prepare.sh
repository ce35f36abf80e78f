#!/bin/sh
# Prepares bench/gpu/.carry (git-ignored) for the GPU machine, which has no Node and installs
# nothing: an xz-compressed Node binary, the bundled webgpu script (tfjs + the kernel pack inside),
# the `webgpu` package's dawn.node (xz), the Vulkan loader .deb, and the PyTorch script.
# Then `sh bench/gpu/device.sh` there runs every figure. Needs xz and the workspace installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
carry="$here/.carry"
mkdir -p "$carry/debs"
cd "$root"
pnpm --filter @clapjs/kernels-webgpu build >/dev/null
# ESM bundles: CJS parts of tfjs that call require() get one from createRequire. The default
# model's step and the dispatch count need the built packages they import (@clapjs/model and its
# parts, @clapjs/trainer: dist/ present).
for script in clap_mini_webgpu default_model_webgpu dispatch_count; do
  bench/node_modules/.bin/esbuild "bench/gpu/$script.mjs" --bundle --platform=node --format=esm \
    --target=node20 --log-level=warning --outfile="$carry/$script.mjs" \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
done
dawn=$(node -e "console.log(require('node:path').join(require('node:path').dirname(require.resolve('webgpu/package.json', {paths: ['bench']})), 'dist/linux-x64/dawn.node'))")
# Written under a temporary name first: an interrupted run must not leave a truncated archive.
[ -f "$carry/dawn.node.xz" ] || { xz -T0 -c "$dawn" > "$carry/dawn.node.xz.tmp" && mv "$carry/dawn.node.xz.tmp" "$carry/dawn.node.xz"; }
# /usr/bin/node (Debian's Node 20) links only glibc, libstdc++ and libgcc: it runs there.
[ -f "$carry/node.xz" ] || { xz -T0 -c "$(command -v node)" > "$carry/node.xz.tmp" && mv "$carry/node.xz.tmp" "$carry/node.xz"; }
if ! ls "$carry"/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update >/dev/null && (cd "$carry/debs" && apt-get $o download libvulkan1)
fi
du -sh "$carry"
