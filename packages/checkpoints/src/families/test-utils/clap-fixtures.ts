import * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { decodeWav } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';
import { importCheckpoint } from '../../import/import-checkpoint.js';
import { openCheckpoint } from '../../readers/open.js';
import references from '../../../fixtures/clap/references.json' with { type: 'json' };

/**
 * Test helpers for the LAION / Hugging Face fixtures (fixtures/clap/make-clap-fixtures.py): tiny
 * random HTSAT + RoBERTa CLAP models in PyTorch, three clips and three captions.
 */
export const CLAP_FIXTURES = new URL('../../../fixtures/clap/', import.meta.url).pathname;
export { references };
export type FixtureName = keyof typeof references.fixtures;

/** max|ours − reference| / max|reference|. */
export function relativeError(ours: ArrayLike<number>, want: ArrayLike<number>): number {
  let diff = 0;
  let peak = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - want[i]!));
    peak = Math.max(peak, Math.abs(want[i]!));
  }
  return diff / peak;
}

/** Imports `path` (a file, or a snapshot folder) as `from`. */
export async function importFixture(
  path: string,
  from: string,
  options: { set?: string[]; tokenizer?: string; folder?: boolean } = {},
) {
  const reader = await openCheckpoint(path);
  try {
    return await importCheckpoint(reader, {
      from,
      source: path,
      ...(options.set === undefined ? {} : { set: options.set }),
      ...(options.tokenizer === undefined ? {} : { tokenizer: options.tokenizer }),
      ...(options.folder === true ? { folder: path } : {}),
    });
  } finally {
    await reader.close();
  }
}

/**
 * The three clips as the reference fed them: the short one through the model's padding (repeat-pad),
 * the exact one as is, the long one cropped at the reference's offset.
 */
export async function fixtureLogMel(model: ClapModel): Promise<tf.Tensor4D> {
  const read = async (name: string) =>
    decodeWav(new Uint8Array(await readFile(`${CLAP_FIXTURES}clip-${name}.wav`))).samples;
  const rate = model.config.audio.sampleRate!;
  const length = Math.round(rate * model.config.audio.clipSeconds!);
  const offset = Math.round(references.cropOffsetSeconds * rate);
  const long = (await read('long')).subarray(offset, offset + length);
  return model.logMelBatch([await read('short'), await read('exact'), long]);
}

/** Every output the references hold, computed by `model` (inference mode). */
export async function fixtureOutputs(model: ClapModel) {
  const logMel = await fixtureLogMel(model);
  const out = tf.tidy(() => {
    const tokens = model.tokenize(references.captions);
    const inference = { training: false };
    const audioEmbeddings = model.encodeAudio(logMel);
    const textEmbeddings = model.encodeText(tokens);
    return {
      ids: tokens.ids.arraySync(),
      audioPooled: model.audioEncoder.encode(logMel, inference).dataSync().slice(),
      textPooled: model.textEncoder.encode(tokens, inference).dataSync().slice(),
      audioEmbeddings: audioEmbeddings.dataSync().slice(),
      textEmbeddings: textEmbeddings.dataSync().slice(),
      logitsPerText: model
        .logits(textEmbeddings, audioEmbeddings, 'text-to-audio')
        .dataSync()
        .slice(),
      logitsPerAudio: tf
        .transpose(model.logits(textEmbeddings, audioEmbeddings, 'audio-to-text'))
        .dataSync()
        .slice(),
    };
  });
  logMel.dispose();
  return out;
}

/** The largest relative error of each output against the fixture's references. */
export async function compareWithReference(model: ClapModel, fixture: FixtureName) {
  const ours = await fixtureOutputs(model);
  const want = references.fixtures[fixture];
  const keys = [
    'audioPooled',
    'textPooled',
    'audioEmbeddings',
    'textEmbeddings',
    'logitsPerText',
    'logitsPerAudio',
  ] as const;
  return {
    ids: ours.ids,
    errors: Object.fromEntries(keys.map((k) => [k, relativeError(ours[k], want[k].flat())])),
  };
}
