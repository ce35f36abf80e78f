import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { clipWindows, decodeWav, resampleFor, windowClip, type LogMelConfig } from '@clapjs/audio';
import { ClapError } from '@clapjs/core';
import type { ClapModel } from '@clapjs/model';
import type { Gpt2TextEncoder } from '@clapjs/text-encoders';
import { useTestBackend } from '@clapjs/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointImportReport } from '../import/import-checkpoint.js';
import { importFile as importFixture, relativeError } from './test-utils/import-fixture.js';
import reference from '../../fixtures/msclap/msclap-2023-tiny.json' with { type: 'json' };

// fixtures/msclap/make-msclap-2023.py: a random tiny msclap 2023 model in PyTorch (HTS-AT 4 wide,
// 2-2-2-2 blocks; GPT-2 2 layers × 4 wide × 2 heads with the full 50,257-token table;
// projections to 16) with upstream's names, and its embeddings of two short clips, a crop of a
// long 8 kHz clip and three captions (one ends in '!', one has '!' inside).
const FIXTURES = new URL('../../fixtures/msclap/', import.meta.url);
const TINY = new URL('msclap-2023-tiny.pth', FIXTURES).pathname;
/** The tiny fixture's head count: weight shapes cannot tell it, so it is set as a user would. */
const HEADS = ['textEncoder.heads=2'];

function importFile(path: string, options: { from?: string; set?: string[] } = {}) {
  return importFixture(path, { from: options.from ?? 'msclap-2023', set: options.set ?? HEADS });
}

/** The three clips as the CLI feeds them: decoded, resampled to 44.1 kHz, the long one cropped. */
async function clips(model: ClapModel): Promise<Float32Array[]> {
  const preset = model.config.audio as unknown as LogMelConfig;
  return Promise.all(
    reference.clips.map(async (name, i) => {
      const wav = decodeWav(new Uint8Array(await readFile(new URL(name, FIXTURES))));
      const samples = resampleFor(preset, wav.samples, wav.sampleRate);
      const seconds = reference.crop_offsets[i];
      const offset = seconds == null ? 0 : Math.round(seconds * preset.sampleRate);
      const [span] = clipWindows(samples.length, preset.sampleRate, preset, { offset });
      return windowClip(samples, span!, preset.sampleRate, preset);
    }),
  );
}

describe('msclap 2023 import (wasm + kernel pack, the CLI route)', () => {
  let model: ClapModel;
  let report: CheckpointImportReport;
  let waves: Float32Array[];

  beforeAll(async () => {
    await useTestBackend('wasm+pack');
    ({ model, report } = await importFile(TINY));
    waves = await clips(model);
  });
  afterAll(() => model.dispose());

  it('tokenizes as msclap: caption + " <|endoftext|>", padded with "!" (id 0) to 77', () => {
    const tokens = model.tokenize(reference.captions);
    expect(tokens.ids.shape).toEqual([3, 77]);
    expect(Array.from(tokens.ids.dataSync())).toEqual(reference.ids.flat());
    expect(Array.from(tokens.mask.dataSync()).map(Math.round)).toEqual(
      reference.real_tokens.flatMap((n) => Array.from({ length: 77 }, (_, i) => (i < n ? 1 : 0))),
    );
    tf.dispose([tokens.ids, tokens.mask]);
  });

  it('pools each caption where msclap does, one position early per "!" (upstream’s quirk)', () => {
    const tokens = model.tokenize(reference.captions);
    const index = (model.textEncoder as Gpt2TextEncoder).poolIndex(tokens);
    expect(Array.from(index.dataSync())).toEqual(reference.pool_index);
    // "…roof!" ends with ! Ġ <|endoftext|>: pooled at Ġ, not at its last real token.
    expect(reference.pool_index.map((p, i) => reference.real_tokens[i]! - 1 - p)).toEqual([
      0, 1, 1,
    ]);
    tf.dispose([tokens.ids, tokens.mask, index]);
  });

  it('reproduces PyTorch’s embeddings (short clips, a crop of a long 8 kHz clip) and logits within 1e-4 relative', () => {
    expect(waves.map((w) => w.length)).toEqual([308_700, 308_700, 308_700]);
    const got = tf.tidy(() => {
      const out = model.forward(model.logMelBatch(waves), model.tokenize(reference.captions), {
        training: false,
      });
      return {
        audio: out.audioEmbeddings.dataSync().slice(),
        text: out.textEmbeddings.dataSync().slice(),
        logits: tf.transpose(out.logits).dataSync().slice(), // msclap: [audio, text]
      };
    });
    const audio = relativeError(got.audio, reference.audio_embeddings.flat());
    const text = relativeError(got.text, reference.text_embeddings.flat());
    const logits = relativeError(got.logits, reference.logits_per_audio.flat());
    console.info(
      `msclap 2023 tiny: audio ${audio.toExponential(2)}, text ${text.toExponential(2)}, logits ${logits.toExponential(2)}`,
    );
    expect(audio).toBeLessThanOrEqual(1e-4);
    expect(text).toBeLessThanOrEqual(1e-4);
    expect(logits).toBeLessThanOrEqual(1e-4);
  });

  it('tiles a short clip to 7 s as msclap does when given the raw samples', () => {
    const got = tf.tidy(() =>
      model
        .encodeAudio([waves[0]!.slice(0, 110_250)])
        .dataSync()
        .slice(),
    );
    expect(relativeError(got, reference.audio_embeddings_normalized[0]!)).toBeLessThanOrEqual(1e-4);
  });

  it('reports every tensor: mapped, the 32 kHz filterbank checked, unused with the reason', () => {
    expect(report.family).toBe('msclap-2023');
    expect(report.prefix).toBe('model.');
    expect(report.mapped).toHaveLength(model.variables().length);
    expect(report.mapped.find((m) => m.ours === 'textEncoder/h/1/attn/c_attn/weight')).toEqual({
      name: 'model.caption_encoder.base.h.1.attn.c_attn.weight',
      ours: 'textEncoder/h/1/attn/c_attn/weight',
      shape: [4, 12],
    });
    expect(
      report.mapped.find((m) => m.ours === 'audioEncoder/layers/0/blocks/1/attn/qkv/weight'),
    ).toMatchObject({ name: 'model.audio_encoder.base.htsat.layers.0.blocks.1.attn.qkv.weight' });
    expect(report.frontEnd.map((f) => f.name)).toEqual([
      'model.audio_encoder.base.htsat.logmel_extractor.melW',
    ]);
    expect(report.frontEnd[0]!.relativeError).toBeLessThan(1e-5);
    const unused = Object.fromEntries(report.unused.map((u) => [u.name, u.reason]));
    expect(Object.keys(unused).sort()).toEqual(
      [
        'audio_encoder.base.htsat.bn0.num_batches_tracked',
        'audio_encoder.base.htsat.head.bias',
        'audio_encoder.base.htsat.head.weight',
        'audio_encoder.base.htsat.layers.0.blocks.0.attn.relative_position_index',
        'audio_encoder.base.htsat.layers.2.blocks.1.attn_mask',
        'audio_encoder.base.htsat.tscam_conv.bias',
        'audio_encoder.base.htsat.tscam_conv.weight',
        ...[0, 1].flatMap((i) => [
          `caption_encoder.base.h.${i}.attn.bias`,
          `caption_encoder.base.h.${i}.attn.masked_bias`,
        ]),
      ]
        .map((n) => `model.${n}`)
        .sort(),
    );
    expect(unused['model.audio_encoder.base.htsat.tscam_conv.weight']).toMatch(/AudioSet/);
    expect(unused['model.caption_encoder.base.h.0.attn.bias']).toMatch(/causal-mask/);
    expect(model.config.audioEncoder).toMatchObject({
      embedDim: 4,
      depths: [2, 2, 2, 2],
      heads: [1, 2, 2, 4],
      windowSize: 8,
    });
    expect(model.config.textEncoder).toMatchObject({
      layers: 2,
      width: 4,
      ffn: 12,
      maxPositions: 80,
    });
    expect(model.config.audio.preset).toBe('msclap-2023');
  });
});

describe('msclap 2023 import refusals and recognition', () => {
  beforeAll(() => useTestBackend('cpu'));

  async function failure(options: { from?: string; set?: string[] }): Promise<ClapError> {
    const before = tf.memory().numTensors;
    const error = await importFile(TINY, options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClapError);
    expect(tf.memory().numTensors).toBe(before);
    return error as ClapError;
  }

  it('--from auto recognises msclap 2023', async () => {
    const { model, report } = await importFile(TINY, { from: 'auto' });
    model.dispose();
    expect(report.family).toBe('msclap-2023');
    expect(report.guessed).toBe(true);
  });

  it('GPT-2 small’s 12 heads on a 4-wide fixture is refused, naming the key', async () => {
    expect((await failure({ set: [] })).message).toMatch(/heads/);
  });

  it('a filterbank built for the audio’s 44.1 kHz instead of 32 kHz is refused', async () => {
    const error = await failure({ set: [...HEADS, 'audio.melSampleRate=44100'] });
    expect(error.code).toBe('IMPORT_FRONT_END_MISMATCH');
    expect(error.message).toContain('melW');
  });
});
