#!/usr/bin/env node
// The `prepack` script of every publishable package. `pnpm pack` and `pnpm publish` (what
// `changeset publish` runs) rewrite `workspace:` ranges into real versions inside the tarball;
// `npm pack` and `npm publish` copy package.json as it is, and a tarball with `workspace:^` cannot
// be installed. So anything but pnpm is refused while such a range is left in the manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The dependencies of a manifest that still use the workspace protocol.
 * @param {Record<string, unknown>} manifest
 * @returns {string[]} `field: name@range` for each
 */
export function workspaceRanges(manifest) {
  const fields = ['dependencies', 'peerDependencies', 'optionalDependencies'];
  return fields.flatMap((field) =>
    Object.entries(/** @type {Record<string, string>} */ (manifest[field] ?? {}))
      .filter(([, range]) => String(range).startsWith('workspace:'))
      .map(([name, range]) => `${field}: ${name}@${range}`),
  );
}

if (process.argv[1] === import.meta.filename) {
  const agent = process.env.npm_config_user_agent ?? '';
  const manifest = JSON.parse(readFileSync(join(process.cwd(), 'package.json'), 'utf8'));
  const left = workspaceRanges(manifest);
  if (!agent.startsWith('pnpm/') && left.length > 0) {
    console.error(
      `${manifest.name}: refusing to pack with ${agent.split(' ')[0] || 'this tool'}: package.json still has workspace ranges (${left.join(', ')}), which only pnpm rewrites. Run \`pnpm pack\` or \`pnpm publish\` (the release flow: \`pnpm release\`).`,
    );
    process.exit(1);
  }
}
