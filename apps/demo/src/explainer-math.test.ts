import { describe, expect, it } from 'vitest';
import { clapLosses, softmaxColumns, softmaxRows } from './explainer-math.js';

const C = [
  [3, 1, -2],
  [0.5, 2, 0],
  [4, -1, 1],
];

describe('explainer arithmetic', () => {
  it('row softmax sums to 1 along rows, column softmax along columns', () => {
    for (const row of softmaxRows(C)) expect(row.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    const cols = softmaxColumns(C);
    for (let j = 0; j < 3; j++)
      expect(cols.reduce((a, row) => a + (row[j] ?? 0), 0)).toBeCloseTo(1, 12);
  });

  it('the two directions differ on an asymmetric matrix and equal the cross-entropies', () => {
    const { text, audio, mean } = clapLosses(C);
    const rows = softmaxRows(C);
    const cols = softmaxColumns(C);
    expect(text).toBeCloseTo(
      -(Math.log(rows[0]![0]!) + Math.log(rows[1]![1]!) + Math.log(rows[2]![2]!)) / 3,
      12,
    );
    expect(audio).toBeCloseTo(
      -(Math.log(cols[0]![0]!) + Math.log(cols[1]![1]!) + Math.log(cols[2]![2]!)) / 3,
      12,
    );
    expect(text).not.toBeCloseTo(audio, 3);
    expect(mean).toBeCloseTo((text + audio) / 2, 12);
  });

  it('is stable for large logits and refuses a non-square matrix', () => {
    expect(
      Number.isFinite(
        clapLosses([
          [1000, -1000],
          [-1000, 1000],
        ]).mean,
      ),
    ).toBe(true);
    expect(() => clapLosses([[1, 2]])).toThrow(/square/);
  });
});
