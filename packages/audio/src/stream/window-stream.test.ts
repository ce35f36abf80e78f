import { describe, expect, it } from 'vitest';
import { decodeAudio } from '../decode.js';
import { resampleFor } from '../resample.js';
import { encodeFlacVerbatim } from '../test-utils/flac-encoder.js';
import { encodeWav } from '../wav/encode-wav.js';
import { clipWindows, windowClip, type ClipWindowOptions } from '../windows.js';
import { readAudioWindows, type StreamWindowConfig } from './window-stream.js';

function tone(n: number, rate: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate) + 0.1 * Math.sin(i),
  );
}

/** What the whole-file route gives: decode, resample, clipWindows, windowClip. */
async function wholeRoute(
  bytes: Uint8Array,
  config: StreamWindowConfig,
  options: ClipWindowOptions = {},
) {
  const decoded = await decodeAudio(bytes);
  const clip = resampleFor(config, decoded.samples, decoded.sampleRate);
  const spans = clipWindows(clip.length, config.sampleRate, config, options);
  return {
    length: clip.length,
    spans,
    windows: spans.map((s) => windowClip(clip, s, config.sampleRate, config)),
  };
}

async function streamRoute(
  bytes: Uint8Array,
  config: StreamWindowConfig,
  options: ClipWindowOptions = {},
) {
  const read = await readAudioWindows(bytes, config, { ...options, chunkBytes: 7777 });
  const windows: Float32Array[] = [];
  for await (const w of read.windows()) windows.push(w.samples);
  return { length: read.numSamples, spans: read.spans, windows };
}

const msclap: StreamWindowConfig = {
  sampleRate: 44100,
  clipSeconds: 1,
  resampler: 'torchaudio',
  padMode: 'tile-cut',
};
const laion: StreamWindowConfig = { sampleRate: 16000, clipSeconds: 0.5, padMode: 'repeat-pad' };

describe('readAudioWindows', () => {
  const wav48k = encodeWav(tone(48000 * 3 + 123, 48000), 48000, { format: 'float32' });
  const flac22k = encodeFlacVerbatim(
    [Int32Array.from(tone(22050 * 2, 22050), (x) => Math.round(x * 32767))],
    22050,
    16,
  );
  const short = encodeWav(tone(9000, 44100), 44100);

  it.each([
    ['a 3 s 48 kHz WAV, torchaudio to 44.1 kHz, 1 s windows', wav48k, msclap],
    ['a 2 s 22.05 kHz FLAC, Kaiser to 16 kHz, 0.5 s windows', flac22k, laion],
    ['a clip shorter than one window (padded)', short, msclap],
  ] as const)('%s: the same windows as the whole-file route', async (_, bytes, config) => {
    const want = await wholeRoute(bytes, config);
    const got = await streamRoute(bytes, config);
    expect(got.length).toBe(want.length);
    expect(got.spans).toEqual(want.spans);
    expect(got.windows).toEqual(want.windows);
  });

  it('a single window at an offset is the crop the whole-file route cuts', async () => {
    const options = { offset: 50_000 };
    const want = await wholeRoute(wav48k, msclap, options);
    const got = await streamRoute(wav48k, msclap, options);
    expect(got.spans).toEqual([{ start: 50_000, end: 94_100 }]);
    expect(got.windows).toEqual(want.windows);
  });

  it('refuses an offset outside the clip before decoding, and a cut file while streaming', async () => {
    await expect(readAudioWindows(wav48k, msclap, { offset: 10 ** 6 })).rejects.toMatchObject({
      code: 'AUDIO_ARGUMENT',
    });
    const cut = flac22k.slice(0, Math.floor(flac22k.length / 2));
    const read = await readAudioWindows(cut, laion, { name: 'cut.flac' });
    const drain = async () => {
      for await (const _ of read.windows());
    };
    await expect(drain()).rejects.toMatchObject({
      code: 'AUDIO_DECODE',
      message: expect.stringContaining('cut.flac'),
    });
  });
});
