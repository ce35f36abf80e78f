/**
 * @clapjs/layers — the building blocks every clapjs part shares: named, seeded weights and the
 * few ops whose formulation matters for speed or parity with PyTorch.
 * @packageDocumentation
 */
export { Params } from './params.js';
export type { Initializer, WeightOptions } from './params.js';
export { dense, dropout, gelu, geluTanh, l2Normalize, matMul, transposeLastTwo } from './ops.js';
export { layerNorm } from './layer-norm.js';
