import { definePlugin, z } from '@clapjs/core';
import { ScaledSimilarity } from './similarity.js';
import { VERSION } from './version.js';

/** log(1 / 0.07): CLIP's and CLAP's initial log logit scale. */
export const CLIP_INIT_SCALE = Math.log(1 / 0.07);
/** ln 100: the upper clamp of the log logit scale. */
export const MAX_SCALE = Math.log(100);

const schema = z
  .strictObject({
    /** Initial log logit scale s; SigLIP uses log 10. */
    initScale: z.number().min(0).default(CLIP_INIT_SCALE),
    /** Upper clamp of s after each update. */
    maxScale: z.number().min(0).max(20).default(MAX_SCALE),
    learnScale: z.boolean().default(true),
    /** Add a learnable bias to every logit (SigLIP). */
    bias: z.boolean().default(false),
    /** Initial bias; SigLIP uses −10. */
    initBias: z.number().default(-10),
    /**
     * `one` log scale (`logit_scale`), or two (`logit_scale_a`, `logit_scale_t`) as LAION-CLAP
     * and Hugging Face ClapModel store them: `per-direction` (HF: text → audio readings use
     * `_t`, audio → text `_a`) or `audio` (LAION: `_a` for both).
     */
    logitScales: z.enum(['one', 'per-direction', 'audio']).default('one'),
  })
  .refine((c) => c.initScale <= c.maxScale, {
    path: ['initScale'],
    message: 'initScale must not exceed maxScale (s is clamped to [0, maxScale])',
  });

const common = {
  kind: 'similarity',
  version: VERSION,
  coreVersion: '^0.1.0',
  origin: '@clapjs/similarity',
  configSchema: schema,
} as const;

/** `cosine`: L2-normalise texts and audios, then `exp(s) · T · Aᵀ (+ b)` (CLAP's similarity). */
export const cosinePlugin = definePlugin({
  ...common,
  name: 'cosine',
  description: 'Cosine similarity with a learnable, clamped logit scale (and optional SigLIP bias)',
  create: (config, context) => new ScaledSimilarity(config, true, context.rng),
});

/** `dot`: `exp(s) · T · Aᵀ (+ b)` on the embeddings as given. */
export const dotPlugin = definePlugin({
  ...common,
  name: 'dot',
  description: 'Dot-product similarity with a learnable, clamped logit scale (and optional bias)',
  create: (config, context) => new ScaledSimilarity(config, false, context.rng),
});

/** Every built-in similarity plugin. */
export const similarityPlugins = [cosinePlugin, dotPlugin] as const;
