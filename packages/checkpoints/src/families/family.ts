import type { ClapModelConfig, ClapModelConfigInput, NameMap } from '@clapjs/model';

/** The shape of every tensor of a checkpoint's state dict, by its name in the file. */
export type ShapeTable = ReadonlyMap<string, readonly number[]>;

/** A checkpoint tensor that describes the original's front end (e.g. torchlibrosa's `melW`). */
export interface FrontEndTensor {
  /** Its name in the state dict. */
  readonly name: string;
  /**
   * What the preset predicts for it, in the checkpoint's layout (row-major), or a reason it
   * cannot match (e.g. a different FFT size): then the import is refused.
   */
  expected(
    config: ClapModelConfig,
  ): { readonly shape: readonly number[]; readonly data: Float32Array } | string;
}

/** One hyperparameter of an imported model and where its value came from. */
export interface DerivedSetting {
  /** Dotted config key, e.g. `textEncoder.layers`. */
  readonly key: string;
  readonly value: unknown;
  /** `checkpoint` (read from names and shapes), `default` (the family's published value). */
  readonly from: 'checkpoint' | 'default';
}

/**
 * A family of published checkpoints (e.g. msclap 2022): how to recognise its state dict, the
 * clapjs config it corresponds to, the map between its tensor names and clapjs weights, the
 * front-end buffers to check against the preset, and why the remaining tensors are unused.
 */
export interface CheckpointFamily {
  /** The name `clapjs import --from` takes, e.g. `msclap-2022`. */
  readonly name: string;
  /** One line for help texts and reports. */
  readonly description: string;
  /** Where the published weights come from (for docs and reports). */
  readonly source: string;
  /** True when a state dict's names are this family's (`--from auto`). */
  detect(names: readonly string[]): boolean;
  /**
   * The clapjs config: what names and shapes determine, then the family's published defaults
   * for the rest, each listed in `settings`.
   */
  config(shapes: ShapeTable): { config: ClapModelConfigInput; settings: DerivedSetting[] };
  /** Every clapjs weight ↔ checkpoint tensor correspondence for a built config. */
  nameMap(config: ClapModelConfig): NameMap;
  /** The checkpoint's front-end buffers present in `shapes`, checked against the preset. */
  frontEnd(shapes: ShapeTable): FrontEndTensor[];
  /** Why a state-dict tensor that no map entry uses is left out, or undefined if unexpected. */
  unusedReason(name: string): string | undefined;
}
