// How the conv kernels split their work. XNNPACK's GEMM does not block its inner dimension, so a
// filter-gradient product over all output positions at once (inner size batch·outH·outW, e.g.
// 65,536) streams its packed panels from memory; products over chunks of output positions
// stay in cache and are summed. Chunks also bound the im2col buffers on the wasm heap.
const budget = 1 << 24;
let rows = 2048;

/** The most floats one im2col / column-gradient buffer may hold. */
export function columnBudget(): number {
  return budget;
}

/** Output positions (rows of the im2col matrix) per chunk, before the budget's limit. */
export function chunkRows(): number {
  return rows;
}

/** Changes the rows per chunk (for tuning and tests); returns the old value. */
export function setChunkRows(count: number): number {
  const old = rows;
  rows = Math.max(1, Math.floor(count));
  return old;
}
