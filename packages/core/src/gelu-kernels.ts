/**
 * The tfjs kernel name of a fused GELU (erf form), for packs that provide it on their backend
 * (@clapjs/layers' `gelu` uses it, with {@link GELU_GRAD_KERNEL} for the gradient, when both are
 * registered for the active backend; its composed tfjs ops otherwise). Input `{ x }` (float32);
 * output float32 of x's shape: `0.5·x·(1 + erf(x/√2))`, with erf as tfjs's own Erf kernels
 * approximate it (Abramowitz & Stegun 7.1.26: `1 − (a1·t + … + a5·t⁵)·e^(−x²)`,
 * `t = 1/(1 + p·|x|)`, odd; absolute error ≤ 1.5e-7), so that both routes agree to float32
 * rounding.
 */
export const GELU_KERNEL = 'ClapjsGelu';

/**
 * The gradient of {@link GELU_KERNEL}: inputs `{ dy, x }` (float32, one shape); output float32 of
 * that shape: `dy·(0.5·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π))`, erf as for the forward kernel.
 */
export const GELU_GRAD_KERNEL = 'ClapjsGeluGrad';
