import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { CheckpointError } from './errors.js';

/**
 * Random access to the bytes of one file. Every read is range-checked against the length
 * BEFORE anything is allocated, so a hostile size field can never ask for more memory than the
 * file holds; `bytesRead` counts what was actually read.
 */
export interface ByteSource {
  /** The file's name in error messages. */
  readonly name: string;
  /** The length in bytes. */
  readonly size: number;
  /** Bytes read so far. */
  readonly bytesRead: number;
  /**
   * Reads `length` bytes at `offset` into a new array (or into `into`, which must hold them).
   * @throws CheckpointError (`code`) when the range runs past the end of the file
   */
  read(offset: number, length: number, what: string, into?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Throws `code` unless [offset, offset + length) lies inside a source of `size` bytes. */
export function checkRange(
  source: { readonly name: string; readonly size: number },
  offset: number,
  length: number,
  what: string,
  code: 'ZIP_FORMAT' | 'TORCH_FORMAT' | 'SAFETENSORS_FORMAT' | 'CHECKPOINT_LEGACY_FORMAT',
): void {
  if (
    !Number.isSafeInteger(offset) ||
    !Number.isSafeInteger(length) ||
    offset < 0 ||
    length < 0 ||
    offset + length > source.size
  ) {
    throw new CheckpointError(
      code,
      `${source.name}: ${what} (${length} bytes at offset ${offset}) runs past the end of the ${source.size}-byte file; the file is truncated or corrupt, download or save it again.`,
    );
  }
}

class FileByteSource implements ByteSource {
  bytesRead = 0;
  private handle: FileHandle | undefined;

  constructor(
    readonly name: string,
    readonly size: number,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  async read(offset: number, length: number, what: string, into?: Uint8Array) {
    const handle = this.handle;
    if (handle === undefined) {
      throw new CheckpointError('CHECKPOINT_CLOSED', `${this.name} was read after close().`);
    }
    checkRange(this, offset, length, what, 'TORCH_FORMAT');
    const out = into ?? new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(out, done, length - done, offset + done);
      if (bytesRead === 0) {
        throw new CheckpointError(
          'TORCH_FORMAT',
          `${this.name}: the file ended while reading ${what}; was it changed while being read?`,
        );
      }
      done += bytesRead;
      this.bytesRead += bytesRead;
    }
    return out.byteLength === length ? out : out.subarray(0, length);
  }

  async close() {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}

/**
 * Opens a regular file for random access. FIFOs, devices and directories are refused before
 * opening (a FIFO would block the open forever).
 * @throws CheckpointError (`CHECKPOINT_NOT_FOUND`)
 */
export async function openFileSource(path: string): Promise<ByteSource> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `Checkpoint ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path.`,
      { cause: error },
    );
  }
  if (!info.isFile()) {
    throw new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `Checkpoint ${path} is not a regular file; give the path of a .pt/.pth/.ckpt/.bin/.safetensors file or a model folder.`,
    );
  }
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `Checkpoint ${path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? String(error)}); check its permissions.`,
      { cause: error },
    );
  }
  return new FileByteSource(path, info.size, handle);
}

/** A source over bytes already in memory (tests, fuzzing, and small embedded files). */
export function memorySource(bytes: Uint8Array, name = 'checkpoint'): ByteSource {
  let bytesRead = 0;
  return {
    name,
    size: bytes.byteLength,
    get bytesRead() {
      return bytesRead;
    },
    read(offset, length, what, into) {
      try {
        checkRange(this, offset, length, what, 'TORCH_FORMAT');
      } catch (error) {
        return Promise.reject(error as Error);
      }
      bytesRead += length;
      const slice = bytes.subarray(offset, offset + length);
      if (into === undefined) return Promise.resolve(slice.slice());
      into.set(slice);
      return Promise.resolve(into.subarray(0, length));
    },
    close: () => Promise.resolve(),
  };
}
