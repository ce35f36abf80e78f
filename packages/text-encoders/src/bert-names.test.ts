import { ConfigError, Rng, create, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import './register.js';
import { bertNameMap } from './bert-names.js';

describe('bertNameMap', () => {
  it('names every weight of a post-LN transformer once, with BertModel shapes', async () => {
    await selectBackend('cpu');
    const config = {
      name: 'transformer',
      norm: 'post',
      layers: 2,
      width: 8,
      heads: 2,
      ffn: 16,
      tokenTypes: 2,
      maxLength: 12,
    } as const;
    const model = create('text-encoder', config, { vocabSize: 30, maxLength: 12, rng: new Rng(0) });
    const map = bertNameMap(config);
    const paths = model.variables().map((v) => v.path);
    expect([...map.keys()].sort()).toEqual([...paths].sort());
    expect(new Set([...map.values()].map((n) => n.name)).size).toBe(map.size);
    // PyTorch shapes of BertModel(vocab 30, hidden 8, 2 layers, intermediate 16, 12 positions, 2 types).
    const torchShapes: Record<string, number[]> = {
      'embeddings.word_embeddings.weight': [30, 8],
      'embeddings.position_embeddings.weight': [12, 8],
      'embeddings.token_type_embeddings.weight': [2, 8],
      'embeddings.LayerNorm.weight': [8],
      'encoder.layer.1.attention.self.query.weight': [8, 8],
      'encoder.layer.1.attention.output.dense.bias': [8],
      'encoder.layer.0.attention.output.LayerNorm.bias': [8],
      'encoder.layer.0.intermediate.dense.weight': [16, 8],
      'encoder.layer.0.output.dense.weight': [8, 16],
      'encoder.layer.1.output.LayerNorm.weight': [8],
    };
    for (const { path, variable } of model.variables()) {
      const { name, transpose } = map.get(path)!;
      const ours = transpose ? [...variable.shape].reverse() : variable.shape;
      if (torchShapes[name] !== undefined) expect(ours, name).toEqual(torchShapes[name]);
    }
    expect(map.get('layer0/ffn/intermediate/kernel')).toEqual({
      name: 'encoder.layer.0.intermediate.dense.weight',
      transpose: true,
    });
    model.dispose();
  });

  it('refuses a pre-LN encoder', () => {
    expect(() => bertNameMap({ norm: 'pre', layers: 1, tokenTypes: 0 })).toThrow(ConfigError);
  });
});
