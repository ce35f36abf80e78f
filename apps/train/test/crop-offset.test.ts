import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  clipWindows,
  decodeAudio,
  encodeWav,
  resampleFor,
  windowClip,
  decodeWav,
} from '@clapjs/audio';
import { ClapModel } from '@clapjs/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from '../src/backend.js';
import { clapjs, relativeError, tempDir } from './helpers.js';

// `--crop-offset SECONDS` on embed and classify: the originals' single crop at that offset,
// checked against the library call docs/front-ends.md shows (clipWindows { offset } + windowClip),
// on the tiny msclap 2022 fixture (5 s windows at 44.1 kHz) and a 7 s clip.
const FIXTURES = fileURLToPath(
  new URL('../../../packages/checkpoints/fixtures/msclap/', import.meta.url),
);
const dir = tempDir();
const modelDir = join(dir, 'msclap');
const long = join(dir, 'long.wav');
const RATE = 44_100;
let model: ClapModel;
let clip: Float32Array;

/** The library route: the crop at `seconds`, fitted to one window, embedded. */
async function libraryCrop(seconds: number): Promise<Float32Array> {
  const preset = model.frontEnd.config;
  const [span] = clipWindows(clip.length, preset.sampleRate, preset, {
    offset: Math.round(seconds * preset.sampleRate),
  });
  return windowClip(clip, span!, preset.sampleRate, preset);
}

function embedCli(args: string[]): number[] {
  const out = join(dir, 'embedding.json');
  const r = clapjs(['embed', long, '-m', modelDir, '-o', out, '--backend', 'wasm', ...args]);
  expect(r.status, r.stderr).toBe(0);
  return (JSON.parse(readFileSync(out, 'utf8')) as { embedding: number[] }[])[0]!.embedding;
}

beforeAll(async () => {
  const r = clapjs([
    'import',
    '--from',
    'msclap-2022',
    join(FIXTURES, 'msclap-2022-tiny.pth'),
    '-o',
    modelDir,
    '--set',
    'textEncoder.heads=2',
    '--backend',
    'wasm',
  ]);
  expect(r.status, r.stderr).toBe(0);
  // 7 s: clip-a (2.5 s) then clip-b (1.5 s), repeated; distinct sounds at every offset.
  const a = decodeWav(new Uint8Array(readFileSync(join(FIXTURES, 'clip-a.wav')))).samples;
  const b = decodeWav(new Uint8Array(readFileSync(join(FIXTURES, 'clip-b.wav')))).samples;
  const samples = new Float32Array(7 * RATE);
  for (let i = 0, k = 0; i < samples.length; k++) {
    const part = k % 2 === 0 ? a : b;
    samples.set(part.subarray(0, samples.length - i), i);
    i += part.length;
  }
  writeFileSync(long, encodeWav(samples, RATE, { format: 'pcm16' }));
  await chooseBackend('wasm', () => {});
  model = await ClapModel.load(modelDir);
  const decoded = await decodeAudio(long);
  clip = resampleFor(model.frontEnd.config, decoded.samples, decoded.sampleRate);
}, 120_000);

afterAll(() => model?.dispose());

describe('clapjs embed / classify --crop-offset', () => {
  it('embed embeds the single crop at the offset, as the library does, not the mean over windows', async () => {
    const cropped = embedCli(['--crop-offset', '1.25']);
    const [want] = await model.embedAudio([await libraryCrop(1.25)]);
    expect(relativeError(cropped, want!)).toBeLessThanOrEqual(1e-4);
    // Without the option: the deterministic mean over windows, a different embedding.
    const mean = embedCli([]);
    const [wantMean] = await model.embedAudio([clip]);
    expect(relativeError(mean, wantMean!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(cropped, mean)).toBeGreaterThan(1e-2);
    // The last crop (2 s into a 7 s clip with 5 s windows) is another one.
    const last = embedCli(['--crop-offset', '2']);
    const [wantLast] = await model.embedAudio([await libraryCrop(2)]);
    expect(relativeError(last, wantLast!)).toBeLessThanOrEqual(1e-4);
    expect(relativeError(last, cropped)).toBeGreaterThan(1e-2);
  });

  it('a 48 kHz file is streamed (decoded, resampled, cut window by window) to the embedding of the whole clip', async () => {
    // 7 s at 48 kHz: the CLI resamples it chunk by chunk to the model's 44.1 kHz.
    const at48k = join(dir, 'long-48k.wav');
    const samples = resampleFor({ sampleRate: 48_000, resampler: 'kaiser' }, clip, RATE);
    writeFileSync(at48k, encodeWav(samples, 48_000, { format: 'float32' }));
    const out = join(dir, 'embedding-48k.json');
    const r = clapjs(['embed', at48k, '-m', modelDir, '-o', out, '--backend', 'wasm']);
    expect(r.status, r.stderr).toBe(0);
    const streamed = (JSON.parse(readFileSync(out, 'utf8')) as { embedding: number[] }[])[0]!;
    const decoded = await decodeAudio(at48k);
    const whole = resampleFor(model.frontEnd.config, decoded.samples, decoded.sampleRate);
    const [want] = await model.embedAudio([whole]);
    expect(relativeError(streamed.embedding, want!)).toBeLessThanOrEqual(1e-4);
  });

  it('classify scores the crop at the offset', async () => {
    const r = clapjs([
      'classify',
      long,
      '--labels',
      'dog,rain,car',
      '--json',
      '-m',
      modelDir,
      '--backend',
      'wasm',
      '--crop-offset',
      '0.5',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const shown = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      label: string;
      probability: number;
    }[];
    const want = await model.zeroShotClassify(await libraryCrop(0.5), ['dog', 'rain', 'car']);
    for (const { label, probability } of want)
      expect(
        Math.abs(shown.find((s) => s.label === label)!.probability - probability),
      ).toBeLessThan(1e-4);
  });

  it('refuses an offset past the last crop or not a number, with exit 2 and no stack', () => {
    const past = clapjs([
      'embed',
      long,
      '-m',
      modelDir,
      '--crop-offset',
      '2.5',
      '--backend',
      'wasm',
    ]);
    expect(past.status).toBe(2);
    expect(past.stderr).toMatch(/--crop-offset 2\.5 is past the last crop of .*long\.wav/);
    expect(past.stderr).toMatch(/offsets 0 to 2\.000 s/);
    expect(past.stderr).not.toMatch(/\n\s+at /);
    const nan = clapjs(['classify', long, '--labels', 'a,b', '-m', modelDir, '--crop-offset', 'x']);
    expect(nan.status).toBe(2);
    expect(nan.stderr).toMatch(/--crop-offset x is not a number of seconds ≥ 0/);
  });
});
