import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  decodeAudio,
  measureAudio,
  readAudioWindows,
  resampledLength,
  resampleFor,
  windowLength,
} from '@clapjs/audio';
import { ClapModel } from '@clapjs/model';
import { CliError } from './errors.js';
import { importModelPlugins, importPlugins, pluginSearchDirs } from './plugins.js';

/**
 * The model a command uses: `--model DIR`, default the main job's `runs/default/model`. Before
 * loading, imports the plugins the model records (config.json `plugins`, model.json's package for
 * each part) and, for commands with a config file, the config's `plugins` — looked up from the
 * model directory, the config's directory and the working directory, in that order.
 */
export async function loadModel(
  dir = join('runs', 'default', 'model'),
  from: { config?: { dir: string; plugins: readonly string[] } } = {},
): Promise<ClapModel> {
  const path = resolve(dir);
  if (!existsSync(join(path, 'config.json'))) {
    throw new CliError(
      'MODEL_MISSING',
      `No saved model at ${path} (config.json missing). Train one first (\`pnpm train\` writes runs/default/model) or pass --model DIR.`,
    );
  }
  const dirs = pluginSearchDirs({
    model: path,
    ...(from.config === undefined ? {} : { config: from.config.dir }),
  });
  if (from.config !== undefined)
    await importPlugins(from.config.plugins, [from.config.dir, ...dirs]);
  await importModelPlugins(path, dirs);
  return ClapModel.load(path);
}

/** Decodes an audio file and resamples it to the model's rate (whole: for `search --dir`). */
export async function readClip(model: ClapModel, file: string): Promise<Float32Array> {
  checkAudioFile(file);
  const decoded = await decodeAudio(file);
  // With the resampler the model's preset names (torchaudio's for the published front ends).
  return resampleFor(model.frontEnd.config, decoded.samples, decoded.sampleRate);
}

/**
 * The windows the model embeds of an audio file, read as a stream (`readAudioWindows`): decoded,
 * resampled and cut window by window, so a file of any length takes the memory of a few windows.
 * All of them (the model averages them), or with `cropOffset` (seconds) the originals' single crop
 * starting there, fitted to one window by the preset's padding. For a model whose audio encoder
 * takes fusion input (built from the whole clip), the clip itself instead: whole, or the crop.
 */
export async function readWindows(
  model: ClapModel,
  file: string,
  cropOffset?: number,
): Promise<Float32Array | AsyncIterable<Float32Array>> {
  checkAudioFile(file);
  const preset = model.frontEnd.config;
  const rate = preset.sampleRate;
  // A fusion encoder builds its input from the whole clip (LAION-CLAP's fused models).
  const fusion = model.audioEncoder.input === 'fusion';
  if (fusion && cropOffset === undefined) return readClip(model, file);
  const length = await measureAudio(file);
  let offset: number | undefined;
  if (cropOffset !== undefined) {
    const numSamples = resampledLength(length.frames, length.sampleRate, rate);
    const last = Math.max(0, numSamples - windowLength(preset, rate));
    offset = Math.round(cropOffset * rate);
    if (offset > last)
      throw new CliError(
        'CROP_OFFSET',
        `--crop-offset ${cropOffset} is past the last crop of ${file}: a ${(numSamples / rate).toFixed(3)} s clip with the model's ${preset.clipSeconds} s window takes offsets 0 to ${(last / rate).toFixed(3)} s.`,
      );
  }
  const read = await readAudioWindows(file, preset, {
    length,
    ...(offset === undefined ? {} : { offset }),
  });
  if (fusion) {
    // The crop, as one clip of one window.
    let crop: Float32Array | undefined;
    for await (const window of read.windows()) crop = window.samples;
    return crop as Float32Array;
  }
  return (async function* () {
    for await (const window of read.windows()) yield window.samples;
  })();
}

function checkAudioFile(file: string): void {
  if (!existsSync(file))
    throw new CliError('AUDIO_MISSING', `Audio file not found: ${resolve(file)}.`);
  requireRegularFile(file);
}

/**
 * Refuses a path that is not a regular file before it is opened: reading a FIFO blocks until a
 * writer comes, a device never ends.
 */
function requireRegularFile(file: string): void {
  if (!statSync(file).isFile()) {
    throw new CliError(
      'AUDIO_NOT_A_FILE',
      `${resolve(file)} is not a regular file (a directory, FIFO, socket or device); give an audio file.`,
    );
  }
}

/** Audio files (wav, flac, mp3, ogg) directly inside a directory, sorted; all must be regular files. */
export function audioFiles(dir: string): string[] {
  const path = resolve(dir);
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new CliError('DIR_MISSING', `Not a directory: ${path}.`);
  return readdirSync(path)
    .filter((n) => /\.(wav|aiff?|aifc|flac|mp3|ogg)$/i.test(n))
    .sort()
    .map((n) => join(path, n))
    .map((file) => {
      requireRegularFile(file);
      return file;
    });
}
