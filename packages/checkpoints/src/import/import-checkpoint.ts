import { BertWordPieceTokenizer } from '@clapjs/text-encoders';
import { ClapModel, fromTheirLayout, theirShape, type ClapModelConfig } from '@clapjs/model';
import { findFamily } from '../families/index.js';
import type {
  CheckpointFamily,
  DerivedSetting,
  FamilyInputs,
  ShapeTable,
} from '../families/family.js';
import { readSnapshotFiles } from './snapshot-files.js';
import { ImportError } from './errors.js';
import { applyOverrides, parseOverrides } from './set-overrides.js';
import { readVocabulary } from './vocabulary.js';

/** What importing needs of a checkpoint: its tensor names, shapes and (lazily) values. */
export interface TensorSource {
  names(): readonly string[];
  info(name: string): { readonly shape: readonly number[] };
  read(name: string): Promise<Float32Array | Int32Array | BigInt64Array | Uint8Array>;
}

/** Options of {@link importCheckpoint}. */
export interface ImportCheckpointOptions {
  /** A family name (`msclap-2022`) or `auto` to recognise it from the tensor names. */
  readonly from: string;
  /** `key=value` overrides of the derived config (`textEncoder.heads=12`). */
  readonly set?: readonly string[];
  /**
   * A directory with the checkpoint's tokenizer: msclap 2022's `vocab.txt` (checked against the
   * shipped one), or the byte-level BPE files of a LAION checkpoint (`vocab.json` + `merges.txt`
   * or `tokenizer.json`).
   */
  readonly tokenizer?: string;
  /**
   * The folder the checkpoint was read from, when it is one: a Hugging Face snapshot's
   * `config.json`, `preprocessor_config.json` and tokenizer files are read from it.
   */
  readonly folder?: string;
  /** Names the checkpoint in messages (default `the checkpoint`). */
  readonly source?: string;
}

/** What {@link importCheckpoint} did, tensor by tensor. */
export interface CheckpointImportReport {
  readonly family: string;
  /** True when `from: 'auto'` chose the family. */
  readonly guessed: boolean;
  /** The prefix the state dict sits under in the file (`''`, `model.`, `state_dict.`, `module.`). */
  readonly prefix: string;
  /** What the family concluded from the file beyond single settings (e.g. which HTSAT size). */
  readonly notes: readonly string[];
  /** Every hyperparameter: read from the checkpoint, the family default, or a `--set`. */
  readonly settings: readonly (DerivedSetting | { key: string; value: unknown; from: 'set' })[];
  /** Every tensor loaded into a clapjs weight. */
  readonly mapped: readonly { name: string; ours: string; shape: readonly number[] }[];
  /** Front-end buffers compared with the preset, and their largest difference relative to its peak. */
  readonly frontEnd: readonly { name: string; relativeError: number }[];
  /** Every other tensor of the file, with why it is not needed. */
  readonly unused: readonly { name: string; reason: string }[];
}

const STATE_PREFIXES = [
  '',
  'model.',
  'state_dict.',
  'module.',
  'model.module.',
  'state_dict.module.',
];
/** fp16 checkpoints round the front end: 2⁻¹¹ of the peak, with margin. */
const FRONT_END_TOLERANCE = 1e-3;

function locate(
  names: readonly string[],
  from: string,
): { family: CheckpointFamily; prefix: string } {
  for (const prefix of STATE_PREFIXES) {
    const inner = names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length));
    try {
      const family = findFamily(from === 'auto' ? 'auto' : from, inner);
      if (family.detect(inner)) return { family, prefix };
    } catch (error) {
      if (from !== 'auto') throw error;
    }
  }
  // Not recognised under any prefix: a named family still gets to say what is missing.
  return { family: findFamily(from, names), prefix: '' };
}

function asFloat32(values: Float32Array | Int32Array | BigInt64Array | Uint8Array): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values, Number);
}

function concatenate(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Builds a clapjs model from a published checkpoint: recognises or takes the family, derives the
 * config from tensor names and shapes (the rest from the family's published defaults, then
 * `set`), checks the checkpoint's own front end against the preset, and loads every mapped tensor
 * (read one at a time, so memory peaks at the model plus one tensor). The caller disposes the
 * model; `save(dir)` writes an ordinary model directory.
 * @throws ImportError on a missing tensor, a shape mismatch, a front-end mismatch or a bad `set`;
 * ConfigError when an override makes the config invalid
 */
export async function importCheckpoint(
  checkpoint: TensorSource,
  options: ImportCheckpointOptions,
): Promise<{ model: ClapModel; report: CheckpointImportReport }> {
  const source = options.source ?? 'the checkpoint';
  const all = checkpoint.names();
  const { family, prefix } = locate(all, options.from);
  const shapes: ShapeTable = new Map(
    all
      .filter((n) => n.startsWith(prefix))
      .map((n) => [n.slice(prefix.length), checkpoint.info(n).shape]),
  );
  const overrides = parseOverrides(options.set ?? []);
  const inputs: FamilyInputs = {
    files: await readSnapshotFiles(options.folder),
    ...(options.folder === undefined ? {} : { folder: options.folder }),
    ...(options.tokenizer === undefined ? {} : { tokenizer: options.tokenizer }),
  };
  const derived = family.config(shapes, inputs);
  const settings = [
    ...derived.settings.filter((s) => !overrides.some((o) => o.key === s.key)),
    ...overrides.map((o) => ({ ...o, from: 'set' as const })),
  ];
  let tokenizerState: unknown;
  if (family.tokenizerState !== undefined) tokenizerState = await family.tokenizerState(inputs);
  else if (options.tokenizer !== undefined) await checkTokenizer(options.tokenizer);
  const model = await ClapModel.create(
    applyOverrides(derived.config, overrides),
    tokenizerState === undefined ? {} : { tokenizerState },
  );
  try {
    const mapped = await loadWeights(model, checkpoint, family, prefix, shapes, source);
    const frontEnd = await checkFrontEnd(model.config, checkpoint, family, prefix, shapes, source);
    const used = new Set([...mapped.map((m) => m.name), ...frontEnd.map((f) => f.name)]);
    const unused = all
      .filter((n) => !used.has(n))
      .map((name) => ({
        name,
        reason: name.startsWith(prefix)
          ? (family.unusedReason(name.slice(prefix.length)) ?? 'not part of this model')
          : 'outside the state dict (optimizer state or training metadata)',
      }));
    const report = {
      family: family.name,
      guessed: options.from === 'auto',
      prefix,
      notes: derived.notes ?? [],
      settings,
      mapped,
      frontEnd,
      unused,
    };
    return { model, report };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function loadWeights(
  model: ClapModel,
  checkpoint: TensorSource,
  family: CheckpointFamily,
  prefix: string,
  shapes: ShapeTable,
  source: string,
): Promise<{ name: string; ours: string; shape: readonly number[] }[]> {
  const variables = new Map(model.variables().map((v) => [v.path, v.variable]));
  const mapped: { name: string; ours: string; shape: readonly number[] }[] = [];
  for (const entry of family.nameMap(model.config)) {
    const variable = variables.get(entry.ours)!;
    const parts = typeof entry.theirs === 'string' ? [entry.theirs] : entry.theirs;
    const want = theirShape(variable.shape, entry.layout);
    // Concatenated parts split PyTorch's first axis evenly (query, key, value).
    const wantPart = [want[0]! / parts.length, ...want.slice(1)];
    const datas: Float32Array[] = [];
    for (const part of parts) {
      const shape = shapes.get(part);
      if (shape === undefined) {
        throw new ImportError(
          'IMPORT_TENSOR_MISSING',
          `${source} has no tensor "${prefix}${part}" for clapjs weight ${entry.ours} [${variable.shape.join(', ')}]; ` +
            `it is not a complete ${family.name} checkpoint (check --from, or the file).`,
        );
      }
      const fits =
        sameShape(shape, wantPart) ||
        (entry.layout === 'same' && parts.length === 1 && count(shape) === count(want));
      if (!fits) {
        throw new ImportError(
          'IMPORT_SHAPE_MISMATCH',
          `Tensor "${prefix}${part}" in ${source} has shape [${shape.join(', ')}], but the derived config needs [${wantPart.join(', ')}] for ${entry.ours}. ` +
            'Fix the setting that sizes it with --set (see the report of derived settings), or check --from.',
        );
      }
      datas.push(asFloat32(await checkpoint.read(`${prefix}${part}`)));
      mapped.push({ name: `${prefix}${part}`, ours: entry.ours, shape });
    }
    const data = datas.length === 1 ? datas[0]! : concatenate(datas);
    const shape = parts.length === 1 ? shapes.get(parts[0]!)! : want;
    const value = fromTheirLayout(data, shape, entry.layout, variable.shape);
    variable.assign(value);
    value.dispose();
  }
  return mapped;
}

async function checkFrontEnd(
  config: ClapModelConfig,
  checkpoint: TensorSource,
  family: CheckpointFamily,
  prefix: string,
  shapes: ShapeTable,
  source: string,
): Promise<{ name: string; relativeError: number }[]> {
  const results: { name: string; relativeError: number }[] = [];
  for (const tensor of family.frontEnd(shapes)) {
    const name = `${prefix}${tensor.name}`;
    const shape = shapes.get(tensor.name)!;
    const expected = tensor.expected(config);
    const refuse = (why: string) =>
      new ImportError(
        'IMPORT_FRONT_END_MISMATCH',
        `${source}'s front end differs from the audio preset "${config.audio.preset}": ${name} ${why}. ` +
          'The model was trained on other log-mels; choose the matching preset or audio.* keys with --set.',
      );
    if (typeof expected === 'string') throw refuse(expected);
    if (!sameShape(shape, expected.shape))
      throw refuse(
        `has shape [${shape.join(', ')}], the preset gives [${expected.shape.join(', ')}]`,
      );
    const data = asFloat32(await checkpoint.read(name));
    let peak = 0;
    let diff = 0;
    for (let i = 0; i < data.length; i++) {
      peak = Math.max(peak, Math.abs(expected.data[i]!));
      diff = Math.max(diff, Math.abs(data[i]! - expected.data[i]!));
    }
    const relativeError = diff / Math.max(peak, Number.MIN_VALUE);
    if (!(relativeError <= FRONT_END_TOLERANCE))
      throw refuse(
        `differs by ${relativeError.toExponential(2)} of its peak (tolerance ${FRONT_END_TOLERANCE})`,
      );
    results.push({ name, relativeError });
  }
  return results;
}

/** `--tokenizer DIR`: its vocab.txt must be the bert-base-uncased vocabulary clapjs ships. */
async function checkTokenizer(dir: string): Promise<void> {
  const theirs = await readVocabulary(dir);
  const ours = new BertWordPieceTokenizer({
    name: 'bert-wordpiece',
    vocab: 'bert-base-uncased',
    maxLength: 100,
  }).vocabulary();
  const first = ours.findIndex((token, i) => theirs[i] !== token);
  if (theirs.length !== ours.length || first >= 0) {
    throw new ImportError(
      'IMPORT_TOKENIZER_UNSUPPORTED',
      `${dir}/vocab.txt is not the bert-base-uncased vocabulary (${theirs.length} tokens; first difference at id ${first}: "${theirs[first] ?? ''}" vs "${ours[first] ?? ''}"). ` +
        'clapjs ships only that WordPiece vocabulary for now; import without --tokenizer for msclap 2022.',
    );
  }
}
