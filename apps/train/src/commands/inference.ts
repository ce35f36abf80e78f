import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError } from '../errors.js';
import { audioFiles, loadModel, readClip, readWindows } from '../model-io.js';
import { chooseBackend } from '../backend.js';
import type { BackendName } from '@clapjs/core';
import {
  fileFusionOptions,
  parseFusionFlags,
  requireFusionModel,
  type FusionFlags,
} from './fusion-options.js';

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
  } & FusionFlags,
  log: Log,
): Promise<{ label: string; probability: number }[]> {
  const labels = opts.labels
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (labels.length === 0)
    throw new CliError('LABELS_MISSING', 'Give at least one label: --labels "dog,cat,rain".');
  const cropOffset = parseCropOffset(opts.cropOffset);
  const fusion = parseFusionFlags(opts, 1, cropOffset)?.[0];
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    if (fusion !== undefined) requireFusionModel(model, opts.model);
    // Window by window: a long file is never decoded whole.
    const windows = await readWindows(model, file, cropOffset);
    const ranked = await model.zeroShotClassify(
      windows,
      labels,
      opts.template,
      fusion === undefined || !(windows instanceof Float32Array)
        ? undefined
        : fileFusionOptions(model, file, windows, fusion),
    );
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
  } & FusionFlags,
  log: Log,
): Promise<void> {
  if (files.length === 0 && (opts.text ?? []).length === 0)
    throw new CliError('EMBED_NOTHING', 'Give audio files and/or --text "..." to embed.');
  const outFile = opts.out === undefined ? undefined : resolve(opts.out);
  if (outFile !== undefined) checkOutFile(outFile);
  const cropOffset = parseCropOffset(opts.cropOffset);
  const fusion = parseFusionFlags(opts, files.length, cropOffset);
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    if (fusion !== undefined) requireFusionModel(model, opts.model);
    const out: { kind: 'audio' | 'text'; source: string; embedding: number[] }[] = [];
    for (const [i, f] of files.entries()) {
      const audio = await readWindows(model, f, cropOffset);
      let embedding: number[];
      if (audio instanceof Float32Array) {
        const given = fusion?.[i];
        const options = given === undefined ? undefined : fileFusionOptions(model, f, audio, given);
        embedding = (await model.embedAudio([audio], options))[0] ?? [];
      } else {
        const embedded = await model.encodeAudioWindows(audio);
        embedding = Array.from((await embedded.data()) as Float32Array);
        embedded.dispose();
      }
      out.push({ kind: 'audio', source: f, embedding });
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
