/** Asserts max |got − ref| ≤ 1e-4 · max |ref| (a kernel against the cpu backend), naming the case. */
export declare function expectClose(
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  label: string,
): void;
