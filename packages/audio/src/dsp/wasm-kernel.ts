import type { MelFilterbank } from './mel.js';
import { LOGMEL_WASM_BASE64 } from './logmel-wasm.generated.js';
import type { RealFFT } from './real-fft.js';

interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  mel_energies(...args: number[]): void;
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
    // 3 KB: small enough for synchronous compilation on a browser's main thread.
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
 * Mel energies (before the logarithm) of every frame of an already padded signal, computed by
 * native/logmel.c: the same float64 operations in the same order as the JS path, without
 * bounds checks. `fill` writes the padded signal straight into the kernel's memory.
 */
export function wasmMelEnergies(
  fill: (target: Float64Array) => void,
  signalLength: number,
  frames: number,
  hop: number,
  fft: RealFFT,
  window: Float64Array,
  bank: MelFilterbank,
  power1: boolean,
): Float64Array {
  const k = kernel();
  if (!k) throw new Error('wasm log-mel kernel unavailable');
  const nFft = fft.size;
  const half = nFft / 2;
  const { bitReverse, twiddles, split } = fft.kernelTables();
  const weightCount = bank.weights.reduce((n, w) => n + w.length, 0);
  // Float64 blocks first, then 32-bit ones; every block starts 8-byte aligned.
  const sizes = [
    signalLength,
    nFft,
    twiddles.length,
    split.length,
    weightCount,
    3 * half + 1,
    frames * bank.nMels,
  ];
  const base = (k.heap_base() + 7) & ~7;
  const offsets: number[] = [];
  let end = base;
  for (const n of sizes) {
    offsets.push(end);
    end += 8 * n;
  }
  const bitrevAt = end;
  const startAt = bitrevAt + 4 * half;
  const lenAt = startAt + 4 * bank.nMels;
  end = lenAt + 4 * bank.nMels;
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
  k.mel_energies(
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
    offsets[5] as number,
    offsets[6] as number,
  );
  return f64(6);
}
