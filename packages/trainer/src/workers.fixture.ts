// Shared by the gradient-worker tests: the worker script built from source, a tiny ClapModel
// without BatchNorm and a seeded batch source.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Rng } from '@clapjs/core';
import { ClapModel } from '@clapjs/model';
import { resolveModule } from './index.js';
import type { Batch, BatchSource } from './index.js';
import './mean-pool.fixture.mjs';

/** The trainer's modelLoader for a ClapModel: @clapjs/model's `load` entry (ESM). */
export const MODEL_LOADER = resolveModule('@clapjs/model/load', import.meta.url)!;

/** The workerSetup module that registers the fixture encoder in each worker. */
export const FIXTURE_SETUP = pathToFileURL(
  fileURLToPath(new URL('./mean-pool.fixture.mjs', import.meta.url)),
).href;

/**
 * Bundles src/gradient-worker.ts (dependencies external) so the tests run the worker from source,
 * not a possibly stale dist/. Output under node_modules/.cache, where the package's
 * dependencies resolve.
 */
export async function workerScript(): Promise<string> {
  const outfile = fileURLToPath(
    new URL('../node_modules/.cache/clapjs-trainer-test/gradient-worker.mjs', import.meta.url),
  );
  await build({
    entryPoints: [fileURLToPath(new URL('./gradient-worker.ts', import.meta.url))],
    bundle: true,
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

export const MELS = 16;
export const FRAMES = 8;
const WORDS = ['dog', 'rain', 'piano', 'hum', 'bird', 'siren', 'drum', 'wind', 'bell', 'car'];

/** Captions the word tokenizer is fitted on. */
export const CAPTIONS = WORDS.map((w) => `a ${w} sound`);

/**
 * A tiny model. By default its audio encoder is the test-only mean pool: no BatchNorm, no dropout,
 * so sharded gradients equal full-batch ones; pass another encoder config (e.g. a small cnn-small).
 */
export function tinyModel(
  seed = 3,
  audioEncoder: Record<string, unknown> = { name: 'test-mean-pool', dim: 16 },
): Promise<ClapModel> {
  return ClapModel.create(
    {
      audio: { preset: 'fast', nMels: MELS, clipSeconds: 0.5 },
      audioEncoder,
      textEncoder: { name: 'bag-of-embeddings', width: 16 },
      tokenizer: { name: 'word', maxLength: 6 },
      audioProjection: { name: 'linear', dim: 8 },
      textProjection: { name: 'linear', dim: 8 },
      similarity: { name: 'cosine' },
      loss: { name: 'symmetric-clap' },
    } as never,
    { seed, captions: CAPTIONS },
  );
}

/** Seeded batches whose mel energy peaks at the caption's word index. */
export class TinyData implements BatchSource {
  private position = 0;

  constructor(
    private readonly seed: number,
    readonly batchSize = 8,
  ) {}

  batch(index: number): Batch {
    const rng = new Rng(this.seed * 1000 + index);
    const words = Array.from({ length: this.batchSize }, () => rng.int(WORDS.length));
    const logMel = new Float32Array(this.batchSize * FRAMES * MELS);
    words.forEach((w, i) => {
      for (let f = 0; f < FRAMES; f++)
        for (let m = 0; m < MELS; m++)
          logMel[(i * FRAMES + f) * MELS + m] = (m === w ? 2 : 0) + rng.normal(0, 0.5);
    });
    return {
      logMel,
      frames: FRAMES,
      melBins: MELS,
      captions: words.map((w) => CAPTIONS[w]!),
      ids: words.map(String),
      labels: words.map((w) => WORDS[w]),
    };
  }

  getState(): unknown {
    return { position: this.position };
  }

  setState(state: unknown): void {
    this.position = (state as { position: number }).position;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Batch> {
    for (;;) yield this.batch(this.position++);
  }
}
