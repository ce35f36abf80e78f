/**
 * The arithmetic of the explainer, on plain arrays so the page can show every number it uses.
 * `C[i][j]` is the logit of text i against audio j (rows = texts, columns = audios); pair i is
 * (text i, audio i), so the targets lie on the diagonal.
 */
export type Matrix = readonly (readonly number[])[];

function logSumExp(values: readonly number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** Softmax of each row: for each text, a distribution over the audios (text → audio). */
export function softmaxRows(c: Matrix): number[][] {
  return c.map((row) => {
    const lse = logSumExp(row);
    return row.map((v) => Math.exp(v - lse));
  });
}

/** Transpose of a rectangular matrix. */
export function transpose(c: Matrix): number[][] {
  return (c[0] ?? []).map((_, j) => c.map((row) => row[j] ?? 0));
}

/** Softmax of each column: for each audio, a distribution over the texts (audio → text). */
export function softmaxColumns(c: Matrix): number[][] {
  return transpose(softmaxRows(transpose(c)));
}

/** The two directions of the symmetric CLAP loss and their mean. */
export interface ClapLosses {
  /** ℓ_text: mean over texts of −log softmax_row(C)[i][i] (each text must find its audio). */
  readonly text: number;
  /** ℓ_audio: mean over audios of −log softmax_column(C)[j][j] (each audio must find its text). */
  readonly audio: number;
  /** (ℓ_text + ℓ_audio) / 2, the symmetric CLAP loss. */
  readonly mean: number;
}

/** The symmetric CLAP loss of a square logit matrix (cross-entropy against the diagonal, both ways). */
export function clapLosses(c: Matrix): ClapLosses {
  const n = c.length;
  if (n === 0 || c.some((row) => row.length !== n))
    throw new Error(
      `The CLAP loss needs a square matrix, got ${n} rows of ${c.map((r) => r.length).join('/')} columns.`,
    );
  const cols = transpose(c);
  const text = c.reduce((sum, row, i) => sum + logSumExp(row) - (row[i] ?? 0), 0) / n;
  const audio = cols.reduce((sum, col, j) => sum + logSumExp(col) - (col[j] ?? 0), 0) / n;
  return { text, audio, mean: (text + audio) / 2 };
}
