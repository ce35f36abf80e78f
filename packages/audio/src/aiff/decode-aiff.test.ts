import { describe, expect, it } from 'vitest';
import { decodeAudio, sniffContainer } from '../decode.js';
import { AudioDecodeError } from '../errors.js';
import { buildAiff } from '../test-utils/aiff-builder.js';
import { decodeAiff } from './decode-aiff.js';

function bytesOf(write: (view: DataView) => void, length: number): Uint8Array {
  const out = new Uint8Array(length);
  write(new DataView(out.buffer));
  return out;
}

function reason(bytes: Uint8Array): string {
  try {
    decodeAiff(bytes, 'clip.aiff');
  } catch (e) {
    expect(e).toBeInstanceOf(AudioDecodeError);
    expect((e as AudioDecodeError).message).toContain('clip.aiff');
    return (e as AudioDecodeError).reason;
  }
  throw new Error('expected an AudioDecodeError');
}

describe('decodeAiff', () => {
  it('reads AIFF-C little-endian (sowt) and float (fl32, fl64) data at any rate', async () => {
    const sowt = bytesOf(
      (v) => [16384, -32768, 32767].forEach((s, i) => v.setInt16(2 * i, s, true)),
      6,
    );
    const a = await decodeAudio(buildAiff({ codec: 'sowt', data: sowt, sampleRate: 22_050 }));
    expect(a.sampleRate).toBe(22_050);
    expect(Array.from(a.samples)).toEqual([0.5, -1, 32767 / 32768]);
    const fl32 = bytesOf((v) => [0.25, -0.75].forEach((s, i) => v.setFloat32(4 * i, s)), 8);
    const b = decodeAiff(buildAiff({ codec: 'fl32', bits: 32, data: fl32, sampleRate: 8000 }));
    expect(Array.from(b.samples)).toEqual([0.25, -0.75]);
    expect(b.bitDepth).toBe(32);
    const fl64 = bytesOf((v) => v.setFloat64(0, -0.125), 8);
    expect(
      Array.from(decodeAiff(buildAiff({ codec: 'fl64', bits: 64, data: fl64 })).samples),
    ).toEqual([-0.125]);
  });

  it('is recognised from its bytes (FORM…AIFF / FORM…AIFC), not from a file name', () => {
    const data = new Uint8Array(4);
    expect(sniffContainer(buildAiff({ data }))).toBe('aiff');
    expect(sniffContainer(buildAiff({ data, codec: 'NONE' }))).toBe('aiff');
  });

  it('names compressed AIFF-C, truncation and impossible headers', () => {
    const data = new Uint8Array(8);
    expect(reason(buildAiff({ codec: 'ulaw', bits: 8, data }))).toMatch(
      /compressed AIFF-C \('ulaw'\)/,
    );
    expect(reason(buildAiff({ data, frames: 10 }))).toMatch(
      /declares 10 sample frames.*holds 4.*truncated/,
    );
    expect(reason(buildAiff({ data, bits: 12 }))).toMatch(/12-bit PCM samples are not supported/);
    expect(reason(buildAiff({ data, channels: 0, frames: 1 }))).toMatch(/0 channels/);
    expect(reason(buildAiff({ data, sampleRate: 10 }))).toMatch(/sample rate of 10 Hz/);
    expect(reason(buildAiff({ data: new Uint8Array(0) }))).toMatch(/zero-length/);
    expect(reason(buildAiff({ data }).subarray(0, 30))).toMatch(/COMM.*truncated/);
    expect(reason(new TextEncoder().encode('FORMxxxxAIFF'))).toMatch(/no COMM chunk/);
    expect(reason(new Uint8Array(20))).toMatch(/not an AIFF file/);
  });

  it('rejects float data that is NaN or infinite', () => {
    const nan = bytesOf((v) => v.setFloat32(0, Number.NaN), 4);
    expect(reason(buildAiff({ codec: 'fl32', bits: 32, data: nan }))).toMatch(
      /sample frame 0 is NaN/,
    );
  });
});
