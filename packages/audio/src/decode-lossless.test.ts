import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode.js';
import { AudioDecodeError } from './errors.js';
import { buildAiff } from './test-utils/aiff-builder.js';
import { encodeFlacVerbatim } from './test-utils/flac-encoder.js';
import { buildWav } from './test-utils/wav-builder.js';

/** Interleaved integer samples as raw PCM bytes (WAV: little-endian; AIFF: big-endian). */
function pcmBytes(channels: Int32Array[], bits: number, littleEndian: boolean): Uint8Array {
  const width = bits / 8;
  const frames = channels[0]!.length;
  const out = new Uint8Array(frames * channels.length * width);
  for (let f = 0, o = 0; f < frames; f++) {
    for (const channel of channels) {
      // 8-bit WAV is unsigned (offset 128); every other case is two's complement.
      const v = bits === 8 && littleEndian ? channel[f]! + 128 : channel[f]!;
      for (let b = 0; b < width; b++) {
        const shift = littleEndian ? 8 * b : 8 * (width - 1 - b);
        out[o++] = (v >> shift) & 0xff;
      }
    }
  }
  return out;
}

/** Deterministic integer samples covering the whole range, both extremes included. */
function integerSamples(bits: number, frames: number, seed: number): Int32Array {
  const max = 2 ** (bits - 1);
  const out = new Int32Array(frames);
  let state = seed;
  for (let i = 0; i < frames; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = Math.floor((state / 2 ** 32) * 2 * max) - max;
  }
  out[0] = -max;
  out[1] = max - 1;
  out[2] = 1;
  out[3] = -1;
  return out;
}

describe('lossless containers decode the same samples to the same floats', () => {
  for (const bits of [8, 16, 24] as const) {
    for (const channelCount of [1, 2, 3]) {
      it(`${bits}-bit, ${channelCount} channel(s): FLAC, WAV and AIFF are bit-identical`, async () => {
        const channels = Array.from({ length: channelCount }, (_, c) =>
          integerSamples(bits, 5000, 7 + c),
        );
        const flac = await decodeAudio(encodeFlacVerbatim(channels, 44_100, bits, 1024));
        const wav = await decodeAudio(
          buildWav({
            bits,
            channels: channelCount,
            sampleRate: 44_100,
            data: pcmBytes(channels, bits, true),
          }),
        );
        const aiff = await decodeAudio(
          buildAiff({ bits, channels: channelCount, data: pcmBytes(channels, bits, false) }),
        );
        for (const decoded of [flac, wav, aiff]) {
          expect(decoded.sampleRate).toBe(44_100);
          expect(decoded.channels).toBe(channelCount);
          expect(decoded.bitDepth).toBe(bits);
        }
        expect(flac.samples).toEqual(wav.samples);
        expect(aiff.samples).toEqual(wav.samples);
        if (channelCount === 1) {
          // Full scale is 2^(bits−1): the most negative sample is exactly −1, nothing exceeds it.
          expect(wav.samples[0]).toBe(-1);
          expect(wav.samples[1]).toBe(1 - 2 ** (1 - bits));
          expect(wav.samples[2]).toBe(2 ** (1 - bits));
        }
      });
    }
  }

  it('every 16-bit value survives FLAC exactly (a 1-LSB gain error changes most of them)', async () => {
    const all = Int32Array.from({ length: 65_536 }, (_, i) => i - 32_768);
    const flac = await decodeAudio(encodeFlacVerbatim([all], 16_000, 16));
    expect(flac.samples.length).toBe(all.length);
    let wrong = 0;
    for (let i = 0; i < all.length; i++) if (flac.samples[i] !== all[i]! / 32_768) wrong++;
    expect(wrong).toBe(0);
  });

  it('a real encoder’s FLAC (fixtures/tone.flac: stereo, 24-bit) lands on the integer grid', async () => {
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('./test-utils/golden.js');
    const tone = await decodeAudio(new Uint8Array(readFileSync(fixturePath('tone.flac'))));
    expect([tone.channels, tone.bitDepth]).toEqual([2, 24]);
    // Two channels of s / 2^23 averaged: every sample is a multiple of 1 / 2^24.
    let offGrid = 0;
    for (const v of tone.samples) if (!Number.isInteger(v * 2 ** 24)) offGrid++;
    expect(offGrid).toBe(0);
  });

  it('names a FLAC bit depth that the wasm decoder cannot return exactly', async () => {
    const twelve = encodeFlacVerbatim([integerSamples(12, 100, 3)], 16_000, 12);
    const error = await decodeAudio(twelve, { name: 'x.flac' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as AudioDecodeError).message).toMatch(/x\.flac.*12-bit FLAC is not supported/);
  });

  it('reports lossy codecs without a bit depth', async () => {
    const { readFileSync } = await import('node:fs');
    const { fixturePath } = await import('./test-utils/golden.js');
    const ogg = await decodeAudio(new Uint8Array(readFileSync(fixturePath('tone.ogg'))));
    expect(ogg.channels).toBe(2);
    expect(ogg.bitDepth).toBeNull();
  });
});
