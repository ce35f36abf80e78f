import { describe, expect, it } from 'vitest';
import { retrievalMetrics, zeroShotMetrics } from './index.js';

describe('retrievalMetrics (laion_clap definitions)', () => {
  it('computes R@k and mAP@10 from the rank of the positive', () => {
    // 3 queries × 12 candidates; positives ranked 0, 2 and 11 (0-based).
    const scores = new Float32Array(36);
    for (let q = 0; q < 3; q++) for (let c = 0; c < 12; c++) scores[q * 12 + c] = -c;
    const m = retrievalMetrics(scores, 3, 12, [[0], [2], [11]]);
    expect(m.r1).toBeCloseTo(1 / 3);
    expect(m.r5).toBeCloseTo(2 / 3);
    expect(m.r10).toBeCloseTo(2 / 3);
    expect(m.mAP10).toBeCloseTo((1 + 1 / 3 + 0) / 3);
    expect(m.meanRank).toBeCloseTo((1 + 3 + 12) / 3);
  });

  it('with several positives uses the best for R@k and averages precision over all', () => {
    const scores = new Float32Array([5, 4, 3, 2, 1]);
    const m = retrievalMetrics(scores, 1, 5, [[1, 3]]);
    expect(m.r1).toBe(0);
    expect(m.r5).toBe(1);
    expect(m.mAP10).toBeCloseTo((1 / 2 + 2 / 4) / 2);
  });

  it('puts tied (untrained) scores at the bottom, not the top', () => {
    const m = retrievalMetrics(new Float32Array(16), 4, 4, [[0], [1], [2], [3]]);
    expect(m.r1).toBe(0);
  });
});

describe('zeroShotMetrics', () => {
  it('counts top-1/top-5 and fills the confusion matrix', () => {
    const classes = ['a', 'b', 'c'];
    const scores = new Float32Array([0.9, 0.1, 0, 0.8, 0.2, 0, 0, 0, 1]);
    const m = zeroShotMetrics(scores, [0, 1, 2], classes);
    expect(m.top1).toBeCloseTo(2 / 3);
    expect(m.top5).toBe(1);
    expect(m.chance).toBeCloseTo(1 / 3);
    expect(m.balancedTop1).toBeCloseTo((1 + 0 + 1) / 3);
    expect(m.confusion).toEqual([
      [1, 0, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
  });
});

describe('balanced top-1', () => {
  it('puts a model that always gives the same answer exactly at chance, whatever the class sizes', () => {
    const truth = [0, 0, 0, 0, 0, 0, 1, 2];
    const scores = new Float32Array(truth.length * 3);
    for (let i = 0; i < truth.length; i++) scores[i * 3] = 1; // always class 0
    const m = zeroShotMetrics(scores, truth, ['a', 'b', 'c']);
    expect(m.top1).toBeCloseTo(6 / 8);
    expect(m.balancedTop1).toBeCloseTo(1 / 3);
  });
});
