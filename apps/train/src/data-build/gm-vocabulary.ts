/**
 * The attribute vocabulary of gm-speech. Every name is chosen so that its words do not occur
 * inside another attribute's name: a held-out name then never leaks into a training caption
 * through a neighbour (e.g. no "bass" instrument beside "kick drum").
 */

/** A pitched General MIDI instrument (program numbers are 0-based). */
export interface Instrument {
  readonly name: string;
  readonly program: number;
  /** The lowest and highest MIDI notes it is asked to play (registers are cut from this range). */
  readonly range: readonly [number, number];
}

/** A General MIDI percussion sound (channel 10 key). */
export interface Percussion {
  readonly name: string;
  readonly key: number;
}

/** Pitched instruments used in training (their names all occur in training captions). */
export const TRAIN_INSTRUMENTS: readonly Instrument[] = [
  { name: 'piano', program: 0, range: [36, 96] },
  { name: 'harpsichord', program: 6, range: [41, 89] },
  { name: 'vibraphone', program: 11, range: [53, 89] },
  { name: 'marimba', program: 12, range: [45, 96] },
  { name: 'organ', program: 19, range: [36, 96] },
  { name: 'accordion', program: 21, range: [53, 89] },
  { name: 'guitar', program: 24, range: [40, 84] },
  { name: 'harp', program: 46, range: [36, 96] },
  { name: 'violin', program: 40, range: [55, 96] },
  { name: 'cello', program: 42, range: [36, 76] },
  { name: 'choir', program: 52, range: [48, 81] },
  { name: 'trumpet', program: 56, range: [55, 84] },
  { name: 'trombone', program: 57, range: [40, 72] },
  { name: 'saxophone', program: 65, range: [49, 81] },
  { name: 'clarinet', program: 71, range: [50, 91] },
  { name: 'flute', program: 73, range: [60, 96] },
  { name: 'banjo', program: 105, range: [48, 84] },
  { name: 'sitar', program: 104, range: [48, 84] },
  { name: 'tuba', program: 58, range: [28, 60] },
  { name: 'xylophone', program: 13, range: [60, 100] },
];

/**
 * Pitched instruments held out of training entirely (the held-out vocabulary, 7 of 27 = 26 %):
 * no training caption contains their names. Reported, not gated: a text encoder trained from
 * scratch has no embedding for a word it never saw.
 */
export const HELD_OUT_INSTRUMENTS: readonly Instrument[] = [
  { name: 'celesta', program: 8, range: [60, 96] },
  { name: 'glockenspiel', program: 9, range: [72, 100] },
  { name: 'harmonica', program: 22, range: [55, 84] },
  { name: 'oboe', program: 68, range: [58, 91] },
  { name: 'bassoon', program: 70, range: [34, 72] },
  { name: 'bagpipe', program: 109, range: [55, 79] },
  { name: 'kalimba', program: 108, range: [60, 91] },
];

/** Percussion sounds in training. Kept fixed (never held out) so real drum samples can be matched. */
export const TRAIN_PERCUSSION: readonly Percussion[] = [
  { name: 'kick drum', key: 36 },
  { name: 'snare drum', key: 38 },
  { name: 'hand clap', key: 39 },
  { name: 'hi-hat', key: 42 },
  { name: 'tom drum', key: 45 },
  { name: 'crash cymbal', key: 49 },
  { name: 'ride cymbal', key: 51 },
  { name: 'tambourine', key: 54 },
  { name: 'cowbell', key: 56 },
  { name: 'bongo', key: 60 },
  { name: 'conga', key: 63 },
];

/** Percussion held out of training (held-out vocabulary). */
export const HELD_OUT_PERCUSSION: readonly Percussion[] = [
  { name: 'woodblock', key: 76 },
  { name: 'triangle', key: 81 },
  { name: 'maracas', key: 70 },
];

/** Melody shapes (the second half of each held-out combination). */
export const SHAPES = ['rising', 'falling', 'steady', 'leaping'] as const;
export type Shape = (typeof SHAPES)[number];

/** Pitch registers: each is a third of the instrument's range. */
export const REGISTERS = ['low', 'middle', 'high'] as const;
export type Register = (typeof REGISTERS)[number];

/** Note lengths: legato (long, connected), staccato (short, detached), syncopated (uneven). */
export const RHYTHMS = ['legato', 'staccato', 'syncopated'] as const;
export type Rhythm = (typeof RHYTHMS)[number];

/** Drum patterns. */
export const BEATS = ['steady', 'syncopated', 'rolling'] as const;
export type Beat = (typeof BEATS)[number];

export const TEMPOS = ['slow', 'fast'] as const;
export type Tempo = (typeof TEMPOS)[number];

export const LOUDNESSES = ['quiet', 'loud'] as const;
export type Loudness = (typeof LOUDNESSES)[number];

/** Background noise mixed under a clip. */
export const NOISES = ['none', 'hiss', 'hum'] as const;
export type Noise = (typeof NOISES)[number];

/** An espeak-ng voice variant and how captions describe it. */
export interface Voice {
  /** The variant, as in `espeak-ng -v en-us+<variant>`. */
  readonly variant: string;
  /** The speaker in a caption: "a man", "a woman", … */
  readonly speaker: string;
}

export const VOICES: readonly Voice[] = [
  { variant: 'm1', speaker: 'man' },
  { variant: 'm3', speaker: 'man' },
  { variant: 'm7', speaker: 'man' },
  { variant: 'f1', speaker: 'woman' },
  { variant: 'f3', speaker: 'woman' },
  { variant: 'f4', speaker: 'woman' },
  { variant: 'whisper', speaker: 'whispering person' },
  { variant: 'croak', speaker: 'croaking man' },
];

/** Spoken pitch and speed (espeak-ng `-p` 0–99 and `-s` words per minute). */
export const VOICE_PITCHES = { low: 25, high: 75 } as const;
export const SPEEDS = { slow: 110, fast: 210 } as const;
export type VoicePitch = keyof typeof VOICE_PITCHES;
export type Speed = keyof typeof SPEEDS;

/** Spoken words in training: the digits (so recorded digit prompts can be matched) and short commands. */
export const TRAIN_WORDS: readonly string[] = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'yes',
  'no',
  'hello',
  'goodbye',
  'stop',
  'go',
  'left',
  'right',
  'up',
  'down',
  'on',
  'off',
];

/** Spoken words held out of training (held-out vocabulary). */
export const HELD_OUT_WORDS: readonly string[] = [
  'apple',
  'river',
  'window',
  'purple',
  'thunder',
  'garden',
  'silver',
  'pocket',
];
