import { resampleFor, type LogMelConfig } from '@clapjs/audio';

/**
 * Records `seconds` of microphone audio and returns mono samples at the front end's rate (resampled
 * with the resampler its preset names). MediaRecorder gives
 * compressed audio (webm/opus in Chromium) that @clapjs/audio does not decode, so the browser's
 * own decoder (AudioContext.decodeAudioData) turns it into samples.
 */
export async function recordMicrophone(
  seconds: number,
  audio: Pick<LogMelConfig, 'sampleRate' | 'resampler'>,
): Promise<Float32Array> {
  if (navigator.mediaDevices?.getUserMedia === undefined || typeof MediaRecorder === 'undefined') {
    throw new Error(
      'This browser cannot record audio here (no getUserMedia/MediaRecorder; pages must be served from localhost or https).',
    );
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  try {
    const recorder = new MediaRecorder(stream);
    const chunks: Blob[] = [];
    recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
    const stopped = new Promise<void>((resolve) =>
      recorder.addEventListener('stop', () => resolve()),
    );
    recorder.start();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    recorder.stop();
    await stopped;
    const bytes = await new Blob(chunks, { type: recorder.mimeType }).arrayBuffer();
    const context = new AudioContext();
    try {
      const buffer = await context.decodeAudioData(bytes);
      const mono = new Float32Array(buffer.length);
      for (let c = 0; c < buffer.numberOfChannels; c++) {
        const channel = buffer.getChannelData(c);
        for (let i = 0; i < mono.length; i++) mono[i]! += channel[i]! / buffer.numberOfChannels;
      }
      return resampleFor(audio, mono, buffer.sampleRate);
    } finally {
      await context.close();
    }
  } finally {
    for (const track of stream.getTracks()) track.stop();
  }
}
