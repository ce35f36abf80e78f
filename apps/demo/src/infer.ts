import * as tf from '@tensorflow/tfjs-core';
import type { ClapModel } from '@clapjs/model';

// The explainer's C matrix, read back asynchronously like every result the page shows
// (ClapModel.zeroShotClassify and .retrieve do the same): a synchronous read is slow on WebGPU
// and returned zeros on Chromium's SwiftShader WebGPU.

/** The logit matrix C `[texts, audios]` of texts against clips. */
export async function logitMatrix(
  model: ClapModel,
  texts: readonly string[],
  clips: readonly Float32Array[],
): Promise<number[][]> {
  const c = tf.tidy(() => model.logits(model.encodeText(texts), model.encodeAudio(clips)));
  const rows = await c.array();
  c.dispose();
  return rows;
}
