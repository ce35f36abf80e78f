import * as tf from '@tensorflow/tfjs-core';
import { TrainerError } from './errors.js';
import { retrievalMetrics, zeroShotMetrics } from './metrics.js';
import type { RetrievalMetrics, ZeroShotMetrics } from './metrics.js';
import type { Batch, TrainableModel } from './types.js';

/** The default zero-shot prompt (msclap's). */
export const DEFAULT_TEMPLATE = 'This is a sound of {label}.';

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Prompt templates with `{label}`; class embeddings average over them (default: msclap's). */
  readonly templates?: readonly string[];
  /** The zero-shot classes; default: the distinct labels of the evaluated items. */
  readonly classes?: readonly string[];
  /** Stop after this many items. */
  readonly maxItems?: number;
  /** How many items of the first batch to keep as a similarity-matrix sample (default 12). */
  readonly sampleSize?: number;
}

/** The similarity matrix C of a few items: rows texts, columns audios. */
export interface SimilaritySample {
  readonly texts: readonly string[];
  readonly audios: readonly string[];
  readonly logits: readonly (readonly number[])[];
}

/** Everything {@link evaluate} measures. */
export interface EvaluationResult {
  readonly items: number;
  readonly textToAudio: RetrievalMetrics;
  readonly audioToText: RetrievalMetrics;
  /** Present when the items carry labels. */
  readonly zeroShot?: ZeroShotMetrics;
  readonly sample?: SimilaritySample;
  /** The items' audio embeddings `[items, dim]` (row-major), ids and labels, for further analysis. */
  readonly embeddings: {
    readonly audio: Float32Array;
    readonly text: Float32Array;
    readonly dim: number;
    readonly ids: readonly string[];
    readonly labels: readonly (string | undefined)[];
  };
  /** Flat numbers for logs and callbacks: `t2a/R@1`, `a2t/mAP@10`, `zeroshot/top1`, `chance/R@1` … */
  readonly metrics: Readonly<Record<string, number>>;
}

function gram(
  a: Float32Array,
  rows: number,
  b: Float32Array,
  cols: number,
  dim: number,
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (a[i * dim + d] ?? 0) * (b[j * dim + d] ?? 0);
      out[i * cols + j] = s;
    }
  }
  return out;
}

function toLogMel(batch: Batch, count: number): tf.Tensor4D {
  return tf.tensor4d(batch.logMel.subarray(0, count * batch.frames * batch.melBins), [
    count,
    batch.frames,
    batch.melBins,
    1,
  ]);
}

/**
 * Embeds every item (one pass over `batches`), then measures text→audio and audio→text retrieval
 * (each item's caption is the positive of its clip) and, when items carry labels, zero-shot
 * classification with the prompt templates. Metrics follow laion_clap ({@link retrievalMetrics}).
 * @throws TrainerError `EMPTY_DATA` when there is nothing to evaluate
 */
export async function evaluate(
  model: TrainableModel,
  batches: AsyncIterable<Batch>,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const audio: Float32Array[] = [];
  const text: Float32Array[] = [];
  const labels: (string | undefined)[] = [];
  const ids: string[] = [];
  let dim = 0;
  let items = 0;
  let sample: SimilaritySample | undefined;
  const max = options.maxItems ?? Infinity;
  for await (const batch of batches) {
    const count = Math.min(batch.captions.length, max - items);
    if (count <= 0) break;
    const captions = batch.captions.slice(0, count);
    const [a, t, c] = tf.tidy(() => {
      const logMel = toLogMel(batch, count);
      const ae = model.encodeAudio(logMel);
      const te = model.encodeText([...captions]);
      return [
        ae,
        te,
        sample === undefined
          ? model.forward(logMel, model.tokenize(captions), { training: false }).logits
          : undefined,
      ];
    });
    dim = a.shape[1];
    // Asynchronous reads: WebGPU in Node has no synchronous readback.
    const [aData, tData] = await Promise.all([a.data(), t.data()]);
    audio.push(aData as Float32Array);
    text.push(tData as Float32Array);
    if (c !== undefined) {
      const n = Math.min(count, options.sampleSize ?? 12);
      const all = (await c.array()) as number[][];
      sample = {
        texts: captions.slice(0, n),
        audios: batch.ids.slice(0, n),
        logits: all.slice(0, n).map((row) => row.slice(0, n)),
      };
    }
    tf.dispose([a, t, c].filter((x): x is tf.Tensor2D => x !== undefined));
    labels.push(...batch.labels.slice(0, count));
    ids.push(...batch.ids.slice(0, count));
    items += count;
    if (items >= max) break;
  }
  if (items === 0) {
    throw new TrainerError(
      'EMPTY_DATA',
      'Nothing to evaluate: the evaluation split has no items. Check the dataset and its split.',
    );
  }
  const flat = (parts: Float32Array[]): Float32Array => {
    const out = new Float32Array(items * dim);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
  const audioEmb = flat(audio);
  const textEmb = flat(text);
  const scores = gram(textEmb, items, audioEmb, items, dim);
  const one = Array.from({ length: items }, (_, i) => [i]);
  const textToAudio = retrievalMetrics(scores, items, items, one);
  const transposed = new Float32Array(items * items);
  for (let i = 0; i < items; i++)
    for (let j = 0; j < items; j++) transposed[j * items + i] = scores[i * items + j] ?? 0;
  const audioToText = retrievalMetrics(transposed, items, items, one);
  const metrics: Record<string, number> = {
    items,
    't2a/R@1': textToAudio.r1,
    't2a/R@5': textToAudio.r5,
    't2a/R@10': textToAudio.r10,
    't2a/mAP@10': textToAudio.mAP10,
    'a2t/R@1': audioToText.r1,
    'a2t/R@5': audioToText.r5,
    'a2t/R@10': audioToText.r10,
    'a2t/mAP@10': audioToText.mAP10,
    'chance/R@1': 1 / items,
    'chance/R@10': Math.min(1, 10 / items),
  };
  let zeroShot: ZeroShotMetrics | undefined;
  const labelled = labels
    .map((l, i) => ({ l, i }))
    .filter((x): x is { l: string; i: number } => x.l !== undefined);
  const measured =
    labelled.length > 0
      ? await zeroShotOnEmbeddings(model, audioEmb, dim, labelled, options)
      : undefined;
  // No clip carries one of the classes (e.g. the val split of a held-out task): report nothing, not 0 %.
  if (measured !== undefined && measured.items > 0) {
    zeroShot = measured;
    metrics['zeroshot/top1'] = zeroShot.top1;
    metrics['zeroshot/balancedTop1'] = zeroShot.balancedTop1;
    metrics['zeroshot/top5'] = zeroShot.top5;
    metrics['zeroshot/chance'] = zeroShot.chance;
    metrics['zeroshot/classes'] = zeroShot.classes.length;
  }
  return {
    items,
    textToAudio,
    audioToText,
    ...(zeroShot ? { zeroShot } : {}),
    ...(sample ? { sample } : {}),
    embeddings: { audio: audioEmb, text: textEmb, dim, ids, labels },
    metrics,
  };
}

/** The class-prompt embeddings, averaged over templates and re-normalised: `[classes, dim]`. */
export async function classEmbeddings(
  model: TrainableModel,
  classes: readonly string[],
  templates: readonly string[],
): Promise<Float32Array> {
  const embeddings = tf.tidy(() => {
    const perTemplate = templates.map((t) =>
      model.encodeText(classes.map((c) => t.replaceAll('{label}', c))),
    );
    const mean = tf.div(tf.addN(perTemplate), perTemplate.length);
    const norm = tf.sqrt(tf.sum(tf.square(mean), 1, true));
    return tf.div(mean, tf.maximum(norm, 1e-12));
  });
  try {
    return (await embeddings.data()) as Float32Array;
  } finally {
    embeddings.dispose();
  }
}

/**
 * Zero-shot classification of already-embedded clips: each labelled clip against the classes'
 * prompt embeddings. Clips whose label is not among `options.classes` are left out.
 */
export async function zeroShotOnEmbeddings(
  model: TrainableModel,
  audioEmb: Float32Array,
  dim: number,
  labelled: readonly { l: string; i: number }[],
  options: EvaluateOptions,
): Promise<ZeroShotMetrics> {
  const classes = options.classes ?? [...new Set(labelled.map((x) => x.l))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  const kept = labelled.filter((x) => index.has(x.l));
  const classEmb = await classEmbeddings(model, classes, options.templates ?? [DEFAULT_TEMPLATE]);
  const clips = new Float32Array(kept.length * dim);
  kept.forEach((x, r) => clips.set(audioEmb.subarray(x.i * dim, (x.i + 1) * dim), r * dim));
  const scores = gram(clips, kept.length, classEmb, classes.length, dim);
  return zeroShotMetrics(
    scores,
    kept.map((x) => index.get(x.l) ?? 0),
    classes,
  );
}
