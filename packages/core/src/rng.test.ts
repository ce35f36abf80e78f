import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draw(new Rng(42), 100)).toEqual(draw(new Rng(42), 100));
    expect(draw(new Rng(42), 100)).not.toEqual(draw(new Rng(43), 100));
  });

  it('resumes exactly from a saved state', () => {
    const rng = new Rng(7);
    draw(rng, 13);
    const state = rng.getState();
    const expected = draw(rng, 50);
    const resumed = new Rng(0);
    resumed.setState(state);
    expect(draw(resumed, 50)).toEqual(expected);
  });

  it('draws uniforms in [0, 1) and normals with mean 0 and std 1', () => {
    const rng = new Rng(1);
    const u = draw(rng, 20000);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const z = rng.normalArray(20000);
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('forks independent, reproducible streams', () => {
    const a = new Rng(5).fork('layer1');
    const b = new Rng(5).fork('layer1');
    const c = new Rng(5).fork('layer2');
    expect(draw(a, 10)).toEqual(draw(b, 10));
    expect(draw(new Rng(5).fork('layer1'), 10)).not.toEqual(draw(c, 10));
  });

  it('shuffles into a permutation, reproducibly', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const once = new Rng(3).shuffle([...items]);
    expect(new Rng(3).shuffle([...items])).toEqual(once);
    expect([...once].sort((x, y) => x - y)).toEqual(items);
    expect(once).not.toEqual(items);
  });

  it('reseed moves two copies of one state onto different, reproducible streams', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const c = new Rng(9);
    b.reseed('gradient-worker-1');
    c.reseed('gradient-worker-1');
    expect(b.getState()).toEqual(c.getState());
    expect(b.getState()).toEqual(new Rng(9).fork('gradient-worker-1').getState());
    const draws = (r: Rng) => Array.from({ length: 4 }, () => r.nextUint32());
    expect(draws(b)).not.toEqual(draws(a));
  });

  it('rejects a non-finite seed', () => {
    expect(() => new Rng(Number.NaN)).toThrow(RangeError);
  });
});
