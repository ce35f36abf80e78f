// Shared by the tests of this package (not part of the public API, not bundled).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import type { ClapModelConfigInput } from './config.js';
import type { ClapModel } from './model.js';

/** A model small enough that 100 training steps take seconds on the cpu backend. */
export function tinyConfig(): ClapModelConfigInput {
  return {
    audio: { preset: 'fast', clipSeconds: 0.5, nMels: 32 },
    audioEncoder: { name: 'cnn-small', channels: [4, 8], outputDim: 16 },
    textEncoder: { name: 'transformer', layers: 1, width: 16, heads: 2, dropout: 0 },
    tokenizer: { name: 'word', maxLength: 8 },
    audioProjection: { name: 'mlp', dim: 8 },
    textProjection: { name: 'mlp', dim: 8 },
    similarity: { name: 'cosine' },
    loss: { name: 'symmetric-clap' },
  };
}

export const CAPTIONS = [
  'a dog barks',
  'rain on a roof',
  'a piano chord',
  'a low hum',
  'birds sing at dawn',
];

/** Deterministic clips: a tone per caption index plus seeded noise, at 16 kHz. */
export function makeClips(count: number, seconds = 0.5, seed = 7): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const clip = new Float32Array(Math.round(seconds * 16000));
    const freq = 220 * (i + 1);
    for (let t = 0; t < clip.length; t++)
      clip[t] = 0.5 * Math.sin((2 * Math.PI * freq * t) / 16000) + 0.05 * rng.normal();
    return clip;
  });
}

/**
 * The loss the config names, written inline (the model package may not import @clapjs/losses):
 * `symmetric-clap` = ½(CE over rows + CE over columns), `infonce` = CE over rows (text → audio).
 */
export function inlineLoss(name: string, logits: tf.Tensor2D): tf.Scalar {
  const targets = tf.eye(logits.shape[0]);
  // Cross-entropy of each row against the diagonal (tf.logSoftmax works on the last axis only).
  const rowLoss = (c: tf.Tensor2D) => tf.neg(tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(c)), 1)));
  if (name === 'infonce') return rowLoss(logits) as tf.Scalar;
  return tf.mul(tf.add(rowLoss(logits), rowLoss(tf.transpose(logits))), 0.5) as tf.Scalar;
}

/** Trains `steps` Adam steps on one fixed batch; returns the losses. */
export function train(
  model: ClapModel,
  clips: Float32Array[],
  captions: string[],
  steps: number,
): number[] {
  const optimizer = tf.train.adam(1e-2);
  const logMel = model.logMelBatch(clips);
  const tokens = model.tokenize(captions);
  const trainable = model
    .variables()
    .filter((v) => v.trainable)
    .map((v) => v.variable);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () =>
          inlineLoss(
            model.config.loss.name,
            model.forward(logMel, tokens, { training: true }).logits,
          ),
        trainable,
      );
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      return value;
    });
    model.afterUpdate();
    losses.push(loss.dataSync()[0]!);
    loss.dispose();
  }
  optimizer.dispose();
  tf.dispose([logMel, tokens.ids, tokens.mask]);
  return losses;
}
