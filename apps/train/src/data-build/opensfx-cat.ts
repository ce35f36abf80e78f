import { DataBuildError } from './errors.js';

/** One sound of an OpenTTD sound catalogue (`.cat`). */
export interface CatEntry {
  /** The entry's name as stored, e.g. `"Good Year". By Janis Lukss. License: Creative Commons Attribution 3.0 Unported.` */
  readonly name: string;
  /** The WAV file's bytes (a RIFF chunk). */
  readonly wav: Uint8Array;
}

/**
 * Decodes an OpenTTD sound catalogue: a table of (offset, size) little-endian uint32 pairs — the
 * entry count is the first offset with bit 31 masked, divided by 8 — and at each offset a length
 * byte, a NUL-terminated name of that length, then a RIFF WAV.
 * @throws DataBuildError (`DATA_BUILD_AUDIO`) for a truncated or inconsistent catalogue
 */
export function readSoundCatalogue(bytes: Uint8Array, file: string): CatEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (why: string): never => {
    throw new DataBuildError(
      'DATA_BUILD_AUDIO',
      `${file}: not a readable OpenTTD sound catalogue (${why}).`,
    );
  };
  if (bytes.length < 8) fail('shorter than one table entry');
  const count = (view.getUint32(0, true) & 0x7fffffff) / 8;
  if (!Number.isInteger(count) || count < 1 || count * 8 > bytes.length)
    fail(`table size ${count * 8} bytes`);
  const entries: CatEntry[] = [];
  for (let k = 0; k < count; k++) {
    const offset = view.getUint32(k * 8, true) & 0x7fffffff;
    const size = view.getUint32(k * 8 + 4, true);
    if (offset + 1 > bytes.length) fail(`entry ${k} starts past the end`);
    const nameLength = bytes[offset] as number;
    const rawName = bytes.subarray(offset + 1, offset + 1 + nameLength);
    const end = rawName.indexOf(0);
    const name = new TextDecoder().decode(end < 0 ? rawName : rawName.subarray(0, end)).trim();
    const start = offset + 1 + nameLength;
    if (
      start + 8 > bytes.length ||
      String.fromCharCode(...bytes.subarray(start, start + 4)) !== 'RIFF'
    )
      fail(`entry ${k} ("${name}") has no RIFF data`);
    // The RIFF header's own size is authoritative; the table's size field covers the name too in some files.
    const riffLength = view.getUint32(start + 4, true) + 8;
    const length = Math.min(riffLength, bytes.length - start, Math.max(size, riffLength));
    entries.push({ name, wav: bytes.subarray(start, start + length) });
  }
  return entries;
}

/** The title of an OpenSFX entry name: the quoted part (`"Good Year". By …` → `Good Year`), else the whole name. */
export function catTitle(name: string): string {
  const quoted = /^"([^"]+)"/.exec(name);
  return (quoted?.[1] ?? name.split('.')[0] ?? name).trim();
}

/** The licence stated in an OpenSFX entry name (`… License: Creative Commons Zero 1.0.`), if any. */
export function catLicence(name: string): string | undefined {
  const m = /License:\s*(.+?)\.?\s*$/.exec(name);
  return m?.[1];
}
