import * as tf from '@tensorflow/tfjs-core';
import { definePlugin, z, type TextEncoder } from '@clapjs/core';
import { Params, dense, matMul } from '@clapjs/layers';

const schema = z.strictObject({
  width: z.number().int().positive().default(64),
  outputDim: z.number().int().positive().default(128),
});

/**
 * A text encoder that is neither a transformer nor a mean of embeddings: token + position
 * embeddings, tanh, then max-pooling over the real (unmasked) tokens.
 */
export const positionMax = definePlugin({
  kind: 'text-encoder',
  name: 'position-max',
  version: '0.1.0',
  coreVersion: '^0.1.0',
  origin: 'clapjs-example-plugin-encoders',
  description: 'Token + position embeddings, tanh, masked max-pooling.',
  configSchema: schema,
  create(config, { vocabSize, maxLength, rng }): TextEncoder {
    const params = new Params('', rng);
    const tokens = params.weight('tokens', [vocabSize, config.width], { kind: 'normal', std: 0.1 });
    const positions = params.weight('positions', [maxLength, config.width], {
      kind: 'normal',
      std: 0.1,
    });
    const out = params.weight('out/kernel', [config.width, config.outputDim], {
      kind: 'glorot',
      fanIn: config.width,
      fanOut: config.outputDim,
    });
    return {
      name: 'position-max',
      outputDim: config.outputDim,
      getConfig: () => ({ ...config }),
      variables: () => params.variables(),
      dispose: () => params.dispose(),
      encode: ({ ids, mask }) =>
        tf.tidy(() => {
          const [batch, length] = ids.shape;
          // A one-hot matMul instead of tf.gather: gather has no gradient on tfjs-wasm.
          const oneHot = tf.cast(
            tf.oneHot(tf.reshape(ids, [-1]), vocabSize),
            'float32',
          ) as tf.Tensor2D;
          const embedded = tf.reshape(matMul(oneHot, tokens as tf.Tensor2D), [
            batch,
            length,
            config.width,
          ]);
          const positioned = tf.add(embedded, tf.slice(positions, [0, 0], [length, config.width]));
          const masked = tf.add(
            tf.tanh(positioned),
            tf.mul(tf.sub(tf.expandDims(mask, 2), 1), 1e4),
          );
          return dense(tf.max(masked, 1) as tf.Tensor2D, out as tf.Tensor2D);
        }),
    };
  },
});
