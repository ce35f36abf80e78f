import { Rng } from '@clapjs/core';
import {
  BEATS,
  HELD_OUT_INSTRUMENTS,
  HELD_OUT_PERCUSSION,
  HELD_OUT_WORDS,
  LOUDNESSES,
  REGISTERS,
  RHYTHMS,
  SHAPES,
  SPEEDS,
  TEMPOS,
  TRAIN_INSTRUMENTS,
  TRAIN_PERCUSSION,
  TRAIN_WORDS,
  VOICE_PITCHES,
  VOICES,
} from './gm-vocabulary.js';
import type {
  Beat,
  Instrument,
  Loudness,
  Noise,
  Percussion,
  Register,
  Rhythm,
  Shape,
  Speed,
  Tempo,
  Voice,
  VoicePitch,
} from './gm-vocabulary.js';

/** Which file a clip goes to: the training manifest or one of the two held-out sets. */
export type ClipSet = 'train' | 'val' | 'test' | 'heldout-combos' | 'heldout-vocab';

interface Common {
  readonly id: string;
  readonly index: number;
  readonly set: ClipSet;
  readonly loudness: Loudness;
  readonly noise: Noise;
}

/** A pitched instrument playing a short melody. */
export interface MelodicClip extends Common {
  readonly kind: 'melodic';
  readonly instrument: Instrument;
  readonly shape: Shape;
  readonly register: Register;
  readonly rhythm: Rhythm;
  readonly tempo: Tempo;
}

/** One percussion sound playing a pattern. */
export interface PercussionClip extends Common {
  readonly kind: 'percussion';
  readonly percussion: Percussion;
  readonly beat: Beat;
  readonly tempo: Tempo;
}

/** One spoken word. */
export interface SpeechClip extends Common {
  readonly kind: 'speech';
  readonly voice: Voice;
  readonly pitch: VoicePitch;
  readonly speed: Speed;
  readonly word: string;
}

export type ClipPlan = MelodicClip | PercussionClip | SpeechClip;

/** Shares of clip kinds, and how often a clip draws from the held-out vocabulary. */
const KIND_SHARES = { melodic: 0.5, percussion: 0.2 } as const; // the rest is speech
const HELD_OUT_VOCAB_RATE = 0.1;
const VAL_FRACTION = 0.1;
const TEST_FRACTION = 0.1;

/**
 * The held-out instrument × shape combinations for a seed: every training instrument loses
 * exactly one shape (so 25 % of the combinations) and every shape is held out for a quarter of
 * the instruments, so each word still occurs in training with other partners.
 */
export function heldOutCombos(seed: number): string[] {
  const rng = new Rng(seed).fork('heldout-combos');
  const names = rng.shuffle(TRAIN_INSTRUMENTS.map((i) => i.name));
  const offset = rng.int(SHAPES.length);
  return names
    .map((name, j) => comboLabel(SHAPES[(j + offset) % SHAPES.length] as Shape, name))
    .sort();
}

/** The label of an instrument × shape combination, e.g. "rising piano". */
export function comboLabel(shape: Shape, instrument: string): string {
  return `${shape} ${instrument}`;
}

/** Every combination label of the training instruments (the harder zero-shot variant's classes). */
export function allComboLabels(): string[] {
  return TRAIN_INSTRUMENTS.flatMap((i) => SHAPES.map((s) => comboLabel(s, i.name))).sort();
}

function splitOf(rng: Rng): ClipSet {
  const u = rng.next();
  return u < TEST_FRACTION ? 'test' : u < TEST_FRACTION + VAL_FRACTION ? 'val' : 'train';
}

function drawNoise(rng: Rng): Noise {
  const u = rng.next();
  return u < 0.15 ? 'hiss' : u < 0.3 ? 'hum' : 'none';
}

/** The attributes of clip `index`: a pure function of (seed, index). */
export function planClip(seed: number, index: number, combos: ReadonlySet<string>): ClipPlan {
  const rng = new Rng(seed).fork(`clip-${index}`);
  const id = `gm-${seed}-${String(index).padStart(6, '0')}`;
  const kindDraw = rng.next();
  const vocab = rng.next() < HELD_OUT_VOCAB_RATE;
  const splitDraw = splitOf(rng);
  const loudness = rng.pick(LOUDNESSES);
  const noise = drawNoise(rng);
  const common = { id, index, loudness, noise };
  if (kindDraw < KIND_SHARES.melodic) {
    const instrument = rng.pick(vocab ? HELD_OUT_INSTRUMENTS : TRAIN_INSTRUMENTS);
    const shape = rng.pick(SHAPES);
    const held = !vocab && combos.has(comboLabel(shape, instrument.name));
    const set: ClipSet = vocab ? 'heldout-vocab' : held ? 'heldout-combos' : splitDraw;
    return {
      ...common,
      kind: 'melodic',
      set,
      instrument,
      shape,
      register: rng.pick(REGISTERS),
      rhythm: rng.pick(RHYTHMS),
      tempo: rng.pick(TEMPOS),
    };
  }
  if (kindDraw < KIND_SHARES.melodic + KIND_SHARES.percussion) {
    const percussion = rng.pick(vocab ? HELD_OUT_PERCUSSION : TRAIN_PERCUSSION);
    return {
      ...common,
      kind: 'percussion',
      set: vocab ? 'heldout-vocab' : splitDraw,
      percussion,
      beat: rng.pick(BEATS),
      tempo: rng.pick(TEMPOS),
    };
  }
  const word = rng.pick(vocab ? HELD_OUT_WORDS : TRAIN_WORDS);
  const pitch = rng.pick(Object.keys(VOICE_PITCHES) as VoicePitch[]);
  const speed = rng.pick(Object.keys(SPEEDS) as Speed[]);
  return {
    ...common,
    kind: 'speech',
    set: vocab ? 'heldout-vocab' : splitDraw,
    voice: rng.pick(VOICES),
    pitch,
    speed,
    word,
  };
}

/** The label of a clip: the combination for melodies (the instrument in the held-out vocabulary), the sound for percussion, the word for speech. */
export function labelOf(clip: ClipPlan): string {
  if (clip.kind === 'melodic')
    return clip.set === 'heldout-vocab'
      ? clip.instrument.name
      : comboLabel(clip.shape, clip.instrument.name);
  if (clip.kind === 'percussion') return clip.percussion.name;
  return clip.word;
}
