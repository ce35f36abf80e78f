import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, create, get, selectBackend } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import './register.js';
import { infoNCE, symmetricClapLoss } from './index.js';

beforeAll(async () => {
  await selectBackend('cpu');
});

describe('loss plugins', () => {
  it('register symmetric-clap, infonce and siglip, registering twice is a no-op', async () => {
    await import('./register.js');
    for (const name of ['symmetric-clap', 'infonce', 'siglip'])
      expect(get('loss', name).origin).toBe('@clapjs/losses');
  });

  it('build losses that compute the same values as the functions', async () => {
    const c = tf.tensor2d([Math.log(3), Math.log(3), 0, 0, 0, 0, 0, 0, 0], [3, 3]);
    const clap = create('loss', { name: 'symmetric-clap' }, {});
    const a2t = create('loss', { name: 'infonce', direction: 'audio-to-text' }, {});
    const t2a = create('loss', { name: 'infonce' }, {});
    expect(t2a.getConfig()).toEqual({ name: 'infonce', direction: 'text-to-audio' });
    expect((await clap.call(c).data())[0]).toBeCloseTo(
      (await symmetricClapLoss(c).data())[0] as number,
      7,
    );
    expect((await a2t.call(c).data())[0]).toBeCloseTo(
      (await infoNCE(c, 'audio-to-text').data())[0] as number,
      7,
    );
    expect(create('loss', { name: 'siglip' }, {}).getConfig()).toEqual({ name: 'siglip' });
  });

  it('reject a bad direction or an unknown key with a ConfigError naming it', () => {
    expect(() => create('loss', { name: 'infonce', direction: 'sideways' }, {}, 'loss')).toThrow(
      ConfigError,
    );
    try {
      create('loss', { name: 'infonce', direction: 'sideways' }, {}, 'loss');
    } catch (error) {
      expect((error as ConfigError).path).toBe('loss.direction');
    }
    expect(() => create('loss', { name: 'symmetric-clap', temperature: 1 }, {}, 'loss')).toThrow(
      /loss/,
    );
  });
});
