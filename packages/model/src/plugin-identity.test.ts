import { Rng, create, selectBackend } from '@clapjs/core';
import { CnnAudioEncoder } from '@clapjs/audio-encoders';
import { TransformerTextEncoder } from '@clapjs/text-encoders';
import { beforeAll, describe, expect, it } from 'vitest';
import './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

// The model registers the parts through each package's `register` entry; users import classes
// from the package index. Both must be one copy of the code, or `instanceof` silently fails.
describe('parts built through the registry', () => {
  it('are instances of the classes the part packages export', () => {
    const audio = create('audio-encoder', { name: 'cnn-small' }, { melBins: 64, rng: new Rng(1) });
    expect(audio).toBeInstanceOf(CnnAudioEncoder);
    audio.dispose();
    const text = create(
      'text-encoder',
      { name: 'transformer', layers: 1, width: 16, heads: 2 },
      { vocabSize: 20, maxLength: 8, rng: new Rng(1) },
    );
    expect(text).toBeInstanceOf(TransformerTextEncoder);
    text.dispose();
  });
});
