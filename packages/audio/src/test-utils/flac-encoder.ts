/**
 * A minimal FLAC encoder for tests: STREAMINFO + fixed-size frames of VERBATIM subframes
 * (every sample stored as-is, independent channels), with the frame CRC-8 and CRC-16 the format
 * requires. Real decoders (libFLAC) read it like any other FLAC file; being lossless and
 * uncompressed, it puts exact integer samples into a FLAC container without a `flac` binary.
 */

class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  /** Appends the low `bits` bits of `value` (two's complement for negatives), MSB first. */
  write(value: number, bits: number): void {
    for (let b = bits - 1; b >= 0; b--) {
      // Division instead of >> so fields wider than 32 bits (36-bit total samples) work.
      const bit = Math.floor(value / 2 ** b) & 1;
      this.current = (this.current << 1) | bit;
      if (++this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
  }

  /** Zero-pads to a byte boundary. */
  align(): void {
    if (this.used > 0) this.write(0, 8 - this.used);
  }

  get length(): number {
    return this.bytes.length;
  }

  slice(from = 0): number[] {
    return this.bytes.slice(from);
  }
}

function crc8(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: readonly number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** FLAC's "UTF-8" coding of a frame number (up to 31 bits here). */
function utf8Number(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  let v = n;
  let continuation = 0;
  do {
    out.unshift(0x80 | (v & 0x3f));
    v = Math.floor(v / 64);
    continuation++;
  } while (v > 0x3f >> continuation); // the leading byte holds 6 − continuation payload bits
  out.unshift(((0xff00 >> (continuation + 1)) & 0xff) | v);
  return out;
}

/**
 * Encodes integer samples as a FLAC file.
 * @param channels one Int32Array per channel, all the same length, values within `bitDepth` bits
 * @param sampleRate Hz (below 65,536, or a multiple of 10 up to 655,350)
 * @param bitDepth 8, 12, 16, 20 or 24 (the depths a frame header can name)
 */
export function encodeFlacVerbatim(
  channels: readonly Int32Array[],
  sampleRate: number,
  bitDepth: 8 | 12 | 16 | 20 | 24,
  blockSize = 4096,
): Uint8Array {
  const frames = channels[0]?.length ?? 0;
  const rateInHz = sampleRate < 65_536;
  if (!rateInHz && (sampleRate % 10 !== 0 || sampleRate > 655_350))
    throw new Error(`encodeFlacVerbatim: a frame header cannot name ${sampleRate} Hz`);
  const out = new BitWriter();
  for (const c of 'fLaC') out.write(c.charCodeAt(0), 8);
  out.write(1, 1); // last metadata block
  out.write(0, 7); // STREAMINFO
  out.write(34, 24);
  out.write(blockSize, 16);
  out.write(blockSize, 16);
  out.write(0, 24); // min frame size unknown
  out.write(0, 24); // max frame size unknown
  out.write(sampleRate, 20);
  out.write(channels.length - 1, 3);
  out.write(bitDepth - 1, 5);
  out.write(frames, 36);
  for (let i = 0; i < 16; i++) out.write(0, 8); // MD5 unset
  const sizeCode = { 8: 0b001, 12: 0b010, 16: 0b100, 20: 0b101, 24: 0b110 }[bitDepth];
  for (let start = 0, index = 0; start < frames; start += blockSize, index++) {
    const n = Math.min(blockSize, frames - start);
    const frameStart = out.length;
    out.write(0b11111111111110, 14);
    out.write(0, 1);
    out.write(0, 1); // fixed block size
    out.write(0b0111, 4); // block size: 16 bits at the end of the header
    // The rate is repeated in every frame header: the wasm decoder sees frames, not STREAMINFO.
    out.write(rateInHz ? 0b1101 : 0b1110, 4);
    out.write(channels.length - 1, 4); // independent channels
    out.write(sizeCode, 3);
    out.write(0, 1);
    for (const byte of utf8Number(index)) out.write(byte, 8);
    out.write(n - 1, 16);
    out.write(rateInHz ? sampleRate : sampleRate / 10, 16);
    out.write(crc8(out.slice(frameStart)), 8);
    for (const channel of channels) {
      out.write(0, 1);
      out.write(0b000001, 6); // VERBATIM
      out.write(0, 1); // no wasted bits
      for (let i = 0; i < n; i++) out.write(channel[start + i] as number, bitDepth);
    }
    out.align();
    out.write(crc16(out.slice(frameStart)), 16);
  }
  return Uint8Array.from(out.slice());
}
