/**
 * @clapjs/similarity — the `cosine` and `dot` similarity plugins: C = exp(s) · E_t · E_aᵀ (+ b),
 * rows = texts, with a learnable log logit scale s clamped to [0, maxScale]. Importing this entry
 * registers nothing; import `@clapjs/similarity/register` for that.
 * @packageDocumentation
 */
export { ScaledSimilarity, SimilarityInputError } from './similarity.js';
export type { LogitScales, SimilarityConfig } from './similarity.js';
export {
  CLIP_INIT_SCALE,
  cosinePlugin,
  dotPlugin,
  MAX_SCALE,
  similarityPlugins,
} from './plugins.js';
