import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeWav } from '@clapjs/audio';
import { manifestConfigSchema, manifestDataset } from '@clapjs/data';
import { describe, expect, it } from 'vitest';
import { MissingToolError, REAL_EVAL_APT_LINE } from './errors.js';
import { catLicence, catTitle, readSoundCatalogue } from './opensfx-cat.js';
import { buildRealEval } from './real-eval.js';
import type { RealEvalSet } from './real-eval.js';
import { SOURCES } from './real-eval-sources.js';
import { transferLabel } from './transfer-labels.js';
import { TRAIN_INSTRUMENTS, TRAIN_PERCUSSION, TRAIN_WORDS } from './gm-vocabulary.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'clapjs-real-'));
const tone = (n: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i / 5));

describe('OpenTTD sound catalogue', () => {
  it('reads the entry table (count = first offset & 0x7fffffff / 8), names and WAVs', () => {
    const wavs = [encodeWav(tone(100), 11_025), encodeWav(tone(60), 11_025)];
    const names = [
      '"Good Year". By J. License: Creative Commons Zero 1.0.',
      '"Bad Year (sad)". By K.',
    ];
    const parts: number[] = [];
    const table: number[] = [];
    let offset = 8 * wavs.length;
    wavs.forEach((wav, k) => {
      const name = new TextEncoder().encode(`${names[k] as string}\0`);
      const entry = [name.length, ...name, ...wav];
      table.push(k === 0 ? offset | 0x80000000 : offset, wav.length);
      parts.push(...entry);
      offset += entry.length;
    });
    const header = new Uint8Array(8 * wavs.length);
    const view = new DataView(header.buffer);
    table.forEach((v, i) => view.setUint32(4 * i, v >>> 0, true));
    const entries = readSoundCatalogue(Uint8Array.from([...header, ...parts]), 'test.cat');
    expect(entries.map((e) => e.name)).toEqual(names);
    expect(entries.map((e) => e.wav.length)).toEqual(wavs.map((w) => w.length));
    expect(catTitle(names[1] as string)).toBe('Bad Year (sad)');
    expect(catLicence(names[0] as string)).toBe('Creative Commons Zero 1.0');
    expect(() => readSoundCatalogue(Uint8Array.from([1, 2, 3]), 'x.cat')).toThrow(
      /x\.cat: not a readable OpenTTD sound catalogue/,
    );
  });
});

describe('transfer labels', () => {
  it('maps drum-kit names, instrument names and spoken words onto gm-speech training labels', () => {
    expect(transferLabel('Closed HH', 'drum')).toBe('hi-hat');
    expect(transferLabel('Pearl Kick', 'drum')).toBe('kick drum');
    expect(transferLabel('Ride Jazz', 'drum')).toBe('ride cymbal');
    expect(transferLabel('Finger Snaps', 'drum')).toBeUndefined();
    expect(transferLabel('A floor tom drum.', 'sound')).toBe('tom drum');
    expect(transferLabel('A cello.', 'sound')).toBe('cello');
    expect(transferLabel('A bassoon.', 'sound')).toBeUndefined(); // held-out vocabulary: zero-shot
    expect(transferLabel('Seven.', 'speech')).toBe('seven');
    expect(transferLabel('7', 'speech')).toBe('seven');
    expect(transferLabel('Please hold.', 'speech')).toBeUndefined();
  });
});

describe('buildRealEval', () => {
  it('names the apt line when a package is missing', async () => {
    const fake = { ...SOURCES[0]!, root: '/nonexistent/stamps' };
    const error = await buildRealEval({ out: join(tmp(), 'r'), sources: [fake] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingToolError);
    expect((error as MissingToolError).aptLine).toBe(
      'sudo apt-get install -y tuxpaint-stamps-default',
    );
    expect(REAL_EVAL_APT_LINE).toContain('asterisk-core-sounds-en-wav');
  });

  const installed = SOURCES.every((s) => existsSync(s.root));
  it.runIf(!installed)('without the packages, stops and names the apt line', async () => {
    const error = await buildRealEval({ out: join(tmp(), 'r') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingToolError);
  });

  it.runIf(installed)(
    'writes transfer and zero-shot manifests with licences from the Debian packages',
    async () => {
      const out = join(tmp(), 'real');
      const summary = await buildRealEval({ out, limit: 3 });
      const { sets } = JSON.parse(readFileSync(join(out, 'real-eval.json'), 'utf8')) as {
        sets: RealEvalSet[];
      };
      expect(sets.map((s) => s.name).sort()).toEqual(
        [
          'asterisk-transfer',
          'asterisk-zero-shot',
          'hydrogen-transfer',
          'hydrogen-zero-shot',
          'opensfx-zero-shot',
          'tuxpaint-transfer',
          'tuxpaint-zero-shot',
        ].sort(),
      );
      const trained = new Set([
        ...TRAIN_INSTRUMENTS.map((i) => i.name),
        ...TRAIN_PERCUSSION.map((p) => p.name),
        ...TRAIN_WORDS,
      ]);
      for (const set of sets) {
        expect(set.labels.every((l) => trained.has(l))).toBe(set.transfer);
        const config = JSON.parse(readFileSync(join(out, `eval-${set.name}.json`), 'utf8')) as {
          eval: { templates: string[] };
        };
        expect(
          config.eval.templates.every((t) =>
            /^(a \{label\} (melody|beat)|someone saying \{label\}|the sound of \{label\})$/.test(t),
          ),
        ).toBe(true);
        const ds = manifestDataset.create(
          { name: 'manifest', ...manifestConfigSchema.parse({ path: set.manifest }) },
          { root: out },
        );
        expect(ds.size).toBe(set.count);
        const item = await ds.get(0);
        expect(item.split).toBe('test');
        expect(item.label).toBeDefined();
        const row = JSON.parse(
          readFileSync(join(out, set.manifest), 'utf8').split('\n')[0] as string,
        ) as { licence: string };
        expect(row.licence).toMatch(/GPL|CC|Creative Commons/);
      }
      expect(summary.clips).toBeGreaterThan(15);
    },
    60_000,
  );
});
