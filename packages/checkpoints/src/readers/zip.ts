import { checkRange, type ByteSource } from './byte-source.js';
import { CheckpointError } from './errors.js';

/** One member of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  /** 0 = stored; torch.save writes every member stored (uncompressed). */
  readonly method: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** A zip archive's central directory, and where it and the end records lie. */
export interface ZipDirectory {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /** Bytes read to find and parse the directory (end records + central directory). */
  readonly directoryBytes: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

function fail(source: ByteSource, why: string): never {
  throw new CheckpointError(
    'ZIP_FORMAT',
    `${source.name} is not a readable zip archive: ${why}; the file is truncated or corrupt, download or save it again.`,
  );
}

function u64(source: ByteSource, view: DataView, at: number, what: string): number {
  const value = view.getBigUint64(at, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) fail(source, `${what} ${value} is too large`);
  return Number(value);
}

/**
 * Finds the end-of-central-directory record: first in the last 22 bytes (an archive without a
 * comment, as torch.save writes), else in the last 64 KiB + 22 bytes.
 */
async function findEnd(source: ByteSource) {
  if (source.size < EOCD_SIZE) fail(source, `it has ${source.size} bytes, fewer than a zip's 22`);
  for (const tailLength of [EOCD_SIZE, Math.min(source.size, EOCD_SIZE + MAX_COMMENT)]) {
    const tailStart = source.size - tailLength;
    const tail = await source.read(tailStart, tailLength, 'the zip end record');
    const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
    for (let at = tailLength - EOCD_SIZE; at >= 0; at--) {
      if (view.getUint32(at, true) !== EOCD) continue;
      // The comment must end exactly at the end of the file, or this is a stray signature.
      if (at + EOCD_SIZE + view.getUint16(at + 20, true) !== tailLength) continue;
      return { tail, view, at, tailStart };
    }
    if (tailLength === source.size) break;
  }
  return fail(source, 'no end-of-central-directory record');
}

/**
 * Reads a zip archive's central directory (zip64 where the archive needs it): one read of the
 * end records and one of the directory, never the members' data. Names must be unique, and
 * every member's range must lie inside the file.
 * @throws CheckpointError (`ZIP_FORMAT`)
 */
export async function readZipDirectory(source: ByteSource): Promise<ZipDirectory> {
  const before = source.bytesRead;
  const { view, at, tailStart } = await findEnd(source);
  if (view.getUint16(at + 4, true) !== 0 || view.getUint16(at + 6, true) !== 0) {
    fail(source, 'it spans several disks');
  }
  let count = view.getUint16(at + 10, true);
  let cdSize = view.getUint32(at + 12, true);
  let cdOffset = view.getUint32(at + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locatorAt = tailStart + at - 20;
    if (locatorAt < 0) fail(source, 'its end record asks for zip64 but has no zip64 locator');
    const locatorBytes = await source.read(locatorAt, 20, 'the zip64 locator');
    const locator = new DataView(locatorBytes.buffer, locatorBytes.byteOffset, 20);
    if (locator.getUint32(0, true) !== ZIP64_LOCATOR) {
      fail(source, 'its end record asks for zip64 but has no zip64 locator');
    }
    const recordOffset = u64(source, locator, 8, 'the zip64 record offset');
    checkRange(source, recordOffset, 56, 'the zip64 end record', 'ZIP_FORMAT');
    const recordBytes = await source.read(recordOffset, 56, 'the zip64 end record');
    const record = new DataView(recordBytes.buffer, recordBytes.byteOffset, 56);
    if (record.getUint32(0, true) !== ZIP64_EOCD) fail(source, 'the zip64 end record is missing');
    count = u64(source, record, 32, 'the zip64 entry count');
    cdSize = u64(source, record, 40, 'the zip64 directory size');
    cdOffset = u64(source, record, 48, 'the zip64 directory offset');
  }
  checkRange(source, cdOffset, cdSize, 'the central directory', 'ZIP_FORMAT');
  if (count * 46 > cdSize) {
    fail(source, `its directory of ${cdSize} bytes cannot hold ${count} entries`);
  }
  const cd = await source.read(cdOffset, cdSize, 'the central directory');
  const entries = parseCentralDirectory(source, cd, count, cdOffset);
  return { entries, directoryBytes: source.bytesRead - before };
}

function parseCentralDirectory(source: ByteSource, cd: Uint8Array, count: number, end: number) {
  const view = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries = new Map<string, ZipEntry>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > cd.byteLength || view.getUint32(at, true) !== CENTRAL) {
      fail(source, `central directory entry ${i} of ${count} is missing`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localHeaderOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > cd.byteLength) fail(source, `central directory entry ${i} runs past the directory`);
    if (flags & 1) fail(source, `entry ${i} is encrypted`);
    let name: string;
    try {
      name = decoder.decode(cd.subarray(at + 46, at + 46 + nameLength));
    } catch {
      return fail(source, `entry ${i} has a name that is not UTF-8`);
    }
    // Zip64 extra field: the 64-bit values of whichever fields are saturated, in this order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (extra + 4 + length > extraEnd)
        fail(source, `entry "${name}" has a truncated extra field`);
      if (id === 1) {
        let field = extra + 4;
        const take = (what: string) => {
          if (field + 8 > extra + 4 + length)
            fail(source, `entry "${name}" lacks its zip64 ${what}`);
          const value = u64(source, view, field, `entry "${name}"'s zip64 ${what}`);
          field += 8;
          return value;
        };
        if (size === 0xffffffff) size = take('size');
        if (compressedSize === 0xffffffff) compressedSize = take('compressed size');
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take('header offset');
      }
      extra += 4 + length;
    }
    if (entries.has(name)) fail(source, `the name "${name}" appears twice`);
    if (localHeaderOffset + 30 + compressedSize > end) {
      fail(source, `entry "${name}" runs past the start of the central directory`);
    }
    entries.set(name, { name, method, compressedSize, size, localHeaderOffset });
    at = next;
  }
  return entries;
}

/**
 * Where a stored member's data starts: reads its local header (30 bytes + name + extra).
 * @returns the absolute offset of the member's first data byte
 * @throws CheckpointError (`ZIP_FORMAT`, or `ZIP_COMPRESSED` for a compressed member)
 */
export async function zipEntryDataOffset(source: ByteSource, entry: ZipEntry): Promise<number> {
  if (entry.method !== 0 || entry.compressedSize !== entry.size) {
    throw new CheckpointError(
      'ZIP_COMPRESSED',
      `${source.name}: member "${entry.name}" is compressed (method ${entry.method}); torch.save stores members uncompressed, so re-save the checkpoint with torch.save, or unzip and re-zip it with "zip -0".`,
    );
  }
  checkRange(
    source,
    entry.localHeaderOffset,
    30,
    `the local header of "${entry.name}"`,
    'ZIP_FORMAT',
  );
  const header = await source.read(
    entry.localHeaderOffset,
    30,
    `the local header of "${entry.name}"`,
  );
  const view = new DataView(header.buffer, header.byteOffset, 30);
  if (view.getUint32(0, true) !== LOCAL) fail(source, `member "${entry.name}" has no local header`);
  const start = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  checkRange(source, start, entry.size, `the data of "${entry.name}"`, 'ZIP_FORMAT');
  return start;
}
