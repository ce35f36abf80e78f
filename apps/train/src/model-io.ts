import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decodeAudio, resampleFor } from '@clapjs/audio';
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

/** Decodes an audio file and resamples it to the model's rate. */
export async function readClip(model: ClapModel, file: string): Promise<Float32Array> {
  if (!existsSync(file))
    throw new CliError('AUDIO_MISSING', `Audio file not found: ${resolve(file)}.`);
  requireRegularFile(file);
  const decoded = await decodeAudio(file);
  if (!decoded.samples.every(Number.isFinite)) {
    throw new CliError(
      'AUDIO_NON_FINITE',
      `${resolve(file)} holds NaN or infinite samples (a damaged float WAV?); re-export the audio.`,
    );
  }
  // With the resampler the model's preset names (torchaudio's for the published front ends).
  return resampleFor(model.frontEnd.config, decoded.samples, decoded.sampleRate);
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
