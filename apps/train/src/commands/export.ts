import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { encodeWav } from '@clapjs/audio';
import { create } from '@clapjs/core';
import type { BackendName } from '@clapjs/core';
import { exportSafetensors, WEIGHT_QUANTIZATIONS, type WeightQuantization } from '@clapjs/model';
import { chooseBackend } from '../backend.js';
import { CliError } from '../errors.js';
import { loadModel } from '../model-io.js';
import { checkExportTarget, replaceWithExport } from '../out-dir.js';
import { registerBuiltins } from '../plugins.js';

/** One example clip of a web export (what the demo's library lists). */
export interface WebExample {
  readonly file: string;
  readonly caption: string;
  readonly label?: string;
}

/**
 * `clapjs export --format tfjs|safetensors|web`:
 * - `tfjs`: the model directory (config.json, tokenizer.json, model.json + weight shards), as ClapModel.load reads it;
 * - `safetensors`: `model.safetensors` (every weight under its clapjs path) + config.json and tokenizer.json;
 * - `web`: what apps/demo loads: `model/` (tfjs format), `examples/*.wav` (16-bit PCM at the model's
 *   rate) and `examples.json` (file, caption, label).
 * `--quantize float16|uint8` (tfjs and web) stores the large float32 weights quantized in tfjs's
 * weights manifest; loading dequantizes them (sizes and embedding change: docs/export.md).
 * Everything is written to a temporary directory, then renamed over `--out`, which must be new,
 * empty, or an earlier export (marked by `.clapjs-export`); anything else is refused untouched.
 */
export async function exportCommand(
  opts: {
    format: string;
    out: string;
    model?: string;
    examples: string;
    seed: string;
    backend: 'auto' | BackendName;
    quantize?: string;
  },
  log: (line: string) => void,
): Promise<void> {
  if (!['tfjs', 'safetensors', 'web'].includes(opts.format)) {
    throw new CliError(
      'EXPORT_FORMAT',
      `Unknown export format "${opts.format}"; use tfjs, safetensors or web.`,
    );
  }
  const quantize = quantization(opts.quantize, opts.format);
  const save = quantize === undefined ? {} : { quantize };
  const out = resolve(opts.out);
  checkExportTarget(out);
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  const tmp = `${out}.tmp-${process.pid}`;
  try {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    if (opts.format === 'tfjs') {
      await model.save(join(tmp, 'model'), save);
    } else if (opts.format === 'safetensors') {
      const files = await model.toFiles();
      writeFileSync(
        join(tmp, 'model.safetensors'),
        exportSafetensors(model.variables(), undefined, {
          format: 'clapjs',
          config: JSON.stringify(model.config),
        }),
      );
      for (const name of ['config.json', 'tokenizer.json']) {
        const bytes = files.get(name);
        if (bytes !== undefined) writeFileSync(join(tmp, name), bytes);
      }
    } else {
      await model.save(join(tmp, 'model'), save);
      mkdirSync(join(tmp, 'examples'));
      await registerBuiltins();
      const rate = model.frontEnd.config.sampleRate;
      const dataset = create(
        'dataset',
        {
          name: 'synth',
          size: 400,
          seed: Number(opts.seed),
          sampleRate: rate,
          clipSeconds: model.frontEnd.config.clipSeconds,
        },
        { root: '.' },
      );
      const count = Math.min(Number(opts.examples), dataset.size);
      const examples: WebExample[] = [];
      // Spread the picks over the dataset so the library shows varied sounds.
      for (let k = 0; k < count; k++) {
        const item = await dataset.get(Math.floor((k * dataset.size) / count));
        if (item.audio.kind !== 'samples') continue;
        const file = `examples/${String(k).padStart(2, '0')}.wav`;
        writeFileSync(
          join(tmp, file),
          encodeWav(item.audio.samples, item.audio.sampleRate, { format: 'pcm16' }),
        );
        examples.push({
          file,
          caption: item.captions[0] ?? '',
          ...(item.label === undefined ? {} : { label: item.label }),
        });
      }
      writeFileSync(join(tmp, 'examples.json'), `${JSON.stringify(examples, null, 2)}\n`);
    }
    mkdirSync(dirname(out), { recursive: true });
    replaceWithExport(tmp, out);
    log(
      `exported (${opts.format}${quantize === undefined ? '' : `, ${quantize} weights`}) to ${out}`,
    );
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  } finally {
    model.dispose();
  }
}

/** The `--quantize` value, refused where it does not apply (safetensors keeps every weight as is). */
function quantization(value: string | undefined, format: string): WeightQuantization | undefined {
  if (value === undefined) return undefined;
  if (!(WEIGHT_QUANTIZATIONS as readonly string[]).includes(value)) {
    throw new CliError(
      'EXPORT_QUANTIZE',
      `Unknown --quantize "${value}"; use ${WEIGHT_QUANTIZATIONS.join(' or ')} (or leave it out for float32).`,
    );
  }
  if (format === 'safetensors') {
    throw new CliError(
      'EXPORT_QUANTIZE',
      `--quantize ${value} applies to --format web or tfjs; safetensors exports keep float32 weights. Drop --quantize or pick another format.`,
    );
  }
  return value as WeightQuantization;
}
