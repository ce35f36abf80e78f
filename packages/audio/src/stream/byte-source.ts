import { AudioDecodeError } from '../errors.js';

/**
 * Random access to a file's bytes without holding the file: what the header parsers and the
 * streaming decoders read through, so a long file is never in memory whole.
 */
export interface ByteSource {
  /** The file's length in bytes. */
  readonly size: number;
  /**
   * Up to `length` bytes from `at` (fewer at the end of the file, none past it). The view may be
   * reused by the next call: copy what must outlive it.
   */
  read(at: number, length: number): Uint8Array;
  /** Releases the file (a no-op for bytes in memory). */
  close(): void;
}

/** A {@link ByteSource} over bytes already in memory (views, no copies). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (at, length) =>
      bytes.subarray(Math.min(at, bytes.length), Math.min(at + length, bytes.length)),
    close: () => undefined,
  };
}

/** Bytes read from disk at a time: header walks that read a few bytes per frame hit this cache. */
const BLOCK = 1 << 16;

/**
 * A {@link ByteSource} over a file on disk (Node only), read with positional reads through a
 * one-block cache; memory stays at one block plus the largest read asked for.
 */
export async function fileSource(path: string): Promise<ByteSource> {
  // A dynamic import keeps node:fs out of browser bundles that never pass a path.
  const fs = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs');
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(path, 'r');
    size = fs.fstatSync(fd).size;
  } catch (cause) {
    throw new AudioDecodeError(
      path,
      `the file cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      { cause },
    );
  }
  let block: Uint8Array = new Uint8Array(0);
  let blockAt = 0;
  const fill = (at: number, length: number): Uint8Array => {
    const buffer = new Uint8Array(Math.min(length, size - at));
    let done = 0;
    while (done < buffer.length) {
      const got = fs.readSync(fd, buffer, done, buffer.length - done, at + done);
      if (got === 0) break; // the file shrank while being read: give what is there
      done += got;
    }
    return buffer.subarray(0, done);
  };
  return {
    size,
    read(at, length) {
      if (at >= size || length <= 0) return new Uint8Array(0);
      const end = Math.min(at + length, size);
      if (at >= blockAt && end <= blockAt + block.length)
        return block.subarray(at - blockAt, end - blockAt);
      if (end - at > BLOCK) return fill(at, end - at);
      block = fill(at, BLOCK);
      blockAt = at;
      return block.subarray(0, Math.min(end - at, block.length));
    },
    close: () => fs.closeSync(fd),
  };
}
