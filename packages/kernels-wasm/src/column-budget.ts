// Bounds the im2col / column-gradient buffers (in floats) of the conv kernels so that large
// batches are processed in chunks instead of exhausting the wasm heap (64 MiB per buffer).
let budget = 1 << 24;

/** The current column budget, in floats. */
export function columnBudget(): number {
  return budget;
}

/** Changes the budget (tests lower it to exercise chunking on small shapes); returns the old one. */
export function setColumnBudget(floats: number): number {
  const old = budget;
  budget = Math.max(1, Math.floor(floats));
  return old;
}
