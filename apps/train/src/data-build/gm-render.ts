import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, resample } from '@clapjs/audio';
import { Rng } from '@clapjs/core';
import { DataBuildError } from './errors.js';
import type { ClipPlan, MelodicClip, PercussionClip, SpeechClip } from './gm-plan.js';
import {
  noteOff,
  noteOn,
  programChange,
  controlChange,
  silenceChannel,
  writeMidi,
} from './midi.js';
import type { MidiEvent } from './midi.js';
import { SPEEDS, VOICE_PITCHES } from './gm-vocabulary.js';
import { runProgram } from './tools.js';
import type { Tools } from './tools.js';

const MELODY_CHANNEL = 0;
const DRUM_CHANNEL = 9;
/** Silence after each slot's all-sound-off before the next slot starts (not part of any clip). */
const GUARD_SECONDS = 0.25;
/** Major-scale steps: melodies move along a scale so they sound like tunes. */
const SCALE = [0, 2, 4, 5, 7, 9, 11];

function velocityOf(loudness: 'quiet' | 'loud', rng: Rng): number {
  return loudness === 'quiet' ? 52 + rng.int(12) : 105 + rng.int(18);
}

/** Note start times and lengths (seconds, within the clip) for a rhythm at a tempo. */
function noteTimes(
  rhythm: MelodicClip['rhythm'],
  tempo: MelodicClip['tempo'],
  clipSeconds: number,
): { start: number; length: number }[] {
  const step = tempo === 'slow' ? 0.42 : 0.21;
  const out: { start: number; length: number }[] = [];
  const pattern = rhythm === 'syncopated' ? [1.5, 0.5] : [1];
  for (let t = 0.02, k = 0; t < clipSeconds - 0.1; k++) {
    const span = step * (pattern[k % pattern.length] as number);
    const length = rhythm === 'staccato' ? Math.min(0.09, span * 0.35) : span * 0.95;
    out.push({ start: t, length: Math.min(length, clipSeconds - t) });
    t += span;
  }
  return out;
}

/** MIDI notes of a melody: a scale walk whose direction the shape sets, inside the register. */
function melodyNotes(c: MelodicClip, count: number, rng: Rng): number[] {
  const [lo, hi] = c.instrument.range;
  const third = (hi - lo) / 3;
  const registerIndex = c.register === 'low' ? 0 : c.register === 'middle' ? 1 : 2;
  const base = Math.round(lo + third * registerIndex + rng.uniform(0, Math.max(0, third - 7)));
  const degree = (d: number): number =>
    base + Math.floor(d / 7) * 12 + (SCALE[((d % 7) + 7) % 7] as number);
  const notes: number[] = [];
  for (let k = 0; k < count; k++) {
    let d: number;
    if (c.shape === 'rising') d = k;
    else if (c.shape === 'falling') d = count - 1 - k;
    else if (c.shape === 'steady') d = 2;
    else d = k % 2 === 0 ? 0 : 7 + (k % 4 === 1 ? 2 : 4); // leaping: octave-plus jumps up and back
    notes.push(Math.max(0, Math.min(127, degree(d))));
  }
  return notes;
}

function melodicEvents(c: MelodicClip, t0: number, clipSeconds: number, rng: Rng): MidiEvent[] {
  const times = noteTimes(c.rhythm, c.tempo, clipSeconds);
  const notes = melodyNotes(c, times.length, rng);
  const events: MidiEvent[] = [
    programChange(t0 * 1000, MELODY_CHANNEL, c.instrument.program),
    controlChange(t0 * 1000, MELODY_CHANNEL, 7, 110),
  ];
  const velocity = velocityOf(c.loudness, rng);
  times.forEach(({ start, length }, k) => {
    const note = notes[k] as number;
    const v = Math.max(1, Math.min(127, velocity + rng.int(9) - 4));
    events.push(
      noteOn((t0 + start) * 1000, MELODY_CHANNEL, note, v),
      noteOff((t0 + start + length) * 1000, MELODY_CHANNEL, note),
    );
  });
  return events;
}

function percussionEvents(
  c: PercussionClip,
  t0: number,
  clipSeconds: number,
  rng: Rng,
): MidiEvent[] {
  const step = c.tempo === 'slow' ? 0.42 : 0.21;
  const starts: number[] = [];
  if (c.beat === 'steady') for (let t = 0.02; t < clipSeconds - 0.05; t += step) starts.push(t);
  else if (c.beat === 'syncopated') {
    for (let t = 0.02, k = 0; t < clipSeconds - 0.05; k++) {
      starts.push(t);
      t += step * (k % 2 === 0 ? 1.5 : 0.5);
    }
  } else
    for (let t = 0.02; t < clipSeconds - 0.05; t += step * 2)
      for (let r = 0; r < 5; r++) starts.push(t + r * 0.045);
  const velocity = velocityOf(c.loudness, rng);
  const key = c.percussion.key;
  return starts
    .filter((s) => s < clipSeconds - 0.03)
    .flatMap((s) => {
      const v = Math.max(1, Math.min(127, velocity + rng.int(11) - 5));
      return [
        noteOn((t0 + s) * 1000, DRUM_CHANNEL, key, v),
        noteOff((t0 + s + 0.03) * 1000, DRUM_CHANNEL, key),
      ];
    });
}

/**
 * Renders instrument and percussion clips with one fluidsynth run: each clip gets a slot of
 * `clipSeconds` + a guard, all sound is cut at the slot's end (reverb and chorus are off, so
 * nothing rings into the next slot), and the render is sliced back into clips.
 */
export async function renderInstrumentChunk(
  tools: Tools,
  clips: readonly (MelodicClip | PercussionClip)[],
  options: { sampleRate: number; clipSeconds: number; seed: number; workDir: string; name: string },
): Promise<Float32Array[]> {
  const { sampleRate, clipSeconds, seed, workDir, name } = options;
  const slot = clipSeconds + GUARD_SECONDS;
  const events: MidiEvent[] = [];
  clips.forEach((c, k) => {
    const rng = new Rng(seed).fork(`render-${c.index}`);
    const t0 = 0.5 + k * slot; // a little lead-in: the synth's first events land cleanly
    events.push(
      ...(c.kind === 'melodic'
        ? melodicEvents(c, t0, clipSeconds, rng)
        : percussionEvents(c, t0, clipSeconds, rng)),
    );
    events.push(
      ...silenceChannel((t0 + clipSeconds) * 1000, MELODY_CHANNEL),
      ...silenceChannel((t0 + clipSeconds) * 1000, DRUM_CHANNEL),
    );
  });
  const midiPath = join(workDir, `${name}.mid`);
  const rawPath = join(workDir, `${name}.raw`);
  writeFileSync(midiPath, writeMidi(events));
  const args = [
    '-ni',
    '-q',
    '-g',
    '0.7',
    '-R',
    '0',
    '-C',
    '0',
    '-r',
    String(sampleRate),
    '-T',
    'raw',
    '-O',
    'float',
    '-E',
    'little',
    '-F',
    rawPath,
    tools.soundfont,
    midiPath,
  ];
  const { stderr } = await runProgram(tools.fluidsynth, args, `Rendering ${name}`);
  if (/failed to load|not a soundfont|error/i.test(stderr)) {
    throw new DataBuildError(
      'DATA_BUILD_SOUNDFONT',
      `Rendering ${name}: fluidsynth could not use the soundfont ${tools.soundfont} (${stderr.trim().split('\n')[0] ?? ''}). Reinstall it: sudo apt-get install --reinstall fluid-soundfont-gm`,
    );
  }
  const raw = readFileSync(rawPath);
  const stereo = new Float32Array(raw.buffer, raw.byteOffset, Math.floor(raw.byteLength / 4));
  const length = Math.round(clipSeconds * sampleRate);
  return clips.map((_, k) => {
    const start = Math.round((0.5 + k * slot) * sampleRate);
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) {
      const f = 2 * (start + i);
      out[i] =
        f + 1 < stereo.length ? 0.5 * ((stereo[f] as number) + (stereo[f + 1] as number)) : 0;
    }
    return out;
  });
}

/** Speaks one word with espeak-ng, resampled to `sampleRate` and placed a little into the clip. */
export async function renderSpeech(
  tools: Tools,
  clip: SpeechClip,
  options: { sampleRate: number; clipSeconds: number; seed: number; workDir: string },
): Promise<Float32Array> {
  const wavPath = join(options.workDir, `${clip.id}.wav`);
  const voice = `en-us+${clip.voice.variant}`;
  const args = [
    '-v',
    voice,
    '-p',
    String(VOICE_PITCHES[clip.pitch]),
    '-s',
    String(SPEEDS[clip.speed]),
    '-w',
    wavPath,
    clip.word,
  ];
  const { stderr } = await runProgram(tools.espeak, args, `Speaking "${clip.word}" with ${voice}`);
  if (/no such|cannot|failed/i.test(stderr)) {
    throw new DataBuildError(
      'DATA_BUILD_VOICE',
      `espeak-ng has no voice ${voice} (${stderr.trim()}). List voices with: espeak-ng --voices=variant`,
    );
  }
  const decoded = decodeWav(new Uint8Array(readFileSync(wavPath)), wavPath);
  const speech =
    decoded.sampleRate === options.sampleRate
      ? decoded.samples
      : resample(decoded.samples, decoded.sampleRate, options.sampleRate);
  const out = new Float32Array(Math.round(options.clipSeconds * options.sampleRate));
  const rng = new Rng(options.seed).fork(`speech-${clip.index}`);
  const room = Math.max(0, out.length - speech.length);
  const offset = Math.min(room, Math.round(rng.uniform(0.05, 0.35) * options.sampleRate));
  const gain = clip.loudness === 'quiet' ? 0.35 : 1;
  for (let i = 0; i < speech.length && offset + i < out.length; i++)
    out[offset + i] = (speech[i] as number) * gain;
  return out;
}

/** Mixes the clip's background noise in place (seeded): pink-ish hiss or mains hum with harmonics. */
export function mixNoise(
  clip: ClipPlan,
  samples: Float32Array,
  sampleRate: number,
  seed: number,
): void {
  if (clip.noise === 'none') return;
  const rng = new Rng(seed).fork(`noise-${clip.index}`);
  const level = rng.uniform(0.01, 0.04);
  if (clip.noise === 'hiss') {
    let smooth = 0;
    for (let i = 0; i < samples.length; i++) {
      smooth = 0.7 * smooth + 0.3 * rng.normal();
      samples[i] = (samples[i] as number) + level * 1.6 * smooth;
    }
    return;
  }
  const mains = rng.next() < 0.5 ? 50 : 60;
  const phase = rng.uniform(0, 2 * Math.PI);
  for (let i = 0; i < samples.length; i++) {
    const t = (2 * Math.PI * mains * i) / sampleRate + phase;
    samples[i] =
      (samples[i] as number) +
      level *
        (Math.sin(t) + 0.6 * Math.sin(2 * t) + 0.4 * Math.sin(3 * t) + 0.25 * Math.sin(5 * t));
  }
}
