import * as tf from '@tensorflow/tfjs-core';
import type { Params } from '@clapjs/layers';
import { dense, gelu, layerNorm, matMul } from '@clapjs/layers';

/** BERT's initialiser for every matrix: normal, standard deviation 0.02. */
export const BERT_INIT_STD = 0.02;

/** A dense layer: kernel [in, out] (the transpose of PyTorch's Linear.weight) and bias. */
export interface DenseWeights {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable;
}

/** A LayerNorm's scale and shift. */
export interface NormWeights {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
}

/** One encoder block; the comments give the Hugging Face BERT module each part maps to. */
export interface BlockWeights {
  readonly query: DenseWeights; // attention.self.query
  readonly key: DenseWeights; // attention.self.key
  readonly value: DenseWeights; // attention.self.value
  readonly attentionOutput: DenseWeights; // attention.output.dense
  readonly attentionNorm: NormWeights; // attention.output.LayerNorm
  readonly intermediate: DenseWeights; // intermediate.dense
  readonly output: DenseWeights; // output.dense
  readonly outputNorm: NormWeights; // output.LayerNorm
}

/** Creates `kernel` [inDim, outDim] and `bias` [outDim] under `params`. */
export function denseWeights(params: Params, inDim: number, outDim: number): DenseWeights {
  return {
    kernel: params.weight('kernel', [inDim, outDim], { kind: 'normal', std: BERT_INIT_STD }),
    bias: params.weight('bias', [outDim], { kind: 'zeros' }),
  };
}

/** Creates `gamma` (ones) and `beta` (zeros) of size `dim` under `params`. */
export function normWeights(params: Params, dim: number): NormWeights {
  return {
    gamma: params.weight('gamma', [dim], { kind: 'ones' }),
    beta: params.weight('beta', [dim], { kind: 'zeros' }),
  };
}

/** Creates one block's weights under `params` (paths listed in bert-names.ts). */
export function blockWeights(params: Params, width: number, ffn: number): BlockWeights {
  const attention = params.child('attention');
  const feedForward = params.child('ffn');
  return {
    query: denseWeights(attention.child('query'), width, width),
    key: denseWeights(attention.child('key'), width, width),
    value: denseWeights(attention.child('value'), width, width),
    attentionOutput: denseWeights(attention.child('output'), width, width),
    attentionNorm: normWeights(attention.child('norm'), width),
    intermediate: denseWeights(feedForward.child('intermediate'), width, ffn),
    output: denseWeights(feedForward.child('output'), ffn, width),
    outputNorm: normWeights(feedForward.child('norm'), width),
  };
}

/** How a block runs: head count, LayerNorm placement and epsilon, dropout. */
export interface BlockOptions {
  readonly heads: number;
  readonly norm: 'pre' | 'post';
  readonly epsilon: number;
  /** Dropout (identity at inference) applied to attention probabilities and residual branches. */
  readonly dropout: <T extends tf.Tensor>(x: T) => T;
}

const applyDense = <T extends tf.Tensor>(x: T, w: DenseWeights): T =>
  dense(x, w.kernel as tf.Tensor2D, w.bias as tf.Tensor1D);

const applyNorm = (x: tf.Tensor3D, w: NormWeights, epsilon: number): tf.Tensor3D =>
  layerNorm(x, w.gamma as tf.Tensor1D, w.beta as tf.Tensor1D, epsilon);

/**
 * Scaled dot-product attention over `heads` heads of already projected queries, keys and values
 * `[B, L, W]` → the merged context `[B, L, W]` (before the output projection). `maskBias`
 * (`[B, 1, 1, L]` padding, or `[B, 1, L, L]` with a causal part) is added to the scores: 0 where
 * a query may attend, a large negative number where it may not. Keys are transposed once,
 * materialised, so both score matMuls and their gradients take tfjs-wasm's fast untransposed path.
 */
export function multiHeadAttention(
  query: tf.Tensor3D,
  key: tf.Tensor3D,
  value: tf.Tensor3D,
  maskBias: tf.Tensor4D,
  heads: number,
  dropout: <T extends tf.Tensor>(x: T) => T,
): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, length, width] = query.shape;
    const headDim = width / heads;
    const split = (t: tf.Tensor3D) => tf.reshape(t, [batch, length, heads, headDim]);
    const q = tf.transpose(split(query), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, L, D]
    const keyT = tf.transpose(split(key), [0, 2, 3, 1]) as tf.Tensor4D; // [B, H, D, L]
    const v = tf.transpose(split(value), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, L, D]
    const scores = tf.add(tf.mul(matMul(q, keyT), 1 / Math.sqrt(headDim)), maskBias);
    const probs = dropout(tf.softmax(scores)) as tf.Tensor4D;
    const context = matMul(probs, v); // [B, H, L, D]
    return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, width]) as tf.Tensor3D;
  });
}

/** Multi-head self-attention with BERT's separate query/key/value/output projections. */
export function selfAttention(
  x: tf.Tensor3D,
  w: BlockWeights,
  maskBias: tf.Tensor4D,
  options: BlockOptions,
): tf.Tensor3D {
  return tf.tidy(() => {
    const merged = multiHeadAttention(
      applyDense(x, w.query),
      applyDense(x, w.key),
      applyDense(x, w.value),
      maskBias,
      options.heads,
      options.dropout,
    );
    return applyDense(merged, w.attentionOutput);
  });
}

/** The GELU feed-forward: dense → GELU → dense. */
export function feedForward(x: tf.Tensor3D, w: BlockWeights): tf.Tensor3D {
  return tf.tidy(() => applyDense(gelu(applyDense(x, w.intermediate)), w.output));
}

/**
 * One encoder block. Post-LN (BERT): x = LN(x + Attn(x)); x = LN(x + FFN(x)). Pre-LN:
 * x = x + Attn(LN(x)); x = x + FFN(LN(x)), with a final LayerNorm after the last block.
 */
export function encoderBlock(
  x: tf.Tensor3D,
  w: BlockWeights,
  maskBias: tf.Tensor4D,
  options: BlockOptions,
): tf.Tensor3D {
  return tf.tidy(() => {
    const { epsilon, dropout } = options;
    const residual = (a: tf.Tensor3D, b: tf.Tensor3D) => tf.add(a, dropout(b)) as tf.Tensor3D;
    if (options.norm === 'post') {
      const attended = applyNorm(
        residual(x, selfAttention(x, w, maskBias, options)),
        w.attentionNorm,
        epsilon,
      );
      return applyNorm(residual(attended, feedForward(attended, w)), w.outputNorm, epsilon);
    }
    const attended = residual(
      x,
      selfAttention(applyNorm(x, w.attentionNorm, epsilon), w, maskBias, options),
    );
    return residual(attended, feedForward(applyNorm(attended, w.outputNorm, epsilon), w));
  });
}
