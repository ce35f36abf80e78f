/**
 * The tfjs kernel name of a fused global L2 norm, for packs that provide it on their backend
 * (@clapjs/trainer's `globalNorm`, the gradient clipping of every step, uses it when registered
 * for the active backend; one square and one sum per tensor otherwise). Inputs: an array of
 * float32 tensors (as for tfjs's `AddN`); output: a float32 scalar, `√(Σ_tensors Σ x²)` with the
 * sums accumulated in double precision.
 */
export const GLOBAL_NORM_KERNEL = 'ClapjsGlobalNorm';
