/**
 * Asserts max |got − ref| ≤ relative · max |ref| + absolute (default: relative 1e-4, absolute 0),
 * naming the case. `{ relative: 0, absolute: 1e-5 }` is an element-wise absolute tolerance.
 */
export declare function expectClose(
  got: ArrayLike<number>,
  ref: ArrayLike<number>,
  label: string,
  tolerance?: { readonly relative?: number; readonly absolute?: number },
): void;
