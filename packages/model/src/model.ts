import * as tf from '@tensorflow/tfjs-core';
import { ClapError } from '@clapjs/core';
import type {
  AudioEncoder,
  CallOptions,
  NamedVariable,
  Projection,
  Similarity,
  SimilarityDirection,
  TextEncoder,
  TokenBatch,
  Tokenizer,
} from '@clapjs/core';
import { cropOrPad, type LogMelConfig, type LogMelExtractor } from '@clapjs/audio';
import { l2Normalize } from '@clapjs/layers';
import { projectClipWindows, projectWindowStream } from './audio-windows.js';
import {
  buildParts,
  partProvenance,
  partVariables,
  PART_SLOTS,
  type ClapParts,
  type PartSlot,
} from './build.js';
import { parseModelConfig, type ClapModelConfig, type ClapModelConfigInput } from './config.js';
import {
  exportSafetensors,
  importSafetensors,
  type ImportReport,
  type NameMap,
} from './convert.js';
import { ModelFormatError } from './errors.js';
import { keepsTraining, resolveFreeze, type FreezeEntry, type FrozenPart } from './freeze.js';
import { checkFusionOptions, fusionBatch, type FusionInputOptions } from './fusion-input.js';
import { checkParts } from './part-checks.js';
import { fileReader, readJson, writeFilesAtomic, type ModelSource } from './io.js';
import {
  assignWeights,
  decodeWeights,
  encodeVariables,
  type EncodeOptions,
  WEIGHTS_MANIFEST_FILE,
  type WeightsManifest,
} from './weights.js';

/** Options of {@link ClapModel.create}. */
export interface ClapCreateOptions {
  /** Seeds every initial weight (default 0): the same seed gives the same model on every backend. */
  readonly seed?: number;
  /** Training captions, for tokenizers that fit a vocabulary (the `word` tokenizer needs them). */
  readonly captions?: readonly string[];
  /**
   * The tokenizer's state, for tokenizers that take their vocabulary as data (`byte-level-bpe`:
   * `{ tokenizer: <tokenizer.json> }`), e.g. an imported checkpoint's.
   */
  readonly tokenizerState?: unknown;
}

/** What {@link ClapModel.forward} returns. */
export interface ForwardResult {
  /** Similarity of every text to every audio, `[texts, audios]` (rows = texts). */
  readonly logits: tf.Tensor2D;
  /**
   * The same matrix scaled for the `audio-to-text` reading, only when the similarity keeps one
   * scale per direction (`scalesPerDirection`); pass it to the loss with `logits`.
   */
  readonly audioToTextLogits?: tf.Tensor2D;
  /** Projected audio embeddings `[audios, dim]` (before L2 normalisation). */
  readonly audioEmbeddings: tf.Tensor2D;
  /** Projected text embeddings `[texts, dim]` (before L2 normalisation). */
  readonly textEmbeddings: tf.Tensor2D;
}

/** One label of a zero-shot classification with its probability. */
export interface ZeroShotResult {
  readonly label: string;
  readonly probability: number;
}

/** One retrieved corpus item: its index in the corpus and its similarity to the query. */
export interface RetrievalHit {
  readonly index: number;
  readonly score: number;
}

/** Audio clips (mono samples at `config.audio.sampleRate`) or a log-mel batch `[batch, frames, mels, 1]`. */
export type AudioInput = readonly Float32Array[] | tf.Tensor4D;

/** Texts, or an already tokenized batch. */
export type TextInput = readonly string[] | TokenBatch;

const CONFIG_FILE = 'config.json';
const TOKENIZER_FILE = 'tokenizer.json';
const INFERENCE: CallOptions = { training: false };
/** Clips encoded at once when a corpus is given as raw audio. */
const ENCODE_CHUNK = 32;

/** Reads a tensor's values without blocking (the only read WebGPU supports well), then frees it. */
async function readAndDispose(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array> {
  try {
    return await tensor.data();
  } finally {
    tensor.dispose();
  }
}

async function readRowsAndDispose(tensor: tf.Tensor2D): Promise<number[][]> {
  try {
    return await tensor.array();
  } finally {
    tensor.dispose();
  }
}

/** Which way a retrieval reads the similarity, from what its query and corpus are. */
function retrievalDirection(
  query: string | Float32Array | tf.Tensor,
  corpus: readonly string[] | readonly Float32Array[] | tf.Tensor2D,
): SimilarityDirection {
  if (query instanceof Float32Array) return 'audio-to-text';
  if (!(query instanceof tf.Tensor) || corpus instanceof tf.Tensor) return 'text-to-audio';
  return typeof corpus[0] === 'string' ? 'audio-to-text' : 'text-to-audio';
}

function badInput(code: string, message: string): ClapError {
  return new ClapError(code, message);
}

/**
 * A CLAP model: an audio encoder and a text encoder, each followed by a projection into a joint
 * space, and a similarity with a learnable scale. Built from one JSON config through the plugin
 * registry, so any registered plugin can fill any slot.
 *
 * @example
 * ```ts
 * const model = await ClapModel.create(defaultModelConfig(), { seed: 1, captions });
 * const ranked = await model.zeroShotClassify(clip, ['dog', 'rain', 'piano']);
 * await model.save('runs/mini');
 * const again = await ClapModel.load('runs/mini');
 * ```
 */
export class ClapModel {
  /** The validated config with every default filled in (what `save` writes to config.json). */
  readonly config: ClapModelConfig;
  /** The log-mel front end that turns clips into encoder input. */
  readonly frontEnd: LogMelExtractor;
  /** Turns texts into ids (`config.tokenizer`). */
  readonly tokenizer: Tokenizer;
  /** Log-mel `[batch, frames, mels, 1]` → features (`config.audioEncoder`). */
  readonly audioEncoder: AudioEncoder;
  /** Token batch → features (`config.textEncoder`). */
  readonly textEncoder: TextEncoder;
  /** Audio features → joint space (`config.audioProjection`). */
  readonly audioProjection: Projection;
  /** Text features → joint space (`config.textProjection`). */
  readonly textProjection: Projection;
  /** Scores texts against audios with the learnable logit scale (`config.similarity`). */
  readonly similarity: Similarity;
  private disposed = false;
  private frozenParts = new Map<PartSlot, FrozenPart>();

  private constructor(parts: ClapParts) {
    try {
      checkParts(parts);
    } catch (error) {
      // A broken part may lack dispose(): free what can be freed.
      for (const slot of PART_SLOTS) {
        const part = parts[slot] as { dispose?: unknown } | null;
        if (typeof part?.dispose === 'function') (part as { dispose(): void }).dispose();
      }
      throw error;
    }
    this.config = parts.config;
    this.frontEnd = parts.frontEnd;
    this.tokenizer = parts.tokenizer;
    this.audioEncoder = parts.audioEncoder;
    this.textEncoder = parts.textEncoder;
    this.audioProjection = parts.audioProjection;
    this.textProjection = parts.textProjection;
    this.similarity = parts.similarity;
  }

  /**
   * Builds a freshly initialised model from a config (missing parts take the defaults).
   * @throws ConfigError naming the bad key; PluginError for an unknown plugin name
   */
  static async create(
    config: ClapModelConfigInput = {},
    options: ClapCreateOptions = {},
  ): Promise<ClapModel> {
    const seed = options.seed ?? 0;
    if (!Number.isSafeInteger(seed))
      throw badInput('MODEL_SEED', `seed must be an integer, got ${seed}.`);
    const parsed = parseModelConfig(config);
    return new ClapModel(
      buildParts(parsed, {
        seed,
        ...(options.captions === undefined ? {} : { captions: options.captions }),
        ...(options.tokenizerState === undefined ? {} : { tokenizerState: options.tokenizerState }),
      }),
    );
  }

  /**
   * Loads a model saved by {@link ClapModel.save}, from a directory (Node) or a `{ fetch }`
   * source (browser). The plugins its config names must be registered (import their packages).
   * @throws WeightsError naming a missing, mis-shaped or unexpected weight; ModelFormatError for
   * missing or malformed files
   */
  static async load(source: ModelSource): Promise<ClapModel> {
    const read = fileReader(source);
    const where = typeof source === 'string' ? source : 'the model source';
    const config = parseModelConfig(await readJson(read, CONFIG_FILE));
    const tokenizer = ((await readJson(read, TOKENIZER_FILE)) ?? {}) as { state?: unknown };
    const manifest = ((await readJson(read, WEIGHTS_MANIFEST_FILE)) ??
      {}) as Partial<WeightsManifest>;
    if (
      manifest.format !== 'clapjs-weights' ||
      manifest.formatVersion !== 1 ||
      !Array.isArray(manifest.weightsManifest)
    ) {
      throw new ModelFormatError(
        'MODEL_FORMAT',
        `${where}/${WEIGHTS_MANIFEST_FILE} is not a clapjs weights manifest of format version 1 (format ${String(manifest.format)}, version ${String(manifest.formatVersion)}).`,
      );
    }
    const model = new ClapModel(buildParts(config, { seed: 0, tokenizerState: tokenizer.state }));
    let loaded = new Map<string, tf.Tensor>();
    try {
      loaded = await decodeWeights(manifest.weightsManifest, read);
      assignWeights(model.variables(), loaded, `${where}/${WEIGHTS_MANIFEST_FILE}`);
      return model;
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      for (const tensor of loaded.values()) tensor.dispose();
    }
  }

  /**
   * The files of a saved model (name → bytes): config.json, tokenizer.json, model.json and the
   * weight shards. `save` writes them to a directory; in a browser, store or upload them yourself.
   * `options.quantize` stores the large float32 weights as float16 or uint8 (see
   * {@link EncodeOptions}); {@link ClapModel.load} dequantizes them to float32.
   */
  async toFiles(options: EncodeOptions = {}): Promise<Map<string, Uint8Array>> {
    this.assertLive();
    const encoder = new TextEncoder();
    const json = (value: unknown) => encoder.encode(`${JSON.stringify(value, null, 2)}\n`);
    const { manifest, files } = await encodeVariables(this.variables(), options);
    const weights: WeightsManifest = {
      format: 'clapjs-weights',
      formatVersion: 1,
      parts: partProvenance(this.config),
      weightsManifest: manifest,
    };
    return new Map([
      [CONFIG_FILE, json(this.config)],
      [
        TOKENIZER_FILE,
        json({
          name: this.tokenizer.name,
          config: this.tokenizer.getConfig(),
          state: this.tokenizer.toJSON(),
        }),
      ],
      [WEIGHTS_MANIFEST_FILE, json(weights)],
      ...files,
    ]);
  }

  /**
   * Saves the model into `dir` (Node) atomically: written to `<dir>.tmp-<random>`, then renamed
   * over `dir`. An existing `dir` is replaced only if it holds a saved model or is empty.
   */
  async save(dir: string, options: EncodeOptions = {}): Promise<void> {
    await writeFilesAtomic(dir, await this.toFiles(options));
  }

  /**
   * Tokenizes texts to `[batch, maxLength]` ids and mask. Longer texts are truncated; a text with
   * no tokens (e.g. `''`) keeps one padding token unmasked so that it still gets an embedding.
   */
  tokenize(texts: readonly string[]): TokenBatch {
    this.assertLive();
    if (!Array.isArray(texts) || texts.length === 0) {
      throw badInput('EMPTY_BATCH', 'tokenize needs a non-empty array of texts.');
    }
    const length = this.config.tokenizer.maxLength;
    const ids = new Int32Array(texts.length * length);
    const mask = new Float32Array(texts.length * length);
    texts.forEach((text, row) => {
      if (typeof text !== 'string')
        throw badInput('TEXT_NOT_STRING', `texts[${row}] is ${typeof text}, expected a string.`);
      const encoded = this.tokenizer.encode(text, length);
      for (let i = 0; i < length; i++) {
        ids[row * length + i] = encoded.ids[i] ?? this.tokenizer.padId;
        mask[row * length + i] = encoded.mask[i] ?? 0;
      }
      if (!encoded.mask.some((m) => m > 0)) mask[row * length] = 1;
    });
    return {
      ids: tf.tensor2d(ids, [texts.length, length], 'int32'),
      mask: tf.tensor2d(mask, [texts.length, length], 'float32'),
    };
  }

  /**
   * Log-mel spectrograms `[batch, frames, melBins, 1]` of clips sampled at
   * `config.audio.sampleRate`, each first fitted to `clipSeconds` (centre crop when longer,
   * the preset's `padMode` when shorter). `encodeAudio` and the other raw-clip paths instead
   * average a long clip over windows that cover it (`projectClipWindows`). For an audio encoder
   * whose `input` is `fusion`: the fusion input `[batch, frames, melBins, 4]` of each whole clip
   * (`fusionLogMel`, its default crops or `fusion.crops`), which those paths use too.
   */
  logMelBatch(clips: readonly Float32Array[], fusion?: FusionInputOptions): tf.Tensor4D {
    return this.audioBatch(clips, fusion).logMel;
  }

  /** {@link ClapModel.logMelBatch} and, for fusion input, the `longer` flags to encode it with. */
  private audioBatch(
    clips: readonly Float32Array[],
    options: FusionInputOptions | undefined,
  ): { logMel: tf.Tensor4D; longer?: boolean[] } {
    this.assertLive();
    if (!Array.isArray(clips) || clips.length === 0)
      throw badInput('EMPTY_BATCH', 'logMelBatch needs a non-empty array of clips.');
    const { clipSeconds, sampleRate, padMode } = this.config.audio as LogMelConfig;
    const length = Math.round(clipSeconds * sampleRate);
    const fusion = this.audioEncoder.input === 'fusion';
    checkFusionOptions(options, clips.length, { fusion, tensor: false });
    clips.forEach((clip, i) => {
      if (!(clip instanceof Float32Array) || clip.length === 0) {
        throw badInput(
          'AUDIO_EMPTY',
          `clips[${i}] must be a non-empty Float32Array of samples at ${sampleRate} Hz.`,
        );
      }
    });
    if (fusion) return fusionBatch(clips, this.frontEnd, options);
    const mels = clips.map((clip) => {
      const fitted =
        clip.length < length
          ? cropOrPad(clip, length, padMode ?? 'repeat-pad')
          : cropOrPad(clip, length, 'fit');
      return this.frontEnd.compute(fitted);
    });
    const { frames, melBins } = mels[0]!;
    const size = frames * melBins;
    const data = new Float32Array(clips.length * size);
    mels.forEach((mel, i) => data.set(mel.data, i * size));
    return { logMel: tf.tensor4d(data, [clips.length, frames, melBins, 1]) };
  }

  /**
   * The training forward pass: projected audio and text embeddings and their logits
   * (`similarity(text, audio)`, rows = texts; with a per-direction similarity also the
   * `audio-to-text` reading). Train with `loss.call(r.logits, r.audioToTextLogits)`.
   */
  forward(logMel: tf.Tensor4D, tokens: TokenBatch, options: CallOptions): ForwardResult {
    this.assertLive();
    // A frozen part runs in the step's mode (as upstream), unless frozen with mode `eval`.
    const as = (slot: PartSlot): CallOptions =>
      this.frozenParts.get(slot)?.mode === 'eval' ? INFERENCE : options;
    return tf.tidy(() => {
      const audioEmbeddings = this.audioProjection.call(
        this.audioEncoder.encode(logMel, as('audioEncoder')),
        as('audioProjection'),
      );
      const textEmbeddings = this.textProjection.call(
        this.textEncoder.encode(tokens, as('textEncoder')),
        as('textProjection'),
      );
      const logits = this.similarity.call(textEmbeddings, audioEmbeddings);
      if (this.similarity.scalesPerDirection !== true)
        return { logits, audioEmbeddings, textEmbeddings };
      return {
        logits,
        audioToTextLogits: this.similarity.call(textEmbeddings, audioEmbeddings, 'audio-to-text'),
        audioEmbeddings,
        textEmbeddings,
      };
    });
  }

  /**
   * L2-normalised audio embeddings `[batch, dim]` (inference mode). `fusion`: per clip, the
   * crops and `longer` flags LAION-CLAP's fused models draw at random, to reproduce a run (for a
   * model whose audio encoder takes fusion input only; see {@link FusionInputOptions}).
   * @throws ClapError `FUSION_OPTIONS_UNFUSED` when `fusion` is given to a model without fusion
   *   input; `FUSION_CROPS_NOT_LONGER` for crops of a clip no longer than the window
   */
  encodeAudio(audio: AudioInput, fusion?: FusionInputOptions): tf.Tensor2D {
    return tf.tidy(() => l2Normalize(this.projectAudio(audio, fusion)));
  }

  /**
   * The L2-normalised embedding `[1, dim]` of one clip given window by window, each window one
   * `clipSeconds` long at the front end's rate — what `readAudioWindows(file, model.frontEnd.config)`
   * from `@clapjs/audio` yields for a file of any length. Equals {@link ClapModel.encodeAudio} of
   * the whole clip (the mean over the same windows) while holding only a few windows at a time.
   *
   * @throws ClapError `AUDIO_EMPTY` when no window comes; `AUDIO_WINDOWS_FUSION` for a model
   *   whose audio encoder takes fusion input (built from the whole clip: pass the clip instead)
   */
  async encodeAudioWindows(windows: AsyncIterable<Float32Array>): Promise<tf.Tensor2D> {
    const projected = await this.projectAudioWindows(windows);
    const out = tf.tidy(() => l2Normalize(projected));
    projected.dispose();
    return out;
  }

  /** L2-normalised text embeddings `[batch, dim]` (inference mode). */
  encodeText(texts: TextInput): tf.Tensor2D {
    return tf.tidy(() => l2Normalize(this.projectText(texts)));
  }

  /**
   * L2-normalised audio embeddings, one array per clip, read back asynchronously (for output:
   * JSON, an index). Use {@link ClapModel.encodeAudio} to keep them as a tensor.
   */
  async embedAudio(audio: AudioInput, fusion?: FusionInputOptions): Promise<number[][]> {
    return readRowsAndDispose(this.encodeAudio(audio, fusion));
  }

  /** L2-normalised text embeddings, one array per text, read back asynchronously. */
  async embedText(texts: TextInput): Promise<number[][]> {
    return readRowsAndDispose(this.encodeText(texts));
  }

  /**
   * Similarity logits `[texts, audios]` of embeddings, through the model's similarity (with its
   * scale; `direction` picks it where the similarity keeps one per direction, as imported LAION
   * and Hugging Face models do).
   */
  logits(
    textEmbeddings: tf.Tensor2D,
    audioEmbeddings: tf.Tensor2D,
    direction: SimilarityDirection = 'text-to-audio',
  ): tf.Tensor2D {
    this.assertLive();
    return tf.tidy(() => this.similarity.call(textEmbeddings, audioEmbeddings, direction));
  }

  /**
   * Zero-shot classification: each label becomes a prompt (`template` with `{label}` replaced),
   * and the softmax of the prompts' logits against the clip gives each label's probability.
   * Results are read back asynchronously (`await tensor.data()`), which every backend supports
   * (a synchronous read fails or stalls on WebGPU). `fusion`: the clip's crops and `longer` flag,
   * as {@link ClapModel.encodeAudio} takes them (lists of one).
   * @returns every label with its probability, most probable first
   */
  async zeroShotClassify(
    clip: Float32Array | tf.Tensor4D | AsyncIterable<Float32Array>,
    labels: readonly string[],
    template = 'This is a sound of {label}.',
    fusion?: FusionInputOptions,
  ): Promise<ZeroShotResult[]> {
    if (!Array.isArray(labels) || labels.length === 0)
      throw badInput('ZERO_SHOT_LABELS', 'zeroShotClassify needs at least one label.');
    if (!template.includes('{label}')) {
      throw badInput(
        'ZERO_SHOT_TEMPLATE',
        `The template "${template}" has no {label} placeholder; write e.g. 'This is a sound of {label}.'.`,
      );
    }
    // A clip given window by window (see encodeAudioWindows) is averaged before the tidy.
    const streamed =
      clip instanceof Float32Array || clip instanceof tf.Tensor
        ? undefined
        : await this.projectAudioWindows(clip);
    let probabilities: tf.Tensor1D;
    try {
      probabilities = tf.tidy(() => {
        const audio =
          streamed ??
          this.projectAudio(clip instanceof Float32Array ? [clip] : (clip as tf.Tensor4D), fusion);
        if (audio.shape[0] !== 1)
          throw badInput(
            'ZERO_SHOT_CLIP',
            `zeroShotClassify takes one clip, got a batch of ${audio.shape[0]}.`,
          );
        const text = this.projectText(labels.map((label) => template.split('{label}').join(label)));
        const logits = this.similarity.call(text, audio, 'audio-to-text');
        return tf.softmax(tf.reshape(logits, [labels.length]));
      });
    } finally {
      streamed?.dispose();
    }
    const values = await readAndDispose(probabilities);
    return labels
      .map((label, i) => ({ label, probability: values[i] ?? 0 }))
      .sort((a, b) => b.probability - a.probability);
  }

  /**
   * Retrieval: ranks a corpus against one query. Query and corpus may be texts, clips or
   * embeddings (`[dim]` / `[1, dim]` and `[n, dim]`); text → audio and audio → text both work.
   * Scores use the scale of that direction (a text query or a clip corpus: text → audio; a clip
   * query or a text corpus: audio → text; two embedding tensors: text → audio).
   * Read back asynchronously, like {@link ClapModel.zeroShotClassify}.
   * @returns the `k` best corpus items (index and similarity score), best first
   */
  async retrieve(
    query: string | Float32Array | tf.Tensor,
    corpus: readonly string[] | readonly Float32Array[] | tf.Tensor2D,
    k = 10,
  ): Promise<RetrievalHit[]> {
    const size = corpus instanceof tf.Tensor ? corpus.shape[0] : corpus.length;
    if (size === 0) throw badInput('RETRIEVE_EMPTY', 'retrieve needs a non-empty corpus.');
    if (!Number.isInteger(k) || k < 1)
      throw badInput('RETRIEVE_K', `k must be a positive integer, got ${k}.`);
    const { values, indices } = tf.tidy(() => {
      const q = this.embedAny(
        query instanceof tf.Tensor ? query : typeof query === 'string' ? [query] : [query],
      );
      if (q.shape[0] !== 1)
        throw badInput('RETRIEVE_QUERY', `retrieve takes one query, got ${q.shape[0]}.`);
      const c = corpus instanceof tf.Tensor ? corpus : this.embedCorpus(corpus);
      const scores = this.similarity.call(q, c, retrievalDirection(query, corpus));
      return tf.topk(tf.reshape(scores, [size]), Math.min(k, size));
    });
    const [scores, order] = await Promise.all([readAndDispose(values), readAndDispose(indices)]);
    return Array.from(order, (index, i) => ({ index, score: scores[i] ?? 0 }));
  }

  /**
   * Exports the weights as a safetensors file, renamed and transposed by `nameMap` (default: our
   * paths and tfjs layouts; see `msclapNameMap`, `pannsAudioEncoderNameMap`, `bertTextEncoderNameMap`).
   */
  exportSafetensors(nameMap?: NameMap, metadata?: Record<string, string>): Uint8Array {
    return exportSafetensors(this.variables(), nameMap, metadata);
  }

  /**
   * Loads weights from a safetensors file through `nameMap` (default: our paths). Only the mapped
   * weights change; tensors of the file that the map does not use are returned as `unused`.
   * @throws WeightsError naming a missing or mis-shaped weight (then nothing changes)
   */
  importSafetensors(bytes: Uint8Array, nameMap?: NameMap, source?: string): ImportReport {
    return importSafetensors(this.variables(), bytes, nameMap, source);
  }

  /**
   * Every weight, with paths prefixed by its slot (`audioEncoder/`, `textEncoder/`,
   * `audioProjection/`, `textProjection/`, `similarity/`).
   */
  variables(): NamedVariable[] {
    this.assertLive();
    return partVariables(this, (slot, path) => {
      const frozen = this.frozenParts.get(slot);
      return frozen !== undefined && !keepsTraining(frozen, path);
    });
  }

  /**
   * Freezes parts for fine-tuning: their weights, except those under an entry's `except`
   * prefixes, are listed as not trainable, so an optimizer keeps no state for them, decays
   * nothing and no gradient is requested for them. A frozen part runs in the step's mode (BatchNorm
   * on batch statistics, dropout on, as upstream fine-tuning does) unless its entry says
   * `mode: 'eval'` (see {@link FreezeEntry}). Replaces any earlier choice; `[]` unfreezes
   * everything. Not saved with the model (a training config's `freeze` says it each run).
   * @example model.freeze([{ part: 'audioEncoder', except: ['layers.3', 'norm'] }, 'textEncoder'])
   * @throws ConfigError (`freeze`) for a name that is not one of {@link PART_SLOTS} or an
   *   `except` prefix that matches none of the part's weights
   */
  freeze(entries: readonly FreezeEntry[]): void {
    this.assertLive();
    this.frozenParts = resolveFreeze(entries, (slot) => this[slot].variables());
  }

  /** The frozen parts (see {@link freeze}), in slot order. */
  get frozen(): PartSlot[] {
    return PART_SLOTS.filter((slot) => this.frozenParts.has(slot));
  }

  /** Call after each optimizer step: clamps the similarity's logit scale (and bias). */
  afterUpdate(): void {
    this.similarity.afterUpdate();
  }

  /** Frees every weight. The model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    for (const slot of PART_SLOTS) this[slot].dispose();
    this.disposed = true;
  }

  private projectAudio(audio: AudioInput, fusion?: FusionInputOptions): tf.Tensor2D {
    this.assertLive();
    const takesFusion = this.audioEncoder.input === 'fusion';
    // A fusion encoder takes each whole clip (its front end shrinks and crops long ones).
    if (!(audio instanceof tf.Tensor) && takesFusion)
      return tf.tidy(() => {
        const { logMel, longer } = this.audioBatch(audio, fusion);
        return this.projectAudio(logMel, longer === undefined ? undefined : { longer });
      });
    checkFusionOptions(fusion, audio instanceof tf.Tensor ? audio.shape[0] : audio.length, {
      fusion: takesFusion,
      tensor: true,
    });
    // Raw clips longer than one window: the mean over windows that cover them (audio-windows.ts).
    if (!(audio instanceof tf.Tensor))
      return projectClipWindows(audio, this.frontEnd.config, (windows) =>
        this.projectAudio(this.logMelBatch(windows)),
      );
    const longer = fusion?.longer as boolean[] | undefined;
    const options = longer === undefined ? INFERENCE : { ...INFERENCE, longer };
    return tf.tidy(() =>
      this.audioProjection.call(this.audioEncoder.encode(audio, options), INFERENCE),
    );
  }

  /** The projected (not normalised) mean `[1, dim]` of a clip's windows given one by one. */
  private projectAudioWindows(windows: AsyncIterable<Float32Array>): Promise<tf.Tensor2D> {
    this.assertLive();
    if (this.audioEncoder.input === 'fusion')
      throw badInput(
        'AUDIO_WINDOWS_FUSION',
        'This model’s audio encoder takes fusion input built from the whole clip, not windows: pass the whole clip (a Float32Array) instead of a window stream.',
      );
    return projectWindowStream(
      windows,
      (batch) => this.projectAudio(this.logMelBatch(batch)),
      () => badInput('AUDIO_EMPTY', 'The audio stream gave no window: nothing to embed.'),
    );
  }

  private projectText(texts: TextInput): tf.Tensor2D {
    this.assertLive();
    return tf.tidy(() => {
      const tokens = Array.isArray(texts)
        ? this.tokenize(texts as readonly string[])
        : (texts as TokenBatch);
      return this.textProjection.call(this.textEncoder.encode(tokens, INFERENCE), INFERENCE);
    });
  }

  /** Projected embeddings of a query: texts, clips, or given embeddings (reshaped to 2-D). */
  private embedAny(item: tf.Tensor | readonly string[] | readonly Float32Array[]): tf.Tensor2D {
    if (item instanceof tf.Tensor)
      return tf.reshape(item, [-1, item.shape[item.rank - 1]!]) as tf.Tensor2D;
    return typeof item[0] === 'string'
      ? this.projectText(item as readonly string[])
      : this.projectAudio(item as readonly Float32Array[]);
  }

  private embedCorpus(corpus: readonly string[] | readonly Float32Array[]): tf.Tensor2D {
    const chunks: tf.Tensor2D[] = [];
    for (let i = 0; i < corpus.length; i += ENCODE_CHUNK) {
      chunks.push(
        this.embedAny(
          corpus.slice(i, i + ENCODE_CHUNK) as readonly string[] | readonly Float32Array[],
        ),
      );
    }
    return chunks.length === 1 ? chunks[0]! : tf.concat(chunks, 0);
  }

  private assertLive(): void {
    if (this.disposed)
      throw badInput('MODEL_DISPOSED', 'This ClapModel was disposed; create or load a new one.');
  }
}
