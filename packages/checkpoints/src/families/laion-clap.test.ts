import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeWav } from '@clapjs/audio';
import { useTestBackend } from '@clapjs/test-backends';
import { beforeAll, describe, expect, it } from 'vitest';
import fused from '../../fixtures/clap/references-fused.json' with { type: 'json' };
import { ImportError } from '../import/errors.js';
import {
  CLAP_FIXTURES,
  compareWithReference,
  importFixture,
  references,
  relativeError,
} from './test-utils/clap-fixtures.js';

/**
 * The fixtures' small front end (fixtures/clap/make-clap-fixtures.py), given as a user would for a
 * LAION file trained on other log-mels; the file's own STFT and mel buffers are checked against it.
 */
const FRONT_END = [
  'audio.sampleRate=8000',
  'audio.nFft=128',
  'audio.winLength=128',
  'audio.hopLength=80',
  'audio.nMels=16',
  'audio.fMax=4000',
  'audio.clipSeconds=2',
];
/** The tiny RoBERTa's head count (shapes cannot tell it; LAION's default is roberta-base's 12). */
const HEADS = 'textEncoder.heads=2';

describe.each(['cpu', 'wasm+pack'] as const)('--from laion on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  it.each([
    ['laion-tiny', 'HTSAT-tiny', '2-2-6-2'],
    ['laion-base', 'HTSAT-base', '2-2-12-2'],
  ] as const)(
    '%s: the size is read from the shapes (%s layout), and PyTorch is reproduced within 1e-4',
    async (fixture, size, depths) => {
      const file = join(CLAP_FIXTURES, `${fixture}.pt`);
      const { model, report } = await importFixture(file, 'auto', {
        set: [...FRONT_END, HEADS],
        tokenizer: CLAP_FIXTURES,
      });
      try {
        expect(report.family).toBe('laion');
        expect(report.prefix).toBe('state_dict.module.');
        expect(report.notes.join('\n')).toContain(`${size}'s depths ${depths}`);
        expect(report.frontEnd.map((f) => f.name)).toEqual([
          'state_dict.module.audio_branch.spectrogram_extractor.stft.conv_real.weight',
          'state_dict.module.audio_branch.spectrogram_extractor.stft.conv_imag.weight',
          'state_dict.module.audio_branch.logmel_extractor.melW',
        ]);
        const reasons = new Set(report.unused.map((u) => u.reason));
        expect(reasons).not.toContain('not part of this model');
        for (const reason of [
          'AudioSet classification head (CLAP does not use it)',
          "LAION's audio_transform/text_transform (used only by its MLP training loss)",
          'position / token type index buffer',
        ])
          expect(reasons).toContain(reason);
        const before = tf.memory().numTensors;
        const { ids, errors } = await compareWithReference(model, fixture);
        expect(ids).toEqual(references.tokenIds);
        console.info(`${fixture} on ${backend}: ${JSON.stringify(errors)}`);
        for (const [key, error] of Object.entries(errors))
          expect(error, key).toBeLessThanOrEqual(1e-4);
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        model.dispose();
      }
    },
  );
});

describe.each(['cpu', 'wasm+pack'] as const)('--from laion, a fused .pt, on %s', (backend) => {
  beforeAll(async () => {
    await useTestBackend(backend);
  });

  // fixtures/clap/make-clap-fused-fixture.py: the hf-fused weights as LAION saves a fused
  // checkpoint (module.*, torchlibrosa buffers kept); logits per text read logit_scale_a.
  it('is recognised as fused (mel_conv2d + the fusion block), skips the torchlibrosa buffers and reproduces PyTorch within 1e-4', async () => {
    const want = fused.fixtures['laion-fused-tiny'];
    const { model, report } = await importFixture(
      join(CLAP_FIXTURES, 'laion-fused-tiny.pt'),
      'auto',
      { set: [...FRONT_END, HEADS], tokenizer: CLAP_FIXTURES },
    );
    try {
      expect(report.family).toBe('laion');
      expect(model.config.audioEncoder).toMatchObject({
        name: 'htsat',
        fusion: true,
        fusionRatio: 4,
      });
      expect(model.config.audio).toMatchObject({ melScale: 'htk', norm: null });
      expect(report.frontEnd).toEqual([]);
      expect(report.unused.filter((u) => u.reason === 'not part of this model')).toEqual([]);
      expect(report.unused.filter((u) => u.name.includes('logmel_extractor.melW'))).toHaveLength(1);
      const clips = await Promise.all(
        ['short', 'exact', 'long'].map(
          async (name) =>
            decodeWav(new Uint8Array(await readFile(join(CLAP_FIXTURES, `clip-${name}.wav`))))
              .samples,
        ),
      );
      const before = tf.memory().numTensors;
      const tokens = model.tokenize(fused.captions);
      const out = tf.tidy(() => {
        const audio = model.encodeAudio(clips);
        const text = model.encodeText(tokens);
        return {
          audioEmbeddings: audio.dataSync().slice(),
          textEmbeddings: text.dataSync().slice(),
          logitsPerText: model.logits(text, audio, 'text-to-audio').dataSync().slice(),
          logitsPerAudio: tf
            .transpose(model.logits(text, audio, 'audio-to-text'))
            .dataSync()
            .slice(),
        };
      });
      expect(await tokens.ids.array()).toEqual(fused.tokenIds);
      tf.dispose([tokens.ids, tokens.mask]);
      const errors = Object.fromEntries(
        (Object.keys(out) as (keyof typeof out)[]).map((key) => [
          key,
          relativeError(out[key], want[key].flat()),
        ]),
      );
      console.info(`laion-fused-tiny on ${backend}: ${JSON.stringify(errors)}`);
      for (const [key, error] of Object.entries(errors))
        expect(error, key).toBeLessThanOrEqual(1e-4);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});

describe('--from laion refusals', () => {
  beforeAll(async () => {
    await useTestBackend('cpu');
  });
  const file = join(CLAP_FIXTURES, 'laion-tiny.pt');

  it('without --tokenizer: one line saying where an HF snapshot keeps vocab.json + merges.txt', async () => {
    const error = await importFixture(file, 'laion', { set: [...FRONT_END, HEADS] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ImportError);
    expect((error as ImportError).code).toBe('IMPORT_TOKENIZER_MISSING');
    expect((error as Error).message).toMatch(
      /--tokenizer DIR is required: .*vocab\.json \+ merges\.txt/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it("with another front end (fMax 3,000 Hz): the file's own mel filterbank refuses it", async () => {
    const error = await importFixture(file, 'laion', {
      set: [...FRONT_END, 'audio.fMax=3000', HEADS],
      tokenizer: CLAP_FIXTURES,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as ImportError).code).toBe('IMPORT_FRONT_END_MISMATCH');
    expect((error as Error).message).toContain('logmel_extractor.melW');
  });
});
