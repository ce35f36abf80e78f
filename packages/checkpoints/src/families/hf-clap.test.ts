import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { useTestBackend } from '@clapjs/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError } from '../import/errors.js';
import {
  CLAP_FIXTURES,
  compareWithReference,
  importFixture,
  references,
} from './test-utils/clap-fixtures.js';

const SMALL = join(CLAP_FIXTURES, 'hf-small');
const LARGER = join(CLAP_FIXTURES, 'hf-larger');

type Json = Record<string, Record<string, unknown>>;
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Json;

/** A copy of hf-small with some files removed or replaced. */
async function variant(
  remove: readonly string[],
  replace: Record<string, string> = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clapjs-hf-'));
  await cp(SMALL, dir, { recursive: true });
  for (const name of remove) await rm(join(dir, name));
  for (const [name, text] of Object.entries(replace)) await writeFile(join(dir, name), text);
  return dir;
}

describe.each(['cpu', 'wasm+pack'] as const)('--from hf on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it.each([
    ['hf-small', 'model.safetensors', SMALL, []],
    ['hf-small', 'pytorch_model.bin', SMALL, ['model.safetensors']],
    ['hf-larger', 'model.safetensors + tokenizer.json', LARGER, []],
  ] as const)(
    '%s (%s) reproduces PyTorch: pooled outputs, embeddings, logits per direction within 1e-4',
    async (fixture, _weights, source, remove) => {
      const dir = remove.length === 0 ? source : await variant(remove);
      const { model, report } = await importFixture(dir, 'hf', { folder: true });
      try {
        const before = tf.memory().numTensors;
        const { ids, errors } = await compareWithReference(model, fixture);
        expect(ids).toEqual(references.tokenIds);
        console.info(`${fixture} on ${backend}: ${JSON.stringify(errors)}`);
        for (const [key, error] of Object.entries(errors))
          expect(error, key).toBeLessThanOrEqual(1e-4);
        expect(tf.memory().numTensors).toBe(before);
        expect(report.unused.filter((u) => u.reason === 'not part of this model')).toEqual([]);
        expect(report.unused.map((u) => u.reason)).toContain(
          'Swin buffer clapjs recomputes from the config',
        );
      } finally {
        model.dispose();
        if (dir !== source) await rm(dir, { recursive: true });
      }
    },
  );
});

describe('--from hf reads the snapshot, not a default', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });
  let report: Awaited<ReturnType<typeof importFixture>>['report'];
  afterAll(() => undefined);

  it('takes every hyperparameter from config.json and preprocessor_config.json', async () => {
    const imported = await importFixture(LARGER, 'hf', { folder: true });
    report = imported.report;
    const config = imported.model.config;
    imported.model.dispose();
    const json = await readJson(join(LARGER, 'config.json'));
    const audio = json['audio_config']!;
    expect(config.audioEncoder).toMatchObject({
      name: 'htsat',
      embedDim: audio['patch_embeds_hidden_size'],
      depths: audio['depths'],
      heads: audio['num_attention_heads'],
      windowSize: audio['window_size'],
      specSize: audio['spec_size'],
    });
    expect(config.textEncoder).toMatchObject({
      name: 'roberta',
      layers: 3,
      width: 12,
      heads: 3,
      layerNormEpsilon: 1e-12,
    });
    expect(config.audio).toMatchObject({
      sampleRate: 8000,
      nFft: 128,
      hopLength: 80,
      nMels: 16,
      fMin: 50,
      fMax: 4000,
      clipSeconds: 2,
      padMode: 'repeat-pad',
    });
    expect(config.similarity).toMatchObject({ logitScales: 'per-direction' });
    expect(report.settings.find((s) => s.key === 'textEncoder.layerNormEpsilon')).toEqual({
      key: 'textEncoder.layerNormEpsilon',
      value: 1e-12,
      from: 'checkpoint',
    });
  });

  it('--from auto recognises a snapshot as hf', async () => {
    const { model, report } = await importFixture(SMALL, 'auto', { folder: true });
    model.dispose();
    expect([report.family, report.guessed, report.prefix]).toEqual(['hf', true, '']);
  });

  it('refuses fusion, a missing config.json or tokenizer, and a bad value, with typed errors', async () => {
    const config = await readJson(join(SMALL, 'config.json'));
    const pre = await readJson(join(SMALL, 'preprocessor_config.json'));
    const cases: [string, Promise<string>][] = [
      [
        'IMPORT_FEATURE_UNSUPPORTED',
        variant([], {
          'config.json': JSON.stringify({
            ...config,
            audio_config: { ...config['audio_config'], enable_fusion: true },
          }),
        }),
      ],
      [
        'IMPORT_FEATURE_UNSUPPORTED',
        variant([], {
          'preprocessor_config.json': JSON.stringify({ ...pre, truncation: 'fusion' }),
        }),
      ],
      ['IMPORT_CONFIG_MISSING', variant(['config.json'])],
      ['IMPORT_TOKENIZER_MISSING', variant(['vocab.json'])],
      [
        'IMPORT_CONFIG_INVALID',
        variant([], {
          'config.json': JSON.stringify({
            ...config,
            text_config: { ...config['text_config'], hidden_act: 'relu' },
          }),
        }),
      ],
      ['IMPORT_CONFIG_INVALID', variant([], { 'preprocessor_config.json': '{ not json' })],
    ];
    for (const [code, pending] of cases) {
      const dir = await pending;
      try {
        const error = await importFixture(dir, 'hf', { folder: true }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, code).toBeInstanceOf(ImportError);
        expect((error as ImportError).code).toBe(code);
        expect((error as Error).message).not.toContain('\n');
      } finally {
        await rm(dir, { recursive: true });
      }
    }
  });
});
