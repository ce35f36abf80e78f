import * as tf from '@tensorflow/tfjs-core';
import { hasKernelCapability } from '@clapjs/core';

/*
 * tfjs-wasm has no Conv2DBackpropFilter kernel, so tf.conv2d cannot be trained there (docs/engineering-notes.md,
 * "tfjs-wasm: missing kernels").
 * This op keeps tf.conv2d's forward pass (XNNPACK on wasm) and writes both gradients as forward
 * convolutions too, which every backend has and which run on XNNPACK on wasm. Measured on wasm
 * (README "Formulations"), both beat the alternatives by 2-10×:
 * - dx: the transposed convolution of a stride-1 'same' conv with an odd kernel is a 'same'
 *   convolution of dy with the kernel flipped in space and its channel axes swapped.
 *   (tf.conv2dTranspose's Conv2DBackpropInput is a plain loop on wasm: 5-12× slower.)
 * - dW[i, j, ci, co] = Σ_{n,h,w} xpad[n, h+i, w+j, ci] · dy[n, h, w, co] is a 'valid'
 *   convolution in which the batch axis plays the channel role: input xpad as [Cin, H+2p, W+2p, N],
 *   kernel dy as [H, W, N, Cout], output [Cin, k, k, Cout]. (im2col slices + concat + matMul
 *   spends most of its time in Slice and Concat on wasm: 2-10× slower.)
 */

function inputGradient(dy: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
  return tf.conv2d(dy, flipped, 1, 'same');
}

function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor4D {
  const p = (k - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ]);
  const batchAsChannels = tf.transpose(padded, [3, 1, 2, 0]) as tf.Tensor4D;
  const dyAsKernel = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  return tf.transpose(
    tf.conv2d(batchAsChannels, dyAsKernel, 1, 'valid'),
    [1, 2, 0, 3],
  ) as tf.Tensor4D;
}

const conv2dWithPortableGradients = tf.customGrad(
  // customGrad's typing admits only variadic tensor arguments.
  ((x: tf.Tensor, kernel: tf.Tensor, save: tf.GradSaveFunc) => {
    save([x, kernel]);
    return {
      value: tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'same'),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sk] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          inputGradient(dy as tf.Tensor4D, sk),
          filterGradient(sx, dy as tf.Tensor4D, sk.shape[0]),
        ];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0],
);

/**
 * A stride-1 2-D convolution with 'same' zero padding (PyTorch `nn.Conv2d(k, stride=1,
 * padding=(k-1)/2, bias=False)`), NHWC input `[N, H, W, Cin]`, kernel `[k, k, Cin, Cout]`, `k`
 * odd. Both gradients are forward convolutions (see the comment at the top of conv2d.ts), so it
 * trains on every backend, tfjs-wasm included, with the same numbers as tf.conv2d's own gradient;
 * where @clapjs/kernels-native's convolution gradients are registered, it is tf.conv2d itself.
 * @throws RangeError for an even or non-square kernel, or channel counts that do not match
 */
export function conv2d(x: tf.Tensor4D, kernel: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, cin] = kernel.shape;
  if (kh !== kw || kh % 2 !== 1) {
    throw new RangeError(`conv2d: the kernel must be square with an odd size, got ${kh}×${kw}`);
  }
  if (x.shape[3] !== cin) {
    throw new RangeError(
      `conv2d: the input has ${x.shape[3]} channels but the kernel expects ${cin}`,
    );
  }
  return nativeConvGradients()
    ? tf.conv2d(x, kernel, 1, 'same')
    : (conv2dWithPortableGradients(x, kernel) as tf.Tensor4D);
}

// Where a kernel pack promises fast convolution gradient kernels (core's `conv2d-gradient-kernels`
// capability: @clapjs/kernels-native's oneDNN ones beat the portable formulation above by 1.6-3.3×
// at the CLAP-mini shapes), tf.conv2d's own gradient is used; the numbers are the same either way.
function nativeConvGradients(): boolean {
  return hasKernelCapability('conv2d-gradient-kernels');
}
