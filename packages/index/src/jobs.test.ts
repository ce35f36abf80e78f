import { describe, expect, it } from 'vitest';
import { flowIds, type EmbedJobData } from './jobs.js';

const model = { configHash: 'c'.repeat(64), weightsHash: 'w'.repeat(64) };
const batches: EmbedJobData[] = [0, 1].map((b) => ({
  table: 'library',
  model,
  root: 'sounds',
  files: [{ path: `clip-${b}.wav`, size: 100 + b, mtimeMs: 1_700_000_000_000 }],
}));

describe('flowIds', () => {
  it('gives one library one set of job ids, and other index options another parent', () => {
    const plain = flowIds(batches, false);
    expect(flowIds(batches, false)).toEqual(plain);
    // Default options name the same build as no options (ids of builds enqueued before them).
    expect(flowIds(batches, false, {})).toEqual(plain);
    const always = flowIds(batches, false, { ann: 'always' });
    expect(always.parent).not.toBe(plain.parent);
    expect(flowIds(batches, false, { fullText: false }).parent).not.toBe(plain.parent);
    expect(flowIds(batches, false, { ann: 'always' })).toEqual(always);
    expect(flowIds(batches, true).parent).not.toBe(plain.parent);
    expect(new Set([...plain.children, ...always.children]).size).toBe(4);
  });
});
