// Test helper: writes AIFF / AIFF-C files field by field, including ones no encoder would produce.

export interface AiffSpec {
  channels?: number;
  sampleRate?: number;
  bits?: number;
  /** AIFF-C compression type (e.g. 'NONE', 'sowt', 'fl32', 'ulaw'); plain AIFF when absent. */
  codec?: string;
  /** Raw sound data (already in the declared format and byte order). */
  data: Uint8Array;
  /** Sample frames declared in COMM; defaults to what `data` holds. */
  frames?: number;
}

function ascii(out: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

/** An 80-bit IEEE 754 extended float for a positive integer rate (COMM's sample-rate field). */
function writeExtended(view: DataView, at: number, value: number): void {
  const exponent = Math.floor(Math.log2(value));
  const mantissa = value * 2 ** (63 - exponent); // exact for integer rates below 2^53
  view.setUint16(at, 16383 + exponent);
  view.setUint32(at + 2, Math.floor(mantissa / 2 ** 32));
  view.setUint32(at + 6, mantissa % 2 ** 32);
}

export function buildAiff(spec: AiffSpec): Uint8Array {
  const channels = spec.channels ?? 1;
  const bits = spec.bits ?? 16;
  const commSize = spec.codec === undefined ? 18 : 24; // AIFF-C adds the type and an empty name
  const frames = spec.frames ?? Math.floor(spec.data.length / (channels * (bits / 8)));
  const ssndSize = 8 + spec.data.length;
  const total = 12 + 8 + commSize + 8 + ssndSize + (ssndSize & 1);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  ascii(out, 0, 'FORM');
  view.setUint32(4, total - 8);
  ascii(out, 8, spec.codec === undefined ? 'AIFF' : 'AIFC');
  ascii(out, 12, 'COMM');
  view.setUint32(16, commSize);
  view.setUint16(20, channels);
  view.setUint32(22, frames);
  view.setUint16(26, bits);
  writeExtended(view, 28, spec.sampleRate ?? 44_100);
  if (spec.codec !== undefined) ascii(out, 38, spec.codec); // then a zero-length pascal string
  const ssnd = 20 + commSize;
  ascii(out, ssnd, 'SSND');
  view.setUint32(ssnd + 4, ssndSize);
  out.set(spec.data, ssnd + 16); // offset and block size stay 0
  return out;
}
