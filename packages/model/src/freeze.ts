import { ConfigError } from '@clapjs/core';
import type { NamedVariable } from '@clapjs/core';
import { PART_SLOTS, type PartSlot } from './build.js';

/**
 * One part to freeze for fine-tuning: its slot name, or an object that also names weights of the
 * part that keep training and how the part runs.
 * - `except`: prefixes of the part's own weight paths (as `ClapModel.variables()` lists them,
 *   without the slot), written with `.` or `/`: `layers.3` keeps every weight under
 *   `layers/3/` training. An `htsat` encoder's paths are LAION-CLAP's names below
 *   `audio_branch.` (`layers.3` = the last Swin stage of HTSAT-tiny/base, `norm` = the final
 *   LayerNorm); other parts use their plugin's own paths (docs/checkpoints.md, "Fine-tuning an imported
 *   model").
 * - `mode`: how the part runs in a training step. `train` (the default, as upstream fine-tuning
 *   does: LAION-CLAP sets `requires_grad = False` and trains with `model.train()`): dropout on,
 *   BatchNorm normalises with the batch's statistics and updates its running statistics.
 *   `eval`: the part runs in inference mode (running statistics, no dropout), which keeps a
 *   frozen part's BatchNorm statistics bit-identical.
 */
export type FreezeEntry =
  | PartSlot
  | {
      readonly part: PartSlot;
      readonly except?: readonly string[];
      readonly mode?: 'train' | 'eval';
    };

/** A resolved freeze entry: the part, its trainable path prefixes (`/`-separated), its mode. */
export interface FrozenPart {
  readonly except: readonly string[];
  readonly mode: 'train' | 'eval';
}

/** Whether `path` is `prefix` or lies below it (whole path components only). */
function underPrefix(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The first one or two components of each path, deduplicated: what an error offers as prefixes. */
function samplePrefixes(paths: readonly string[], count = 6): string[] {
  const seen = new Set<string>();
  for (const path of paths) {
    const parts = path.split('/');
    seen.add(parts.length > 2 && /^\d+$/.test(parts[1]!) ? parts.slice(0, 2).join('.') : parts[0]!);
  }
  return [...seen].slice(0, count);
}

/**
 * Checks freeze entries against the parts' weights and resolves them.
 * @param variablesOf the weights of one part, with paths relative to the part
 * @throws ConfigError (`freeze`) for a name that is not a part, a part listed twice, an unknown
 *   mode, or an `except` prefix that matches no weight of its part
 */
export function resolveFreeze(
  entries: readonly FreezeEntry[],
  variablesOf: (slot: PartSlot) => readonly NamedVariable[],
): Map<PartSlot, FrozenPart> {
  const out = new Map<PartSlot, FrozenPart>();
  for (const entry of entries) {
    const spec = typeof entry === 'string' ? { part: entry } : entry;
    const part = (spec as { part?: unknown }).part;
    if (typeof part !== 'string' || !(PART_SLOTS as readonly string[]).includes(part)) {
      throw new ConfigError(
        'freeze',
        `Cannot freeze "${String(part)}": the parts are ${PART_SLOTS.join(', ')}.`,
      );
    }
    const slot = part as PartSlot;
    if (out.has(slot))
      throw new ConfigError(
        'freeze',
        `freeze lists ${slot} twice; give it once (with all its except prefixes).`,
      );
    const mode = spec.mode ?? 'train';
    if (mode !== 'train' && mode !== 'eval')
      throw new ConfigError(
        'freeze',
        `freeze ${slot}: mode must be train or eval, got "${String(mode)}".`,
      );
    const paths = variablesOf(slot).map((v) => v.path);
    const except = (spec.except ?? []).map((prefix) => prefix.replaceAll('.', '/'));
    for (const [i, prefix] of except.entries()) {
      if (!paths.some((path) => underPrefix(path, prefix))) {
        throw new ConfigError(
          'freeze',
          `freeze ${slot} except "${spec.except![i]}": no weight of ${slot} has that prefix; its weights start with ${samplePrefixes(paths).join(', ')}, … (ClapModel.variables() lists them all).`,
        );
      }
    }
    out.set(slot, { except, mode });
  }
  return out;
}

/** Whether a weight of a frozen part trains anyway (it lies under one of the part's `except` prefixes). */
export function keepsTraining(frozen: FrozenPart, path: string): boolean {
  return frozen.except.some((prefix) => underPrefix(path, prefix));
}
