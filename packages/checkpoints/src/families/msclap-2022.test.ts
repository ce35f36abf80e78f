import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { decodeWav } from '@clapjs/audio';
import { ClapError } from '@clapjs/core';
import { readSafetensors, type ClapModel } from '@clapjs/model';
import { useTestBackend } from '@clapjs/test-backends';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportError } from '../import/errors.js';
import { importCheckpoint, type CheckpointImportReport } from '../import/import-checkpoint.js';
import { importFile as importFixture, relativeError } from './test-utils/import-fixture.js';
import { openCheckpoint } from '../readers/open.js';
import reference from '../../fixtures/msclap/msclap-2022-tiny.json' with { type: 'json' };

// fixtures/msclap/make-msclap-2022.py: a random tiny msclap 2022 model in PyTorch (CNN14 at
// width 1/32, BERT 2 layers × 16 wide × 2 heads, projections to 24) with upstream's names.
const FIXTURES = new URL('../../fixtures/msclap/', import.meta.url);
const TINY = new URL('msclap-2022-tiny.pth', FIXTURES).pathname;
const FP16_ADAM = new URL('msclap-2022-tiny-fp16-adam.pth', FIXTURES).pathname;
/** The tiny fixture's head count: weight shapes cannot tell it, so it is set as a user would. */
const HEADS = ['textEncoder.heads=2'];
const SAMPLES = 44_100 * 5;

/** msclap's padding: tile the clip, then cut it to 5 s. */
function tileAndCut(samples: Float32Array): Float32Array {
  const out = new Float32Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) out[i] = samples[i % samples.length]!;
  return out;
}

function importFile(path: string, options: { from?: string; set?: string[] } = {}) {
  return importFixture(path, { from: options.from ?? 'msclap-2022', set: options.set ?? HEADS });
}

async function clips(): Promise<Float32Array[]> {
  return Promise.all(
    reference.clips.map(async (name) => {
      const decoded = decodeWav(new Uint8Array(await readFile(new URL(name, FIXTURES))));
      return tileAndCut(decoded.samples);
    }),
  );
}

/** Projected (not normalised) embeddings, as msclap's encoders return them. */
function embeddings(model: ClapModel, waves: Float32Array[]) {
  return tf.tidy(() => {
    const out = model.forward(model.logMelBatch(waves), model.tokenize(reference.captions), {
      training: false,
    });
    return {
      audio: out.audioEmbeddings.dataSync().slice(),
      text: out.textEmbeddings.dataSync().slice(),
    };
  });
}

describe('msclap 2022 import (wasm + kernel pack, the CLI route)', () => {
  let model: ClapModel;
  let report: CheckpointImportReport;
  let waves: Float32Array[];

  beforeAll(async () => {
    await useTestBackend('wasm+pack');
    ({ model, report } = await importFile(TINY));
    waves = await clips();
  });
  afterAll(() => model.dispose());

  it('reproduces PyTorch’s audio and text embeddings within 1e-4 relative', () => {
    expect(Array.from(model.tokenize(reference.captions).ids.dataSync())).toEqual(
      reference.ids.flat(),
    );
    const got = embeddings(model, waves);
    const audio = relativeError(got.audio, reference.audio_embeddings.flat());
    const text = relativeError(got.text, reference.text_embeddings.flat());
    console.info(
      `msclap 2022 tiny: audio ${audio.toExponential(2)}, text ${text.toExponential(2)}`,
    );
    expect(audio).toBeLessThanOrEqual(1e-4);
    expect(text).toBeLessThanOrEqual(1e-4);
    const normalized = tf.tidy(() => model.encodeText(reference.captions).dataSync().slice());
    expect(relativeError(normalized, reference.text_embeddings_normalized.flat())).toBeLessThan(
      1e-4,
    );
  });

  it('pads short clips as msclap does (tile, then cut to 5 s) when given the raw clips', async () => {
    const raw = await Promise.all(
      reference.clips.map(
        async (name) => decodeWav(new Uint8Array(await readFile(new URL(name, FIXTURES)))).samples,
      ),
    );
    expect(raw.map((c) => c.length)).toEqual([110_250, 66_150]); // 2.5 s and 1.5 s
    const got = tf.tidy(() => model.encodeAudio(raw).dataSync().slice());
    expect(relativeError(got, reference.audio_embeddings_normalized.flat())).toBeLessThanOrEqual(
      1e-4,
    );
  });

  it('computes msclap’s log-mel from the same waves (torchlibrosa front end)', async () => {
    const bytes = new Uint8Array(
      await readFile(new URL('msclap-2022-tiny-ref.safetensors', FIXTURES)),
    );
    const want = readSafetensors(bytes).tensors.get('logmel')!;
    const ours = tf.tidy(() => model.logMelBatch(waves).dataSync().slice());
    expect(want.shape).toEqual([2, 690, 64]);
    const peak = Math.max(...want.data);
    let worst = 0;
    for (let i = 0; i < ours.length; i++)
      if (want.data[i]! > peak - 80) worst = Math.max(worst, Math.abs(ours[i]! - want.data[i]!));
    expect(worst).toBeLessThanOrEqual(1e-2);
  });

  it('reports every tensor: mapped, front end checked, unused with the reason', () => {
    expect(report.family).toBe('msclap-2022');
    expect(report.prefix).toBe('model.');
    expect(report.mapped).toHaveLength(model.variables().length);
    expect(report.mapped.find((m) => m.ours === 'audioEncoder/conv_block1/conv1/weight')).toEqual({
      name: 'model.audio_encoder.base.conv_block1.conv1.weight',
      ours: 'audioEncoder/conv_block1/conv1/weight',
      shape: [2, 1, 3, 3],
    });
    expect(report.frontEnd.map((f) => f.name).sort()).toEqual([
      'model.audio_encoder.base.logmel_extractor.melW',
      'model.audio_encoder.base.spectrogram_extractor.stft.conv_imag.weight',
      'model.audio_encoder.base.spectrogram_extractor.stft.conv_real.weight',
    ]);
    for (const f of report.frontEnd) expect(f.relativeError).toBeLessThan(1e-5);
    const unused = Object.fromEntries(report.unused.map((u) => [u.name, u.reason]));
    expect(Object.keys(unused).sort()).toEqual(
      [
        'model.audio_encoder.base.fc_audioset.bias',
        'model.audio_encoder.base.fc_audioset.weight',
        'model.caption_encoder.base.embeddings.position_ids',
        'model.caption_encoder.base.pooler.dense.bias',
        'model.caption_encoder.base.pooler.dense.weight',
        ...[
          'bn0',
          ...[1, 2, 3, 4, 5, 6].flatMap((b) => [`conv_block${b}.bn1`, `conv_block${b}.bn2`]),
        ].map((bn) => `model.audio_encoder.base.${bn}.num_batches_tracked`),
      ].sort(),
    );
    expect(unused['model.audio_encoder.base.fc_audioset.weight']).toMatch(/AudioSet/);
    const from = Object.fromEntries(report.settings.map((s) => [s.key, s.from]));
    expect(from).toMatchObject({
      'audioEncoder.width': 'checkpoint',
      'textEncoder.layers': 'checkpoint',
      'textEncoder.heads': 'set',
      'tokenizer.maxLength': 'default',
    });
    expect(model.config.textEncoder).toMatchObject({
      layers: 2,
      width: 16,
      ffn: 40,
      maxLength: 128,
    });
  });

  it('reads the fp16 file with optimizer state: same model, optimizer tensors unused and unread', async () => {
    const reader = await openCheckpoint(FP16_ADAM);
    const { model: half, report: halfReport } = await importCheckpoint(reader, {
      from: 'auto',
      set: HEADS,
    });
    const optimizerBytes = reader
      .names()
      .filter((n) => n.startsWith('optimizer.'))
      .reduce((sum, n) => sum + 4 * reader.info(n).shape.reduce((a, b) => a * b, 1), 0);
    const read = reader.bytesRead;
    await reader.close();
    try {
      expect(halfReport.guessed).toBe(true);
      expect(halfReport.family).toBe('msclap-2022');
      const optimizer = halfReport.unused.filter((u) => u.name.startsWith('optimizer.'));
      expect(optimizer.length).toBeGreaterThan(0);
      expect(optimizer[0]!.reason).toMatch(/optimizer/);
      const size = (await import('node:fs')).statSync(FP16_ADAM).size;
      expect(read).toBeLessThan(size - optimizerBytes + 1);
      const got = embeddings(half, waves);
      expect(relativeError(got.audio, reference.audio_embeddings.flat())).toBeLessThanOrEqual(1e-4);
      expect(relativeError(got.text, reference.text_embeddings.flat())).toBeLessThanOrEqual(1e-4);
    } finally {
      half.dispose();
    }
  });
});

describe('msclap 2022 import refusals', () => {
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

  it('a head count the width cannot take (BERT-base’s 12 on a 16-wide fixture) names the key', async () => {
    const error = await failure({ set: [] });
    expect(error.message).toMatch(/heads/);
  });

  it('a shape mismatch is a typed error naming both shapes and the weight', async () => {
    const error = await failure({ set: [...HEADS, 'audioEncoder.width=0.0625'] });
    expect(error).toBeInstanceOf(ImportError);
    expect(error.code).toBe('IMPORT_SHAPE_MISMATCH');
    expect(error.message).toContain('audio_encoder.base.conv_block1.conv1.weight');
    expect(error.message).toContain('[2, 1, 3, 3]');
  });

  it('a front end that differs from the preset is refused, not listed as unused', async () => {
    const error = await failure({ set: [...HEADS, 'audio.fMax=8000'] });
    expect(error.code).toBe('IMPORT_FRONT_END_MISMATCH');
    expect(error.message).toContain('melW');
  });

  it('an unknown family and a malformed --set are typed errors', async () => {
    expect((await failure({ from: 'laion-2099' })).code).toBe('IMPORT_FAMILY_UNKNOWN');
    expect((await failure({ set: ['heads=2'] })).code).toBe('IMPORT_SET_INVALID');
  });
});
