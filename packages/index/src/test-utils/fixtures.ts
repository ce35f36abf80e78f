// Test fixtures: a tiny real ClapModel saved to disk, and a library of rendered synth clips.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { encodeWav } from '@clapjs/audio';
import { SynthDataset, synthConfigSchema } from '@clapjs/data';
import { ClapModel } from '@clapjs/model';

/** A fresh temporary directory. */
export function tempDir(prefix = 'clapjs-index-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** The tfjs cpu backend (deterministic: one file gives one vector in every run). */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

const CAPTIONS = [
  'a bright rising sound',
  'a pure falling tone',
  'white noise',
  'a bell hit',
  'pink noise pulsing',
];

/** A tiny model (small cnn, 8-d joint space) with seeded weights, saved to `dir`. */
export async function saveTinyModel(dir: string, seed = 1): Promise<string> {
  await useCpu();
  const model = await ClapModel.create(
    {
      audio: { preset: 'fast', nMels: 16, clipSeconds: 0.5 },
      audioEncoder: { name: 'cnn-small', channels: [4, 8], outputDim: 16 },
      textEncoder: { name: 'bag-of-embeddings', width: 16 },
      tokenizer: { name: 'word', maxLength: 8 },
      audioProjection: { name: 'linear', dim: 8 },
      textProjection: { name: 'linear', dim: 8 },
      similarity: { name: 'cosine' },
    } as never,
    { seed, captions: CAPTIONS },
  );
  await model.save(dir);
  model.dispose();
  return dir;
}

/**
 * Writes `count` rendered synth clips (0.5 s at 16 kHz) as WAV files under `root`, in
 * sub-directories of 50; returns their relative paths.
 */
export async function writeSynthLibrary(root: string, count: number, seed = 0): Promise<string[]> {
  const dataset = new SynthDataset({
    ...synthConfigSchema.parse({ size: count, seed, clipSeconds: 0.5 }),
    name: 'synth',
  });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const item = await dataset.get(i);
    if (item.audio.kind !== 'samples') throw new Error('synth clips are samples');
    const path = `part-${String(Math.floor(i / 50)).padStart(2, '0')}/clip-${String(i).padStart(4, '0')}.wav`;
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, encodeWav(item.audio.samples, item.audio.sampleRate));
    paths.push(path);
  }
  return paths;
}
