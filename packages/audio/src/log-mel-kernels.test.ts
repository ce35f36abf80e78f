import { describe, expect, it } from 'vitest';
import { LogMelExtractor } from './log-mel.js';
import { configOf, loadGolden } from './test-utils/golden.js';

describe('LogMelExtractor kernels', () => {
  it("uses the wasm kernel by default here and it gives the JS kernel's numbers within 1e-4 dB", () => {
    for (const c of loadGolden()) {
      const wasm = new LogMelExtractor(configOf(c));
      expect(wasm.kernel).toBe('wasm');
      const js = new LogMelExtractor(configOf(c), { kernel: 'js' });
      const a = wasm.compute(c.samples).data;
      const b = js.compute(c.samples).data;
      for (let i = 0; i < a.length; i++)
        expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(1e-4);
    }
  });

  it('handles clips that need the kernel memory to grow, and smaller ones after', () => {
    const e = new LogMelExtractor(configOf(loadGolden()[0]!));
    const long = Float32Array.from({ length: 44_100 * 12 }, (_, i) => Math.sin(i / 10));
    expect(e.compute(long).frames).toBe(e.frames(long.length));
    const short = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i / 10));
    const js = new LogMelExtractor(e.config, { kernel: 'js' }).compute(short).data;
    const wasm = e.compute(short).data;
    expect(wasm.length).toBe(js.length);
    for (let i = 0; i < js.length; i++)
      expect(Math.abs((wasm[i] as number) - (js[i] as number))).toBeLessThanOrEqual(1e-4);
  });
});
