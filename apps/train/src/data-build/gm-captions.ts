import { Rng } from '@clapjs/core';
import type { ClipPlan, MelodicClip, PercussionClip, SpeechClip } from './gm-plan.js';
import type { Noise } from './gm-vocabulary.js';

/** How many phrasings each clip gets. */
export const CAPTIONS_PER_CLIP = 5;

/** The zero-shot prompt for held-out combinations: "a {label} melody" → "a rising piano melody". */
export const COMBO_TEMPLATE = 'a {label} melody';
/** The zero-shot prompts for the held-out vocabulary, by kind. */
export const VOCAB_TEMPLATES = {
  melodic: 'a {label} melody',
  percussion: 'a {label} beat',
  speech: 'someone saying {label}',
} as const;

const NOISE_PHRASES: Record<Exclude<Noise, 'none'>, readonly string[]> = {
  hiss: ['over background hiss', 'with hiss behind it', 'with a hissing background'],
  hum: ['over an electrical hum', 'with a low hum behind it', 'with mains hum in the background'],
};

const REGISTER_WORDS = { low: 'low', middle: 'middle', high: 'high' } as const;
const RHYTHM_PHRASES = {
  legato: 'smooth legato notes',
  staccato: 'short staccato notes',
  syncopated: 'a syncopated rhythm',
} as const;
const BEAT_PHRASES = {
  steady: 'a steady beat',
  syncopated: 'a syncopated beat',
  rolling: 'rolling hits',
} as const;

function melodic(c: MelodicClip): string[] {
  const i = c.instrument.name;
  const reg = REGISTER_WORDS[c.register];
  return [
    `a ${c.shape} ${i} melody`,
    `a ${c.loudness} ${i} playing a ${c.tempo} ${c.shape} melody`,
    `${c.tempo} ${c.shape} notes on a ${i} in a ${reg} register`,
    `a ${i} plays ${RHYTHM_PHRASES[c.rhythm]} in a ${c.shape} line`,
    `${c.loudness} ${reg} ${i} with ${RHYTHM_PHRASES[c.rhythm]}, ${c.tempo}`,
    `the ${i} plays a ${c.shape} tune, ${c.tempo} and ${c.loudness}`,
  ];
}

function percussion(c: PercussionClip): string[] {
  const p = c.percussion.name;
  return [
    `a ${p} beat`,
    `a ${c.loudness} ${p} playing ${BEAT_PHRASES[c.beat]}`,
    `${c.tempo} ${p} hits in ${BEAT_PHRASES[c.beat]}`.replace('in rolling hits', 'rolling'),
    `percussion: a ${p}, ${c.tempo} and ${c.loudness}`,
    `${BEAT_PHRASES[c.beat]} on a ${p}`,
  ];
}

function speech(c: SpeechClip): string[] {
  const who = c.voice.speaker;
  return [
    `someone saying ${c.word}`,
    `a ${who} saying ${c.word}`,
    `the word ${c.word} spoken ${c.speed === 'slow' ? 'slowly' : 'quickly'} by a ${who}`,
    `a ${c.pitch} voice says ${c.word}`,
    `a ${who} with a ${c.pitch} voice speaking the word ${c.word}`,
    `${c.word}, said ${c.speed === 'slow' ? 'slowly' : 'quickly'} in a ${c.pitch} voice`,
  ];
}

/**
 * The captions of a clip: {@link CAPTIONS_PER_CLIP} phrasings drawn (seeded) from the kind's
 * templates, each naming some of its attributes; the first always names the label words. The
 * noise, when there is any, is mentioned in some phrasings.
 */
export function composeCaptions(clip: ClipPlan, seed: number): string[] {
  const rng = new Rng(seed).fork(`captions-${clip.index}`);
  const all =
    clip.kind === 'melodic'
      ? melodic(clip)
      : clip.kind === 'percussion'
        ? percussion(clip)
        : speech(clip);
  const [first, ...rest] = all as [string, ...string[]];
  const chosen = [first, ...rng.shuffle(rest).slice(0, CAPTIONS_PER_CLIP - 1)];
  if (clip.noise === 'none') return chosen;
  const phrases = NOISE_PHRASES[clip.noise];
  return chosen.map((caption, k) => (k % 2 === 1 ? `${caption} ${rng.pick(phrases)}` : caption));
}
