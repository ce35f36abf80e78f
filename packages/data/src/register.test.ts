import { create, list } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { SynthDataset } from './synth/dataset.js';

describe('@clapjs/data/register', () => {
  it('registers every dataset plugin, idempotently', async () => {
    expect(list('dataset').map((p) => p.name)).not.toContain('synth');
    await import('./register.js');
    await import('./register.js');
    expect(list('dataset').map((p) => p.name)).toEqual([
      'audiocaps',
      'clotho',
      'esc50',
      'manifest',
      'synth',
      'webdataset',
    ]);
    const ds = create('dataset', { name: 'synth', size: 12, seed: 3 }, { root: '.' });
    expect(ds).toBeInstanceOf(SynthDataset);
    expect(ds.size).toBe(12);
    expect(() =>
      create('dataset', { name: 'synth', size: 0 }, { root: '.' }, 'data.dataset'),
    ).toThrow(/data\.dataset\.size/);
  });
});
