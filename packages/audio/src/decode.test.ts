import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeAudio, sniffContainer } from './decode.js';
import { AudioDecodeError } from './errors.js';
import { fixturePath } from './test-utils/golden.js';
import { encodeWav } from './wav/encode-wav.js';

/** Level of a 440 Hz tone in the fixture: channels at 0.5 and 0.3 average to 0.4. */
function toneAmplitude(samples: Float32Array): number {
  let sum = 0;
  const body = samples.subarray(800, samples.length - 800); // skip codec edge effects
  for (const v of body) sum += v * v;
  return Math.sqrt((2 * sum) / body.length);
}

async function decodeError(input: string | Uint8Array, name?: string): Promise<AudioDecodeError> {
  try {
    await decodeAudio(input, name === undefined ? {} : { name });
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    return e as AudioDecodeError;
  }
  throw new Error('expected an AudioDecodeError');
}

describe('decodeAudio', () => {
  for (const [file, container, tolerance] of [
    ['tone.flac', 'flac', 0.002],
    ['tone.ogg', 'ogg-vorbis', 0.02],
    ['tone.mp3', 'mp3', 0.03],
  ] as const) {
    it(`decodes ${file} (stereo, averaged to mono) from a path and from bytes`, async () => {
      const path = fixturePath(file);
      const bytes = new Uint8Array(readFileSync(path));
      expect(sniffContainer(bytes)).toBe(container);
      const fromPath = await decodeAudio(path);
      expect(fromPath.sampleRate).toBe(16000);
      // MP3 adds encoder delay and padding; the others are sample-exact in length.
      if (container !== 'mp3') expect(fromPath.samples.length).toBe(4000);
      expect(Math.abs(toneAmplitude(fromPath.samples) - 0.4)).toBeLessThan(tolerance);
      const fromBuffer = await decodeAudio(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      );
      expect(Array.from(fromBuffer.samples)).toEqual(Array.from(fromPath.samples));
    });

    it(`rejects a truncated or corrupted ${file} with AudioDecodeError`, async () => {
      const bytes = new Uint8Array(readFileSync(fixturePath(file)));
      const cut = await decodeError(bytes.slice(0, 40), `cut-${file}`);
      expect(cut.message).toContain(`cut-${file}`);
      const garbage = bytes.slice();
      for (let i = 60; i < garbage.length; i += 7) garbage[i] = (garbage[i] as number) ^ 0x5a;
      // Heavy corruption must not pass silently: either a typed error or finite audio.
      try {
        const out = await decodeAudio(garbage, { name: 'garbled' });
        for (const v of out.samples) expect(Number.isFinite(v)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(AudioDecodeError);
      }
    });
  }

  it('decodes WAV from a Uint8Array view with an offset', async () => {
    const wav = encodeWav(Float32Array.of(0.25, -0.25, 0.5), 8000, { format: 'float32' });
    const padded = new Uint8Array(wav.length + 10);
    padded.set(wav, 10);
    const out = await decodeAudio(padded.subarray(10));
    expect(Array.from(out.samples)).toEqual([0.25, -0.25, 0.5]);
    expect(out.sampleRate).toBe(8000);
  });

  it('names the file and the reason for unknown formats, empty input and missing files', async () => {
    const unknown = await decodeError(new TextEncoder().encode('%PDF-1.7 not audio'), 'paper.pdf');
    expect(unknown.message).toMatch(/paper\.pdf.*unknown audio format/);
    expect((await decodeError(new Uint8Array(0))).reason).toMatch(/empty/);
    const missing = await decodeError('/nonexistent/clip.wav');
    expect(missing.message).toContain('/nonexistent/clip.wav');
    expect(missing.reason).toMatch(/ENOENT/);
    const opus = new TextEncoder().encode('OggS\0\x02' + '\0'.repeat(22) + 'OpusHead');
    expect((await decodeError(opus)).reason).toMatch(/Opus is not supported/);
  });
});

describe('decodeAudio input types', () => {
  it('accepts an ArrayBuffer from another realm and refuses other values', async () => {
    const { runInNewContext } = await import('node:vm');
    const wav = encodeWav(Float32Array.of(0.5, -0.5), 8000, { format: 'float32' });
    const foreign = runInNewContext('new ArrayBuffer(n)', { n: wav.length }) as ArrayBuffer;
    new Uint8Array(foreign).set(wav);
    expect(Array.from((await decodeAudio(foreign)).samples)).toEqual([0.5, -0.5]);
    await expect(decodeAudio(42 as never)).rejects.toBeInstanceOf(AudioDecodeError);
  });
});
