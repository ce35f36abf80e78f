// The models and the optimizer of the default-model benchmark, shared by its scripts.

/** Caption words: a batch of N captions fits a vocabulary of these (plus the tokenizer's own). */
export const WORDS = [
  'dog',
  'rain',
  'piano',
  'siren',
  'engine',
  'bird',
  'bell',
  'drum',
  'voice',
  'wind',
  'rising',
  'falling',
  'loud',
  'soft',
];

/**
 * The model config of `name`: `default` is @clapjs/model's defaultModelConfig() (=
 * apps/train/configs/default.yaml's model), `tiny` apps/train/configs/tiny.yaml's model. Every
 * dropout is 0, so that both engines compute the same losses from the same weights.
 */
export function benchConfig(name, defaults) {
  if (name === 'tiny') {
    return {
      audio: { preset: 'fast' },
      audioEncoder: { name: 'cnn-small', channels: [8, 16, 32, 64], dropout: 0, blockDropout: 0 },
      textEncoder: { name: 'bag-of-embeddings', width: 64 },
      tokenizer: { name: 'word', maxLength: 16 },
      audioProjection: { name: 'linear', dim: 64 },
      textProjection: { name: 'linear', dim: 64 },
      similarity: { name: 'cosine' },
      loss: { name: 'symmetric-clap' },
    };
  }
  return {
    ...defaults,
    audioEncoder: { ...defaults.audioEncoder, dropout: 0, blockDropout: 0 },
    textEncoder: { ...defaults.textEncoder, dropout: 0 },
  };
}

/**
 * AdamW as the trainer's defaults and default.yaml set it, at a constant learning rate of 5e-4
 * (default.yaml peaks at 2e-3 after 20 warmup steps; from step 1 that makes this fixed batch's
 * loss jump, so float32 rounding alone sends two runs apart within ten steps).
 */
export const OPTIMIZER = {
  kind: 'adamw',
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-8,
  weightDecay: 0.01,
  lr: 0.0005,
  clipNorm: 1,
};
