import type { Rng } from '@clapjs/core';
import type {
  Contour,
  NoiseAttributes,
  Rhythm,
  SynthAttributes,
  ToneAttributes,
} from './attributes.js';

const CONTOUR_PHRASES: Record<Contour, readonly string[]> = {
  rising: ['rising', 'rising in pitch'],
  falling: ['falling', 'falling in pitch'],
  steady: ['steady', 'at a steady pitch'],
  wobbling: ['wobbling', 'with a wobbling pitch'],
};
const RHYTHM_WORDS: Record<Rhythm, string> = {
  sustained: 'sustained',
  pulsing: 'pulsing',
  hit: 'single hit',
};
const NOUNS = ['tone', 'sound', 'note'] as const;

function background(a: SynthAttributes, rng: Rng): string {
  if (a.background === 'none') return '';
  return rng.pick([
    ', with crackle in the background',
    ' over a crackle background',
    ', crackle behind it',
  ]);
}

function toneCaptions(a: ToneAttributes, rng: Rng): string[] {
  const { timbre: t, contour: c, register: reg, loudness: l } = a;
  const noun = (): string => rng.pick(NOUNS);
  const phrase = (): string => rng.pick(CONTOUR_PHRASES[c]);
  const r = RHYTHM_WORDS[a.rhythm];
  const rhythmFirst =
    a.rhythm === 'hit'
      ? `a single ${reg} ${t} hit, ${phrase()}`
      : a.rhythm === 'pulsing'
        ? `a pulsing ${reg} ${t} ${noun()}, ${phrase()}`
        : `a sustained ${reg} ${t} ${noun()} that is ${c}`;
  // Short captions keep timbre and contour prominent (a bag-of-words text encoder averages every
  // word); the other attributes each appear in a few of the five.
  return [
    `a ${t} ${noun()} ${phrase()}, ${l}`,
    `${c} ${t} ${noun()}, ${r}`,
    // The zero-shot prompt's own form ("a {timbre} {contour} sound"), so prompts read like training text.
    `a ${t} ${c} sound`,
    rhythmFirst + background(a, rng),
    `${t} timbre, ${c} pitch, ${reg} register, ${r}, ${l}` + background(a, rng),
  ];
}

function noiseCaptions(a: NoiseAttributes, rng: Rng): string[] {
  const { colour: n, loudness: l } = a;
  const r = RHYTHM_WORDS[a.rhythm];
  const rhythmFirst =
    a.rhythm === 'hit'
      ? `a single hit of ${n} noise, ${l}`
      : a.rhythm === 'pulsing'
        ? `${n} noise pulsing on and off, ${l}`
        : `sustained ${n} noise, ${l}`;
  return [
    `${l} ${n} noise, ${r}`,
    rhythmFirst,
    `a ${n} noise sound, ${l}`,
    `${n} noise, ${r}, ${l}`,
    `the sound of ${l} ${n} noise`,
  ].map((caption) => caption + background(a, rng));
}

/**
 * Five captions for a clip in different phrasings. Every caption names the timbre (or noise
 * colour) and, for tones, the contour with its canonical word; register, rhythm, loudness and
 * background each appear in some of them.
 */
export function composeCaptions(attributes: SynthAttributes, rng: Rng): string[] {
  return attributes.kind === 'tone'
    ? toneCaptions(attributes, rng)
    : noiseCaptions(attributes, rng);
}
