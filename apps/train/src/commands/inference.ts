import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { clipWindows, windowClip, windowLength } from '@clapjs/audio';
import type { ClapModel } from '@clapjs/model';
import { CliError } from '../errors.js';
import { audioFiles, loadModel, readClip } from '../model-io.js';
import { chooseBackend } from '../backend.js';
import type { BackendName } from '@clapjs/core';

type Log = (line: string) => void;

/** `--crop-offset SECONDS` as a number of seconds, or undefined when not given. */
function parseCropOffset(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0)
    throw new CliError(
      'CROP_OFFSET',
      `--crop-offset ${value} is not a number of seconds ≥ 0; give where the crop starts, e.g. --crop-offset 2.5.`,
    );
  return seconds;
}

/**
 * The clip a command embeds: the whole clip (the model then averages its evenly spaced windows),
 * or with `--crop-offset` the originals' single crop starting `seconds` in (rounded to the nearest
 * sample at the model's rate), fitted to one window by the preset's padding.
 */
function cropAt(
  model: ClapModel,
  clip: Float32Array,
  file: string,
  seconds: number | undefined,
): Float32Array {
  if (seconds === undefined) return clip;
  const preset = model.frontEnd.config;
  const rate = preset.sampleRate;
  const last = Math.max(0, clip.length - windowLength(preset, rate));
  const offset = Math.round(seconds * rate);
  if (offset > last)
    throw new CliError(
      'CROP_OFFSET',
      `--crop-offset ${seconds} is past the last crop of ${file}: a ${(clip.length / rate).toFixed(3)} s clip with the model's ${preset.clipSeconds} s window takes offsets 0 to ${(last / rate).toFixed(3)} s.`,
    );
  const [span] = clipWindows(clip.length, rate, preset, { offset });
  return windowClip(clip, span!, rate, preset);
}

/** `clapjs classify FILE --labels a,b,c`: zero-shot probabilities, most probable first. */
export async function classifyCommand(
  file: string,
  opts: {
    labels: string;
    template?: string;
    model?: string;
    backend: 'auto' | BackendName;
    json?: boolean;
    cropOffset?: string;
  },
  log: Log,
): Promise<{ label: string; probability: number }[]> {
  const labels = opts.labels
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (labels.length === 0)
    throw new CliError('LABELS_MISSING', 'Give at least one label: --labels "dog,cat,rain".');
  const cropOffset = parseCropOffset(opts.cropOffset);
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    const clip = cropAt(model, await readClip(model, file), file, cropOffset);
    const ranked = await model.zeroShotClassify(clip, labels, opts.template);
    if (!ranked.every((r) => Number.isFinite(r.probability))) {
      throw new CliError(
        'CLASSIFY_NON_FINITE',
        `The model scored ${file} as NaN: its output is not finite for this clip. Check the model (train it again) and the audio.`,
      );
    }
    if (opts.json === true) log(JSON.stringify(ranked));
    else
      for (const r of ranked) log(`${(100 * r.probability).toFixed(2).padStart(6)} %  ${r.label}`);
    return ranked;
  } finally {
    model.dispose();
  }
}

/** `clapjs search --text "..." --dir DIR`: the directory's clips ranked against the text. */
export async function searchCommand(
  opts: { text: string; dir: string; k: string; model?: string; backend: 'auto' | BackendName },
  log: Log,
): Promise<{ file: string; score: number }[]> {
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    const files = audioFiles(opts.dir);
    if (files.length === 0)
      throw new CliError('DIR_EMPTY', `No audio files (.wav, .flac, .mp3, .ogg) in ${opts.dir}.`);
    const clips = await Promise.all(files.map((f) => readClip(model, f)));
    const hits = (await model.retrieve(opts.text, clips, Number(opts.k))).map((h) => ({
      file: files[h.index] as string,
      score: h.score,
    }));
    for (const h of hits) log(`${h.score.toFixed(3).padStart(8)}  ${basename(h.file)}`);
    return hits;
  } finally {
    model.dispose();
  }
}

/** `--out FILE` must name a file (not a directory) in an existing directory. */
function checkOutFile(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory())
    throw new CliError(
      'OUT_IS_DIR',
      `--out ${file} is a directory; give a file name, e.g. ${join(file, 'embeddings.json')}.`,
    );
  const parent = dirname(file);
  if (!existsSync(parent) || !statSync(parent).isDirectory())
    throw new CliError(
      'OUT_PARENT_MISSING',
      `Cannot write ${file}: the folder ${parent} does not exist. Create it first.`,
    );
}

/** `clapjs embed FILES... | --text T...`: embeddings as JSON (stdout or --out). */
export async function embedCommand(
  files: string[],
  opts: {
    text?: string[];
    out?: string;
    model?: string;
    backend: 'auto' | BackendName;
    cropOffset?: string;
  },
  log: Log,
): Promise<void> {
  if (files.length === 0 && (opts.text ?? []).length === 0)
    throw new CliError('EMBED_NOTHING', 'Give audio files and/or --text "..." to embed.');
  const outFile = opts.out === undefined ? undefined : resolve(opts.out);
  if (outFile !== undefined) checkOutFile(outFile);
  const cropOffset = parseCropOffset(opts.cropOffset);
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    const out: { kind: 'audio' | 'text'; source: string; embedding: number[] }[] = [];
    for (const f of files) {
      const clip = cropAt(model, await readClip(model, f), f, cropOffset);
      const [embedding] = await model.embedAudio([clip]);
      out.push({ kind: 'audio', source: f, embedding: embedding ?? [] });
    }
    const texts = opts.text ?? [];
    if (texts.length > 0) {
      const rows = await model.embedText(texts);
      texts.forEach((t, i) => out.push({ kind: 'text', source: t, embedding: rows[i] ?? [] }));
    }
    const json = JSON.stringify(out);
    if (outFile === undefined) log(json);
    else {
      // Temporary file + rename: an interrupted write never leaves half a JSON file.
      const tmp = `${outFile}.tmp-${process.pid}`;
      writeFileSync(tmp, json);
      renameSync(tmp, outFile);
    }
  } finally {
    model.dispose();
  }
}
