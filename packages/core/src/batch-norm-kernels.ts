/**
 * The tfjs kernel name of a fused training-mode batch normalisation, for packs that provide it on
 * their backend (@clapjs/audio-encoders' `BatchNorm` uses it, with
 * {@link BATCH_NORM_GRAD_KERNEL}, when both are registered for the active backend; its composed
 * tfjs ops otherwise). Inputs `{ x, gamma, beta }`: float32 `[rows, C]`, `[C]`, `[C]`; attrs
 * {@link BatchNormAttrs}. Outputs `[y, mean, variance, invStd]`: y `[rows, C]` =
 * `(x − mean)·(gamma·invStd) + beta` (then `max(·, 0)` when `relu`), and per channel, as `[1, C]`,
 * the batch mean, the biased variance of `x − mean` and `invStd = 1/√(variance + epsilon)`.
 */
export const BATCH_NORM_KERNEL = 'ClapjsBatchNormTrain';

/**
 * The gradient of {@link BATCH_NORM_KERNEL}: inputs `{ dy, x, gamma, mean, invStd, y }` (the
 * forward pass's inputs and outputs), attrs {@link BatchNormAttrs}; outputs `[dx, dGamma, dBeta]`
 * (`[rows, C]`, `[C]`, `[C]`). With `d = dy` masked to where `y > 0` when `relu`:
 * `dBeta = Σ_rows d`, `dGamma = Σ_rows d·(x − mean) · invStd`,
 * `dx = gamma·invStd · (d − dBeta/rows − (x − mean)·invStd² · Σ_rows d·(x − mean)/rows)`.
 */
export const BATCH_NORM_GRAD_KERNEL = 'ClapjsBatchNormTrainGrad';

/** The attributes of {@link BATCH_NORM_KERNEL} and {@link BATCH_NORM_GRAD_KERNEL}. */
export interface BatchNormAttrs {
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Whether a ReLU follows the normalisation (fused). */
  readonly relu: boolean;
}
