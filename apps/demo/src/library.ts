import { decodeAudio, resampleFor, type LogMelConfig } from '@clapjs/audio';
import { ClapModel } from '@clapjs/model';

/** One entry of examples.json, as `clapjs export --format web` writes it. */
export interface ExampleEntry {
  readonly file: string;
  readonly caption: string;
  readonly label?: string;
}

/** An example clip, decoded and resampled to the model's rate. */
export interface Example extends ExampleEntry {
  readonly samples: Float32Array;
  /** URL of the file, for the page's play buttons. */
  readonly url: string;
}

/** Thrown when the web export cannot be loaded; the message says where it looked and how to fix it. */
export class ExportLoadError extends Error {
  override readonly name = 'ExportLoadError';
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const response = await fetch(url);
  if (!response.ok)
    throw new ExportLoadError(`GET ${url} answered ${response.status} ${response.statusText}`);
  return response.arrayBuffer();
}

/** Decodes audio bytes with @clapjs/audio and resamples them to the front end's rate (mono), with
 * the resampler its preset names. */
export async function clipFromBytes(
  bytes: ArrayBuffer | Uint8Array,
  name: string,
  audio: Pick<LogMelConfig, 'sampleRate' | 'resampler'>,
): Promise<Float32Array> {
  const decoded = await decodeAudio(bytes, { name });
  return resampleFor(audio, decoded.samples, decoded.sampleRate);
}

/**
 * Loads a web export from `base` (a URL ending in `/`): the model from `base + 'model/'` and the
 * example library listed in `base + 'examples.json'`.
 */
export async function loadExport(base: string): Promise<{ model: ClapModel; examples: Example[] }> {
  const modelBase = new URL('model/', base).href;
  let model: ClapModel;
  try {
    model = await ClapModel.load({ fetch: (path) => fetchBytes(new URL(path, modelBase).href) });
  } catch (error) {
    throw new ExportLoadError(
      `Could not load the model from ${modelBase}: ${(error as Error).message} ` +
        'Serve a web export there (`pnpm demo -- --model DIR`, or `clapjs export --format web --out DIR`).',
      { cause: error },
    );
  }
  const listUrl = new URL('examples.json', base).href;
  const entries = JSON.parse(new TextDecoder().decode(await fetchBytes(listUrl))) as ExampleEntry[];
  if (!Array.isArray(entries))
    throw new ExportLoadError(`${listUrl} must hold an array of { file, caption, label? }.`);
  const examples = await Promise.all(
    entries.map(async (entry) => {
      const url = new URL(entry.file, base).href;
      return {
        ...entry,
        url,
        samples: await clipFromBytes(await fetchBytes(url), entry.file, model.frontEnd.config),
      };
    }),
  );
  return { model, examples };
}
