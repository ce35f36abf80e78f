import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { encodeWav, resample } from '@clapjs/audio';
import { BUILD_FILE, buildAtomically, writeJsonl } from './atomic.js';
import type { BuildSummary } from './atomic.js';
import { DataBuildError, MissingToolError } from './errors.js';
import { SOURCES } from './real-eval-sources.js';
import type { Source, SourceItem } from './real-eval-sources.js';
import { writeEvalConfig } from './eval-configs.js';
import { promptFor, templateFor } from './transfer-labels.js';

/** Options of {@link buildRealEval}. */
export interface RealEvalOptions {
  /** The output directory (written atomically). */
  readonly out: string;
  /** Output sample rate; default 16,000 Hz (gm-speech's). */
  readonly sampleRate?: number;
  /** Longest clip kept, in seconds (longer recordings are cut); default 10. */
  readonly maxSeconds?: number;
  /** At most this many sounds per source and set (for quick checks); default all. */
  readonly limit?: number;
  /** Sources to build (default all four); tests pass their own. */
  readonly sources?: readonly Source[];
  readonly onProgress?: (done: number, total: number) => void;
}

/** One evaluation set of real-eval.json. */
export interface RealEvalSet {
  readonly name: string;
  readonly source: string;
  readonly manifest: string;
  /** true: labels are gm-speech training labels (transfer); false: they are not (zero-shot). */
  readonly transfer: boolean;
  readonly count: number;
  readonly labels: string[];
  /** The zero-shot prompt per label, phrased like gm-speech's training captions. */
  readonly prompts: Record<string, string>;
}

function takeLimited(items: SourceItem[], limit: number | undefined): SourceItem[] {
  if (limit === undefined) return items;
  const transfer = items.filter((i) => i.transfer).slice(0, limit);
  const zeroShot = items.filter((i) => !i.transfer).slice(0, limit);
  return [...transfer, ...zeroShot];
}

/**
 * Builds real-eval: recorded, labelled sounds from Debian packages (Tux Paint stamps, OpenSFX,
 * Hydrogen drum kits, Asterisk prompts) as 16 kHz mono WAVs with manifests, kept apart by whether
 * their labels occur in gm-speech's training captions: `<source>-transfer.jsonl` and
 * `<source>-zero-shot.jsonl`, each with a `clapjs eval` config `eval-<source>-<set>.json`. Each row
 * records its file's licence. `real-eval.json` lists the
 * sets with their labels and prompts; sounds that fail to decode are counted in build.json.
 * @throws MissingToolError naming the apt line when a package is missing
 */
export async function buildRealEval(options: RealEvalOptions): Promise<BuildSummary> {
  const started = Date.now();
  const sampleRate = options.sampleRate ?? 16_000;
  const maxSeconds = options.maxSeconds ?? 10;
  const sources = options.sources ?? SOURCES;
  const missing = sources.filter((s) => !existsSync(s.root));
  if (missing.length > 0) {
    const packages = [...new Set(missing.flatMap((s) => s.packages))];
    throw new MissingToolError(
      packages.map((p) => `the Debian package ${p}`),
      `sudo apt-get install -y ${packages.join(' ')}`,
    );
  }
  const listed = sources.map((source) => ({
    source,
    items: takeLimited(source.list(source.root), options.limit),
  }));
  const total = listed.reduce((n, s) => n + s.items.length, 0);
  if (total === 0)
    throw new DataBuildError(
      'DATA_BUILD_EMPTY',
      'real-eval found no labelled sounds in the installed packages.',
    );

  return buildAtomically(options.out, async (dir) => {
    let done = 0;
    let written = 0;
    const skipped: { origin: string; reason: string }[] = [];
    const sets: RealEvalSet[] = [];
    const manifests: Record<string, number> = {};
    const counts: Record<string, number> = {};
    for (const { source, items } of listed) {
      const rows: Record<'transfer' | 'zero-shot', Record<string, unknown>[]> = {
        transfer: [],
        'zero-shot': [],
      };
      for (const item of items) {
        try {
          const decoded = await item.load();
          let samples =
            decoded.sampleRate === sampleRate
              ? decoded.samples
              : resample(decoded.samples, decoded.sampleRate, sampleRate);
          if (samples.length > maxSeconds * sampleRate)
            samples = samples.slice(0, maxSeconds * sampleRate);
          if (samples.length === 0) throw new Error('no samples');
          const path = `clips/${item.id}.wav`;
          mkdirSync(dirname(join(dir, path)), { recursive: true });
          writeFileSync(join(dir, path), encodeWav(samples, sampleRate));
          written++;
          const set = item.transfer ? 'transfer' : 'zero-shot';
          rows[set].push({
            id: item.id,
            path,
            captions: item.captions,
            label: item.label,
            split: 'test',
            set,
            source: source.name,
            origin: item.origin,
            licence: item.licence,
          });
        } catch (error) {
          skipped.push({
            origin: item.origin,
            reason: error instanceof Error ? error.message : String(error),
          });
        }
        options.onProgress?.(++done, total);
      }
      for (const set of ['transfer', 'zero-shot'] as const) {
        const list = rows[set];
        if (list.length === 0) continue;
        const manifest = `${source.name}-${set}.jsonl`;
        writeJsonl(join(dir, manifest), list);
        manifests[manifest] = list.length;
        counts[`${source.name}-${set}`] = list.length;
        const labels = [...new Set(list.map((r) => r['label'] as string))].sort();
        const families = [...new Set(labels.map(templateFor))];
        writeEvalConfig(dir, `${source.name}-${set}`, manifest, families);
        sets.push({
          name: `${source.name}-${set}`,
          source: source.name,
          manifest,
          transfer: set === 'transfer',
          count: list.length,
          labels,
          prompts: Object.fromEntries(labels.map((l) => [l, promptFor(l)])),
        });
      }
    }
    writeFileSync(join(dir, 'real-eval.json'), JSON.stringify({ sets }, null, 2) + '\n');
    const summary: BuildSummary = {
      dataset: 'real-eval',
      out: resolvePath(options.out),
      clips: written,
      manifests,
      sets: counts,
      seconds: (Date.now() - started) / 1000,
    };
    writeFileSync(
      join(dir, BUILD_FILE),
      JSON.stringify({ ...summary, sampleRate, maxSeconds, skipped }, null, 2) + '\n',
    );
    return summary;
  });
}
