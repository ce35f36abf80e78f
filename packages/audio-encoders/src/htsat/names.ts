import type { HtsatConfigInput } from './config.js';
import { htsatParameters, htsatPlan, type HtsatParameter } from './plan.js';

/**
 * How an upstream (PyTorch) tensor becomes ours: `none` (same layout: vectors, bias tables),
 * `transpose` (nn.Linear `[out, in]` → `[in, out]`), `oihw-to-hwio` (the patch conv
 * `[C, 1, p, p]` → `[p, p, 1, C]`, permutation `[2, 3, 1, 0]`).
 */
export type HtsatTransform = 'none' | 'transpose' | 'oihw-to-hwio';

/** One row of the map between our weight paths and an upstream state_dict's keys. */
export interface HtsatNameMapEntry {
  /** Our path, relative to the encoder (ClapModel prefixes `audioEncoder/`). */
  readonly path: string;
  /**
   * The upstream key, or several (HF's separate `query`/`key`/`value`) that are concatenated
   * along PyTorch's first axis into our fused `attn/qkv` before the transform.
   */
  readonly names: readonly string[];
  readonly transform: HtsatTransform;
  /** Our (tfjs) shape. */
  readonly shape: readonly number[];
  /** The upstream shape of each of `names`. */
  readonly upstreamShapes: readonly (readonly number[])[];
  /** False for bn0's moving statistics (buffers in PyTorch). */
  readonly trainable: boolean;
}

/**
 * Upstream keys with no counterpart here, on purpose: the STFT / mel front end (clapjs computes
 * log-mel in @clapjs/audio), buffers clapjs recomputes (relative_position_index, attn_mask,
 * num_batches_tracked), and LAION's AudioSet head (`tscam_conv`, `head`), unused by CLAP.
 */
export const HTSAT_UNUSED_KEYS: readonly RegExp[] = [
  /(^|\.)spectrogram_extractor\./,
  /(^|\.)logmel_extractor\./,
  /\.relative_position_index$/,
  /\.attn_mask$/,
  /\.num_batches_tracked$/,
  /(^|\.)tscam_conv\./,
  /(^|\.)head\.(weight|bias)$/,
];

function transformOf(p: HtsatParameter): HtsatTransform {
  if (p.module === 'conv') return 'oihw-to-hwio';
  return p.module === 'linear' ? 'transpose' : 'none';
}

function upstreamShape(shape: readonly number[], transform: HtsatTransform): number[] {
  if (transform === 'oihw-to-hwio') return [shape[3], shape[2], shape[0], shape[1]] as number[];
  if (transform === 'transpose') return [shape[1], shape[0]] as number[];
  return [...shape];
}

function entries(
  config: HtsatConfigInput,
  melBins: number,
  rename: (path: string) => string[],
): HtsatNameMapEntry[] {
  return htsatParameters(htsatPlan(config, melBins)).map((p) => {
    const transform = transformOf(p);
    const names = rename(p.path);
    const whole = upstreamShape(p.shape, transform);
    const upstreamShapes = names.map(() =>
      names.length > 1 ? [(whole[0] as number) / names.length, ...whole.slice(1)] : whole,
    );
    return {
      path: p.path,
      names,
      transform,
      shape: p.shape,
      upstreamShapes,
      trainable: p.trainable,
    };
  });
}

/**
 * Our weights ↔ a LAION-CLAP `.pt` state_dict (after its `module.` prefix is removed): our paths
 * are LAION's names with `/` for `.`, under `prefix` (`audio_branch.`; fused `attn.qkv`).
 * @example htsatLaionNames({ name: 'htsat' }, 64)[4].names // ['audio_branch.patch_embed.proj.weight']
 */
export function htsatLaionNames(
  config: HtsatConfigInput,
  melBins: number,
  prefix = 'audio_branch.',
): HtsatNameMapEntry[] {
  return entries(config, melBins, (path) => [prefix + path.replaceAll('/', '.')]);
}

const HF_PARTS: readonly (readonly [string, string])[] = [
  ['/norm1/', '/layernorm_before/'],
  ['/norm2/', '/layernorm_after/'],
  ['/attn/relative_position_bias_table', '/attention/self/relative_position_bias_table'],
  ['/attn/proj/', '/attention/output/dense/'],
  ['/mlp/fc1/', '/intermediate/dense/'],
  ['/mlp/fc2/', '/output/dense/'],
];

/**
 * Our weights ↔ a Hugging Face `ClapModel` state_dict (`pytorch_model.bin` / safetensors of
 * `laion/clap-htsat-unfused`, `laion/larger_clap_*`), under `prefix`
 * (`audio_model.audio_encoder.`): `bn0` is `batch_norm`, blocks use Swin's HF names, and our
 * fused qkv is HF's `attention.self.{query,key,value}` concatenated.
 */
export function htsatHfNames(
  config: HtsatConfigInput,
  melBins: number,
  prefix = 'audio_model.audio_encoder.',
): HtsatNameMapEntry[] {
  return entries(config, melBins, (path) => {
    let hf = path.replace(/^bn0\//, 'batch_norm/');
    for (const [ours, theirs] of HF_PARTS) hf = hf.replace(ours, theirs);
    const dotted = prefix + hf.replaceAll('/', '.');
    if (!dotted.includes('.attn.qkv.')) return [dotted];
    return ['query', 'key', 'value'].map((part) =>
      dotted.replace('.attn.qkv.', `.attention.self.${part}.`),
    );
  });
}
