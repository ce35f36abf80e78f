import { ConfigError, definePlugin, Rng, z } from '@clapjs/core';
import type { Dataset, DatasetItem, Split } from '@clapjs/core';
import { mixSeed } from '../hash.js';
import { checkIndex } from '../list-dataset.js';
import type { InfoIndexed, ItemInfo, SplitIndexed } from '../list-dataset.js';
import { DATA_VERSION, ORIGIN } from '../version.js';
import {
  allComboLabels,
  chooseHeldOut,
  drawAttributes,
  isHeldOut,
  labelOf,
  splitOf,
} from './attributes.js';
import type { SynthAttributes, SynthParams } from './attributes.js';
import { composeCaptions } from './captions.js';
import { renderClip } from './render.js';

/** Config of the `synth` dataset. */
export const synthConfigSchema = z.strictObject({
  /** Number of clips. */
  size: z.number().int().min(1).max(10_000_000).default(3000),
  /** Everything (attributes, sounds, captions, splits, held-out combinations) follows from it. */
  seed: z.number().int().default(0),
  sampleRate: z.number().int().min(8000).max(96_000).default(16_000),
  clipSeconds: z.number().positive().max(60).default(2),
  /** Held-out timbre × contour combinations: a fraction of the 16, or explicit "<timbre> <contour>" labels. */
  heldOut: z.union([z.number().min(0).max(0.75), z.array(z.string())]).default(0.25),
  /** Fraction of clips that are tones (the rest are coloured noise). */
  toneFraction: z.number().min(0).max(1).default(0.75),
  /** Probability of crackle in the background. */
  backgroundProbability: z.number().min(0).max(1).default(0.3),
  /** Of the clips outside the held-out combinations, the fractions in val and test. */
  valFraction: z.number().min(0).max(0.5).default(0.1),
  testFraction: z.number().min(0).max(0.5).default(0.1),
});

/** The parsed `synth` config. */
export type SynthConfig = z.output<typeof synthConfigSchema> & { readonly name: string };

/** A clip's description without its audio (cheap: no rendering). */
export interface SynthDescription {
  readonly id: string;
  readonly attributes: SynthAttributes;
  readonly params: SynthParams;
  readonly captions: string[];
  readonly label: string;
  readonly split: Split;
  /** Whether its timbre × contour combination is held out of training. */
  readonly heldOut: boolean;
}

/**
 * The zero-shot task on held-out combinations: classify each test clip of a held-out
 * combination among `labels` with `template` (its `{label}` replaced by a label).
 */
export interface ZeroShotTask {
  /** The held-out combination labels, `"<timbre> <contour>"`; none occurs in a training caption. */
  readonly labels: string[];
  /** All 16 timbre × contour labels (a harder variant: seen combinations as distractors). */
  readonly allLabels: string[];
  /** The prompt, e.g. `"a {label} sound"` → "a bright rising sound". */
  readonly template: string;
  /** Dataset indices of the test clips whose combination is held out. */
  readonly indices: number[];
  /** The label of each of `indices`, in the same order. */
  readonly itemLabels: string[];
}

/** The prompt template of the synth zero-shot task. */
export const SYNTH_PROMPT_TEMPLATE = 'a {label} sound';

/**
 * The embedded procedural dataset: every clip is generated from (seed, index) on demand — a
 * tone (pure / hollow / bright / bell timbre, rising / falling / steady / wobbling pitch, low or
 * high register) or coloured noise (white / pink / brown), sustained, pulsing or a single hit,
 * quiet or loud, optionally over crackle — with five captions composed from those attributes.
 * Some timbre × contour combinations are held out: their clips are all in the test split and
 * no training caption pairs those two words (each word still occurs in training).
 */
export class SynthDataset implements Dataset<SynthConfig>, SplitIndexed, InfoIndexed {
  readonly name = 'synth';
  readonly size: number;
  /** The held-out combination labels. */
  readonly heldOutLabels: readonly string[];
  private readonly config: SynthConfig;

  /** @throws ConfigError when the held-out choice is invalid */
  constructor(config: SynthConfig) {
    const chosen = chooseHeldOut(config.heldOut, config.seed);
    if ('error' in chosen)
      throw new ConfigError(
        'dataset.heldOut',
        `Invalid config at dataset.heldOut (synth): ${chosen.error}.`,
      );
    this.config = config;
    this.size = config.size;
    this.heldOutLabels = chosen.labels;
  }

  getConfig(): SynthConfig {
    return this.config;
  }

  /** Attributes, captions, label and split of clip `index`, without rendering its audio. */
  describe(index: number): SynthDescription {
    checkIndex(index, this.size, this.name);
    const c = this.config;
    const rng = new Rng(mixSeed(c.seed, index));
    const { attributes, params } = drawAttributes(
      rng,
      c.toneFraction,
      c.backgroundProbability,
      c.clipSeconds,
    );
    const heldOut = isHeldOut(attributes, this.heldOutLabels);
    const split = splitOf(
      heldOut,
      new Rng(mixSeed(c.seed, index, 0x5bd1)).next(),
      c.valFraction,
      c.testFraction,
    );
    const captions = composeCaptions(attributes, rng.fork('captions'));
    return {
      id: `synth-${c.seed}-${index}`,
      attributes,
      params,
      captions,
      label: labelOf(attributes),
      split,
      heldOut,
    };
  }

  /** Item `index` without its audio; `contentKey` names everything the rendering depends on. */
  itemInfo(index: number): ItemInfo {
    const d = this.describe(index);
    const c = this.config;
    const contentKey = `synth-v1:${JSON.stringify({ seed: c.seed, index, sampleRate: c.sampleRate, clipSeconds: c.clipSeconds, attributes: d.attributes, params: d.params })}`;
    return {
      id: d.id,
      captions: d.captions,
      label: d.label,
      split: d.split,
      meta: { ...d.attributes, ...d.params, heldOut: d.heldOut },
      contentKey,
    };
  }

  /** Renders clip `index` (a few milliseconds for 2 s at 16 kHz). */
  async get(index: number): Promise<DatasetItem> {
    const d = this.describe(index);
    const c = this.config;
    const rng = new Rng(mixSeed(c.seed, index)).fork('render');
    const samples = renderClip(d.attributes, d.params, c.sampleRate, c.clipSeconds, rng);
    return {
      id: d.id,
      audio: { kind: 'samples', samples, sampleRate: c.sampleRate },
      captions: d.captions,
      label: d.label,
      split: d.split,
      meta: { ...d.attributes, ...d.params, heldOut: d.heldOut },
    };
  }

  indicesFor(split: Split): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if (this.describe(i).split === split) out.push(i);
    return out;
  }

  /** The zero-shot task over the held-out combinations (test clips only). */
  zeroShotTask(): ZeroShotTask {
    const indices: number[] = [];
    const itemLabels: string[] = [];
    for (let i = 0; i < this.size; i++) {
      const d = this.describe(i);
      if (d.heldOut) {
        indices.push(i);
        itemLabels.push(d.label);
      }
    }
    return {
      labels: [...this.heldOutLabels],
      allLabels: allComboLabels(),
      template: SYNTH_PROMPT_TEMPLATE,
      indices,
      itemLabels,
    };
  }
}

/** `synth`: the embedded procedural dataset ({@link SynthDataset}); needs no files. */
export const synthDataset = definePlugin({
  kind: 'dataset',
  name: 'synth',
  version: DATA_VERSION,
  coreVersion: '^0.1.0',
  origin: ORIGIN,
  description:
    'Procedural sounds from a seed (timbre, pitch contour, register, rhythm, loudness, background) with composed captions and held-out combinations.',
  configSchema: synthConfigSchema,
  create(config) {
    return new SynthDataset(config);
  },
});
