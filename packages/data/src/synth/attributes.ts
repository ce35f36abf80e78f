import { Rng } from '@clapjs/core';
import type { Split } from '@clapjs/core';
import { mixSeed } from '../hash.js';

/** Harmonic profiles of tonal sounds: sine, odd harmonics, all harmonics (saw), inharmonic partials. */
export const TIMBRES = ['pure', 'hollow', 'bright', 'bell'] as const;
/** Noise colours (flat, −3 dB/octave, −6 dB/octave spectra). */
export const NOISE_COLOURS = ['white', 'pink', 'brown'] as const;
/** How the pitch of a tonal sound moves over the note. */
export const CONTOURS = ['rising', 'falling', 'steady', 'wobbling'] as const;
/** Pitch register of a tonal sound. */
export const REGISTERS = ['low', 'high'] as const;
/** Temporal envelope: one held note, a train of short notes, or one struck, decaying note. */
export const RHYTHMS = ['sustained', 'pulsing', 'hit'] as const;
/** Peak level: about −27 dBFS or −4 dBFS. */
export const LOUDNESS = ['quiet', 'loud'] as const;
/** Optional background: impulsive crackle under the sound. */
export const BACKGROUNDS = ['none', 'crackle'] as const;

/** A tonal timbre. */
export type Timbre = (typeof TIMBRES)[number];
/** A noise colour. */
export type NoiseColour = (typeof NOISE_COLOURS)[number];
/** A pitch contour. */
export type Contour = (typeof CONTOURS)[number];
/** A pitch register. */
export type Register = (typeof REGISTERS)[number];
/** A temporal envelope. */
export type Rhythm = (typeof RHYTHMS)[number];
/** A loudness level. */
export type Loudness = (typeof LOUDNESS)[number];
/** A background condition. */
export type Background = (typeof BACKGROUNDS)[number];

/** The attributes shared by every synthetic clip. */
interface CommonAttributes {
  readonly rhythm: Rhythm;
  readonly loudness: Loudness;
  readonly background: Background;
}

/** A pitched clip: a timbre played along a pitch contour in a register. */
export interface ToneAttributes extends CommonAttributes {
  readonly kind: 'tone';
  readonly timbre: Timbre;
  readonly contour: Contour;
  readonly register: Register;
}

/** An unpitched clip: coloured noise. */
export interface NoiseAttributes extends CommonAttributes {
  readonly kind: 'noise';
  readonly colour: NoiseColour;
}

/** What a synthetic clip is made of; captions are composed from exactly these. */
export type SynthAttributes = ToneAttributes | NoiseAttributes;

/** The label of a clip: `"<timbre> <contour>"` for tones (the zero-shot classes), `"<colour> noise"` for noise. */
export function labelOf(attributes: SynthAttributes): string {
  return attributes.kind === 'tone'
    ? `${attributes.timbre} ${attributes.contour}`
    : `${attributes.colour} noise`;
}

/** Every timbre × contour label, in a fixed order. */
export function allComboLabels(): string[] {
  return TIMBRES.flatMap((t) => CONTOURS.map((c) => `${t} ${c}`));
}

/**
 * Picks the held-out timbre × contour combinations. A fraction takes whole "diagonals" of a
 * seeded Latin square first (timbre t with contour π(t + d)), so each timbre and each contour
 * loses the same number of partners and every word keeps at least one combination in training.
 * @returns labels `"<timbre> <contour>"`, or undefined plus a reason when the choice is invalid
 */
export function chooseHeldOut(
  heldOut: number | readonly string[],
  seed: number,
): { labels: string[] } | { error: string } {
  const all = allComboLabels();
  let labels: string[];
  if (typeof heldOut === 'number') {
    const count = Math.round(heldOut * all.length);
    const order = new Rng(mixSeed(seed, 0x4e1d)).shuffle([...CONTOURS]);
    labels = [];
    for (let d = 0; d < CONTOURS.length && labels.length < count; d++) {
      TIMBRES.forEach((t, k) => {
        if (labels.length < count)
          labels.push(`${t} ${order[(k + d) % CONTOURS.length] as string}`);
      });
    }
  } else {
    labels = [...new Set(heldOut.map((l) => l.trim().replace(/\s+/g, ' ')))];
    const unknown = labels.find((l) => !all.includes(l));
    if (unknown !== undefined)
      return {
        error: `"${unknown}" is not a "<timbre> <contour>" combination; use one of: ${all.join(', ')}`,
      };
  }
  const kept = all.filter((l) => !labels.includes(l));
  const orphan = [...TIMBRES, ...CONTOURS].find(
    (word) => !kept.some((l) => l.split(' ').includes(word)),
  );
  if (orphan !== undefined) {
    return {
      error: `holding out ${labels.join(', ')} leaves no training combination with "${orphan}"; every word must occur in training, so hold out fewer combinations`,
    };
  }
  return { labels };
}

/** Continuous generator settings of one clip (drawn from its seed; kept in the item's meta). */
export interface SynthParams {
  /** Geometric centre of the pitch, Hz. */
  readonly centreHz: number;
  /** Total glide of rising/falling contours, octaves. */
  readonly glideOctaves: number;
  /** Vibrato rate (Hz) and depth (semitones) of wobbling contours. */
  readonly vibratoHz: number;
  readonly vibratoSemitones: number;
  /** Length of one pitch sweep of a sustained rising/falling tone, seconds. */
  readonly sweepSeconds: number;
  /** Pulses per second and the fraction of each period that sounds. */
  readonly pulseHz: number;
  readonly pulseDuty: number;
  /** When the sound starts and (sustained) stops, seconds. */
  readonly onset: number;
  readonly offset: number;
  /** Decay time constant of a hit, seconds. */
  readonly decay: number;
  /** Peak amplitude of the sound. */
  readonly peak: number;
  /** Crackle clicks per second. */
  readonly crackleRate: number;
}

/** Draws a clip's attributes and generator settings; `toneFraction` of clips are tonal. */
export function drawAttributes(
  rng: Rng,
  toneFraction: number,
  backgroundProbability: number,
  clipSeconds: number,
): { attributes: SynthAttributes; params: SynthParams } {
  const common = {
    rhythm: rng.pick(RHYTHMS),
    loudness: rng.pick(LOUDNESS),
    background: rng.next() < backgroundProbability ? 'crackle' : 'none',
  } as const;
  const attributes: SynthAttributes =
    rng.next() < toneFraction
      ? {
          kind: 'tone',
          timbre: rng.pick(TIMBRES),
          contour: rng.pick(CONTOURS),
          register: rng.pick(REGISTERS),
          ...common,
        }
      : { kind: 'noise', colour: rng.pick(NOISE_COLOURS), ...common };
  const low = attributes.kind === 'tone' && attributes.register === 'low';
  const params: SynthParams = {
    // Registers stay apart even at the ends of the widest glide: low ≤ 557 Hz < 574 Hz ≤ high.
    // Low tones sit above ~130 Hz because the mel bins there are ~45 Hz wide (64 mels at 16 kHz).
    centreHz: low ? rng.uniform(220, 320) : rng.uniform(1000, 1500),
    glideOctaves: rng.uniform(1.2, 1.6),
    vibratoHz: rng.uniform(4, 7),
    vibratoSemitones: rng.uniform(2.5, 4),
    sweepSeconds: rng.uniform(0.4, 0.7),
    pulseHz: rng.uniform(3, 5),
    pulseDuty: rng.uniform(0.4, 0.6),
    onset: common.rhythm === 'hit' ? rng.uniform(0.05, 0.5) : rng.uniform(0, 0.2),
    offset: clipSeconds - rng.uniform(0, 0.2),
    decay: rng.uniform(0.15, 0.3),
    peak: common.loudness === 'quiet' ? rng.uniform(0.03, 0.06) : rng.uniform(0.5, 0.8),
    crackleRate: rng.uniform(20, 60),
  };
  return { attributes, params };
}

/** Whether a clip's combination is held out (its items then all go to the test split). */
export function isHeldOut(attributes: SynthAttributes, heldOut: readonly string[]): boolean {
  return attributes.kind === 'tone' && heldOut.includes(labelOf(attributes));
}

/** The split of a clip: held-out combinations are test; the rest by a seeded draw. */
export function splitOf(
  heldOut: boolean,
  u: number,
  valFraction: number,
  testFraction: number,
): Split {
  if (heldOut) return 'test';
  return u < valFraction ? 'val' : u < valFraction + testFraction ? 'test' : 'train';
}
