import { COMBO_TEMPLATE, VOCAB_TEMPLATES } from './gm-captions.js';
import { TRAIN_INSTRUMENTS, TRAIN_PERCUSSION, TRAIN_WORDS } from './gm-vocabulary.js';

/** Drum-kit abbreviations (Hydrogen instrument names) → gm-speech percussion names. */
const DRUM_RULES: readonly (readonly [RegExp, string])[] = [
  [/\b(kick|bass ?drum|bassdrum|bd)\b/, 'kick drum'],
  [/\b(snare|sd)\b/, 'snare drum'],
  [/\b(hh|hats?|hi-?hats?|hihats?)\b/, 'hi-hat'],
  [/\bcrash\b/, 'crash cymbal'],
  [/\bride\b/, 'ride cymbal'],
  [/\b(tom|toms|tomtom)\b/, 'tom drum'],
  [/\b(clap|claps|handclap)\b/, 'hand clap'],
  [/\bcowbell\b/, 'cowbell'],
  [/\btambourine\b/, 'tambourine'],
  [/\bbongos?\b/, 'bongo'],
  [/\bcongas?\b/, 'conga'],
];

const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** Lower case, punctuation to spaces, single spaces. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, ' ')
    .replace(/(^| )-+(?= |$)/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/**
 * The gm-speech training label a recorded sound's name matches, if any: a training instrument
 * or percussion name occurring as whole words, a drum-kit abbreviation (`mode: 'drum'`), or — for
 * speech — a text that is exactly one training word (digits written as numerals count).
 */
export function transferLabel(text: string, mode: 'sound' | 'drum' | 'speech'): string | undefined {
  const t = normalise(text);
  if (mode === 'speech') {
    const word = /^\d$/.test(t) ? DIGITS[Number(t)] : t;
    return word !== undefined && TRAIN_WORDS.includes(word) ? word : undefined;
  }
  if (mode === 'drum') return DRUM_RULES.find(([re]) => re.test(t))?.[1];
  const names = [...TRAIN_PERCUSSION.map((p) => p.name), ...TRAIN_INSTRUMENTS.map((i) => i.name)];
  return names.find((n) => new RegExp(`\\b${n}\\b`).test(t));
}

/** The zero-shot prompt template for a label, in the style of gm-speech's training captions. */
export function templateFor(label: string): string {
  if (TRAIN_PERCUSSION.some((p) => p.name === label)) return VOCAB_TEMPLATES.percussion;
  if (TRAIN_INSTRUMENTS.some((i) => i.name === label)) return COMBO_TEMPLATE;
  if (TRAIN_WORDS.includes(label)) return VOCAB_TEMPLATES.speech;
  return 'the sound of {label}';
}

/** The zero-shot prompt for a label: {@link templateFor} filled in. */
export function promptFor(label: string): string {
  return templateFor(label).replace('{label}', label);
}
