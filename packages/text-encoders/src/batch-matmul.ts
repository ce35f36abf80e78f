/**
 * Kept for compatibility: `batchMatMul` is @clapjs/layers' `matMul`, which takes 2-D and batched
 * (rank-3/4) operands with one gradient rule.
 */
export { matMul as batchMatMul, transposeLastTwo } from '@clapjs/layers';
