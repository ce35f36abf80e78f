// A test-only audio encoder without BatchNorm, so that gradients computed on shards can be
// compared exactly with single-thread ones: mean over frames → dense → tanh. Its non-trainable
// `running_mean` is updated in training mode like a BatchNorm moving mean (and so tests the
// averaging of moving statistics across gradient workers). Imported by the tests and, as a
// workerSetup module, by each gradient worker.
import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, register, z } from '@clapjs/core';

class MeanPoolEncoder {
  constructor(config, melBins, rng) {
    this.name = 'test-mean-pool';
    this.config = config;
    this.outputDim = config.dim;
    this.w = tf.variable(
      tf.tensor2d(rng.normalArray(melBins * config.dim, 0, 0.5), [melBins, config.dim]),
    );
    this.b = tf.variable(tf.zeros([config.dim]));
    this.runningMean = tf.variable(tf.zeros([melBins]), false);
  }

  getConfig() {
    return { ...this.config };
  }

  variables() {
    return [
      { path: 'w', variable: this.w, trainable: true, decay: true },
      { path: 'b', variable: this.b, trainable: true, decay: false },
      { path: 'running_mean', variable: this.runningMean, trainable: false, decay: false },
    ];
  }

  encode(logMel, options) {
    return tf.tidy(() => {
      const [batch, frames, mels] = logMel.shape;
      const pooled = tf.mean(tf.reshape(logMel, [batch, frames, mels]), 1);
      if (options.training) {
        this.runningMean.assign(
          tf.add(tf.mul(this.runningMean, 0.9), tf.mul(tf.mean(pooled, 0), 0.1)),
        );
      }
      return tf.tanh(tf.add(tf.matMul(pooled, this.w), this.b));
    });
  }

  dispose() {
    tf.dispose([this.w, this.b, this.runningMean]);
  }
}

export const meanPoolPlugin = definePlugin({
  kind: 'audio-encoder',
  name: 'test-mean-pool',
  version: '0.0.0',
  coreVersion: '^0.1.0',
  origin: '@clapjs/trainer (test fixture)',
  configSchema: z.strictObject({ dim: z.number().int().positive().default(16) }),
  create: (config, context) => new MeanPoolEncoder(config, context.melBins, context.rng),
});

register(meanPoolPlugin);
