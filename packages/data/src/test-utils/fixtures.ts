import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeWav } from '@clapjs/audio';

/** A fresh temporary directory for one test. */
export function tempDir(prefix = 'clapjs-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a text file, creating parent directories. */
export function writeText(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** A short sine as samples (0.1 s at 16 kHz by default). */
export function sine(hz: number, seconds = 0.1, sampleRate = 16000): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * sampleRate) },
    (_, i) => 0.5 * Math.sin((2 * Math.PI * hz * i) / sampleRate),
  );
}

/** Writes a tiny WAV (a sine) and returns its path. */
export function writeWav(path: string, hz = 440, seconds = 0.1, sampleRate = 16000): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeWav(sine(hz, seconds, sampleRate), sampleRate));
  return path;
}
