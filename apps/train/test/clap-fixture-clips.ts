import type * as tf from '@tensorflow/tfjs-core';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';

/**
 * The committed CLAP fixtures' three clips (packages/checkpoints/fixtures/clap) as the PyTorch
 * references fed them: the short one repeat-padded, the exact one as is, the long one cropped at
 * `cropOffsetSeconds` (8 kHz, 2 s windows).
 */
export async function fixtureLogMel(
  model: ClapModel,
  fixtures: string,
  cropOffsetSeconds: number,
): Promise<tf.Tensor4D> {
  const read = async (name: string) =>
    decodeWav(new Uint8Array(await readFile(join(fixtures, `clip-${name}.wav`)))).samples;
  const offset = Math.round(cropOffsetSeconds * 8000);
  const long = (await read('long')).subarray(offset, offset + 16_000);
  return model.logMelBatch([await read('short'), await read('exact'), long]);
}
