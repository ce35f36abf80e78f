import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../decode.js';
import { AudioDecodeError } from '../errors.js';
import { buildAiff } from '../test-utils/aiff-builder.js';
import { encodeFlacVerbatim } from '../test-utils/flac-encoder.js';
import { fixturePath } from '../test-utils/golden.js';
import { buildWav } from '../test-utils/wav-builder.js';
import { measureAudio, streamAudio } from './decode-stream.js';

/** Seeded values in [-1, 1). */
function noise(n: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** The files every container is streamed from: stereo where the format allows. */
function files(): [string, Uint8Array][] {
  const left = noise(20000, 1);
  const right = noise(20000, 2);
  const pcm = new Uint8Array(20000 * 4);
  const view = new DataView(pcm.buffer);
  left.forEach((x, i) => {
    view.setInt16(i * 4, Math.round(x * 32767));
    view.setInt16(i * 4 + 2, Math.round((right[i] as number) * 32767));
  });
  const ints = (xs: number[]): Int32Array => Int32Array.from(xs, (x) => Math.round(x * 32767));
  return [
    [
      'stereo-24.wav',
      buildWav({ channels: 2, bits: 24, frames: left.map((x, i) => [x, right[i] as number]) }),
    ],
    ['float.wav', buildWav({ tag: 3, bits: 32, frames: left.map((x) => [x]) })],
    ['stereo.aiff', buildAiff({ channels: 2, bits: 16, sampleRate: 22050, data: pcm })],
    ['stereo.flac', encodeFlacVerbatim([ints(left), ints(right)], 16000, 16)],
    ['tone.flac', new Uint8Array(readFileSync(fixturePath('tone.flac')))],
    ['tone.ogg', new Uint8Array(readFileSync(fixturePath('tone.ogg')))],
    ['sweep.ogg', new Uint8Array(readFileSync(fixturePath('sweep.ogg')))],
    ['tone.mp3', new Uint8Array(readFileSync(fixturePath('tone.mp3')))],
  ];
}

async function joined(chunks: AsyncIterable<{ samples: Float32Array; sampleRate: number }>) {
  const parts: Float32Array[] = [];
  let rate = 0;
  for await (const chunk of chunks) {
    parts.push(chunk.samples);
    rate = chunk.sampleRate;
  }
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return { samples: out, sampleRate: rate, chunks: parts.length };
}

describe('streamAudio', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clapjs-stream-'));

  it.each(files())(
    '%s: the chunks joined are decodeAudio’s samples, from bytes and from a path, at any chunk size',
    async (name, bytes) => {
      const whole = await decodeAudio(bytes, { name });
      const path = join(dir, name);
      writeFileSync(path, bytes);
      // Small pieces from bytes (frames and pages split across calls), 1 MiB pieces from a path.
      const small = await joined(streamAudio(bytes, { chunkBytes: 333 }));
      const fromPath = await joined(streamAudio(path));
      for (const streamed of [small, fromPath]) {
        expect(streamed.sampleRate).toBe(whole.sampleRate);
        expect(streamed.samples).toEqual(whole.samples);
      }
      // The short fixtures are one FLAC frame / one Ogg audio page: a single chunk either way.
      if (!/^tone\.(flac|ogg)$/.test(name)) expect(small.chunks).toBeGreaterThan(1);
      expect(await measureAudio(path)).toEqual({
        frames: whole.samples.length,
        sampleRate: whole.sampleRate,
      });
    },
  );

  it.each([
    [
      'cut.flac',
      (f: Map<string, Uint8Array>) => f.get('stereo.flac')!.slice(0, 50000),
      /decoded \d+ of the 20000 samples/,
    ],
    [
      'cut.ogg',
      (f: Map<string, Uint8Array>) => f.get('tone.ogg')!.slice(0, -100),
      /Ogg stream is truncated/,
    ],
    [
      'cut.mp3',
      (f: Map<string, Uint8Array>) => f.get('tone.mp3')!.slice(0, -300),
      /MP3 stream is truncated/,
    ],
    ['cut.wav', (f: Map<string, Uint8Array>) => f.get('float.wav')!.slice(0, 1000), /truncated/],
  ] as const)(
    '%s: a cut file is an AudioDecodeError, streamed as whole',
    async (name, cut, reason) => {
      const bytes = cut(new Map(files()));
      const error = await joined(streamAudio(bytes, { name, chunkBytes: 1000 })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AudioDecodeError);
      expect((error as AudioDecodeError).reason).toMatch(reason);
      expect((error as Error).message).toContain(name);
    },
  );

  it('refuses a missing file and a bad chunk size with typed errors', async () => {
    await expect(joined(streamAudio(join(dir, 'absent.wav')))).rejects.toMatchObject({
      code: 'AUDIO_DECODE',
      message: expect.stringMatching(/absent\.wav.*ENOENT/),
    });
    await expect(joined(streamAudio(new Uint8Array(10), { chunkBytes: 0 }))).rejects.toMatchObject({
      code: 'AUDIO_ARGUMENT',
    });
  });
});
