// A Node Buffer (what fs.readFile returns) decodes like the same bytes in a plain Uint8Array: a
// Buffer's slice is a view, not a copy, so a header parser must not read the copy's .buffer from 0.
import { describe, expect, it } from 'vitest';
import { decodeAudio } from './decode.js';
import { buildAiff } from './test-utils/aiff-builder.js';
import { encodeWav } from './wav/encode-wav.js';

describe('decodeAudio of a Node Buffer', () => {
  const samples = Float32Array.from({ length: 400 }, (_, i) => 0.5 * Math.sin(i / 7));

  it('reads a WAV file given as a Buffer', async () => {
    const wav = encodeWav(samples, 16000);
    const fromBuffer = await decodeAudio(Buffer.from(wav), { name: 'clip.wav' });
    const fromArray = await decodeAudio(wav, { name: 'clip.wav' });
    expect(fromBuffer.sampleRate).toBe(16000);
    expect(Array.from(fromBuffer.samples)).toEqual(Array.from(fromArray.samples));
  });

  it('reads an AIFF file given as a Buffer', async () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setInt16(0, 16384);
    const aiff = buildAiff({ data, sampleRate: 22_050 });
    const decoded = await decodeAudio(Buffer.from(aiff), { name: 'clip.aiff' });
    expect(decoded.sampleRate).toBe(22_050);
    expect(decoded.samples[0]).toBe(0.5);
  });
});
