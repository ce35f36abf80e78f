// A small but real CLAP-shaped model and data source for the trainer's own tests (the trainer
// may not import the model packages' layers; @clapjs/model is exercised by apps/train's tests).
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@clapjs/core';
import type { ContrastiveLoss, NamedVariable, Similarity, TokenBatch } from '@clapjs/core';
import type { Batch, BatchSource, TrainableModel } from './index.js';

export const WORDS = ['low', 'high', 'buzz', 'hum', 'click', 'tone', 'noise', 'beep'];
export const MELS = 8;
export const FRAMES = 4;

function normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12));
}

/** Audio: mean over frames then a linear map; text: one word → embedding row; cosine × scale. */
export class ToyModel implements TrainableModel {
  readonly config = { loss: { name: 'toy' } };
  readonly rng: Rng;
  /** Cosine × exp(s) with a learnable log scale s (`similarity/logit_scale`). */
  readonly similarity: Similarity;
  private readonly vars: NamedVariable[];

  /** `scalePath`: the log scale's variable path (what it is called is the model's business). */
  constructor(seed: number, dim = 8, scalePath = 'similarity/logit_scale') {
    this.rng = new Rng(seed);
    const mk = (path: string, shape: number[], std: number, decay: boolean): NamedVariable => ({
      path,
      variable: tf.variable(
        tf.tensor(
          this.rng.normalArray(
            shape.reduce((a, b) => a * b, 1),
            0,
            std,
          ),
          shape,
        ),
        true,
      ),
      trainable: true,
      decay,
    });
    this.vars = [
      mk('audioEncoder/w', [MELS, dim], 0.3, true),
      mk('audioEncoder/b', [dim], 0, false),
      mk('textEncoder/embedding', [WORDS.length, dim], 0.3, true),
      {
        path: scalePath,
        variable: tf.variable(tf.scalar(Math.log(10)), true),
        trainable: true,
        decay: false,
      },
    ];
    const scale = this.vars[3] as NamedVariable;
    this.similarity = {
      name: 'toy-cosine',
      getConfig: () => ({ name: 'toy-cosine' }),
      variables: () => [{ ...scale, path: 'logit_scale' }],
      dispose: () => undefined,
      call: (text, audio) =>
        tf.tidy(() => tf.mul(tf.matMul(text, audio, false, true), tf.exp(scale.variable))),
      afterUpdate: () =>
        tf.tidy(() => scale.variable.assign(tf.clipByValue(scale.variable, 0, Math.log(100)))),
      logitScale: () => tf.exp(scale.variable as tf.Scalar),
    };
  }

  tokenize(texts: readonly string[]): TokenBatch {
    return tf.tidy(() => {
      const ids = tf.tensor2d(
        texts.map((t) => [Math.max(0, WORDS.indexOf(t.split(' ').at(-1) ?? ''))]),
        [texts.length, 1],
        'int32',
      );
      return { ids, mask: tf.cast(tf.onesLike(ids), 'float32') as tf.Tensor2D };
    });
  }

  private v(i: number): tf.Variable {
    return (this.vars[i] as NamedVariable).variable;
  }

  encodeAudio(logMel: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const pooled = tf.mean(tf.reshape(logMel, [logMel.shape[0], FRAMES, MELS]), 1) as tf.Tensor2D;
      return normalize(
        tf.add(tf.matMul(pooled, this.v(0) as tf.Tensor2D), this.v(1)) as tf.Tensor2D,
      );
    });
  }

  private textFromIds(ids: tf.Tensor2D): tf.Tensor2D {
    const oneHot = tf.cast(
      tf.oneHot(tf.reshape(ids, [-1]) as tf.Tensor1D, WORDS.length),
      'float32',
    ) as tf.Tensor2D;
    return normalize(tf.matMul(oneHot, this.v(2) as tf.Tensor2D));
  }

  encodeText(texts: string[]): tf.Tensor2D {
    return tf.tidy(() => this.textFromIds(this.tokenize(texts).ids));
  }

  forward(logMel: tf.Tensor4D, tokens: TokenBatch) {
    return tf.tidy(() => {
      const audioEmbeddings = this.encodeAudio(logMel);
      const textEmbeddings = this.textFromIds(tokens.ids);
      const logits = this.similarity.call(textEmbeddings, audioEmbeddings);
      return { logits, audioEmbeddings, textEmbeddings };
    });
  }

  variables(): NamedVariable[] {
    return [...this.vars];
  }

  afterUpdate(): void {
    this.similarity.afterUpdate();
  }

  dispose(): void {
    for (const v of this.vars) v.variable.dispose();
  }
}

/** Symmetric cross-entropy over C (rows texts), as CLAP's loss. */
export const toyLoss: ContrastiveLoss = {
  name: 'toy',
  getConfig: () => ({ name: 'toy' }),
  call(logits) {
    return tf.tidy(() => {
      const n = logits.shape[0];
      const eye = tf.cast(tf.oneHot(tf.range(0, n, 1, 'int32'), n), 'float32');
      const rows = tf.neg(tf.mean(tf.sum(tf.mul(eye, tf.logSoftmax(logits)), 1)));
      const cols = tf.neg(tf.mean(tf.sum(tf.mul(eye, tf.logSoftmax(tf.transpose(logits))), 1)));
      return tf.div(tf.add(rows, cols), 2) as tf.Scalar;
    });
  },
};

/** Clips whose mel energy peaks at the word's bin; seeded shuffling; resumable position. */
export class ToyData implements BatchSource {
  private epoch = 0;
  private position = 0;

  constructor(
    private readonly seed: number,
    readonly batchSize = 8,
    readonly size = 64,
  ) {}

  private item(index: number): { logMel: Float32Array; word: string } {
    const rng = new Rng(this.seed * 7919 + index);
    const k = index % WORDS.length;
    const logMel = new Float32Array(FRAMES * MELS);
    for (let f = 0; f < FRAMES; f++)
      for (let m = 0; m < MELS; m++) logMel[f * MELS + m] = (m === k ? 2 : 0) + rng.normal(0, 0.3);
    return { logMel, word: WORDS[k] as string };
  }

  getState(): unknown {
    return { epoch: this.epoch, position: this.position };
  }

  setState(state: unknown): void {
    ({ epoch: this.epoch, position: this.position } = state as { epoch: number; position: number });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    const order = new Rng(this.seed + this.epoch).shuffle(
      Array.from({ length: this.size }, (_, i) => i),
    );
    while (this.position + this.batchSize <= this.size) {
      const ids = order.slice(this.position, this.position + this.batchSize);
      this.position += this.batchSize;
      const items = ids.map((i) => this.item(i));
      const logMel = new Float32Array(ids.length * FRAMES * MELS);
      items.forEach((it, i) => logMel.set(it.logMel, i * FRAMES * MELS));
      yield {
        logMel,
        frames: FRAMES,
        melBins: MELS,
        captions: items.map((it) => `a ${it.word}`),
        ids: ids.map(String),
        labels: items.map((it) => it.word),
      };
    }
    this.epoch += 1;
    this.position = 0;
  }
}
