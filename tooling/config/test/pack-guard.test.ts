import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { workspaceRanges } from '../pack-guard.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const GUARD = 'node ../../tooling/config/pack-guard.js';

function publishable(): { dir: string; manifest: Record<string, unknown> }[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name))
      .filter((dir) => existsSync(join(dir, 'package.json')))
      .map((dir) => ({
        dir,
        manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<
          string,
          unknown
        >,
      }))
      .filter(({ manifest }) => manifest.private !== true),
  );
}

describe('shipping workspace: ranges is impossible', () => {
  it('every publishable package runs the guard before packing', () => {
    const missing = publishable()
      .filter(({ manifest }) => (manifest.scripts as Record<string, string>)?.prepack !== GUARD)
      .map(({ dir }) => `${dir}: add "prepack": "${GUARD}" to scripts`);
    expect(missing).toEqual([]);
  });

  it('finds the workspace ranges a manifest still has', () => {
    expect(
      workspaceRanges({
        dependencies: { '@clapjs/core': 'workspace:^', zod: '4.0.0' },
        peerDependencies: { '@clapjs/layers': 'workspace:*' },
        devDependencies: { '@clapjs/config': 'workspace:*' },
      }),
    ).toEqual([
      'dependencies: @clapjs/core@workspace:^',
      'peerDependencies: @clapjs/layers@workspace:*',
    ]);
  });

  it('npm pack refuses a package with workspace ranges, naming them and the fix', () => {
    // Run as a user's shell would: without the npm_config_* variables of the pnpm script that runs
    // this test (npm reads npm_config_user_agent as its own user-agent setting).
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
    );
    const r = spawnSync('npm', ['pack', '--dry-run'], {
      cwd: join(root, 'packages', 'losses'),
      encoding: 'utf8',
      env,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /@clapjs\/losses: refusing to pack with npm\/.*dependencies: @clapjs\/core@workspace:\^.*pnpm pack/,
    );
  });

  it('pnpm pack (which rewrites the ranges) passes the guard', () => {
    const r = spawnSync('pnpm', ['pack', '--dry-run'], {
      cwd: join(root, 'packages', 'losses'),
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/refusing to pack/);
    expect(r.status).toBe(0);
  });
});
