import * as tf from '@tensorflow/tfjs-core';
import { create, Rng } from '@clapjs/core';
import { useTestBackend } from '@clapjs/test-backends';
import { describe, expect, it } from 'vitest';
import './register.js';
import { clapProjectionNames } from './names.js';

describe('clapProjectionNames', () => {
  it('names every weight of the mlp head as LAION’s Sequential and HF’s linear1/linear2', async () => {
    await useTestBackend('cpu');
    const head = create(
      'projection',
      { name: 'mlp', dim: 4 },
      { inputDim: 6, rng: new Rng(1) },
      'audioProjection',
    );
    const paths = head.variables().map((v) => v.path);
    const laion = clapProjectionNames('audio', 'laion');
    const hf = clapProjectionNames('text', 'hf');
    expect([...laion.keys()].sort()).toEqual([...paths].sort());
    expect([...hf.keys()].sort()).toEqual([...paths].sort());
    expect(laion.get('fc2/kernel')).toEqual({ name: 'audio_projection.2.weight', transpose: true });
    expect(laion.get('fc1/bias')).toEqual({ name: 'audio_projection.0.bias', transpose: false });
    expect(hf.get('fc1/kernel')).toEqual({
      name: 'text_projection.linear1.weight',
      transpose: true,
    });
    head.dispose();
  });

  it('weights loaded through the map compute Linear → ReLU → Linear as PyTorch does', async () => {
    await useTestBackend('wasm');
    const head = create(
      'projection',
      { name: 'mlp', dim: 2 },
      { inputDim: 2, rng: new Rng(1) },
      'audioProjection',
    );
    // PyTorch layout ([out, in]) state_dict of nn.Sequential(Linear(2, 2), ReLU(), Linear(2, 2)).
    const state: Record<string, number[][] | number[]> = {
      'audio_projection.0.weight': [
        [1, 2],
        [-3, 1],
      ],
      'audio_projection.0.bias': [0.5, -1],
      'audio_projection.2.weight': [
        [2, 0],
        [1, -1],
      ],
      'audio_projection.2.bias': [0, 3],
    };
    const names = clapProjectionNames('audio', 'laion');
    for (const { path, variable } of head.variables()) {
      const { name, transpose } = names.get(path)!;
      tf.tidy(() => {
        const t = tf.tensor(state[name]!);
        variable.assign(transpose ? tf.transpose(t) : t);
      });
    }
    // x = [1, 1]: h = relu([1 + 2 + 0.5, −3 + 1 − 1]) = [3.5, 0]; y = [7, 3.5 + 3].
    const y = head.call(tf.tensor2d([[1, 1]]), { training: false });
    expect(Array.from(await y.data())).toEqual([7, 6.5]);
    y.dispose();
    head.dispose();
  });
});
