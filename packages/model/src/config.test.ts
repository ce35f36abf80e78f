import { ConfigError, PluginError, selectBackend } from '@clapjs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, defaultModelConfig, parseModelConfig } from './index.js';
import { CAPTIONS, tinyConfig } from './test-helpers.js';

const configError = async (config: object): Promise<ConfigError> => {
  const error = await ClapModel.create(config, { captions: CAPTIONS }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
};

describe('ClapModelConfig', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('fills every missing part with the default config', () => {
    const parsed = parseModelConfig({});
    expect(parsed).toEqual({ ...defaultModelConfig() });
    expect(parseModelConfig({ similarity: { name: 'dot' } }).audioEncoder).toEqual({
      name: 'cnn-small',
    });
  });

  it('builds the default config out of the box, with every plugin default filled in', async () => {
    const model = await ClapModel.create(defaultModelConfig(), { captions: CAPTIONS, seed: 3 });
    expect(model.config.audio).toMatchObject({
      preset: 'fast',
      sampleRate: 16000,
      nMels: 64,
      clipSeconds: 2,
    });
    expect(model.config.audioEncoder).toMatchObject({
      name: 'cnn-small',
      channels: expect.any(Array),
    });
    expect(model.config.textEncoder).toMatchObject({
      name: 'transformer',
      layers: 2,
      width: 128,
      heads: 4,
    });
    expect(model.config.tokenizer).toMatchObject({ name: 'word', maxLength: 24 });
    expect(model.config.audioProjection).toMatchObject({ name: 'mlp', dim: 128 });
    expect(model.config.similarity).toMatchObject({ name: 'cosine' });
    expect(model.config.loss).toMatchObject({ name: 'symmetric-clap' });
    expect(model.encodeText(['a dog']).shape).toEqual([1, 128]);
    model.dispose();
  });

  it('refuses an unknown plugin name with the known names', async () => {
    for (const [key, name, known] of [
      ['audioEncoder', 'cnn99', 'cnn14'],
      ['textEncoder', 'lstm', 'bag-of-embeddings'],
      ['tokenizer', 'sentencepiece', 'word'],
      ['audioProjection', 'conv', 'residual'],
      ['similarity', 'euclid', 'cosine'],
    ] as const) {
      const config = { ...tinyConfig(), [key]: { name } };
      const error = await ClapModel.create(config, { captions: CAPTIONS }).catch((e: unknown) => e);
      expect(error, key).toBeInstanceOf(PluginError);
      expect((error as PluginError).message).toContain(`"${name}"`);
      expect((error as PluginError).message).toContain(known);
    }
  });

  it('names the key of a bad value', async () => {
    expect(
      (await configError({ ...tinyConfig(), audioEncoder: { name: 'cnn14', width: -1 } })).path,
    ).toBe('audioEncoder.width');
    expect(
      (
        await configError({
          ...tinyConfig(),
          audioEncoder: { name: 'cnn-small', channels: [4, -8] },
        })
      ).path,
    ).toBe('audioEncoder.channels.1');
    expect(
      (await configError({ ...tinyConfig(), textEncoder: { name: 'transformer', width: -16 } }))
        .path,
    ).toBe('textEncoder.width');
    expect(
      (await configError({ ...tinyConfig(), audioProjection: { name: 'mlp', dim: 0 } })).path,
    ).toBe('audioProjection.dim');
    expect(
      (await configError({ ...tinyConfig(), tokenizer: { name: 'word', maxLength: 0 } })).path,
    ).toBe('tokenizer.maxLength');
    expect(
      (await configError({ ...tinyConfig(), audio: { preset: 'fast', nMels: -64 } })).path,
    ).toBe('audio.nMels');
    expect((await configError({ ...tinyConfig(), audio: { preset: 'fast', nMel: 64 } })).path).toBe(
      'audio.nMel',
    );
    expect((await configError({ ...tinyConfig(), audio: { preset: 'studio' } })).path).toBe(
      'audio.preset',
    );
    expect((await configError({ ...tinyConfig(), extra: 1 })).message).toMatch(/extra/);
    const dims = await configError({ ...tinyConfig(), textProjection: { name: 'mlp', dim: 4 } });
    expect(dims.path).toBe('textProjection.dim');
  });

  it('refuses heads that do not divide the width', async () => {
    const error = await ClapModel.create(
      { ...tinyConfig(), textEncoder: { name: 'transformer', layers: 1, width: 10, heads: 3 } },
      { captions: CAPTIONS },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toMatch(/^textEncoder\./);
  });

  it('refuses a word tokenizer without captions to fit', async () => {
    await expect(ClapModel.create(tinyConfig())).rejects.toThrow(/caption/i);
  });

  it('sizes that would allocate until killed are config errors naming the key', async () => {
    const dim = await configError({
      ...tinyConfig(),
      audioProjection: { name: 'linear', dim: 1e8 },
    });
    expect(dim.message).toMatch(/audioProjection.*dim.*at most 16384/);
    const clip = await configError({
      ...tinyConfig(),
      audio: { preset: 'fast', clipSeconds: 100000 },
    });
    expect(clip.message).toMatch(/clipSeconds.*at most 600/);
  });
});
