import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DIST } from './fixtures.js';

describe('the production build', () => {
  it('ships at most 1 MB of gzipped JavaScript (weights and .wasm excluded)', () => {
    const assets = join(DIST, 'assets');
    const js = readdirSync(assets).filter((name) => name.endsWith('.js'));
    const sizes = js.map((name) => gzipSync(readFileSync(join(assets, name)), { level: 9 }).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(`demo bundle: ${js.length} JS files, ${(total / 1024).toFixed(1)} KiB gzipped`);
    expect(js.length).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
  });

  it('copies the tfjs wasm binaries into the build (no CDN)', () => {
    const wasm = readdirSync(join(DIST, 'assets')).filter((name) => name.endsWith('.wasm'));
    expect(wasm.some((name) => name.startsWith('tfjs-backend-wasm-simd'))).toBe(true);
  });
});
