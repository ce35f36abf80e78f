// Test helper: writes WAV files field by field, including ones no encoder would produce.

export interface WavSpec {
  /** Format tag: 1 PCM, 3 float, anything else to test rejection. */
  tag?: number;
  /** Wrap the tag in WAVE_FORMAT_EXTENSIBLE. */
  extensible?: boolean;
  channels?: number;
  sampleRate?: number;
  bits?: number;
  /** Frames of per-channel sample values in [-1, 1] (written in the declared format). */
  frames?: number[][];
  /** Raw data bytes instead of `frames`. */
  data?: Uint8Array;
  /** Chunks written before "fmt " and between "fmt " and "data". */
  before?: [string, Uint8Array][];
  between?: [string, Uint8Array][];
  blockAlign?: number;
  riffSize?: number;
  dataSize?: number;
}

function encodeSample(view: DataView, o: number, v: number, tag: number, bits: number): void {
  if (tag === 3) {
    if (bits === 32) view.setFloat32(o, v, true);
    else view.setFloat64(o, v, true);
    return;
  }
  if (bits === 8) view.setUint8(o, Math.round(v * 127) + 128);
  else if (bits === 16) view.setInt16(o, Math.round(v * 32767), true);
  else if (bits === 24) {
    const x = Math.round(v * 8388607);
    view.setUint8(o, x & 0xff);
    view.setUint8(o + 1, (x >> 8) & 0xff);
    view.setInt8(o + 2, x >> 16);
  } else view.setInt32(o, Math.round(v * 2147483647), true);
}

function chunk(id: string, body: Uint8Array, sizeOverride?: number): Uint8Array {
  const out = new Uint8Array(8 + body.length + (body.length & 1));
  for (let i = 0; i < 4; i++) out[i] = id.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, sizeOverride ?? body.length, true);
  out.set(body, 8);
  return out;
}

export function buildWav(spec: WavSpec = {}): Uint8Array {
  const tag = spec.tag ?? 1;
  const channels = spec.channels ?? 1;
  const rate = spec.sampleRate ?? 16000;
  const bits = spec.bits ?? 16;
  const bytes = bits / 8;
  let data = spec.data;
  if (!data) {
    const frames =
      spec.frames ??
      Array.from({ length: 32 }, (_, i) => Array(channels).fill(Math.sin(i / 3) * 0.5) as number[]);
    data = new Uint8Array(frames.length * channels * bytes);
    const view = new DataView(data.buffer);
    frames.forEach((f, i) =>
      f.forEach((v, c) => encodeSample(view, (i * channels + c) * bytes, v, tag, bits)),
    );
  }
  const fmt = new Uint8Array(spec.extensible ? 40 : 16);
  const fv = new DataView(fmt.buffer);
  fv.setUint16(0, spec.extensible ? 0xfffe : tag, true);
  fv.setUint16(2, channels, true);
  fv.setUint32(4, rate, true);
  fv.setUint32(8, rate * channels * bytes, true);
  fv.setUint16(12, spec.blockAlign ?? channels * bytes, true);
  fv.setUint16(14, bits, true);
  if (spec.extensible) {
    fv.setUint16(16, 22, true);
    fv.setUint16(18, bits, true);
    fv.setUint32(20, (1 << channels) - 1, true);
    fv.setUint16(24, tag, true);
    fmt.set(
      [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71],
      26,
    );
  }
  const parts = [
    ...(spec.before ?? []).map(([id, b]) => chunk(id, b)),
    chunk('fmt ', fmt),
    ...(spec.between ?? []).map(([id, b]) => chunk(id, b)),
    chunk('data', data, spec.dataSize),
  ];
  const size = parts.reduce((n, p) => n + p.length, 4);
  const out = new Uint8Array(8 + size);
  out.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(out.buffer).setUint32(4, spec.riffSize ?? size, true);
  out.set([0x57, 0x41, 0x56, 0x45], 8);
  let o = 12;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
