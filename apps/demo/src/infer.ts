import * as tf from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';
import type { ClapModel, RetrievalHit, ZeroShotResult } from '@clapjs/model';

// ClapModel.zeroShotClassify and .retrieve read their results with dataSync(). On webgpu a
// synchronous read goes through a canvas: slow, and on Chromium's SwiftShader WebGPU it returned
// zeros. The page therefore computes the same quantities from the model's public parts and
// reads them back asynchronously (the e2e tests compare with zeroShotClassify/retrieve in Node).

/** The zero-shot probabilities of `labels` for one clip, most probable first (as `zeroShotClassify`). */
export async function classifyClip(
  model: ClapModel,
  clip: Float32Array,
  labels: readonly string[],
  template: string,
): Promise<ZeroShotResult[]> {
  if (labels.length === 0)
    throw new ClapError('ZERO_SHOT_LABELS', 'Type at least one label (comma separated).');
  if (!template.includes('{label}')) {
    throw new ClapError(
      'ZERO_SHOT_TEMPLATE',
      `The template "${template}" has no {label} placeholder; write e.g. 'This is a sound of {label}.'.`,
    );
  }
  const prompts = labels.map((label) => template.split('{label}').join(label));
  const probabilities = tf.tidy(() =>
    tf.softmax(
      tf.reshape(model.logits(model.encodeText(prompts), model.encodeAudio([clip])), [
        labels.length,
      ]),
    ),
  );
  const values = await probabilities.data();
  probabilities.dispose();
  return labels
    .map((label, i) => ({ label, probability: values[i] ?? 0 }))
    .sort((a, b) => b.probability - a.probability);
}

/** Every library clip ranked against a text query, best first (as `retrieve`); `library` = `encodeAudio(clips)`. */
export async function rankLibrary(
  model: ClapModel,
  query: string,
  library: tf.Tensor2D,
): Promise<RetrievalHit[]> {
  const logits = tf.tidy(() => model.logits(model.encodeText([query]), library));
  const scores = await logits.data();
  logits.dispose();
  return Array.from(scores, (score, index) => ({ index, score })).sort((a, b) => b.score - a.score);
}

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
