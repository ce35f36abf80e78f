import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAudio } from './decode.js';
import { AudioDecodeError } from './errors.js';
import { encodeFlacVerbatim } from './test-utils/flac-encoder.js';
import { fixturePath } from './test-utils/golden.js';

async function decodeError(bytes: Uint8Array, name: string): Promise<AudioDecodeError> {
  const error = await decodeAudio(bytes, { name }).then(
    (out) => new Error(`decoded ${out.samples.length} samples without an error`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AudioDecodeError);
  expect((error as Error).message).toContain(name);
  return error as AudioDecodeError;
}

function fixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(file)));
}

/** A 16,000-sample 16-bit FLAC of four 4,096-sample frames (a ramp, so every frame differs). */
function fourFrameFlac(): Uint8Array {
  const samples = Int32Array.from({ length: 16000 }, (_, i) => ((i * 7) % 60000) - 30000);
  return encodeFlacVerbatim([samples], 16000, 16);
}

describe('decodeAudio on truncated compressed audio', () => {
  afterEach(() => vi.restoreAllMocks());

  it('names decoded vs declared length for a FLAC cut after its first frame', async () => {
    const flac = fourFrameFlac();
    expect((await decodeAudio(flac)).samples.length).toBe(16000);
    const error = await decodeError(flac.slice(0, Math.floor(flac.length * 0.4)), 'cut.flac');
    expect(error.reason).toMatch(/decoded \d+ of the 16000 samples .*STREAMINFO/);
    expect(error.message).toMatch(/copied completely/);
  });

  it('never returns a FLAC shorter than STREAMINFO declares (a frame the decoder drops)', async () => {
    // 256 frames of 24-bit verbatim samples: @wasm-audio-decoders/flac 0.2.11 returns 255 of them.
    const samples = Int32Array.from({ length: 2 ** 20 }, (_, i) => i * 8 - 8388608 + (i % 8));
    const flac = encodeFlacVerbatim([samples], 48000, 24);
    const out = await decodeAudio(flac, { name: 'long.flac' }).catch((e: unknown) => e);
    if (out instanceof AudioDecodeError) {
      expect(out.reason).toMatch(/decoded \d+ of the 1048576 samples/);
    } else {
      expect((out as { samples: Float32Array }).samples.length).toBe(2 ** 20);
    }
  });

  it('refuses an MP3 cut inside a frame and one cut at a frame boundary', async () => {
    const mp3 = fixture('tone.mp3');
    for (const fraction of [0.5, 0.75, 0.9]) {
      const error = await decodeError(mp3.slice(0, Math.floor(mp3.length * fraction)), 'cut.mp3');
      expect(error.reason).toMatch(
        /MP3 stream is truncated.*\(\d+ samples decoded before the cut\)/,
      );
    }
    // The last frame header (layer III, 16 kHz, no padding bit): cutting there removes whole frames.
    let last = -1;
    for (let i = 0; i + 2 < mp3.length; i++)
      if (mp3[i] === 0xff && mp3[i + 1] === 0xf3 && ((mp3[i + 2] as number) & 0xfc) === 0x88)
        last = i;
    const error = await decodeError(mp3.slice(0, last), 'short.mp3');
    expect(error.reason).toMatch(
      /Info header declares \d+ frames, the file holds \d+ readable ones/,
    );
  });

  it('refuses an Ogg Vorbis file cut inside its last page', async () => {
    const ogg = fixture('tone.ogg');
    expect((await decodeAudio(ogg)).samples.length).toBe(4000);
    const error = await decodeError(ogg.slice(0, ogg.length - 100), 'cut.ogg');
    expect(error.reason).toMatch(/Ogg stream is truncated: page 3 runs past the end/);
  });

  it('refuses an Ogg Vorbis file cut exactly between two pages (its last page does not end the stream)', async () => {
    // fixtures/sweep.ogg: a 2 s seeded 16 kHz sweep, `oggenc -q 0 --serial 19` (vorbis-tools
    // 1.4.2): four pages, two of them audio.
    const ogg = fixture('sweep.ogg');
    expect((await decodeAudio(ogg)).samples.length).toBe(32000);
    // Page boundaries: 27-byte header, segment table, body.
    const ends: number[] = [];
    for (let at = 0; at < ogg.length;) {
      const segments = ogg[at + 26] as number;
      let size = 27 + segments;
      for (let i = 0; i < segments; i++) size += ogg[at + 27 + i] as number;
      at += size;
      ends.push(at);
    }
    expect(ends).toEqual([58, 3381, 7605, ogg.length]);
    expect((ogg[7605 + 5] as number) & 0x04).toBe(0x04); // the whole file ends with EOS
    // Cut after the first audio page: 22,016 samples decode, and that is refused.
    const error = await decodeError(ogg.slice(0, 7605), 'page-cut.ogg');
    expect(error.reason).toMatch(
      /last page \(page 3\) does not end the stream \(no end-of-stream flag\)/,
    );
    expect(error.reason).toMatch(/22016 samples decoded before the cut/);
    for (const end of [58, 3381])
      expect((await decodeError(ogg.slice(0, end), 'page-cut.ogg')).reason).toMatch(
        /does not end the stream|no Ogg Vorbis audio frames/,
      );
  });

  it('keeps decoder messages off the console for MP3 garbage and restores the console', async () => {
    const calls: unknown[][] = [];
    const spies = (['log', 'info', 'warn', 'error'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        calls.push(args);
      }),
    );
    // An MPEG-1 layer III header followed by seeded noise: mpg123 prints "-1 MPG123_ERR" lines.
    const garbage = new Uint8Array(3000);
    let seed = 1;
    for (let i = 0; i < garbage.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      garbage[i] = seed >>> 24;
    }
    garbage.set([0xff, 0xfb]);
    expect((await decodeError(garbage, 'garbage.mp3')).reason).toMatch(/corrupt MP3 data/);
    const garbled = fixture('tone.mp3');
    for (let i = 60; i < garbled.length; i += 7) garbled[i] = (garbled[i] as number) ^ 0x5a;
    expect((await decodeError(garbled, 'garbled.mp3')).reason).toMatch(/truncated or corrupt/);
    expect(calls).toEqual([]);
    expect(console.error).toBe(spies[3]);
    console.error('after');
    expect(calls).toEqual([['after']]);
  });
});
