import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, z, type AudioEncoder } from '@clapjs/core';
import { Params, dense, matMul } from '@clapjs/layers';

const schema = z.strictObject({
  hidden: z.number().int().positive().default(64),
  outputDim: z.number().int().positive().default(128),
});

/**
 * An audio encoder that is not a CNN: every log-mel frame goes through a dense layer + ReLU,
 * then a learned attention score per frame pools the frames (softmax over time).
 */
export const frameAttention = definePlugin({
  kind: 'audio-encoder',
  name: 'frame-attention',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  origin: 'clapjs-example-plugin-encoders',
  description: 'Per-frame MLP with attention pooling over time.',
  configSchema: schema,
  create(config, { melBins, rng }): AudioEncoder {
    const params = new Params('', rng);
    const w1 = params.weight('frame/kernel', [melBins, config.hidden], {
      kind: 'he',
      fanIn: melBins,
    });
    const b1 = params.weight('frame/bias', [config.hidden], { kind: 'zeros' });
    const score = params.weight('score/kernel', [config.hidden, 1], {
      kind: 'glorot',
      fanIn: config.hidden,
      fanOut: 1,
    });
    const out = params.weight('out/kernel', [config.hidden, config.outputDim], {
      kind: 'glorot',
      fanIn: config.hidden,
      fanOut: config.outputDim,
    });
    return {
      name: 'frame-attention',
      outputDim: config.outputDim,
      getConfig: () => ({ ...config }),
      variables: () => params.variables(),
      dispose: () => params.dispose(),
      encode: (logMel) =>
        tf.tidy(() => {
          const [batch, frames] = logMel.shape;
          const x = tf.reshape(logMel, [batch, frames, melBins]);
          const h = tf.relu(dense(x, w1 as tf.Tensor2D, b1 as tf.Tensor1D)); // [B, T, H]
          const weights = tf.softmax(
            tf.reshape(dense(h, score as tf.Tensor2D), [batch, frames]),
            1,
          );
          const pooled = tf.sum(tf.mul(h, tf.expandDims(weights, 2)), 1) as tf.Tensor2D; // [B, H]
          return matMul(pooled, out as tf.Tensor2D);
        }),
    };
  },
});
