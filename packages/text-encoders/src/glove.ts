import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '@clapjs/core';

/** Word vectors for one vocabulary, read from a GloVe text file. */
export interface GloveEmbeddings {
  /** Row-major [vocab.length, dim]; zero rows for words the file lacks. */
  readonly vectors: Float32Array;
  /** 1 where the file had the word. */
  readonly found: Uint8Array;
  readonly foundCount: number;
  /** The vectors' size in the file. */
  readonly sourceDim: number;
  /** The vectors' size here (the encoder's width). */
  readonly dim: number;
}

/**
 * Picks the vectors of `vocab` out of a GloVe text file (`word v1 … vn` per line, as glove.6B;
 * a word2vec-style "count dim" header line is skipped). Words match exactly (both GloVe 6B and
 * clapjs's tokenizers are lower-case); the first line for a word wins. When the file's size
 * differs from `dim`, vectors are truncated to their first `dim` components or zero-padded up
 * to `dim`. Subword pieces (BERT's `##ing`) and special tokens find no vector and keep their
 * random initialisation.
 * @throws ConfigError (`glove`) when a line's size differs from the first line's, or `dim` < 1
 */
export function loadGloveEmbeddings(
  text: string,
  vocab: readonly string[],
  dim: number,
): GloveEmbeddings {
  if (!Number.isInteger(dim) || dim < 1) {
    throw new ConfigError(
      'glove.dim',
      `loadGloveEmbeddings needs dim ≥ 1 (the encoder's width), got ${dim}.`,
    );
  }
  const rowOf = new Map<string, number>();
  vocab.forEach((word, row) => {
    if (!rowOf.has(word)) rowOf.set(word, row);
  });
  const vectors = new Float32Array(vocab.length * dim);
  const found = new Uint8Array(vocab.length);
  let foundCount = 0;
  let sourceDim = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const fields = (lines[n] ?? '').trim().split(/\s+/);
    if (fields.length < 2) continue;
    if (n === 0 && fields.length === 2 && fields.every((f) => /^\d+$/.test(f))) continue;
    const size = fields.length - 1;
    if (sourceDim === 0) sourceDim = size;
    if (size !== sourceDim) {
      throw new ConfigError(
        'glove',
        `GloVe line ${n + 1} ("${fields[0]}") has ${size} numbers, but earlier lines have ${sourceDim}. ` +
          'Pass an unmodified GloVe text file (word followed by its vector, space-separated, one per line).',
      );
    }
    const row = rowOf.get(fields[0] ?? '');
    if (row === undefined || found[row] === 1) continue;
    found[row] = 1;
    foundCount++;
    for (let j = 0; j < Math.min(dim, size); j++) vectors[row * dim + j] = Number(fields[j + 1]);
  }
  return { vectors, found, foundCount, sourceDim, dim };
}

/**
 * Overwrites the rows of `table` ([vocab, dim]) whose words `glove` found, keeping the random
 * rows for the rest. The GloVe vectors are scaled by one factor so that their standard
 * deviation equals the table's current one: their directions carry the meaning, and the
 * encoder's position embeddings and norms were sized for the initial scale.
 * @returns how many rows were replaced
 */
export function applyGloveEmbeddings(
  table: tf.Variable,
  glove: GloveEmbeddings,
  encoder: string,
): number {
  const [vocabSize, dim] = table.shape as [number, number];
  if (glove.dim !== dim || glove.found.length !== vocabSize) {
    throw new ConfigError(
      'glove',
      `Text encoder "${encoder}" has a [${vocabSize}, ${dim}] word embedding table, but the GloVe vectors were ` +
        `loaded for ${glove.found.length} words of size ${glove.dim}. Call loadGloveEmbeddings(text, tokenizer.vocabulary(), ${dim}).`,
    );
  }
  if (glove.foundCount === 0) return 0;
  const current = table.dataSync() as Float32Array;
  const std = (values: Float32Array, rows: (row: number) => boolean): number => {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let row = 0; row < vocabSize; row++) {
      if (!rows(row)) continue;
      for (let j = 0; j < dim; j++) {
        const v = values[row * dim + j] ?? 0;
        sum += v;
        sumSq += v * v;
        n++;
      }
    }
    const mean = sum / n;
    return Math.sqrt(Math.max(sumSq / n - mean * mean, 0));
  };
  const gloveStd = std(glove.vectors, (row) => glove.found[row] === 1);
  const scale = gloveStd > 0 ? std(current, () => true) / gloveStd : 1;
  const next = Float32Array.from(current);
  for (let row = 0; row < vocabSize; row++) {
    if (glove.found[row] !== 1) continue;
    for (let j = 0; j < dim; j++) next[row * dim + j] = (glove.vectors[row * dim + j] ?? 0) * scale;
  }
  tf.tidy(() => table.assign(tf.tensor2d(next, [vocabSize, dim])));
  return glove.foundCount;
}
