import type { ClapModelConfig, ClapModelConfigInput, TensorLayout } from '@clapjs/model';

/** The shape of every tensor of a checkpoint's state dict, by its name in the file. */
export type ShapeTable = ReadonlyMap<string, readonly number[]>;

/** A clapjs weight and the checkpoint tensor or tensors it is loaded from. */
export interface ImportEntry {
  /** Our path, as `model.variables()` lists it. */
  readonly ours: string;
  /**
   * One tensor, or several concatenated along PyTorch's first axis first (Hugging Face's
   * separate `query`/`key`/`value` into a fused `qkv`).
   */
  readonly theirs: string | readonly string[];
  readonly layout: TensorLayout;
}

/** What a family may read besides the tensors. */
export interface FamilyInputs {
  /** The folder the checkpoint was read from, when it is one (a Hugging Face snapshot). */
  readonly folder?: string;
  /** That folder's JSON files (`config.json`, `preprocessor_config.json`) that exist, parsed. */
  readonly files: ReadonlyMap<string, unknown>;
  /** `--tokenizer DIR`, when given. */
  readonly tokenizer?: string;
}

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
  config(
    shapes: ShapeTable,
    inputs: FamilyInputs,
  ): { config: ClapModelConfigInput; settings: DerivedSetting[]; notes?: string[] };
  /**
   * The tokenizer state the model is built with (e.g. a byte-level BPE tokenizer.json read from
   * the snapshot or `--tokenizer DIR`); undefined when the family's tokenizer ships with clapjs.
   */
  tokenizerState?(inputs: FamilyInputs): Promise<unknown>;
  /** Every clapjs weight ↔ checkpoint tensor correspondence for a built config. */
  nameMap(config: ClapModelConfig): readonly ImportEntry[];
  /** The checkpoint's front-end buffers present in `shapes`, checked against the preset. */
  frontEnd(shapes: ShapeTable): FrontEndTensor[];
  /** Why a state-dict tensor that no map entry uses is left out, or undefined if unexpected. */
  unusedReason(name: string): string | undefined;
}
