import * as tf from '@tensorflow/tfjs-core';

/*
 * tf.avgPool's gradient kernel (AvgPoolGrad) is a plain loop on tfjs-wasm: 4-9× slower than
 * the forward pass it undoes. With stride = window and 'valid' padding every input cell belongs
 * to at most one window, so the gradient is dy / (ph·pw) repeated over each window (a
 * nearest-neighbour resize, which wasm runs fast), with zeros for the rows and columns the
 * floor-mode pooling dropped.
 */
const avgPoolWithResizeGradient = (pool: readonly [number, number]) =>
  tf.customGrad(
    // customGrad's typing admits only variadic tensor arguments.
    ((x: tf.Tensor, save: tf.GradSaveFunc) => {
      void save;
      const [, height, width] = x.shape as [number, number, number, number];
      return {
        value: tf.avgPool(x as tf.Tensor4D, [pool[0], pool[1]], [pool[0], pool[1]], 'valid'),
        gradFunc: (dy: tf.Tensor) => {
          const [, h, w] = dy.shape as [number, number, number, number];
          const spread = tf.image.resizeNearestNeighbor(
            tf.div(dy, pool[0] * pool[1]) as tf.Tensor4D,
            [h * pool[0], w * pool[1]],
          );
          const [padH, padW] = [height - h * pool[0], width - w * pool[1]];
          if (padH === 0 && padW === 0) return spread;
          return tf.pad(spread, [
            [0, 0],
            [0, padH],
            [0, padW],
            [0, 0],
          ]);
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0],
  );

/**
 * Average pooling with window = stride = `pool` and 'valid' padding (PyTorch
 * `F.avg_pool2d(x, kernel_size=pool)`: floor mode, trailing rows/columns dropped), NHWC, with a
 * gradient that is fast on tfjs-wasm (see above). Equal to tf.avgPool, value and gradient.
 */
export function avgPool2d(x: tf.Tensor4D, pool: readonly [number, number]): tf.Tensor4D {
  return avgPoolWithResizeGradient(pool)(x) as tf.Tensor4D;
}
