/**
 * Retrieval and zero-shot metrics computed from a score matrix, following laion_clap's
 * evaluation (training/train.py): for each query the rank of its positive among all candidates
 * sorted by score; R@k = share of queries whose positive ranks in the top k; mAP@10 with one
 * positive per query = mean of 1/(rank+1) when rank < 10, else 0 (rank 0-based). With several
 * positives per query (audio→text with many captions), R@k uses the best-ranked positive and
 * mAP@10 = Σ_{i, rank_i<10} i/(rank_i+1) / P over the positives sorted by rank, as laion_clap does.
 */

/** Recall at 1/5/10 and mAP@10, in [0, 1]. */
export interface RetrievalMetrics {
  readonly r1: number;
  readonly r5: number;
  readonly r10: number;
  readonly mAP10: number;
  /** Mean 1-based rank of the best positive. */
  readonly meanRank: number;
  readonly queries: number;
}

/**
 * @param scores row-major `[queries, candidates]`
 * @param positives for each query, the candidate indices that are correct (at least one)
 */
export function retrievalMetrics(
  scores: Float32Array,
  queries: number,
  candidates: number,
  positives: readonly (readonly number[])[],
): RetrievalMetrics {
  let r1 = 0;
  let r5 = 0;
  let r10 = 0;
  let map = 0;
  let rankSum = 0;
  for (let q = 0; q < queries; q++) {
    const row = scores.subarray(q * candidates, (q + 1) * candidates);
    const pos = positives[q] ?? [];
    // Rank = number of other candidates scoring at least as high (ties count against the query, so
    // an untrained model with equal scores sits at chance, not at 100 %).
    const ranks = pos
      .map((p) => {
        const s = row[p] ?? -Infinity;
        let rank = 0;
        for (let c = 0; c < candidates; c++) if (c !== p && (row[c] ?? -Infinity) >= s) rank++;
        return rank;
      })
      .sort((a, b) => a - b);
    const best = ranks[0] ?? candidates;
    if (best < 1) r1++;
    if (best < 5) r5++;
    if (best < 10) r10++;
    rankSum += best + 1;
    let ap = 0;
    ranks.forEach((rank, i) => {
      if (rank < 10) ap += (i + 1) / (rank + 1);
    });
    map += ranks.length > 0 ? ap / ranks.length : 0;
  }
  const n = Math.max(1, queries);
  return { r1: r1 / n, r5: r5 / n, r10: r10 / n, mAP10: map / n, meanRank: rankSum / n, queries };
}

/** Zero-shot classification results. */
export interface ZeroShotMetrics {
  readonly top1: number;
  /**
   * Top-1 averaged over classes (mean per-class recall). Unlike `top1`, a model that ignores the
   * audio (always the same answer) scores exactly `chance` here whatever the class sizes, so this
   * is the number to compare with chance when classes are unbalanced.
   */
  readonly balancedTop1: number;
  readonly top5: number;
  /** 1 / number of classes. */
  readonly chance: number;
  readonly classes: readonly string[];
  /** `confusion[true][predicted]` counts, indexed like `classes`. */
  readonly confusion: readonly (readonly number[])[];
  readonly items: number;
}

/**
 * @param scores row-major `[items, classes]` (audio · class-prompt embedding)
 * @param truth each item's class index
 */
export function zeroShotMetrics(
  scores: Float32Array,
  truth: readonly number[],
  classes: readonly string[],
): ZeroShotMetrics {
  const k = classes.length;
  const confusion = classes.map(() => new Array<number>(k).fill(0));
  let top1 = 0;
  let top5 = 0;
  truth.forEach((t, i) => {
    const row = scores.subarray(i * k, (i + 1) * k);
    const s = row[t] ?? -Infinity;
    let rank = 0;
    let argmax = 0;
    for (let c = 0; c < k; c++) {
      if (c !== t && (row[c] ?? -Infinity) >= s) rank++;
      if ((row[c] ?? -Infinity) > (row[argmax] ?? -Infinity)) argmax = c;
    }
    if (rank < 1) top1++;
    if (rank < 5) top5++;
    const line = confusion[t];
    if (line !== undefined) line[argmax] = (line[argmax] ?? 0) + 1;
  });
  const n = Math.max(1, truth.length);
  const recalls = confusion.flatMap((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total > 0 ? [(row[c] ?? 0) / total] : [];
  });
  const balancedTop1 = recalls.reduce((a, b) => a + b, 0) / Math.max(1, recalls.length);
  // Chance of the balanced score is 1/K over the classes that have clips; of top-1, 1/K for a uniform guess.
  return {
    top1: top1 / n,
    balancedTop1,
    top5: top5 / n,
    chance: 1 / Math.max(1, k),
    classes,
    confusion,
    items: truth.length,
  };
}
