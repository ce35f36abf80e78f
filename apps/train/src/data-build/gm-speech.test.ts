import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeWav } from '@clapjs/audio';
import { manifestConfigSchema, manifestDataset } from '@clapjs/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataBuildError, GM_SPEECH_APT_LINE, MissingToolError } from './errors.js';
import { buildGmSpeech, manifestRow, planGmSpeech } from './gm-speech.js';
import { heldOutCombos } from './gm-plan.js';
import {
  HELD_OUT_INSTRUMENTS,
  HELD_OUT_PERCUSSION,
  HELD_OUT_WORDS,
  TRAIN_INSTRUMENTS,
} from './gm-vocabulary.js';
import { checkTools } from './tools.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'clapjs-gm-'));
const hasWords = (caption: string, phrase: string): boolean =>
  new RegExp(`\\b${phrase}\\b`).test(caption);
/** Whether the tools are installed; when not, every build must fail with the apt line instead. */
const toolsError = ((): unknown => {
  try {
    checkTools();
    return undefined;
  } catch (error) {
    return error;
  }
})();

function readRows(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('checkTools', () => {
  it('names what is missing and the exact apt-get line', () => {
    const error = (() => {
      try {
        checkTools({ path: '', soundfont: '/nonexistent/FluidR3_GM.sf2' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MissingToolError);
    const e = error as MissingToolError;
    expect(e.code).toBe('DATA_BUILD_TOOL_MISSING');
    expect(e.missing).toEqual([
      'fluidsynth',
      'the soundfont /nonexistent/FluidR3_GM.sf2',
      'espeak-ng',
    ]);
    expect(e.aptLine).toBe('sudo apt-get install -y fluidsynth fluid-soundfont-gm espeak-ng');
    expect(e.message).toContain(GM_SPEECH_APT_LINE);
  });
});

describe('gm-speech plan (no rendering)', () => {
  const seed = 7;
  const plans = planGmSpeech(3000, seed);
  const rows = plans.map((p) => manifestRow(p, seed));
  const train = rows.filter((r) => r['set'] === 'train');
  const trainCaptions = train.flatMap((r) => r['captions'] as string[]);

  it('holds out a quarter of the instrument × shape combinations, whose words all occur in training', () => {
    const combos = heldOutCombos(seed);
    expect(combos).toHaveLength(TRAIN_INSTRUMENTS.length);
    for (const combo of combos) {
      const [shape, instrument] = combo.split(' ') as [string, string];
      expect(trainCaptions.some((c) => hasWords(c, shape))).toBe(true);
      expect(trainCaptions.some((c) => hasWords(c, instrument))).toBe(true);
      // The pair never occurs together in one training caption.
      expect(trainCaptions.filter((c) => hasWords(c, shape) && hasWords(c, instrument))).toEqual(
        [],
      );
    }
    const held = rows.filter((r) => r['set'] === 'heldout-combos');
    expect(held.length).toBeGreaterThan(200);
    expect(new Set(held.map((r) => r['label']))).toEqual(new Set(combos));
    expect(heldOutCombos(seed + 1)).not.toEqual(combos);
  });

  it('never names the held-out vocabulary in a training caption', () => {
    const names = [
      ...HELD_OUT_INSTRUMENTS.map((i) => i.name),
      ...HELD_OUT_PERCUSSION.map((p) => p.name),
      ...HELD_OUT_WORDS,
    ];
    expect(
      HELD_OUT_INSTRUMENTS.length / (HELD_OUT_INSTRUMENTS.length + TRAIN_INSTRUMENTS.length),
    ).toBeGreaterThanOrEqual(0.25);
    for (const name of names) expect(trainCaptions.filter((c) => hasWords(c, name))).toEqual([]);
    const vocab = rows.filter((r) => r['set'] === 'heldout-vocab');
    expect(vocab.length).toBeGreaterThan(100);
    expect(vocab.every((r) => names.includes(r['label'] as string))).toBe(true);
  });

  it('splits train / val / test by clip and gives several phrasings per clip', () => {
    const counts = Object.fromEntries(
      ['train', 'val', 'test'].map((s) => [s, rows.filter((r) => r['set'] === s).length]),
    );
    expect(counts['train']).toBeGreaterThan(1500);
    expect(counts['val']).toBeGreaterThan(150);
    expect(counts['test']).toBeGreaterThan(150);
    expect(rows.every((r) => new Set(r['captions'] as string[]).size === 5)).toBe(true);
    expect(new Set(rows.map((r) => (r['attributes'] as { kind: string }).kind))).toEqual(
      new Set(['melodic', 'percussion', 'speech']),
    );
    expect(planGmSpeech(50, seed).map((p) => manifestRow(p, seed))).toEqual(rows.slice(0, 50));
  });
});

describe('buildGmSpeech', () => {
  it('refuses a clip count of 0 and a directory that is not a build', async () => {
    await expect(buildGmSpeech({ out: join(tmp(), 'x'), clips: 0, seed: 1 })).rejects.toThrow(
      /--clips must be a whole number ≥ 1/,
    );
    await expect(
      buildGmSpeech({ out: join(tmp(), 'x'), clips: 0, seed: 1 }),
    ).rejects.toBeInstanceOf(DataBuildError);
    if (toolsError !== undefined) return;
    const out = tmp();
    writeFileSync(join(out, 'precious.txt'), 'keep me');
    await expect(buildGmSpeech({ out, clips: 2, seed: 1 })).rejects.toThrow(/not a dataset build/);
    expect(readdirSync(out)).toEqual(['precious.txt']);
  });

  it.runIf(toolsError !== undefined)(
    'without the tools, stops and names the apt line',
    async () => {
      const error = await buildGmSpeech({ out: join(tmp(), 'gm'), clips: 4, seed: 1 }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MissingToolError);
      expect((error as MissingToolError).aptLine).toBe(GM_SPEECH_APT_LINE);
    },
  );

  describe.runIf(toolsError === undefined)('with fluidsynth and espeak-ng', () => {
    const root = tmp();
    const out = join(root, 'gm');
    const progress: number[] = [];
    beforeAll(async () => {
      await buildGmSpeech({
        out,
        clips: 24,
        seed: 3,
        onProgress: (done, total) => progress.push(done / total),
      });
    }, 120_000);

    it('renders real, non-silent 2 s clips at 16 kHz, with progress', () => {
      const rows = [
        ...readRows(join(out, 'manifest.jsonl')),
        ...readRows(join(out, 'heldout-combos.jsonl')),
        ...readRows(join(out, 'heldout-vocab.jsonl')),
      ];
      expect(rows).toHaveLength(24);
      for (const row of rows) {
        const audio = decodeWav(new Uint8Array(readFileSync(join(out, row['path'] as string))));
        expect(audio.sampleRate).toBe(16_000);
        expect(audio.samples.length).toBe(32_000);
        let energy = 0;
        for (const x of audio.samples) energy += x * x;
        expect(
          Math.sqrt(energy / audio.samples.length),
          `${row['id'] as string} is silent`,
        ).toBeGreaterThan(1e-3);
        expect(row['licence']).toMatch(
          (row['attributes'] as { kind: string }).kind === 'speech'
            ? /espeak-ng/
            : /FluidR3_GM.*MIT/,
        );
      }
      expect(progress.at(-1)).toBe(1);
      expect(existsSync(join(out, 'build.json'))).toBe(true);
      expect(readdirSync(root)).toEqual(['gm']); // no temporary directory left behind
    });

    it("writes manifests that @clapjs/data's manifest dataset reads", async () => {
      const ds = manifestDataset.create(
        { name: 'manifest', ...manifestConfigSchema.parse({ path: 'manifest.jsonl' }) },
        { root: out },
      );
      expect(ds.size).toBe(readRows(join(out, 'manifest.jsonl')).length);
      const item = await ds.get(0);
      expect(item.captions.length).toBe(5);
      expect(item.split).toMatch(/^(train|val|test)$/);
      const zeroShot = JSON.parse(readFileSync(join(out, 'zero-shot.json'), 'utf8')) as {
        combos: { labels: string[]; template: string };
      };
      expect(zeroShot.combos.labels).toEqual(heldOutCombos(3));
      expect(zeroShot.combos.template).toBe('a {label} melody');
    });

    it('is deterministic: the same seed writes the same manifests', async () => {
      const again = join(tmp(), 'gm');
      await buildGmSpeech({ out: again, clips: 24, seed: 3 });
      for (const f of [
        'manifest.jsonl',
        'heldout-combos.jsonl',
        'heldout-vocab.jsonl',
        'zero-shot.json',
      ]) {
        expect(readFileSync(join(again, f), 'utf8')).toBe(readFileSync(join(out, f), 'utf8'));
      }
    }, 120_000);

    it('fails cleanly on an unknown voice or a file that is not a soundfont, leaving nothing behind', async () => {
      const dir = tmp();
      await expect(
        buildGmSpeech({ out: join(dir, 'a'), clips: 4, seed: 1, voices: ['no-such-voice'] }),
      ).rejects.toThrow(/no voice variant "no-such-voice"/);
      const fake = join(dir, 'fake.sf2');
      writeFileSync(fake, 'not a soundfont');
      const error = await buildGmSpeech({
        out: join(dir, 'b'),
        clips: 6,
        seed: 1,
        tools: { soundfont: fake },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataBuildError);
      expect((error as DataBuildError).code).toBe('DATA_BUILD_SOUNDFONT');
      expect(readdirSync(dir)).toEqual(['fake.sf2']);
    }, 60_000);
  });
});
