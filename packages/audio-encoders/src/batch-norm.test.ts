import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_KERNEL, Rng } from '@clapjs/core';
import { Params } from '@clapjs/layers';
import { describe, expect, it } from 'vitest';
import { BatchNorm } from './batch-norm.js';
import { expectRelativelyClose, randomTensor } from './test-support.js';
import { TEST_BACKENDS, useTestBackend } from '@clapjs/test-backends';

const OPTIONS = { momentum: 0.1, epsilon: 1e-5 };

/** BatchNorm written the plain way (autodiff through tf.moments), as the reference. */
function referenceBatchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  stats: { mean: tf.Tensor; variance: tf.Tensor } | undefined,
  relu: boolean,
): tf.Tensor {
  const { mean, variance } = stats ?? tf.moments(x, [0, 1, 2]);
  const y = tf.add(
    tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, OPTIONS.epsilon))), gamma),
    beta,
  );
  return relu ? tf.relu(y) : y;
}

async function valueAndGrads(training: boolean, relu: boolean, ours: boolean) {
  const params = new Params('bn', new Rng(0));
  const bn = new BatchNorm(params, 3, OPTIONS);
  const [gamma, beta, mean, variance] = params.variables().map((v) => v.variable);
  gamma!.assign(tf.tensor1d([1.5, -0.5, 2]));
  beta!.assign(tf.tensor1d([0.1, 0.2, -0.3]));
  mean!.assign(tf.tensor1d([0.5, -1, 2]));
  variance!.assign(tf.tensor1d([2, 0.5, 4]));
  const x = tf.add(randomTensor([2, 5, 4, 3], 7, 2), tf.tensor1d([3, -2, 0]));
  const probe = randomTensor([2, 5, 4, 3], 8);
  const f = (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(
      tf.mul(
        ours
          ? bn.apply(a, training, relu)
          : referenceBatchNorm(
              a,
              g,
              b,
              training ? undefined : { mean: mean!, variance: variance! },
              relu,
            ),
        probe,
      ),
    );
  // BatchNorm.apply reads its own γ, β: differentiate with respect to those variables.
  const { value, grads } = tf.variableGrads(
    () => f(x, gamma!, beta!) as tf.Scalar,
    [gamma!, beta!],
  );
  const dx = tf.grad((a: tf.Tensor) => f(a, gamma!, beta!))(x);
  const out = {
    value: await value.data(),
    dx: await dx.data(),
    dGamma: await grads[gamma!.name]!.data(),
    dBeta: await grads[beta!.name]!.data(),
  };
  tf.dispose([x, probe, value, dx, ...Object.values(grads)]);
  params.dispose();
  return out;
}

describe('BatchNorm', () => {
  for (const training of [true, false]) {
    for (const relu of [false, true]) {
      it(`matches autodiff BatchNorm${relu ? ' + ReLU' : ''} in ${training ? 'training' : 'inference'} mode on cpu and wasm (and kernels-native's fused kernels)`, async () => {
        await useTestBackend('cpu');
        const reference = await valueAndGrads(training, relu, false);
        for (const backend of [...TEST_BACKENDS, 'wasm+native'] as const) {
          await useTestBackend(backend);
          const ours = await valueAndGrads(training, relu, true);
          expectRelativelyClose(ours.value, reference.value);
          expectRelativelyClose(ours.dx, reference.dx);
          expectRelativelyClose(ours.dGamma, reference.dGamma);
          expectRelativelyClose(ours.dBeta, reference.dBeta);
        }
      });
    }
  }

  it.each(['wasm', 'wasm+native'] as const)(
    'updates the moving statistics with PyTorch momentum semantics only when training (%s)',
    async (route) => {
      await useTestBackend(route);
      const params = new Params('bn', new Rng(0));
      const bn = new BatchNorm(params, 2, OPTIONS);
      // Channel 0 holds 1, 2, 3, 4; channel 1 holds 10, 10, 10, 30.
      const x = tf.tensor4d([1, 10, 2, 10, 3, 10, 4, 30], [2, 2, 1, 2]);
      const stats = () =>
        params
          .variables()
          .slice(2)
          .map((v) => Array.from(v.variable.dataSync()));
      tf.dispose(bn.apply(x, false));
      expect(stats()).toEqual([
        [0, 0],
        [1, 1],
      ]);
      let y = x;
      const { kernels } = await tf.profile(() => (y = bn.apply(x, true)));
      // On the native route, training runs as core's fused kernel (kernels-native registers it).
      expect(kernels.some((k) => k.name === BATCH_NORM_KERNEL)).toBe(route === 'wasm+native');
      // running_mean = 0.9·0 + 0.1·mean; running_var = 0.9·1 + 0.1·unbiased variance (n − 1 = 3).
      const [runningMean, runningVar] = stats();
      expectRelativelyClose(runningMean!, [0.25, 1.5]);
      expectRelativelyClose(runningVar!, [0.9 + 0.1 * (5 / 3), 0.9 + 0.1 * (300 / 3)]);
      // Training normalises with the batch's biased variance: channel 0 → (x − 2.5)/√1.25.
      expectRelativelyClose(
        Array.from(await y.data()).filter((_, i) => i % 2 === 0),
        [-1.5, -0.5, 0.5, 1.5].map((d) => d / Math.sqrt(1.25 + 1e-5)),
      );
      // Inference uses the moving statistics, and leaves them alone.
      const z = bn.apply(x, false);
      expectRelativelyClose(
        [(await z.data())[0]!],
        [(1 - 0.25) / Math.sqrt(runningVar![0]! + 1e-5)],
      );
      expect(stats()).toEqual([runningMean, runningVar]);
      tf.dispose([x, y, z]);
      params.dispose();
    },
  );

  it('marks γ and β trainable and the moving statistics not (saved, never optimised)', () => {
    const params = new Params('bn', new Rng(0));
    new BatchNorm(params, 4, OPTIONS);
    expect(params.variables().map((v) => [v.path, v.trainable, v.decay])).toEqual([
      ['bn/weight', true, false],
      ['bn/bias', true, false],
      ['bn/running_mean', false, false],
      ['bn/running_var', false, false],
    ]);
    params.dispose();
  });
});
