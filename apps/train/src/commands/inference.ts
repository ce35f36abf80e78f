import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { CliError } from '../errors.js';
import { audioFiles, loadModel, readClip } from '../model-io.js';
import { chooseBackend } from '../backend.js';
import type { BackendName } from '@clapjs/core';

type Log = (line: string) => void;

/** `clapjs classify FILE --labels a,b,c`: zero-shot probabilities, most probable first. */
export async function classifyCommand(
  file: string,
  opts: {
    labels: string;
    template?: string;
    model?: string;
    backend: 'auto' | BackendName;
    json?: boolean;
  },
  log: Log,
): Promise<{ label: string; probability: number }[]> {
  const labels = opts.labels
    .split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (labels.length === 0)
    throw new CliError('LABELS_MISSING', 'Give at least one label: --labels "dog,cat,rain".');
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    const clip = await readClip(model, file);
    const ranked = model.zeroShotClassify(clip, labels, opts.template);
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
    const hits = model
      .retrieve(opts.text, clips, Number(opts.k))
      .map((h) => ({ file: files[h.index] as string, score: h.score }));
    for (const h of hits) log(`${h.score.toFixed(3).padStart(8)}  ${basename(h.file)}`);
    return hits;
  } finally {
    model.dispose();
  }
}

/** `clapjs embed FILES... | --text T...`: embeddings as JSON (stdout or --out). */
export async function embedCommand(
  files: string[],
  opts: { text?: string[]; out?: string; model?: string; backend: 'auto' | BackendName },
  log: Log,
): Promise<void> {
  if (files.length === 0 && (opts.text ?? []).length === 0)
    throw new CliError('EMBED_NOTHING', 'Give audio files and/or --text "..." to embed.');
  await chooseBackend(opts.backend, () => {});
  const model = await loadModel(opts.model);
  try {
    const out: { kind: 'audio' | 'text'; source: string; embedding: number[] }[] = [];
    for (const f of files) {
      const clip = await readClip(model, f);
      const e = model.encodeAudio([clip]);
      out.push({ kind: 'audio', source: f, embedding: Array.from(e.dataSync()) });
      e.dispose();
    }
    const texts = opts.text ?? [];
    if (texts.length > 0) {
      const e = model.encodeText(texts);
      const rows = e.arraySync() as number[][];
      e.dispose();
      texts.forEach((t, i) => out.push({ kind: 'text', source: t, embedding: rows[i] ?? [] }));
    }
    const json = JSON.stringify(out);
    if (opts.out !== undefined) writeFileSync(opts.out, json);
    else log(json);
  } finally {
    model.dispose();
  }
}
