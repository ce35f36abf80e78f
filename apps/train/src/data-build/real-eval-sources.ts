import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decodeAudio } from '@clapjs/audio';
import type { DecodedAudio } from '@clapjs/audio';
import { debianLicence } from './licences.js';
import { catLicence, catTitle, readSoundCatalogue } from './opensfx-cat.js';
import { normalise, transferLabel } from './transfer-labels.js';

/** A recorded sound found in a Debian package, before decoding. */
export interface SourceItem {
  readonly id: string;
  readonly label: string;
  readonly captions: readonly string[];
  /** Whether the label is a gm-speech training label (the transfer set) or not (zero-shot). */
  readonly transfer: boolean;
  readonly licence: string;
  /** Where it came from (a path, or a path and entry). */
  readonly origin: string;
  readonly load: () => Promise<DecodedAudio>;
}

/** A real-eval source: its Debian package(s), where it lives, and how to list its sounds. */
export interface Source {
  readonly name: string;
  readonly packages: readonly string[];
  /** The directory or file that must exist. */
  readonly root: string;
  readonly list: (root: string) => SourceItem[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

// decodeAudio sniffs the bytes, not the extension: one Hydrogen kit ships AIFF data named .wav.
const loadFile = (path: string) => async (): Promise<DecodedAudio> =>
  decodeAudio(new Uint8Array(readFileSync(path)), { name: path });

/** The first line of a Tux Paint stamp description (English; translations follow as `xx.utf8=`). */
function firstLine(file: string): string {
  return (readFileSync(file, 'utf8').split('\n')[0] ?? '').trim();
}

/** Tux Paint stamps: the sound effect `<stem>.ogg|.wav` beside `<stem>.txt` (spoken descriptions and translations left out). */
export const tuxpaint: Source = {
  name: 'tuxpaint',
  packages: ['tuxpaint-stamps-default'],
  root: '/usr/share/tuxpaint/stamps',
  list(root) {
    const licence = debianLicence('tuxpaint-stamps-default');
    return walk(root)
      .filter(
        (f) =>
          /\.(ogg|wav)$/.test(f) &&
          !f.includes('_desc') &&
          existsSync(join(dirname(f), `${basename(f, extname(f))}.txt`)),
      )
      .map((f) => {
        const stem = basename(f, extname(f));
        const sentence = firstLine(join(dirname(f), `${stem}.txt`));
        const label =
          normalise(stem.replace(/[_-]+/g, ' ').replace(/\s*\d+$/, '')) || normalise(stem);
        const matched =
          transferLabel(sentence, 'speech') ?? transferLabel(`${label} ${sentence}`, 'sound');
        const captions = [sentence, label].filter((c) => c !== '');
        return {
          id: `tuxpaint/${relative(root, f).replace(/\.[^.]+$/, '')}`,
          label: matched ?? label,
          captions,
          transfer: matched !== undefined,
          licence,
          origin: f,
          load: loadFile(f),
        };
      });
  },
};

/** OpenSFX (OpenTTD's free sound set): WAVs inside opensfx.cat, captioned by each entry's title. */
export const opensfx: Source = {
  name: 'opensfx',
  packages: ['openttd-opensfx'],
  root: '/usr/share/games/openttd/baseset/opensfx/opensfx.cat',
  list(root) {
    const packageLicence = debianLicence('openttd-opensfx');
    return readSoundCatalogue(new Uint8Array(readFileSync(root)), root).flatMap((entry, k) => {
      const title = catTitle(entry.name);
      if (title === '') return [];
      const label = normalise(title.replace(/\(.*?\)/g, ''));
      const matched = transferLabel(title, 'sound');
      const stated = catLicence(entry.name);
      return [
        {
          id: `opensfx/${String(k).padStart(3, '0')}`,
          label: matched ?? label,
          captions: [title, label],
          transfer: matched !== undefined,
          licence:
            stated === undefined
              ? packageLicence
              : `${stated} (as stated in opensfx.cat; package: ${packageLicence})`,
          origin: `${root}#${k}`,
          load: () => decodeAudio(entry.wav, { name: `${root}#${k}` }),
        },
      ];
    });
  },
};

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m?.[1]?.trim();
}

/** Hydrogen drum kits: every sample layer of every named instrument in each drumkit.xml. */
export const hydrogen: Source = {
  name: 'hydrogen',
  packages: ['hydrogen-drumkits'],
  root: '/usr/share/hydrogen/data/drumkits',
  list(root) {
    const packageLicence = debianLicence('hydrogen-drumkits');
    const kits = readdirSync(root)
      .filter((k) => existsSync(join(root, k, 'drumkit.xml')))
      .sort();
    return kits.flatMap((kit) => {
      const xml = readFileSync(join(root, kit, 'drumkit.xml'), 'utf8');
      const kitLicence = xmlText(xml, 'license');
      const licence = `${kitLicence === undefined || kitLicence === '' ? 'see copyright' : kitLicence} (kit "${kit}" by ${xmlText(xml, 'author') ?? 'unknown'}; package: ${packageLicence})`;
      const instruments = xml.split('<instrument>').slice(1);
      return instruments.flatMap((block, i) => {
        const name = xmlText(block, 'name') ?? '';
        // Unnamed or numbered slots carry no label.
        if (!/[a-z]{3}/i.test(name)) return [];
        const files = [...block.matchAll(/<filename>([\s\S]*?)<\/filename>/g)].map((m) =>
          (m[1] as string).trim(),
        );
        const matched = transferLabel(name, 'drum');
        const label = matched ?? normalise(name);
        return files
          .filter((f) => existsSync(join(root, kit, f)))
          .map((f, layer) => ({
            id: `hydrogen/${normalise(kit).replace(/ /g, '-')}/${i}-${layer}`,
            label,
            captions: [`${name} from the ${kit} drum kit`, label],
            transfer: matched !== undefined,
            licence,
            origin: join(root, kit, f),
            load: loadFile(join(root, kit, f)),
          }));
      });
    });
  },
};

/** Asterisk's English prompts (Allison), transcribed by asterisk-core-sounds-en's core-sounds-en.txt. */
export const asterisk: Source = {
  name: 'asterisk',
  packages: ['asterisk-core-sounds-en-wav', 'asterisk-core-sounds-en'],
  root: '/usr/share/asterisk/sounds/en_US_f_Allison',
  list(root) {
    const transcriptFile = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
    const transcripts = new Map<string, string>();
    for (const line of gunzipSync(readFileSync(transcriptFile)).toString('utf8').split('\n')) {
      const m = /^([^;:\s][^:]*):\s*(.+)$/.exec(line);
      if (m !== null) transcripts.set((m[1] as string).trim(), (m[2] as string).trim());
    }
    const licence = debianLicence('asterisk-core-sounds-en-wav');
    return walk(root)
      .filter((f) => f.endsWith('.wav'))
      .flatMap((f) => {
        const key = relative(root, f).replace(/\.wav$/, '');
        const text = transcripts.get(key);
        // Bracketed transcripts describe tones, not words; files without a transcript carry no label.
        if (text === undefined || text.startsWith('[')) return [];
        const matched = transferLabel(text, 'speech');
        const label = matched ?? normalise(text);
        return [
          {
            id: `asterisk/${key}`,
            label,
            captions: [text],
            transfer: matched !== undefined,
            licence,
            origin: f,
            load: loadFile(f),
          },
        ];
      });
  },
};

/** All real-eval sources, in build order. */
export const SOURCES: readonly Source[] = [tuxpaint, opensfx, hydrogen, asterisk];
