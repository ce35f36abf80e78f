import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './fixtures.js';

/** One 512-byte ustar header with a raw size field (up to 12 characters) and a correct checksum. */
export function tarHeader(name: string, size: string, type = '0'): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, at: number) => block.set(new TextEncoder().encode(text), at);
  put(name.slice(0, 100), 0);
  put('0000644\0', 100);
  put(size.padEnd(11, '\0').slice(0, 12), 124);
  put(type, 156);
  put('ustar\x0000', 257);
  put('        ', 148);
  const sum = block.reduce((a, b) => a + b, 0);
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

/** One pax extended-header record (`<length> <key>=<value>\n`, the length counting itself). */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  while (String(length).length + body.length !== length) length++;
  return `${length}${body}`;
}

/** The bytes of a tar archive: each part padded to 512 bytes, then the two zero end blocks. */
export function tarBytes(...parts: Uint8Array[]): Uint8Array {
  const padded = parts.map((p) => {
    const out = new Uint8Array(Math.ceil(p.length / 512) * 512);
    out.set(p);
    return out;
  });
  return Buffer.concat([...padded, new Uint8Array(1024)]);
}

/** Writes {@link tarBytes} to a fresh temporary `shard.tar` and returns its path. */
export function writeTar(...parts: Uint8Array[]): string {
  const file = join(tempDir(), 'shard.tar');
  writeFileSync(file, tarBytes(...parts));
  return file;
}
