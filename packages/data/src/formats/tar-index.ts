import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { DatasetError } from '../errors.js';

/** A regular file inside a tar archive: its name and where its bytes are. */
export interface TarMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** The bytes, for members the caller asked to read while indexing (small sidecar files). */
  readonly body?: Uint8Array;
}

const BLOCK = 512;
const decoder = new TextDecoder();

function text(block: Uint8Array, start: number, length: number): string {
  const bytes = block.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}

function octal(block: Uint8Array, start: number, length: number): number {
  // GNU base-256 for sizes of 8 GiB and more: high bit set, big-endian binary follows.
  if (((block[start] ?? 0) & 0x80) !== 0) {
    let value = (block[start] ?? 0) & 0x7f;
    for (let i = 1; i < length; i++) value = value * 256 + (block[start + i] ?? 0);
    return value;
  }
  const digits = text(block, start, length).trim();
  // Not parseInt: it reads "-1" as -1 and "12abc" as 10; a size must be octal digits only.
  return digits === '' ? 0 : /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : NaN;
}

/** Pax extended headers and GNU long names are small; a larger one is a damaged or hostile shard. */
const MAX_META_BYTES = 1024 * 1024;

function checksumOk(block: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] as number);
  return sum === octal(block, 148, 8);
}

function parsePax(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const body = decoder.decode(bytes);
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(' ', at);
    const length = parseInt(body.slice(at, space), 10);
    if (space === -1 || !(length > 0)) break;
    const record = body.slice(space + 1, at + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

/**
 * Lists the regular files of a tar archive by reading only its headers (ustar, pax and GNU long
 * names), so that a shard of any size is indexed without reading its payload. Synchronous
 * because dataset plugins are built synchronously; members are then read by offset, except those
 * `wantBody` selects, whose bytes come with the index.
 * @throws DatasetError `DATASET_TAR_INVALID` naming the shard and member when a header's checksum
 * is wrong (not a tar file), or a size is not a non-negative number that fits in the file
 */
export function indexTar(
  file: string,
  wantBody: (name: string) => boolean = () => false,
): TarMember[] {
  const fd = openSync(file, 'r');
  try {
    const total = fstatSync(fd).size;
    let offset = 0;
    const invalid = (member: string, why: string): never => {
      throw new DatasetError(
        'DATASET_TAR_INVALID',
        `${file}: member "${member.slice(0, 200)}" (header at byte ${offset}) ${why}. The shard is damaged or was not written as a tar file; re-create it (writeWebDataset) or remove it.`,
        { file },
      );
    };
    const members: TarMember[] = [];
    const block = new Uint8Array(BLOCK);
    let longName: string | undefined;
    let pax: Record<string, string> = {};
    let globalPax: Record<string, string> = {};
    while (offset + BLOCK <= total) {
      readSync(fd, block, 0, BLOCK, offset);
      if (block.every((b) => b === 0)) break;
      if (!checksumOk(block)) {
        throw new DatasetError(
          'DATASET_TAR_INVALID',
          `${file}: the tar header at byte ${offset} is corrupt (bad checksum). The shard is not a tar file or is truncated; re-create it (writeWebDataset) or remove it.`,
          { file },
        );
      }
      const type = String.fromCharCode(block[156] as number);
      let size = octal(block, 124, 12);
      const dataOffset = offset + BLOCK;
      const checkSize = (member: string, limit = Infinity): void => {
        if (!Number.isSafeInteger(size) || size < 0)
          invalid(member, `has size ${String(size)}, not a non-negative whole number`);
        if (dataOffset + size > total)
          invalid(
            member,
            `has size ${size}, which runs past the end of the ${total}-byte file (truncated shard?)`,
          );
        if (size > limit)
          invalid(member, `is a ${size}-byte metadata header, over the ${limit}-byte limit`);
      };
      const readBody = (): Uint8Array => {
        const body = new Uint8Array(size);
        readSync(fd, body, 0, size, dataOffset);
        return body;
      };
      if (type === 'x' || type === 'g' || type === 'L') {
        checkSize(text(block, 0, 100), MAX_META_BYTES);
        const body = readBody();
        if (type === 'x') pax = parsePax(body);
        else if (type === 'g') globalPax = { ...globalPax, ...parsePax(body) };
        else longName = text(body, 0, body.length);
      } else {
        const merged = { ...globalPax, ...pax };
        const prefix = text(block, 257, 6).startsWith('ustar') ? text(block, 345, 155) : '';
        const name =
          merged['path'] ??
          longName ??
          (prefix === '' ? text(block, 0, 100) : `${prefix}/${text(block, 0, 100)}`);
        const paxSize = merged['size'];
        if (paxSize !== undefined) size = /^\d+$/.test(paxSize) ? Number(paxSize) : NaN;
        checkSize(name);
        if (type === '0' || type === '\0' || type === '7') {
          const body = wantBody(name);
          if (body) checkSize(name, MAX_META_BYTES);
          members.push(
            body
              ? { name, offset: dataOffset, size, body: readBody() }
              : { name, offset: dataOffset, size },
          );
        }
        pax = {};
        longName = undefined;
      }
      offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    }
    return members;
  } finally {
    closeSync(fd);
  }
}

/** Reads one member's bytes (asynchronously, so that prefetching overlaps with other work). */
export async function readMember(file: string, member: TarMember): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(member.size);
    await handle.read(bytes, 0, member.size, member.offset);
    return bytes;
  } finally {
    await handle.close();
  }
}
