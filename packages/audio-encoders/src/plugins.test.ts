import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, create, get, list, Rng, selectBackend } from '@clapjs/core';
import { describe, expect, it } from 'vitest';
import { CnnAudioEncoder } from './cnn-encoder.js';
import { PACKAGE_VERSION } from './version.js';
import './register.js';

describe('plugins', () => {
  it('the register entry registers cnn6, cnn10, cnn14 and cnn-small', () => {
    expect(list('audio-encoder').map((p) => p.name)).toEqual(
      expect.arrayContaining(['cnn-small', 'cnn10', 'cnn14', 'cnn6']),
    );
    expect(get('audio-encoder', 'cnn14').origin).toBe('@clapjs/audio-encoders');
  });

  it('carries the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(PACKAGE_VERSION).toBe(pkg.version);
    expect(get('audio-encoder', 'cnn6').version).toBe(pkg.version);
  });

  it('builds from a config through the registry, with defaults filled in', async () => {
    await selectBackend('cpu');
    const encoder = create(
      'audio-encoder',
      { name: 'cnn-small', channels: [4, 8], outputDim: 16 },
      { melBins: 8, rng: new Rng(1) },
    );
    expect(encoder).toBeInstanceOf(CnnAudioEncoder);
    expect(encoder.outputDim).toBe(16);
    expect(encoder.getConfig()).toMatchObject({
      name: 'cnn-small',
      channels: [4, 8],
      outputDim: 16,
      dropout: 0.2,
    });
    const y = encoder.encode(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, { training: false });
    expect(y.shape).toEqual([1, 16]);
    y.dispose();
    encoder.dispose();
    const big = create(
      'audio-encoder',
      { name: 'cnn14', width: 0.0625 },
      { melBins: 64, rng: new Rng(1) },
    );
    expect(big.getConfig()).toMatchObject({
      name: 'cnn14',
      width: 0.0625,
      dropout: 0.5,
      blockDropout: 0.2,
      bnMomentum: 0.1,
    });
    big.dispose();
  });

  it('a bad value gives a ConfigError naming the key', () => {
    expect(() =>
      create(
        'audio-encoder',
        { name: 'cnn10', width: -2 },
        { melBins: 64, rng: new Rng(1) },
        'audioEncoder',
      ),
    ).toThrow(ConfigError);
    try {
      create(
        'audio-encoder',
        { name: 'cnn10', width: -2 },
        { melBins: 64, rng: new Rng(1) },
        'audioEncoder',
      );
    } catch (error) {
      expect((error as ConfigError).path).toBe('audioEncoder.width');
      expect((error as Error).message).toMatch(/width must be > 0/);
    }
  });
});
