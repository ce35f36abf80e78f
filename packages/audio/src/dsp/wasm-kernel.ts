import type { MelFilterbank } from './mel.js';
import { LOGMEL_WASM_BASE64 } from './logmel-wasm.generated.js';
import type { RealFFT } from './real-fft.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  mel_db(...args: number[]): void;
}

let instance: KernelExports | null | undefined;

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** The compiled kernel, or null where WebAssembly is unavailable (the JS path is then used). */
function kernel(): KernelExports | null {
  if (instance !== undefined) return instance;
  try {
    // 4 KB: small enough for synchronous compilation on a browser's main thread.
    const module = new WebAssembly.Module(
      base64Bytes(LOGMEL_WASM_BASE64) as Uint8Array<ArrayBuffer>,
    );
    instance = new WebAssembly.Instance(module, {}).exports as unknown as KernelExports;
  } catch {
    instance = null;
  }
  return instance;
}

/** Whether the wasm log-mel kernel can run here. */
export function wasmKernelAvailable(): boolean {
  return kernel() !== null;
}

/**
 * What {@link wasmLogMel} converts mel energies with: dB = scale · ln(max(energy, amin)) − offset,
 * and exactly `floorDb` where energy ≤ amin.
 */
export interface DbScale {
  amin: number;
  scale: number;
  offset: number;
  floorDb: number;
}

/**
 * The log-mel spectrogram (dB, frames × mel bins, row-major) of an already padded signal,
 * computed by native/logmel.c two frames at a time: the mel energies are the JS path's float64
 * operations in the same order (equal bit for bit), the dB conversion is float32. `fill` writes
 * the padded signal straight into the kernel's memory; the result is written into `out`.
 */
export function wasmLogMel(
  fill: (target: Float64Array) => void,
  signalLength: number,
  frames: number,
  hop: number,
  fft: RealFFT,
  window: Float64Array,
  bank: MelFilterbank,
  power1: boolean,
  db: DbScale,
  out: Float32Array,
): void {
  const k = kernel();
  if (!k) throw new Error('wasm log-mel kernel unavailable');
  const nFft = fft.size;
  const half = nFft / 2;
  const { bitReverse, twiddles, split } = fft.kernelTables();
  const weightCount = bank.weights.reduce((n, w) => n + w.length, 0);
  // Float64 blocks (the last one the kernel's two-frame work space), then 32-bit ones; every
  // block starts 16-byte aligned (SIMD loads).
  const sizes = [
    signalLength,
    nFft,
    twiddles.length,
    split.length,
    weightCount,
    2 * (nFft + 3 * half + 1),
  ];
  const align = (n: number): number => (n + 15) & ~15;
  const base = align(k.heap_base());
  const offsets: number[] = [];
  let end = base;
  for (const n of sizes) {
    offsets.push(end);
    end = align(end + 8 * n);
  }
  const bitrevAt = end;
  const startAt = align(bitrevAt + 4 * half);
  const lenAt = align(startAt + 4 * bank.nMels);
  const outAt = align(lenAt + 4 * bank.nMels);
  end = outAt + 4 * frames * bank.nMels;
  const memory = k.memory;
  if (end > memory.buffer.byteLength)
    memory.grow(Math.ceil((end - memory.buffer.byteLength) / 65536));
  const buffer = memory.buffer;
  const f64 = (i: number): Float64Array => new Float64Array(buffer, offsets[i], sizes[i]);
  fill(f64(0));
  f64(1).set(window);
  f64(2).set(twiddles);
  f64(3).set(split);
  const weights = f64(4);
  let o = 0;
  for (const w of bank.weights) {
    weights.set(w, o);
    o += w.length;
  }
  new Uint32Array(buffer, bitrevAt, half).set(bitReverse);
  new Int32Array(buffer, startAt, bank.nMels).set(bank.start);
  new Int32Array(buffer, lenAt, bank.nMels).set(bank.weights.map((w) => w.length));
  k.mel_db(
    offsets[0] as number,
    frames,
    hop,
    nFft,
    offsets[1] as number,
    bitrevAt,
    offsets[2] as number,
    offsets[3] as number,
    bank.nMels,
    startAt,
    lenAt,
    offsets[4] as number,
    power1 ? 1 : 0,
    db.amin,
    db.scale,
    db.offset,
    db.floorDb,
    offsets[5] as number,
    outAt,
  );
  out.set(new Float32Array(buffer, outAt, frames * bank.nMels));
}
