import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeWav } from '@clapjs/audio';
import { BUILD_FILE, buildAtomically, writeJsonl } from './atomic.js';
import type { BuildSummary } from './atomic.js';
import { COMBO_TEMPLATE, composeCaptions, VOCAB_TEMPLATES } from './gm-captions.js';
import { allComboLabels, heldOutCombos, labelOf, planClip } from './gm-plan.js';
import type { ClipPlan, ClipSet, MelodicClip, PercussionClip, SpeechClip } from './gm-plan.js';
import { mixNoise, renderInstrumentChunk, renderSpeech } from './gm-render.js';
import {
  HELD_OUT_INSTRUMENTS,
  HELD_OUT_PERCUSSION,
  HELD_OUT_WORDS,
  VOICES,
} from './gm-vocabulary.js';
import { DataBuildError } from './errors.js';
import { writeEvalConfig } from './eval-configs.js';
import { checkTools, checkVoices, mapLimit } from './tools.js';
import type { ToolOptions } from './tools.js';

/** Options of {@link buildGmSpeech}. */
export interface GmSpeechOptions {
  /** The output directory (written atomically: a temporary directory renamed at the end). */
  readonly out: string;
  /** Number of clips (≥ 1). */
  readonly clips: number;
  /** Everything (attributes, captions, splits, held-out combinations, noise) follows from it. */
  readonly seed: number;
  /** Output sample rate in Hz; default 16,000. */
  readonly sampleRate?: number;
  /** Clip length in seconds; default 2 (the `fast` preset's clip length). */
  readonly clipSeconds?: number;
  /** espeak-ng voice variants to speak with (default: 8 male, female, whispering and croaking variants). */
  readonly voices?: readonly string[];
  /** Where the tools are (tests point this at an empty PATH to check the missing-tool error). */
  readonly tools?: ToolOptions;
  /** Called as clips finish. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Licences recorded with every row. */
export const GM_LICENCES = {
  instrument:
    'Rendered with FluidR3_GM.sf2 (Frank Wen, MIT licence; Debian fluid-soundfont-gm, /usr/share/doc/fluid-soundfont-gm/copyright) by fluidsynth',
  speech:
    'Synthesised by espeak-ng (GPL-3.0-or-later program; Debian espeak-ng, /usr/share/doc/espeak-ng-data/copyright); the generated audio carries no upstream sample data',
} as const;

const MANIFESTS: Record<ClipSet, string> = {
  train: 'manifest.jsonl',
  val: 'manifest.jsonl',
  test: 'manifest.jsonl',
  'heldout-combos': 'heldout-combos.jsonl',
  'heldout-vocab': 'heldout-vocab.jsonl',
};

/** Clips per fluidsynth run: big enough to amortise loading the 148 MB soundfont, small enough for progress. */
const CHUNK = 120;

function attributesOf(c: ClipPlan): Record<string, string> {
  const base = { kind: c.kind, loudness: c.loudness, noise: c.noise };
  if (c.kind === 'melodic')
    return {
      ...base,
      instrument: c.instrument.name,
      shape: c.shape,
      register: c.register,
      rhythm: c.rhythm,
      tempo: c.tempo,
    };
  if (c.kind === 'percussion')
    return { ...base, instrument: c.percussion.name, beat: c.beat, tempo: c.tempo };
  return {
    ...base,
    voice: c.voice.variant,
    speaker: c.voice.speaker,
    pitch: c.pitch,
    speed: c.speed,
    word: c.word,
  };
}

/** The manifest row of a clip (the `manifest` dataset's JSONL fields plus its attributes and licence). */
export function manifestRow(c: ClipPlan, seed: number): Record<string, unknown> {
  return {
    id: c.id,
    path: `clips/${c.id}.wav`,
    captions: composeCaptions(c, seed),
    label: labelOf(c),
    split: c.set === 'train' || c.set === 'val' || c.set === 'test' ? c.set : 'test',
    set: c.set,
    attributes: attributesOf(c),
    licence: c.kind === 'speech' ? GM_LICENCES.speech : GM_LICENCES.instrument,
  };
}

/** The clip plans of a build (no rendering): what {@link buildGmSpeech} will write. */
export function planGmSpeech(clips: number, seed: number, voices?: readonly string[]): ClipPlan[] {
  const combos = new Set(heldOutCombos(seed));
  const chosenVoices =
    voices === undefined
      ? undefined
      : voices.map(
          (v) =>
            VOICES.find((x) => x.variant === v) ?? {
              variant: v,
              speaker: v.startsWith('f') ? 'woman' : v.startsWith('m') ? 'man' : 'person',
            },
        );
  return Array.from({ length: clips }, (_, i) => {
    const plan = planClip(seed, i, combos);
    if (plan.kind !== 'speech' || chosenVoices === undefined) return plan;
    return { ...plan, voice: chosenVoices[i % chosenVoices.length] as SpeechClip['voice'] };
  });
}

/**
 * Builds gm-speech: real sampled instruments (fluidsynth + FluidR3 GM, many clips per render,
 * sliced) and espeak-ng speech, with optional background noise, as 16 kHz mono WAVs and JSONL
 * manifests — `manifest.jsonl` (train / val / test), `heldout-combos.jsonl` (instrument × shape
 * combinations no training caption pairs; the gated zero-shot set), `heldout-vocab.jsonl`
 * (instruments, percussion and words no training caption names) — plus `zero-shot.json` (labels
 * and prompt templates), `eval-heldout-*.json` (`clapjs eval` configs) and `build.json`.
 * @throws MissingToolError when fluidsynth, the soundfont or espeak-ng is missing (names the apt line)
 * @throws DataBuildError for a bad clip count, an unknown voice or a failed render
 */
export async function buildGmSpeech(options: GmSpeechOptions): Promise<BuildSummary> {
  const started = Date.now();
  const { clips, seed } = options;
  const sampleRate = options.sampleRate ?? 16_000;
  const clipSeconds = options.clipSeconds ?? 2;
  if (!Number.isInteger(clips) || clips < 1) {
    throw new DataBuildError(
      'DATA_BUILD_ARGUMENT',
      `--clips must be a whole number ≥ 1, got ${String(clips)}. Try --clips 5000.`,
    );
  }
  if (!Number.isInteger(seed))
    throw new DataBuildError(
      'DATA_BUILD_ARGUMENT',
      `--seed must be an integer, got ${String(seed)}.`,
    );
  if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 96_000) {
    throw new DataBuildError(
      'DATA_BUILD_ARGUMENT',
      `sampleRate must be an integer in 8000..96000 Hz, got ${String(sampleRate)}. Use 16000.`,
    );
  }
  if (!(clipSeconds > 0 && clipSeconds <= 30))
    throw new DataBuildError(
      'DATA_BUILD_ARGUMENT',
      `clipSeconds must be in (0, 30], got ${String(clipSeconds)}.`,
    );
  const tools = checkTools(options.tools);
  await checkVoices(tools, options.voices ?? VOICES.map((v) => v.variant));
  const plans = planGmSpeech(clips, seed, options.voices);

  return buildAtomically(options.out, async (dir) => {
    const clipDir = join(dir, 'clips');
    const workDir = join(dir, '.work');
    mkdirSync(clipDir);
    mkdirSync(workDir);
    let done = 0;
    const progress = (n: number): void => {
      done += n;
      options.onProgress?.(done, clips);
    };
    const save = (c: ClipPlan, samples: Float32Array): void => {
      mixNoise(c, samples, sampleRate, seed);
      for (let i = 0; i < samples.length; i++)
        samples[i] = Math.max(-1, Math.min(1, samples[i] as number));
      writeFileSync(join(clipDir, `${c.id}.wav`), encodeWav(samples, sampleRate));
    };
    const instrumentClips = plans.filter(
      (c): c is MelodicClip | PercussionClip => c.kind !== 'speech',
    );
    const chunks: (MelodicClip | PercussionClip)[][] = [];
    for (let k = 0; k < instrumentClips.length; k += CHUNK)
      chunks.push(instrumentClips.slice(k, k + CHUNK));
    const speechClips = plans.filter((c): c is SpeechClip => c.kind === 'speech');
    // Each job is one external process; as many at once as there are cores.
    const jobs: (() => Promise<void>)[] = [
      ...chunks.map((chunk, k) => async () => {
        const audio = await renderInstrumentChunk(tools, chunk, {
          sampleRate,
          clipSeconds,
          seed,
          workDir,
          name: `chunk-${k}`,
        });
        chunk.forEach((c, j) => save(c, audio[j] as Float32Array));
        rmSync(join(workDir, `chunk-${k}.raw`), { force: true });
        progress(chunk.length);
      }),
      ...speechClips.map((c) => async () => {
        save(c, await renderSpeech(tools, c, { sampleRate, clipSeconds, seed, workDir }));
        progress(1);
      }),
    ];
    await mapLimit(jobs, Math.max(1, availableParallelism()), (job) => job());
    rmSync(workDir, { recursive: true, force: true });

    const byFile = new Map<string, Record<string, unknown>[]>();
    const sets: Record<string, number> = {};
    for (const c of plans) {
      const file = MANIFESTS[c.set];
      const rows = byFile.get(file) ?? [];
      rows.push(manifestRow(c, seed));
      byFile.set(file, rows);
      sets[c.set] = (sets[c.set] ?? 0) + 1;
    }
    const manifests: Record<string, number> = {};
    for (const file of new Set(Object.values(MANIFESTS))) {
      const rows = byFile.get(file) ?? [];
      writeJsonl(join(dir, file), rows);
      manifests[file] = rows.length;
    }
    const zeroShot = {
      combos: {
        manifest: 'heldout-combos.jsonl',
        template: COMBO_TEMPLATE,
        labels: heldOutCombos(seed),
        allLabels: allComboLabels(),
      },
      vocab: {
        manifest: 'heldout-vocab.jsonl',
        templates: VOCAB_TEMPLATES,
        labels: {
          melodic: HELD_OUT_INSTRUMENTS.map((i) => i.name),
          percussion: HELD_OUT_PERCUSSION.map((p) => p.name),
          speech: [...HELD_OUT_WORDS],
        },
      },
    };
    writeFileSync(join(dir, 'zero-shot.json'), JSON.stringify(zeroShot, null, 2) + '\n');
    writeEvalConfig(dir, 'heldout-combos', 'heldout-combos.jsonl', [COMBO_TEMPLATE]);
    if (manifests['heldout-vocab.jsonl'] !== 0)
      writeEvalConfig(dir, 'heldout-vocab', 'heldout-vocab.jsonl', Object.values(VOCAB_TEMPLATES));
    const summary: BuildSummary = {
      dataset: 'gm-speech',
      out: resolve(options.out),
      clips,
      manifests,
      sets,
      seconds: (Date.now() - started) / 1000,
    };
    writeFileSync(
      join(dir, BUILD_FILE),
      JSON.stringify(
        { ...summary, seed, sampleRate, clipSeconds, licences: GM_LICENCES },
        null,
        2,
      ) + '\n',
    );
    return summary;
  });
}
