import { describe, expect, it } from 'vitest';
import { AudioDecodeError } from '../errors.js';
import { buildWav } from '../test-utils/wav-builder.js';
import { decodeWav } from './decode-wav.js';
import { encodeWav } from './encode-wav.js';

function expectDecodeError(bytes: Uint8Array, reason: RegExp): void {
  let error: unknown;
  try {
    decodeWav(bytes, 'clip.wav');
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(AudioDecodeError);
  const e = error as AudioDecodeError;
  expect(e.code).toBe('AUDIO_DECODE');
  expect(e.message).toContain('clip.wav');
  expect(e.reason).toMatch(reason);
}

describe('decodeWav', () => {
  const frames = [[0.5], [-0.5], [0.25], [-1], [0.999]];

  for (const [tag, bits, tolerance] of [
    [1, 8, 1 / 100],
    [1, 16, 1e-4],
    [1, 24, 1e-6],
    [1, 32, 1e-8],
    [3, 32, 0],
    [3, 64, 0],
  ] as const) {
    for (const extensible of [false, true]) {
      it(`reads ${tag === 1 ? 'PCM' : 'float'} ${bits}-bit${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}`, () => {
        const out = decodeWav(buildWav({ tag, bits, frames, extensible, sampleRate: 22050 }));
        expect(out.sampleRate).toBe(22050);
        expect(out.samples.length).toBe(frames.length);
        frames.forEach(([v], i) =>
          expect(Math.abs((out.samples[i] as number) - (v as number))).toBeLessThanOrEqual(
            tolerance + 1e-7,
          ),
        );
      });
    }
  }

  it('averages any number of channels to mono', () => {
    const six = [
      [1, 0, 0, 0, 0, -0.4],
      [0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
    ];
    const out = decodeWav(
      buildWav({ tag: 3, bits: 32, channels: 6, frames: six, extensible: true }),
    );
    expect(out.samples[0]).toBeCloseTo(0.1, 6);
    expect(out.samples[1]).toBeCloseTo(0.6, 6);
    const three = decodeWav(buildWav({ bits: 16, channels: 3, frames: [[0.3, 0.3, -0.3]] }));
    expect(three.samples[0]).toBeCloseTo(0.1, 3);
  });

  it('walks past unknown and odd-sized chunks', () => {
    const bytes = buildWav({
      before: [['JUNK', new Uint8Array(3)]],
      between: [
        ['LIST', new Uint8Array(7)],
        ['fact', new Uint8Array(4)],
      ],
      frames,
    });
    expect(decodeWav(bytes).samples.length).toBe(frames.length);
  });

  it('reads a streamed file whose data size was never filled in', () => {
    const bytes = buildWav({ frames, dataSize: 0xffffffff, riffSize: 0xffffffff });
    expect(decodeWav(bytes).samples.length).toBe(frames.length);
  });

  it('round-trips encodeWav in both formats', () => {
    const samples = Float32Array.from({ length: 1000 }, (_, i) => 0.9 * Math.sin(i / 7));
    const f32 = decodeWav(encodeWav(samples, 44100, { format: 'float32' }));
    expect(f32.sampleRate).toBe(44100);
    expect(Array.from(f32.samples)).toEqual(Array.from(samples));
    const pcm = decodeWav(encodeWav(samples, 16000));
    pcm.samples.forEach((v, i) =>
      expect(Math.abs(v - (samples[i] as number))).toBeLessThanOrEqual(0.5 / 32768),
    );
    expect(() => encodeWav(samples, 0)).toThrow(/sampleRate/);
  });

  describe('rejects bad input with AudioDecodeError naming the file and the reason', () => {
    it('a RIFF file of another form, and text, without echoing the bytes', () => {
      const avi = encodeWav(new Float32Array(4), 16000);
      avi.set(new TextEncoder().encode('AVI '), 8);
      expectDecodeError(avi, /a RIFF file of form type "AVI ", not "WAVE": not a WAV file/);
      const secret = new TextEncoder().encode('root:x:0:0:root:/root:/bin/bash\n');
      expectDecodeError(secret, /^not a WAV file: it does not start with "RIFF"$/);
    });

    it('truncated files', () => {
      const full = buildWav({ frames });
      expectDecodeError(full.subarray(0, full.length - 3), /truncated/);
      expectDecodeError(full.subarray(0, 30), /truncated/);
      expectDecodeError(full.subarray(0, 6), /too short/);
      expectDecodeError(new Uint8Array(0), /too short/);
    });
    it('a wrong RIFF size', () => {
      expectDecodeError(buildWav({ frames, riffSize: 5000 }), /RIFF/);
      expectDecodeError(buildWav({ frames, riffSize: 2 }), /RIFF size/);
    });
    it('zero-length audio', () => {
      expectDecodeError(buildWav({ frames: [] }), /zero-length/);
      expectDecodeError(buildWav({ data: new Uint8Array(1) }), /zero-length/);
    });
    it('NaN and infinite samples', () => {
      expectDecodeError(buildWav({ tag: 3, bits: 32, frames: [[0.1], [Number.NaN]] }), /NaN/);
      expectDecodeError(
        buildWav({ tag: 3, bits: 64, frames: [[Number.POSITIVE_INFINITY]] }),
        /NaN or infinite/,
      );
      expectDecodeError(buildWav({ tag: 3, bits: 64, frames: [[1e300]] }), /overflows/);
    });
    it('0 Hz and absurd sample rates', () => {
      expectDecodeError(buildWav({ frames, sampleRate: 0 }), /sample rate of 0 Hz/);
      expectDecodeError(buildWav({ frames, sampleRate: 50_000_000 }), /sample rate/);
    });
    it('unknown codecs and impossible format fields', () => {
      expectDecodeError(
        buildWav({ tag: 2, bits: 4, data: new Uint8Array(8) }),
        /0x0002 \(MS ADPCM\)/,
      );
      expectDecodeError(buildWav({ tag: 1, bits: 12, data: new Uint8Array(8) }), /12-bit/);
      expectDecodeError(buildWav({ frames, blockAlign: 3 }), /block align/);
      expectDecodeError(
        buildWav({ data: new Uint8Array(8), channels: 0, blockAlign: 0 }),
        /0 channels/,
      );
    });
    it('files that are not WAV or lack chunks', () => {
      expectDecodeError(
        new TextEncoder().encode('RIFX....WAVEfmt '),
        /not a WAV file: it does not start with "RIFF"/,
      );
      const noData = buildWav({ frames });
      noData.set(new TextEncoder().encode('dat?'), noData.indexOf(0x64, 36));
      expectDecodeError(noData, /no "data" chunk/);
    });
  });
});
