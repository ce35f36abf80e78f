import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@clapjs/core';
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClapModel, ModelFormatError, WeightsError } from './index.js';
import { CAPTIONS, makeClips, tinyConfig } from './test-helpers.js';

describe('save / load', () => {
  let root: string;
  let model: ClapModel;
  const clips = makeClips(3);
  const texts = ['a dog barks', 'rain on a roof'];

  const outputs = (m: ClapModel) =>
    tf.tidy(() => [
      Array.from(m.encodeAudio(clips).dataSync()),
      Array.from(m.encodeText(texts).dataSync()),
    ]);

  beforeAll(async () => {
    await selectBackend('cpu');
    root = await mkdtemp(join(tmpdir(), 'clapjs-model-'));
    model = await ClapModel.create(tinyConfig(), { seed: 5, captions: CAPTIONS });
  });
  afterAll(async () => {
    model.dispose();
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips a model through a directory with identical outputs', async () => {
    const dir = join(root, 'a');
    await model.save(dir);
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['config.json', 'model.json', 'tokenizer.json', 'weights.1-of-1.bin']);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(config.audioEncoder.name).toBe('cnn-small');
    expect(config.textEncoder.name).toBe('transformer');
    const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(manifest.parts.audioEncoder).toMatchObject({
      name: 'cnn-small',
      origin: '@clapjs/audio-encoders',
    });
    const loaded = await ClapModel.load(dir);
    expect(loaded.config).toEqual(model.config);
    expect(outputs(loaded)).toEqual(outputs(model));
    expect(loaded.tokenizer.vocabSize).toBe(model.tokenizer.vocabSize);
    loaded.dispose();
  });

  it('round-trips the BERT WordPiece tokenizer with its vocabulary', async () => {
    const dir = join(root, 'wordpiece');
    const bert = await ClapModel.create({
      ...tinyConfig(),
      tokenizer: { name: 'bert-wordpiece', maxLength: 12 },
      textEncoder: { name: 'bag-of-embeddings', width: 4 },
    });
    await bert.save(dir);
    const loaded = await ClapModel.load(dir);
    expect(loaded.config.tokenizer).toEqual(bert.config.tokenizer);
    const ids = (m: ClapModel) =>
      tf.tidy(() => Array.from(m.tokenize(['Unbelievable rainstorms, 42 dogs!']).ids.dataSync()));
    expect(ids(loaded)).toEqual(ids(bert));
    expect(tf.tidy(() => Array.from(loaded.encodeText(texts).dataSync()))).toEqual(
      tf.tidy(() => Array.from(bert.encodeText(texts).dataSync())),
    );
    bert.dispose();
    loaded.dispose();
  });

  it('loads through a fetch-like source, as a browser does', async () => {
    const files = await model.toFiles();
    const loaded = await ClapModel.load({
      fetch: async (path) => {
        const bytes = files.get(path);
        if (bytes === undefined) throw new Error(`404 ${path}`);
        return bytes.slice().buffer;
      },
    });
    expect(outputs(loaded)).toEqual(outputs(model));
    loaded.dispose();
  });

  it('replaces an existing saved model atomically and leaves no temporary directory', async () => {
    const dir = join(root, 'b');
    const other = await ClapModel.create(tinyConfig(), { seed: 6, captions: CAPTIONS });
    await other.save(dir);
    other.dispose();
    await model.save(dir);
    expect((await readdir(root)).filter((n) => n.startsWith('b'))).toEqual(['b']);
    const loaded = await ClapModel.load(dir);
    expect(outputs(loaded)).toEqual(outputs(model));
    loaded.dispose();
  });

  it('refuses to overwrite a directory that is not a saved model', async () => {
    const dir = join(root, 'precious');
    await mkdir(dir);
    await writeFile(join(dir, 'thesis.tex'), 'do not delete');
    await expect(model.save(dir)).rejects.toThrow(/not a saved clapjs model/);
    expect(await readFile(join(dir, 'thesis.tex'), 'utf8')).toBe('do not delete');
  });

  it('refuses weights of another shape, naming the variable', async () => {
    const dir = join(root, 'shape');
    await model.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    config.audioProjection.dim = 4;
    config.textProjection.dim = 4;
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const error = await ClapModel.load(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsError);
    expect((error as WeightsError).code).toBe('WEIGHTS_SHAPE_MISMATCH');
    expect((error as WeightsError).variable).toMatch(/^audioProjection\//);
    expect((error as WeightsError).message).toContain((error as WeightsError).variable);
  });

  it('refuses a missing variable and reports unexpected ones', async () => {
    const dir = join(root, 'layers');
    await model.save(dir);
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    config.textEncoder.layers = 2;
    await writeFile(join(dir, 'config.json'), JSON.stringify(config));
    const missing = await ClapModel.load(dir).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(WeightsError);
    expect((missing as WeightsError).code).toBe('WEIGHTS_MISSING');
    expect((missing as WeightsError).variable).toMatch(/^textEncoder\/layer1\//);

    const bigger = await ClapModel.create(
      { ...tinyConfig(), textEncoder: { name: 'transformer', layers: 2, width: 16, heads: 2 } },
      { captions: CAPTIONS },
    );
    await bigger.save(dir);
    bigger.dispose();
    await writeFile(join(dir, 'config.json'), JSON.stringify(model.config));
    const extra = await ClapModel.load(dir).catch((e: unknown) => e);
    expect(extra).toBeInstanceOf(WeightsError);
    expect((extra as WeightsError).code).toBe('WEIGHTS_UNEXPECTED');
    expect((extra as WeightsError).message).toContain('textEncoder/layer1/');
  });

  it('reports missing or corrupt files with a typed error, leaking no tensors', async () => {
    // @clapjs/layers' Params.weight (0.1.0) leaves each variable's initial-value tensor behind;
    // allow exactly what building and disposing a model leaves, so only load's own leaks fail.
    let before = tf.memory().numTensors;
    (await ClapModel.create(model.config, { captions: CAPTIONS })).dispose();
    const buildLeak = tf.memory().numTensors - before;
    before = tf.memory().numTensors;
    await expect(ClapModel.load(join(root, 'nowhere'))).rejects.toThrow(ModelFormatError);
    const dir = join(root, 'cut');
    await model.save(dir);
    const bin = await readFile(join(dir, 'weights.1-of-1.bin'));
    await writeFile(join(dir, 'weights.1-of-1.bin'), bin.subarray(0, 100));
    await expect(ClapModel.load(dir)).rejects.toThrow(/truncated/);
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(buildLeak);
  });
});
